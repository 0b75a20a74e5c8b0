// Stage `report`: out/report/index.html, one self-contained file with every figure bound (PNG or SVG),
// the phase-time, dimension and fit tables, the image datasets' summaries, and the provenance of everything upstream. Any input may
// be missing: the report says "not run" for it. HTML in plots/report-html.ts.
import { param } from '../core/params.ts';
import { defineStage, file, fileInput, tableInput, type InputSpec, type TableInput } from '../core/stage.ts';
import { IMAGE_EXPERIMENTS, type FigureEntry, type Source } from '../plots/figure-stage.ts';
import { FIT, IMAGE_SUMMARY, PHASES, PHASE_TIMES } from '../artifacts/schemas.ts';
import { figure as figure2 } from './figure2.ts';
import { figure as figure3 } from './figure3.ts';
import { figure as figure4 } from './figure4.ts';
import { figure as figure5 } from './figure5.ts';
import { figure as imageDimension } from './image-dimension.ts';
import { figure as gapWidths } from './gap-widths.ts';
import { figure as phaseDiagram } from './phase-diagram.ts';
import { figure as dimension } from './dimension.ts';
import { figure as methods } from './methods.ts';
import { figure as haarStack } from './haar-stack.ts';
import { figure as loss } from './loss.ts';
import { figure as collapsePlot } from './collapse-plot.ts';

/** Every figure, in the report's reading order: adding a figure is adding its entry here. */
export const FIGURES: readonly FigureEntry[] = [figure2, figure3, figure4, figure5, imageDimension, gapWidths, phaseDiagram, dimension, methods, haarStack, loss, collapsePlot];

/** The report's input for a figure's png (or svg): its stage name as an identifier ('gap-widths' → gap_widths). */
export function figureInput(f: FigureEntry): string {
  return f.stage.name.replaceAll('-', '_');
}

const figureInputs: Record<string, InputSpec> = Object.fromEntries(
  FIGURES.map((f) => [figureInput(f), fileInput(`${f.title}: the ${f.stage.name} node's png (or svg) output`, true)]),
);

/** The Figure 3 experiments whose measured tables the report shows, each bound as `<table>_<slot>`. */
const REPORT_SLOTS = ['left', 'centre', 'right'] as const;
type Slot = (typeof REPORT_SLOTS)[number];
type TableInputs = Record<`phase_times_${Slot}`, TableInput<typeof PHASE_TIMES>> &
  Record<`phases_${Slot}`, TableInput<typeof PHASES>> &
  Record<`fit_${Slot}`, TableInput<typeof FIT>>;
const tableInputs = Object.fromEntries(
  REPORT_SLOTS.flatMap((k) => [
    [`phase_times_${k}`, tableInput(PHASE_TIMES, `Measured vs predicted gap times of fig3-${k} (phase-times.phase_times)`, true)],
    [`phases_${k}`, tableInput(PHASES, `Phases and dimension estimates per time of fig3-${k} (gaps.phases)`, true)],
    [`fit_${k}`, tableInput(FIT, `Fitted data-model parameters with intervals and truth of fig3-${k} (fit.fit)`, true)],
  ]),
) as TableInputs;

/** Each image experiment's summary is bound as `image_summary_<input prefix>`. */
type ImageKey = (typeof IMAGE_EXPERIMENTS)[number]['input'];
const imageInputs = Object.fromEntries(
  IMAGE_EXPERIMENTS.map(({ input, experiment }) => [`image_summary_${input}`, tableInput(IMAGE_SUMMARY, `${experiment}: dimensions by score, collapse time, MLE and TwoNN (image-summary)`, true)]),
) as Record<`image_summary_${ImageKey}`, TableInput<typeof IMAGE_SUMMARY>>;
type ImageInputs = typeof imageInputs;

/** Where the report's tables come from; its figures are the `figures` experiment's nodes of FIGURES. */
export const TABLE_SOURCES: Record<string, Source> = Object.fromEntries([
  ...REPORT_SLOTS.flatMap((k) => [
    [`phase_times_${k}`, `fig3-${k}/phase-times.phase_times`],
    [`phases_${k}`, `fig3-${k}/gaps-trained.phases`],
    [`fit_${k}`, `fig3-${k}/fit.fit`],
  ]),
  ...IMAGE_EXPERIMENTS.map(({ input, experiment }) => [`image_summary_${input}`, `${experiment}/image-summary.image_summary`]),
]);

export default defineStage({
  name: 'report',
  description: 'Self-contained HTML report: figures, phase times, dimension estimates, theory fit and provenance',
  module: import.meta.url,
  params: {
    title: param.string({ default: 'Manifolds, random matrices and spectral gaps — reproduction report', help: 'Report title' }),
    png_scale: param.number({ default: 2, min: 0.5, max: 8, help: 'PNG pixels per CSS pixel of the figures (the figure stages\' scale): PNGs show at width / png_scale' }),
  },
  // Spread, the figures' index signature would be dropped from the type.
  inputs: { ...figureInputs, ...tableInputs, ...imageInputs } as Record<string, InputSpec> & TableInputs & ImageInputs,
  outputs: {
    html: file('html', 'Self-contained HTML report', 'report/index.html'),
  },
  resources: { cpu: 1, memoryMiB: 400 },
  async run(ctx) {
    const { pngSize, reportHtml, sniffImage } = await import('../plots/report-html.ts');
    const { gitCommit } = await import('../plots/code-version.ts');
    const { fileURLToPath } = await import('node:url');
    const { dirname } = await import('node:path');
    const figures = [];
    for (const [k, f] of FIGURES.entries()) {
      ctx.progress(k / (FIGURES.length + 2), f.stage.name);
      const input = figureInput(f);
      let image: { mime: 'image/png' | 'image/svg+xml'; bytes: Uint8Array; displayWidth?: number } | undefined;
      if (ctx.read.has(input)) {
        const bytes = await ctx.read.file(input);
        const mime = sniffImage(bytes);
        if (mime) image = { mime, bytes, displayWidth: mime === 'image/png' ? pngSize(bytes).width / ctx.params.png_scale : undefined };
        else ctx.log.warn(`${input}: bound file is neither PNG nor SVG; shown as not run`);
      }
      figures.push({ name: f.stage.name, title: f.title, caption: f.caption, image });
    }
    const experiments = [];
    for (const k of REPORT_SLOTS) {
      const bound = (['phase_times', 'phases', 'fit'] as const).map((t) => `${t}_${k}` as const).filter((n) => ctx.read.has(n));
      experiments.push({
        // Label by where the tables came from, so a sweep's experiment names show through.
        label: bound.length > 0 ? ctx.read.origin(bound[0]).experiment : `fig3-${k}`,
        phaseTimes: ctx.read.has(`phase_times_${k}`) ? await ctx.read.table(`phase_times_${k}`) : undefined,
        phases: ctx.read.has(`phases_${k}`) ? await ctx.read.table(`phases_${k}`) : undefined,
        fit: ctx.read.has(`fit_${k}`) ? await ctx.read.table(`fit_${k}`) : undefined,
      });
    }
    const imageSets = [];
    for (const e of IMAGE_EXPERIMENTS) {
      const input = `image_summary_${e.input}` as const;
      const bound = ctx.read.has(input);
      const absent = 'absent' in e ? e.absent : `the ${e.experiment} experiment produced no image summary`;
      imageSets.push({ label: bound ? ctx.read.origin(input).experiment : e.experiment, summary: bound ? await ctx.read.table(input) : undefined, absent });
    }
    const lineage = await ctx.lineage();
    const html = reportHtml({
      title: ctx.params.title,
      // The newest upstream artifact's time, not the clock: the same inputs give the same bytes.
      generatedAt: lineage.nodes.map((n) => n.createdAt).sort().at(-1) ?? 'no upstream artifacts',
      figures,
      experiments,
      images: imageSets,
      provenance: {
        codeVersion: gitCommit(dirname(fileURLToPath(import.meta.url))),
        environment: ctx.environment,
        runtime: `node ${process.version} on ${process.platform}-${process.arch}`,
        nodes: lineage.nodes,
      },
    });
    await ctx.write.file('html', html);
    ctx.progress(1, `${figures.filter((f) => f.image).length}/${figures.length} figures, ${html.length} B`);
  },
});
