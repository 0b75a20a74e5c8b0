// Stage `methods`: exact Jacobian vs Algorithm 1 vs Algorithm 2 — relative error along s and the spectra
// each gives at one time. Both inputs optional; with neither, a "not run" figure. Spec in plots/methods.ts.
import { param } from '../core/params.ts';
import { defineStage, tableInput } from '../core/stage.ts';
import { figureOutputs, type FigureEntry, styleOf, styleParams, writeFigure } from '../plots/figure-stage.ts';
import { JACOBIAN_ERROR, SPECTRA } from '../artifacts/schemas.ts';

const stage = defineStage({
  name: 'methods',
  description: 'Jacobian estimators compared: exact vs one-sided (Alg. 1) vs central (Alg. 2) differences',
  module: import.meta.url,
  params: {
    t: param.number({ default: 0.3, min: 0, max: 1, help: 'Time of the spectra panel (snaps to the nearest time computed)' }),
    ...styleParams({ width: 260, height: 220 }),
  },
  inputs: {
    jacobian_error: tableInput(JACOBIAN_ERROR, 'Relative Frobenius error per method (spectra.jacobian_error)', true),
    spectra: tableInput(SPECTRA, 'Spectra with several methods (spectra.spectra)', true),
  },
  outputs: figureOutputs('methods', 'Exact vs Algorithm 1 vs Algorithm 2'),
  resources: { cpu: 1, memoryMiB: 400 },
  async run(ctx) {
    const { methodsSpec } = await import('../plots/methods.ts');
    const spec = methodsSpec(
      {
        errors: ctx.read.has('jacobian_error') ? await ctx.read.table('jacobian_error') : undefined,
        spectra: ctx.read.has('spectra') ? await ctx.read.table('spectra') : undefined,
      },
      { t: ctx.params.t, style: styleOf(ctx.params) },
    );
    await writeFigure(ctx, spec, ctx.params.scale);
  },
});
export default stage;

export const figure: FigureEntry<typeof stage> = {
  stage,
  title: 'Exact Jacobian vs Algorithm 1 vs Algorithm 2',
  caption:
    'Relative Frobenius error of the finite-difference Jacobians against the reference along s (the bias of a large step h), and the spectra each method gives.',
  sources: { jacobian_error: 'fig3-left/spectra-trained.jacobian_error', spectra: 'fig3-left/spectra-trained.spectra' },
};
