// Stage `figure4`: the paper's Figure 4 — sorted spectrum of the trained model's sym(s·J) against the
// theoretical quantile curve at t ≈ 0.45, 0.3, 0.11. Spec in plots/figure4.ts.
import { param } from '../core/params.ts';
import { defineStage, tableInput } from '../core/stage.ts';
import { figureOutputs, type FigureEntry, selectionOf, selectionParams, styleOf, styleParams, writeFigure } from '../plots/figure-stage.ts';
import { SPECTRA, THEORY_DENSITY } from '../artifacts/schemas.ts';

const stage = defineStage({
  name: 'figure4',
  description: 'Figure 4: trained model vs random-matrix theory, sorted spectra at a few times',
  module: import.meta.url,
  params: {
    times: param.numbers({ default: [0.45, 0.3, 0.11], min: 0, max: 1, minLength: 1, help: 'Times of the panels (snap to the nearest time computed)' }),
    ...selectionParams('trained'),
    alpha: param.number({ default: 0, min: 0, max: 1, help: 'α = m/d for the atom at −1 (weight 1 − α); 0: infer from the theory density' }),
    ...styleParams({ width: 260, height: 220 }),
  },
  inputs: {
    spectra: tableInput(SPECTRA, 'Spectra of the trained model at the figure times (fig4 spectra-trained)'),
    theory_density: tableInput(THEORY_DENSITY, 'Random-matrix density at the same s (fig4 theory.theory_density)'),
  },
  outputs: figureOutputs('figure4', 'Figure 4'),
  resources: { cpu: 1, memoryMiB: 400 },
  async run(ctx) {
    const { figure4Spec } = await import('../plots/figure4.ts');
    const p = ctx.params;
    const spec = figure4Spec(
      { spectra: await ctx.read.table('spectra'), density: await ctx.read.table('theory_density') },
      {
        times: p.times,
        selection: selectionOf(p),
        alpha: p.alpha > 0 ? p.alpha : undefined,
        style: styleOf(p),
      },
    );
    await writeFigure(ctx, spec, p.scale);
  },
});
export default stage;

export const figure: FigureEntry<typeof stage> = {
  stage,
  title: 'Figure 4 — trained model vs theory at t ≈ 0.45, 0.3, 0.11',
  caption:
    'Sorted eigenvalues of sym(s·J) of the trained score (mean and 10–90% band over evaluation points) against the theoretical quantile function at the same s.',
  sources: { spectra: 'fig4/spectra-trained.spectra', theory_density: 'fig3-left/theory.theory_density' },
};
