// Stage `figure5`: the paper's Figure 5 — spectra over time for image data, one row per dataset bound
// (MNIST, Fashion-MNIST, CIFAR-10), one column per score (trained, empirical, Gaussian). With none bound
// it still writes a figure that says "not run".
import { param } from '../core/params.ts';
import { defineStage, tableInput, type TableInput } from '../core/stage.ts';
import {
  figureOutputs,
  selectionOf,
  selectionParams,
  styleOf,
  styleParams,
  writeFigure,
  IMAGE_EXPERIMENTS,
  type FigureEntry,
  type Source,
} from '../plots/figure-stage.ts';
import { SPECTRA } from '../artifacts/schemas.ts';
import { IMAGE_SOURCES, type ImageSource } from '../plots/figure5.ts';

// The trained spectra of a dataset are bound as `<prefix>`, the others as `<prefix>_<source>`.
const inputName = (prefix: string, source: ImageSource) => (source === 'trained' ? prefix : `${prefix}_${source}`);

/** The node of an image experiment that computes each score's spectra. */
const SPECTRA_NODES: Record<ImageSource, string> = { trained: 'spectra-images', empirical: 'spectra-images-empirical', gaussian: 'spectra-gaussian' };

const spectraInputs = Object.fromEntries(
  IMAGE_EXPERIMENTS.flatMap(({ input, label }) =>
    IMAGE_SOURCES.map((source) => [inputName(input, source), tableInput(SPECTRA, `${label}: spectra of the ${source} score (spectra-images or spectra-gaussian)`, true)]),
  ),
) as Record<string, TableInput<typeof SPECTRA>>;

const SOURCES = Object.fromEntries(
  IMAGE_EXPERIMENTS.flatMap(({ input, experiment }) => IMAGE_SOURCES.map((source) => [inputName(input, source), `${experiment}/${SPECTRA_NODES[source]}.spectra` as Source])),
);

const stage = defineStage({
  name: 'figure5',
  description: 'Figure 5: ordered spectra of s·J along generation for image data, trained vs empirical vs Gaussian scores',
  module: import.meta.url,
  params: {
    value: param.choice(['sv', 'eig'] as const, { default: 'sv', help: 'Singular values of s·J or eigenvalues of sym(s·J)' }),
    x_axis: param.choice(['s', 't'] as const, { default: 's', help: 'x axis: noise variance s (log) or time t (linear)' }),
    ...selectionParams('auto', ' of the trained panels'),
    ranks: param.numbers({ default: [], integer: true, min: 0, help: 'Ranks to draw (empty: max_ranks evenly spaced ranks)' }),
    max_ranks: param.integer({ default: 64, min: 1, help: 'Most lines per panel when ranks is empty (d = 784)' }),
    ...styleParams({ width: 300, height: 220 }),
  },
  inputs: spectraInputs,
  outputs: figureOutputs('figure5', 'Figure 5'),
  resources: { cpu: 1, memoryMiB: 1000 },
  async run(ctx) {
    const { figure5Spec } = await import('../plots/figure5.ts');
    const p = ctx.params;
    const rows = [];
    for (const { input: prefix, label } of IMAGE_EXPERIMENTS) {
      const panels = [];
      for (const source of IMAGE_SOURCES) {
        const input = inputName(prefix, source);
        if (ctx.read.has(input)) panels.push({ source, table: await ctx.read.table(input) });
      }
      if (panels.length === 0) ctx.log.info(`${label}: no spectra bound, no row`);
      rows.push({ dataset: label, panels });
    }
    const spec = figure5Spec(rows, {
      value: p.value,
      xAxis: p.x_axis,
      selection: selectionOf(p),
      ranks: p.ranks,
      maxRanks: p.max_ranks,
      style: styleOf(p),
    });
    await writeFigure(ctx, spec, p.scale);
  },
});
export default stage;

export const figure: FigureEntry<typeof stage> = {
  stage,
  title: 'Figure 5 — spectra along generation for image data: trained, empirical and Gaussian scores',
  caption:
    'Ordered singular values of s·J along s, a subset of ranks, one row per dataset (MNIST, Fashion-MNIST, CIFAR-10 when supplied): the trained network, the exact empirical score of the whole training set (at small s every value at 1: memorisation) and the Gaussian model of the data (s/(s + λᵢ) over the covariance eigenvalues).',
  sources: SOURCES,
};
