// Denoising score matching for the image score network (science.md §5): t ~ U(ε, 1), σ = σ(t),
// x = x₀ + σξ, loss = mean |ε̂(x, σ) − ξ|²; Adam; an exponential moving average of the weights is what
// gets saved and analysed. EMA warm-up (decay_k = min(decay, (1 + k)/(10 + k)), as in TF's
// ExponentialMovingAverage with num_updates) keeps a short run's average from being dominated by the
// random initialisation.

import * as tf from '@tensorflow/tfjs-core';
import { initialParameters, parameterShapes, type MlpArchitecture } from '../science/mlp-architecture.ts';
import { createRng } from '../science/random.ts';
import { VeSde, type VeSdeParams } from '../science/sde.ts';
import { imageEpsilon, pixelStatistics, type ImageScoreNet, type PixelConditioning } from './score-net.ts';

export interface ImageTrainingConfig {
  arch: Omit<MlpArchitecture, 'd' | 'timeMode'>;
  sde: VeSdeParams;
  conditioning: PixelConditioning;
  steps: number;
  batch: number;
  lr: number;
  emaDecay: number;
  seed: number;
  /** Record the loss every this many steps (its mean over the interval). */
  logEvery: number;
}

export interface ImageTrainingResult {
  net: ImageScoreNet;
  /** EMA parameters in parameterShapes order. */
  params: Float32Array[];
  losses: Array<{ step: number; loss: number }>;
}

export interface TrainingHooks {
  onLog?(step: number, loss: number): void;
  signal?: AbortSignal;
}

export function checkTrainingConfig(c: ImageTrainingConfig): void {
  const int = (name: string, v: number, min: number) => {
    if (!(Number.isInteger(v) && v >= min)) throw new Error(`${name} must be an integer ≥ ${min}, got ${v}`);
  };
  int('steps', c.steps, 1);
  int('batch', c.batch, 1);
  int('log_every', c.logEvery, 1);
  if (!(c.lr > 0 && c.lr < 1)) throw new Error(`lr must be in (0, 1), got ${c.lr}`);
  if (!(c.emaDecay >= 0 && c.emaDecay < 1)) throw new Error(`ema must be in [0, 1), got ${c.emaDecay}`);
}

/** Train on n × d images x (in [−1, 1]). */
export function trainImageScoreNet(
  x: Float32Array,
  n: number,
  d: number,
  config: ImageTrainingConfig,
  hooks: TrainingHooks = {},
): ImageTrainingResult {
  checkTrainingConfig(config);
  if (x.length !== n * d) throw new Error(`training images: ${x.length} values, expected n × d = ${n} × ${d}`);
  const arch: MlpArchitecture = { ...config.arch, d, timeMode: 'project' };
  const stats = pixelStatistics(x, n, d, config.conditioning);
  const net: ImageScoreNet = { arch, sde: config.sde, mean: stats.mean, variance: stats.variance };
  const sde = new VeSde(config.sde);
  const rng = createRng(config.seed);
  const shapes = parameterShapes(arch);
  const init = initialParameters(arch, rng.fork(1));
  const vars = init.map((v, i) => tf.variable(tf.tensor(v, shapes[i].shape), true, `img.${shapes[i].name}`));
  const ema = init.map((v, i) => tf.variable(tf.tensor(v, shapes[i].shape), false, `img.ema.${shapes[i].name}`));
  const statsT = { mean: tf.tensor1d(stats.mean), variance: tf.tensor1d(stats.variance) };
  const optimizer = tf.train.adam(config.lr);
  const data = rng.fork(2);
  const B = config.batch;
  const xb = new Float32Array(B * d);
  const noise = new Float32Array(B * d);
  const sigmas = new Float32Array(B);
  const losses: Array<{ step: number; loss: number }> = [];
  let acc = 0;
  let accCount = 0;
  try {
    for (let step = 1; step <= config.steps; step++) {
      if (hooks.signal?.aborted) throw new Error('training aborted');
      data.fillNormal(noise);
      for (let b = 0; b < B; b++) {
        const i = data.int(n);
        const t = sde.p.eps + (1 - sde.p.eps) * data.uniform();
        const sigma = sde.sigma(t);
        sigmas[b] = sigma;
        for (let j = 0; j < d; j++) xb[b * d + j] = x[i * d + j] + sigma * noise[b * d + j];
      }
      const lossT = tf.tidy(() => {
        const X = tf.tensor2d(xb, [B, d]);
        const Xi = tf.tensor2d(noise, [B, d]);
        return optimizer.minimize(
          () => tf.mean(tf.squaredDifference(imageEpsilon(net, vars, X, sigmas, statsT), Xi)) as tf.Scalar,
          true,
          vars,
        ) as tf.Scalar;
      });
      const decay = Math.min(config.emaDecay, (1 + step) / (10 + step));
      tf.tidy(() => {
        for (let k = 0; k < vars.length; k++) ema[k].assign(tf.add(tf.mul(ema[k], decay), tf.mul(vars[k], 1 - decay)));
      });
      acc += lossT.dataSync()[0];
      lossT.dispose();
      accCount++;
      if (step % config.logEvery === 0 || step === config.steps) {
        const loss = acc / accCount;
        losses.push({ step, loss });
        hooks.onLog?.(step, loss);
        acc = 0;
        accCount = 0;
      }
    }
    return { net, params: ema.map((e) => Float32Array.from(e.dataSync() as Float32Array)), losses };
  } finally {
    for (const v of [...vars, ...ema]) v.dispose();
    statsT.mean.dispose();
    statsT.variance.dispose();
    optimizer.dispose();
  }
}
