// Stage `collapse-plot`: fraction of empirical-score trajectories collapsed onto training points vs time
// for each n, and the collapse time vs n against t_C of George, Veiga & Macris. Spec in plots/collapse-plot.ts.
import { param } from '../core/params.ts';
import { defineStage, tableInput } from '../core/stage.ts';
import { figureOutputs, type FigureEntry, styleOf, styleParams, writeFigure } from '../plots/figure-stage.ts';
import { COLLAPSE } from '../artifacts/schemas.ts';

const stage = defineStage({
  name: 'collapse-plot',
  description: 'Collapse (memorisation) of the empirical score vs n, with the theory collapse time t_C',
  module: import.meta.url,
  params: {
    threshold: param.number({ default: 0.5, min: 0, max: 1, help: 'Fraction collapsed that defines the measured collapse time' }),
    ...styleParams({ width: 260, height: 220 }),
  },
  check(p) {
    if (!(p.threshold > 0 && p.threshold < 1)) return `threshold must be in (0, 1), got ${p.threshold}`;
    return undefined;
  },
  inputs: {
    collapse: tableInput(COLLAPSE, 'Fraction collapsed per (n, d, t) and t_C theory (collapse.collapse)'),
  },
  outputs: figureOutputs('collapse-plot', 'Collapse vs n'),
  resources: { cpu: 1, memoryMiB: 300 },
  async run(ctx) {
    const { collapseSpec } = await import('../plots/collapse-plot.ts');
    const spec = collapseSpec(await ctx.read.table('collapse'), { threshold: ctx.params.threshold, style: styleOf(ctx.params) });
    await writeFigure(ctx, spec, ctx.params.scale);
  },
});
export default stage;

export const figure: FigureEntry<typeof stage> = {
  stage,
  title: 'Collapse of the empirical score vs n',
  caption:
    'Fraction of reverse trajectories of the exact empirical score that end on a training point, and the measured collapse time against t_C of George, Veiga & Macris converted to the VE clock (a d → ∞ result: at small d capture is a smooth crossover, so compare the trend with n).',
  sources: { collapse: 'collapse/collapse.collapse' },
};
