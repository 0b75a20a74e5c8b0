// Stage `figure5`: the paper's Figure 5 — spectra over time for image models, one panel per dataset bound
// (MNIST, Fashion-MNIST). With none bound it still writes a figure that says "not run".
import { defineStage, param, tableInput } from '../engine/stage.ts';
import { figureOutputs, optionalLabel, styleOf, styleParams, writeFigure, METHOD_CHOICES, POINT_KIND_CHOICES, SCORE_CHOICES } from '../plots/figure-stage.ts';
import { SPECTRA } from '../artifacts/schemas.ts';

const DATASETS = [
  ['mnist', 'MNIST'],
  ['fashion_mnist', 'Fashion-MNIST'],
] as const;

export default defineStage({
  name: 'figure5',
  description: 'Figure 5: ordered spectra of s·J along generation for image score models',
  module: import.meta.url,
  params: {
    value: param.choice(['sv', 'eig'] as const, { default: 'sv', help: 'Singular values of s·J or eigenvalues of sym(s·J)' }),
    x_axis: param.choice(['s', 't'] as const, { default: 's', help: 'x axis: noise variance s (log) or time t (linear)' }),
    score: param.choice(SCORE_CHOICES, { default: 'auto', help: "Score rows to draw ('auto': trained, else analytic, else empirical)" }),
    method: param.choice(METHOD_CHOICES, { default: 'auto', help: "Jacobian method ('auto': exact, else alg2, else alg1)" }),
    point_kind: param.choice(POINT_KIND_CHOICES, { default: 'auto', help: "Evaluation points ('auto': trajectory, else noised)" }),
    ranks: param.numbers({ default: [], integer: true, min: 0, help: 'Ranks to draw (empty: max_ranks evenly spaced ranks)' }),
    max_ranks: param.integer({ default: 64, min: 1, help: 'Most lines per panel when ranks is empty (d = 784)' }),
    ...styleParams({ width: 300, height: 220 }),
  },
  inputs: {
    mnist: tableInput(SPECTRA, 'Spectra of the MNIST model (mnist spectra-images)', true),
    fashion_mnist: tableInput(SPECTRA, 'Spectra of the Fashion-MNIST model (fashion-mnist spectra-images)', true),
  },
  outputs: figureOutputs('figure5', 'Figure 5'),
  resources: { cpu: 1, memoryMiB: 1000 },
  async run(ctx) {
    const { figure5Spec } = await import('../plots/figure5.ts');
    const p = ctx.params;
    const datasets = [];
    for (const [input, label] of DATASETS) {
      if (ctx.read.has(input)) datasets.push({ dataset: label, table: await ctx.read.table(input) });
      else ctx.log.info(`${input}: not bound, no panel`);
    }
    const spec = figure5Spec(datasets, {
      value: p.value,
      xAxis: p.x_axis,
      selection: { score: optionalLabel(p.score), method: optionalLabel(p.method), pointKind: optionalLabel(p.point_kind) },
      ranks: p.ranks,
      maxRanks: p.max_ranks,
      style: styleOf(p),
    });
    await writeFigure(ctx, spec, p.scale);
  },
});
