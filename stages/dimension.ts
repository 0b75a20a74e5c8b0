// Stage `dimension`: estimated manifold dimension along generation (gap detection's phases table), with
// the theory dimension-drop curve when bound. Spec in plots/dimension.ts.
import { param } from '../core/params.ts';
import { defineStage, tableInput } from '../core/stage.ts';
import { figureOutputs, type FigureEntry, styleOf, styleParams, writeFigure } from '../plots/figure-stage.ts';
import { PHASES, THEORY_CURVES } from '../artifacts/schemas.ts';

const stage = defineStage({
  name: 'dimension',
  description: 'Dimension estimate vs time from gap detection, with phases and the theory dimension drop',
  module: import.meta.url,
  params: {
    x_axis: param.choice(['t', 's'] as const, { default: 't', help: 'x axis: time t (linear) or noise variance s (log)' }),
    ...styleParams({ width: 300, height: 220 }),
  },
  inputs: {
    phases: tableInput(PHASES, 'Phase and dimension estimate per time (gaps.phases)'),
    theory_curves: tableInput(THEORY_CURVES, 'Theory dimension drop (theory.theory_curves, gap_index = −1)', true),
  },
  outputs: figureOutputs('dimension', 'Dimension estimate vs t'),
  resources: { cpu: 1, memoryMiB: 300 },
  async run(ctx) {
    const { dimensionSpec } = await import('../plots/dimension.ts');
    const spec = dimensionSpec(
      {
        phases: await ctx.read.table('phases'),
        curves: ctx.read.has('theory_curves') ? await ctx.read.table('theory_curves') : undefined,
      },
      { xAxis: ctx.params.x_axis, style: styleOf(ctx.params) },
    );
    await writeFigure(ctx, spec, ctx.params.scale);
  },
});
export default stage;

export const figure: FigureEntry<typeof stage> = {
  stage,
  title: 'Estimated dimension along generation',
  caption:
    'Eigenvalues detached from −1 counted by gap detection at each time, coloured by phase, with the theory dimension drop.',
  sources: { phases: 'fig3-left/gaps-trained.phases', theory_curves: 'fig3-left/theory.theory_curves' },
};
