// Stage `figure3`: the paper's Figure 3 — ordered singular values of the trained model's s·J over time,
// three panels (left, centre swap, continuous profile). Spec in plots/figure3.ts.
import { param } from '../core/params.ts';
import { defineStage, tableInput } from '../core/stage.ts';
import { figureOutputs, type FigureEntry, selectionOf, selectionParams, styleOf, styleParams, writeFigure } from '../plots/figure-stage.ts';
import { SPECTRA } from '../artifacts/schemas.ts';

const stage = defineStage({
  name: 'figure3',
  description: 'Figure 3: ordered spectra of the trained score’s s·J along generation, left / centre / right data models',
  module: import.meta.url,
  params: {
    value: param.choice(['sv', 'eig'] as const, { default: 'sv', help: 'Singular values of s·J (paper) or eigenvalues of sym(s·J)' }),
    x_axis: param.choice(['s', 't'] as const, { default: 's', help: 'x axis: noise variance s (log) or time t (linear)' }),
    ...selectionParams('trained'),
    ranks: param.numbers({ default: [], integer: true, min: 0, help: 'Ranks to draw (empty: max_ranks evenly spaced ranks)' }),
    max_ranks: param.integer({ default: 100, min: 1, help: 'Most lines per panel when ranks is empty' }),
    ...styleParams({ width: 280, height: 220 }),
  },
  inputs: {
    left: tableInput(SPECTRA, 'Spectra of fig3-left (σ₁² = 1, σ₂² = 0.01, f = 0.75)', true),
    centre: tableInput(SPECTRA, 'Spectra of fig3-centre (σ₁² = 0.01, σ₂² = 1)', true),
    right: tableInput(SPECTRA, 'Spectra of fig3-right (continuous profile)', true),
  },
  outputs: figureOutputs('figure3', 'Figure 3'),
  resources: { cpu: 1, memoryMiB: 600 },
  async run(ctx) {
    const { figure3Spec } = await import('../plots/figure3.ts');
    const read = async (k: 'left' | 'centre' | 'right') => (ctx.read.has(k) ? ctx.read.table(k) : undefined);
    const p = ctx.params;
    const spec = figure3Spec(
      { left: await read('left'), centre: await read('centre'), right: await read('right') },
      {
        value: p.value,
        xAxis: p.x_axis,
        selection: selectionOf(p),
        ranks: p.ranks,
        maxRanks: p.max_ranks,
        style: styleOf(p),
      },
    );
    await writeFigure(ctx, spec, p.scale);
  },
});
export default stage;

export const figure: FigureEntry<typeof stage> = {
  stage,
  title: 'Figure 3 — ordered singular values of the trained model along generation',
  caption:
    'One line per rank of s·J; gaps between groups of lines are the spectral gaps. Left: σ₁² = 1, σ₂² = 0.01, f = 0.75; centre: the swap; right: a continuous variance profile.',
  sources: { left: 'fig3-left/spectra-trained.spectra', centre: 'fig3-centre/spectra-trained.spectra', right: 'fig3-right/spectra-trained.spectra' },
};
