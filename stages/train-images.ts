// Stage `train-images`: train the image score network (images/score-net.ts: residual MLP on flattened
// pixels or a small convolutional U-Net (images/unet.ts), inside a per-pixel EDM-style preconditioning,
// ε-prediction, VE SDE) on the `images` table and save
// its EMA weights and loss curve. Checkpoints go to ctx.scratchDir, so a re-run after a crash resumes.
// tfjs is imported inside `run` only.

import { IMAGES, LOSS } from '../artifacts/schemas.ts';
import { param } from '../core/params.ts';
import { defineStage, file, table, tableInput } from '../core/stage.ts';
import { SDE_PARAMS, sdeParamsOf, sdeProblem } from '../science/sde-params.ts';
import { scoreNetworkFor } from '../science/score-network.ts';
import { BACKEND_CHOICES, backendEnvironment, type BackendChoice } from '../science/tf-backend.ts';

export default defineStage({
  name: 'train-images',
  description: 'Train the image noise predictor (residual MLP or U-Net, preconditioned, ε-prediction, VE SDE)',
  module: import.meta.url,
  params: {
    steps: param.integer({
      default: 2000,
      min: 1,
      // 50 × the paper's 2 000 000: a larger count is a typo, not a plan (it would train for weeks).
      max: 100_000_000,
      help: 'Optimiser steps. Quick default 2000 (time per step: README, Cost); the paper profile wants ~10⁵ on a GPU',
    }),
    batch: param.integer({ default: 128, min: 1, help: 'Batch size' }),
    lr: param.number({ default: 3e-3, min: 1e-8, max: 1, help: 'Adam learning rate: 3e-3 for the quick profile (science.md: 1e-4 for long runs)' }),
    ema: param.number({ default: 0.999, min: 0, max: 0.999999, help: 'EMA decay of the saved weights, with warm-up min(ema, (1+k)/(10+k))' }),
    model: param.choice(['mlp', 'unet'] as const, {
      default: 'mlp',
      help: 'Network F inside the preconditioning: mlp = residual MLP on flattened pixels (hidden, blocks); unet = small convolutional U-Net (widths); images/score-net.ts',
    }),
    hidden: param.integer({ default: 256, min: 1, help: 'model=mlp: hidden width H of the residual MLP' }),
    blocks: param.integer({ default: 2, min: 0, help: 'model=mlp: number of residual blocks' }),
    widths: param.numbers({
      default: [16, 32, 32],
      min: 1,
      integer: true,
      minLength: 1,
      help: 'model=unet: channels per resolution level, finest first (28 → 14 → 7 for three); H and W must be divisible by 2^(levels − 1)',
    }),
    time_embed: param.integer({ default: 64, min: 2, help: 'Width E of the sinusoidal time embedding and time MLP (even)' }),
    conditioning: param.choice(['pixel', 'global'] as const, {
      default: 'pixel',
      help: 'Preconditioning statistics: per-pixel variance (pixel) or one variance for all pixels (global)',
    }),
    log_every: param.integer({ default: 25, min: 1, help: 'Loss rows: mean loss over each window of this many steps' }),
    checkpoint_every: param.integer({
      default: 250,
      min: 0,
      help: 'Write a resumable checkpoint to the scratch directory every this many steps (0 = never); a re-run resumes where it stopped',
    }),
    ...SDE_PARAMS,
    seed: param.integer({ default: 0, min: 0, help: 'Seed of initialisation and batches' }),
    backend: param.choice(BACKEND_CHOICES, { default: 'auto', help: 'tfjs backend (auto = best installed)' }),
  },
  check(p) {
    const sdeIssue = sdeProblem(p);
    if (sdeIssue) return sdeIssue;
    if (p.time_embed % 2 !== 0) return `time_embed must be even (sin and cos halves), got ${p.time_embed}`;
    return undefined;
  },
  checkInputs(p, inputs) {
    // The U-Net halves the image once per level: the side must be divisible by 2^(levels − 1). The images
    // stage's dataset tells the side before anything is read (28 for the MNIST family, 32 for CIFAR-10).
    const src = inputs.images;
    if (p.model !== 'unet' || src?.stage !== 'images') return undefined;
    const dataset = src.params.dataset;
    const side = dataset === 'cifar10' ? 32 : dataset === 'mnist' || dataset === 'fashion-mnist' ? 28 : undefined;
    if (side === undefined) return undefined;
    let most = 1;
    while (side % 2 ** most === 0) most++;
    if (p.widths.length > most) {
      return `widths: ${p.widths.length} levels [${p.widths.join(', ')}] halve the image ${p.widths.length - 1} times, but images.dataset=${String(dataset)} gives ${side} × ${side} images: allowed at most ${most} levels`;
    }
    return undefined;
  },
  inputs: {
    images: tableInput(IMAGES, 'Training images, pixels in [−1, 1]'),
  },
  outputs: {
    weights: file('bin', 'EMA weights, architecture, SDE and pixel statistics (images/score-net-weights.ts)'),
    loss: table(LOSS, 'Training loss per logging window and its exponentially smoothed curve'),
  },
  resources: { cpu: 1, gpu: 1, memoryMiB: 2000 },
  // The implementation follows from the backend and the model (score-network.ts): named for the record.
  environment: (p) => {
    const env = backendEnvironment(p.backend);
    return { ...env, precision: 'float32', network: scoreNetworkFor(p.model, env.backend) };
  },
  async run(ctx) {
    const p = ctx.params;
    const { initBackend } = await import('../science/tf-backend.ts');
    const { trainImageScoreNet } = await import('../images/train-score-net.ts');
    const { encodeImageWeights } = await import('../images/score-net-weights.ts');
    const backend = await initBackend((ctx.environment.backend ?? p.backend) as BackendChoice, (line) => ctx.log.info(line));
    const images = await ctx.read.table('images');
    const { values, width: d } = images.columns.x;
    const started = performance.now();
    const result = await trainImageScoreNet(
      values,
      images.numRows,
      d,
      {
        arch:
          p.model === 'unet'
            ? { kind: 'unet', widths: p.widths, timeEmbed: p.time_embed }
            : { hidden: p.hidden, blocks: p.blocks, timeEmbed: p.time_embed },
        sde: sdeParamsOf(p),
        conditioning: p.conditioning,
        steps: p.steps,
        batch: p.batch,
        lr: p.lr,
        ema: p.ema,
        seed: p.seed,
        logEvery: p.log_every,
        checkpointEvery: p.checkpoint_every,
      },
      scoreNetworkFor(p.model, backend),
      {
        signal: ctx.signal,
        scratchDir: ctx.scratchDir,
        log: (line) => ctx.log.info(line),
        progress: (f, m) => ctx.progress(f, m),
      },
    );
    ctx.log.info(`trained ${p.steps} steps in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    await ctx.write.file('weights', encodeImageWeights({ net: result.net, step: p.steps, params: result.params }));
    const rows = result.lossRows;
    await ctx.write.table('loss', {
      step: Int32Array.from(rows, (r) => r.step),
      loss: Float64Array.from(rows, (r) => r.loss),
      loss_smoothed: Float64Array.from(rows, (r) => r.smoothed),
    });
  },
});
