// What every figure stage shares: its entry (report slot and where its inputs come from), its three
// published outputs (SVG, PNG, the vega-lite spec), the plot style parameters, and writing a rendered
// figure. Light on purpose: stage definitions import this in the engine parent; the renderer (vega,
// vega-lite, resvg) is loaded inside `run` only.
import { param } from '../core/params.ts';
import { file, type InputSchema, type Logger, type StageDefinition } from '../core/stage.ts';
import type { SpectraSelection } from './spectra-summary.ts';
import type { FigureStyle, VegaLiteSpec } from './theme.ts';

/** An output of pipeline.ts's DAG by name: '<experiment>/<node>.<output>', e.g. 'fig3-left/theory.theory_curves'. */
export type Source = `${string}/${string}.${string}`;

/**
 * Where each input of a `figures` node comes from. An input whose source experiment is not declared (CIFAR-10
 * without its files) is left unbound; a declared experiment without the named node or output is an error.
 */
type Sources<I extends InputSchema> = { [K in keyof I & string]?: Source };

/**
 * One figure: its stage, its slot in the report (title and caption: what to look for) and its inputs'
 * sources. The report lists these entries in reading order (stages/report.ts); the `figures` experiment,
 * the report's inputs and the smoke test's expectations are derived from them.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export interface FigureEntry<S extends StageDefinition<any, any, any> = StageDefinition<any, any, any>> {
  stage: S;
  title: string;
  caption: string;
  sources: Sources<S['inputs']>;
}

/** The image experiments the figures and the report read, by input prefix, experiment and label. */
export const IMAGE_EXPERIMENTS = [
  { input: 'mnist', experiment: 'mnist', label: 'MNIST' },
  { input: 'fashion_mnist', experiment: 'fashion-mnist', label: 'Fashion-MNIST' },
  {
    input: 'cifar10',
    experiment: 'cifar10',
    label: 'CIFAR-10',
    /** Why the experiment may be missing from the DAG. */
    absent: 'CIFAR-10 was not supplied: set CIFAR10_PATH to a directory of its binary batches (data_batch_*.bin)',
  },
] as const;

/** svg, png and spec ('vl.json') outputs published at out/figures/<name>.svg|.png|.vl.json. */
export function figureOutputs(name: string, help: string) {
  return {
    svg: file('svg', `${help} (SVG)`, `figures/${name}.svg`),
    png: file('png', `${help} (PNG)`, `figures/${name}.png`),
    spec: file('vl.json', `${help} (vega-lite spec with inline data)`, `figures/${name}.vl.json`),
  } as const;
}

/** Panel size, font size and PNG resolution, with per-figure defaults. */
export function styleParams(defaults: { width: number; height: number }) {
  return {
    width: param.integer({ default: defaults.width, min: 80, max: 4000, unit: 'px', help: 'Width of one panel' }),
    height: param.integer({ default: defaults.height, min: 60, max: 4000, unit: 'px', help: 'Height of one panel' }),
    font_size: param.number({ default: 12, min: 6, max: 40, unit: 'px', help: 'Base font size of axis labels (titles are larger)' }),
    scale: param.number({ default: 2, min: 0.5, max: 8, help: 'PNG pixels per SVG pixel' }),
  } as const;
}

export function styleOf(p: { width: number; height: number; font_size: number }): FigureStyle {
  return { width: p.width, height: p.height, fontSize: p.font_size };
}

interface FigureContext {
  write: { file(name: 'svg' | 'png' | 'spec', bytes: Uint8Array | string): Promise<void> };
  log: Logger;
  progress(fraction: number, message?: string): void;
}

/** Renders the spec (SVG, PNG at `scale`) and writes the three outputs. */
export async function writeFigure(ctx: FigureContext, spec: VegaLiteSpec, scale: number): Promise<void> {
  ctx.progress(0.5, 'rendering');
  const { renderFigure } = await import('./render.ts');
  const figure = await renderFigure(spec, { scale });
  for (const w of figure.warnings) ctx.log.warn(`vega-lite: ${w}`);
  await ctx.write.file('svg', figure.svg);
  await ctx.write.file('png', figure.png);
  await ctx.write.file('spec', JSON.stringify(figure.spec, null, 1));
  ctx.progress(1, `${figure.svg.length} B SVG, ${figure.png.length} B PNG`);
}

/** The row selections a spectra figure accepts ('auto' leaves the choice to the data), checked at plan time. */
const SCORE_CHOICES = ['auto', 'trained', 'analytic', 'empirical'] as const;
const METHOD_CHOICES = ['auto', 'exact', 'alg1', 'alg2', 'haar-stack'] as const;
const POINT_KIND_CHOICES = ['auto', 'trajectory', 'noised', 'clean'] as const;

/** The `score`, `method` and `point_kind` parameters of a spectra figure; `of` names the panels they apply to. */
export function selectionParams(defaultScore: 'auto' | 'trained', of = '') {
  return {
    score: param.choice(SCORE_CHOICES, { default: defaultScore, help: `Score rows to draw${of} ('auto': trained, else analytic, else empirical)` }),
    method: param.choice(METHOD_CHOICES, { default: 'auto', help: `Jacobian method${of} ('auto': exact, else alg2, else alg1)` }),
    point_kind: param.choice(POINT_KIND_CHOICES, { default: 'auto', help: `Evaluation points${of} ('auto': trajectory, else noised)` }),
  } as const;
}

/** '' or 'auto' → undefined: a label left to the data. */
function optionalLabel(value: string): string | undefined {
  return value === '' || value === 'auto' ? undefined : value;
}

/** The rows selectionParams' values ask for (spectra-summary.ts selectSpectra). */
export function selectionOf(p: { score: string; method: string; point_kind: string }): SpectraSelection {
  return { score: optionalLabel(p.score), method: optionalLabel(p.method), pointKind: optionalLabel(p.point_kind) };
}
