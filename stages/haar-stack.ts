// Stage `haar-stack`: the authors' estimator against the exact Jacobian at a few times of their grid.
// Spec in plots/haar-stack.ts; without bound spectra, a "not run" figure.
import { param } from '../core/params.ts';
import { defineStage, tableInput } from '../core/stage.ts';
import { figureOutputs, type FigureEntry, styleOf, styleParams, writeFigure } from '../plots/figure-stage.ts';
import { SPECTRA } from '../artifacts/schemas.ts';

const stage = defineStage({
  name: 'haar-stack',
  description: "The authors' Haar-stack estimator vs the exact Jacobian: normalised singular values at a few times",
  module: import.meta.url,
  params: {
    at: param.numbers({ default: [0.8, 0.45, 0.3, 0.11, 1e-5], min: 0, max: 1, minLength: 1, help: 'Times of the panels (each snaps to the nearest time computed)' }),
    ...styleParams({ width: 200, height: 200 }),
  },
  inputs: {
    spectra: tableInput(SPECTRA, 'Spectra with methods exact and haar-stack at the same points (spectra.spectra)', true),
  },
  outputs: figureOutputs('haar-stack', "The authors' Haar-stack estimator vs the exact Jacobian"),
  resources: { cpu: 1, memoryMiB: 400 },
  async run(ctx) {
    const { haarStackSpec } = await import('../plots/haar-stack.ts');
    const spectra = ctx.read.has('spectra') ? await ctx.read.table('spectra') : undefined;
    await writeFigure(ctx, haarStackSpec(spectra, { at: ctx.params.at, style: styleOf(ctx.params) }), ctx.params.scale);
  },
});
export default stage;

export const figure: FigureEntry<typeof stage> = {
  stage,
  title: "The authors' Haar-stack estimator vs the exact Jacobian",
  caption:
    "Normalised singular values at clean training points of fig3-left's trained score, on the authors' grid t = linspace(0.8, 1e-5, 100): the stack [s(x + σqᵢ)/σ] does not subtract s(x), so its largest value is a rank-one term, dropped before normalising; where that term is not the largest, the drop removes a direction of J instead.",
  sources: { spectra: 'haar-stack/spectra-trained.spectra' },
};
