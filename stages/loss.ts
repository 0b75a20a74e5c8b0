// Stage `loss`: training-loss curves of every trained model bound (linear-manifold models of Figure 3,
// image models). Spec in plots/loss.ts.
import { defineStage, param, tableInput } from '../engine/stage.ts';
import { figureOutputs, styleOf, styleParams, writeFigure } from '../plots/figure-stage.ts';
import { LOSS } from '../artifacts/schemas.ts';

const RUNS = [
  ['left', 'fig3-left'],
  ['centre', 'fig3-centre'],
  ['right', 'fig3-right'],
  ['mnist', 'mnist'],
  ['fashion_mnist', 'fashion-mnist'],
] as const;

export default defineStage({
  name: 'loss',
  description: 'Training loss (per step and smoothed) of the trained score models',
  module: import.meta.url,
  params: {
    max_points: param.integer({ default: 400, min: 10, max: 100000, help: 'Most raw-loss points drawn per model' }),
    ...styleParams({ width: 300, height: 220 }),
  },
  inputs: {
    left: tableInput(LOSS, 'Loss of fig3-left’s train node', true),
    centre: tableInput(LOSS, 'Loss of fig3-centre’s train node', true),
    right: tableInput(LOSS, 'Loss of fig3-right’s train node', true),
    mnist: tableInput(LOSS, 'Loss of the MNIST model (train-images)', true),
    fashion_mnist: tableInput(LOSS, 'Loss of the Fashion-MNIST model (train-images)', true),
  },
  outputs: figureOutputs('loss', 'Training loss'),
  resources: { cpu: 1, memoryMiB: 300 },
  async run(ctx) {
    const { lossSpec } = await import('../plots/loss.ts');
    const runs = [];
    for (const [input, name] of RUNS) if (ctx.read.has(input)) runs.push({ name, table: await ctx.read.table(input) });
    const spec = lossSpec(runs, { maxPoints: ctx.params.max_points, style: styleOf(ctx.params) });
    await writeFigure(ctx, spec, ctx.params.scale);
  },
});
