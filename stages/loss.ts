// Stage `loss`: training-loss curves of every trained model bound (linear-manifold models of Figure 3,
// image models). Spec in plots/loss.ts.
import { param } from '../core/params.ts';
import { defineStage, tableInput } from '../core/stage.ts';
import { figureOutputs, styleOf, styleParams, writeFigure, type FigureEntry, type Source } from '../plots/figure-stage.ts';
import { LOSS } from '../artifacts/schemas.ts';

/** Each trained model: the input it is bound to, its experiment (the curve's name) and its training node. */
const RUNS = [
  ['left', 'fig3-left', 'train'],
  ['centre', 'fig3-centre', 'train'],
  ['right', 'fig3-right', 'train'],
  ['mnist', 'mnist', 'train-images'],
  ['fashion_mnist', 'fashion-mnist', 'train-images'],
] as const;
const SOURCES = Object.fromEntries(RUNS.map(([input, experiment, node]) => [input, `${experiment}/${node}.loss` as Source]));

const stage = defineStage({
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
export default stage;

export const figure: FigureEntry<typeof stage> = {
  stage,
  title: 'Training loss',
  caption:
    'Denoising score-matching loss per step (thinned) and smoothed, for each trained model.',
  sources: SOURCES,
};
