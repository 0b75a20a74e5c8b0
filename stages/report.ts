// Stage `report`: out/report/index.html, one self-contained file with every figure bound (PNG or SVG),
// the phase-time, dimension and fit tables, the image datasets' summaries, and the provenance of everything upstream. Any input may
// be missing: the report says "not run" for it. HTML in plots/report-html.ts.
import { param } from '../core/params.ts';
import { defineStage, file, fileInput, tableInput, type InputSpec, type TableInput } from '../core/stage.ts';
import { FIGURES } from '../plots/figure-catalog.ts';
import { FIT, IMAGE_SUMMARY, PHASES, PHASE_TIMES } from '../artifacts/schemas.ts';

type FigureInputs = Record<(typeof FIGURES)[number]['input'], InputSpec>;
const figureInputs = Object.fromEntries(
  FIGURES.map((f) => [f.input, fileInput(`${f.title}: the ${f.node} node's png (or svg) output`, true)]),
) as FigureInputs;

/** The Figure 3 experiments whose measured tables the report shows, each bound as `<table>_<slot>`. */
export const REPORT_SLOTS = ['left', 'centre', 'right'] as const;
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

/** The image datasets whose summary the report shows, bound as `image_summary_<key>`, and why one may be absent. */
export const REPORT_IMAGE_SETS = [
  ['mnist', 'mnist', 'the mnist experiment produced no image summary'],
  ['fashion_mnist', 'fashion-mnist', 'the fashion-mnist experiment produced no image summary'],
  ['cifar10', 'cifar10', 'CIFAR-10 was not supplied: set CIFAR10_PATH to a directory of its binary batches (data_batch_*.bin)'],
] as const;
type ImageKey = (typeof REPORT_IMAGE_SETS)[number][0];
const imageInputs = Object.fromEntries(
  REPORT_IMAGE_SETS.map(([k, label]) => [`image_summary_${k}`, tableInput(IMAGE_SUMMARY, `${label}: dimensions by score, collapse time, MLE and TwoNN (image-summary)`, true)]),
) as Record<`image_summary_${ImageKey}`, TableInput<typeof IMAGE_SUMMARY>>;

export default defineStage({
  name: 'report',
  description: 'Self-contained HTML report: figures, phase times, dimension estimates, theory fit and provenance',
  module: import.meta.url,
  params: {
    title: param.string({ default: 'Manifolds, random matrices and spectral gaps — reproduction report', help: 'Report title' }),
    png_scale: param.number({ default: 2, min: 0.5, max: 8, help: 'PNG pixels per CSS pixel of the figures (the figure stages\' scale): PNGs show at width / png_scale' }),
  },
  inputs: {
    ...figureInputs,
    ...tableInputs,
    ...imageInputs,
  },
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
      ctx.progress(k / (FIGURES.length + 2), f.node);
      let image: { mime: 'image/png' | 'image/svg+xml'; bytes: Uint8Array; displayWidth?: number } | undefined;
      if (ctx.read.has(f.input)) {
        const bytes = await ctx.read.file(f.input);
        const mime = sniffImage(bytes);
        if (mime) image = { mime, bytes, displayWidth: mime === 'image/png' ? pngSize(bytes).width / ctx.params.png_scale : undefined };
        else ctx.log.warn(`${f.input}: bound file is neither PNG nor SVG; shown as not run`);
      }
      figures.push({ name: f.node, title: f.title, caption: f.caption, image });
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
    for (const [k, label, absent] of REPORT_IMAGE_SETS) {
      const input = `image_summary_${k}` as const;
      const bound = ctx.read.has(input);
      imageSets.push({ label: bound ? ctx.read.origin(input).experiment : label, summary: bound ? await ctx.read.table(input) : undefined, absent });
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
