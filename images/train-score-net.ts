// Denoising score matching for the image score network (science.md §5): t ~ U(ε, 1), σ = σ(t),
// x = x₀ + σξ, loss = mean |ε̂(x, σ) − ξ|²; Adam; an exponential moving average of the weights is what
// gets saved and analysed. EMA warm-up (decay_k = min(decay, (1 + k)/(10 + k)), as in TF's
// ExponentialMovingAverage with num_updates) keeps a short run's average from being dominated by the
// random initialisation. Every `checkpointEvery` steps the whole state (parameters, EMA, Adam moments,
// loss rows) is written atomically to the scratch directory; a re-run with the same configuration resumes
// from it and, because each step draws its batch from its own generator (seed, step), ends where an
// uninterrupted run ends, up to float32 rounding (tfjs's Adam rebuilds β^t by a power on restore).

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { CHECKPOINT_FILE, writeCheckpointAtomically } from '../science/train-checkpoint.ts';
import { decodeBlobs, encodeBlobs, type NamedTensor } from '../science/mlp-weights.ts';
import { initialParameters, parameterShapes, type MlpArchitecture } from '../science/mlp-architecture.ts';
import { createRng } from '../science/random.ts';
import { VeSde, type VeSdeParams } from '../science/sde.ts';
import { imageEpsilon, pixelStatistics, type AnyImageScoreNet, type PixelConditioning } from './score-net.ts';
import {
  checkUnetArchitecture,
  imageShapeOf,
  isUnetArchitecture,
  unetInitialParameters,
  unetParameterShapes,
  type UnetArchitecture,
} from './unet.ts';

/** F's hyper-parameters: the residual MLP's (no `kind`), or the U-Net's (kind 'unet'; shape defaults to imageShapeOf(d)). */
export type ImageNetworkConfig =
  | Omit<MlpArchitecture, 'd' | 'timeMode'>
  | (Omit<UnetArchitecture, 'd' | 'shape'> & { shape?: UnetArchitecture['shape'] });

export interface ImageTrainingConfig {
  arch: ImageNetworkConfig;
  sde: VeSdeParams;
  conditioning: PixelConditioning;
  steps: number;
  batch: number;
  lr: number;
  emaDecay: number;
  seed: number;
  /** Record the loss every this many steps (its mean over the interval). */
  logEvery: number;
  /** Write a resumable checkpoint every this many steps (needs hooks.scratchDir); 0 = never. */
  checkpointEvery?: number;
}

const IMAGE_CHECKPOINT_MAGIC = 'SGIMCK01';

export interface ImageTrainingResult {
  net: AnyImageScoreNet;
  /** EMA parameters in parameterShapes (MLP) or unetParameterShapes (U-Net) order. */
  params: Float32Array[];
  losses: Array<{ step: number; loss: number }>;
}

export interface TrainingHooks {
  onLog?(step: number, loss: number): void;
  signal?: AbortSignal;
  /** Directory for checkpoints (the stage's ctx.scratchDir). */
  scratchDir?: string;
  warn?(line: string): void;
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

interface ResumeState {
  step: number;
  losses: Array<{ step: number; loss: number }>;
  acc: number;
  accCount: number;
  params: Float32Array[];
  ema: Float32Array[];
  adam: NamedTensor[];
}

function readImageCheckpoint(dir: string, key: string, warn: (line: string) => void): ResumeState | undefined {
  const file = path.join(dir, CHECKPOINT_FILE);
  if (!existsSync(file)) return undefined;
  try {
    const { meta, tensors } = decodeBlobs(new Uint8Array(readFileSync(file)), IMAGE_CHECKPOINT_MAGIC, `checkpoint ${file}`);
    if (meta.key !== key) {
      warn(`ignoring checkpoint ${file}: it belongs to a different training configuration`);
      return undefined;
    }
    const nParams = Number(meta.nParams);
    return {
      step: Number(meta.step),
      losses: meta.losses as ResumeState['losses'],
      acc: Number(meta.acc),
      accCount: Number(meta.accCount),
      params: tensors.slice(0, nParams).map((t) => Float32Array.from(t.data)),
      ema: tensors.slice(nParams, 2 * nParams).map((t) => Float32Array.from(t.data)),
      adam: tensors.slice(2 * nParams),
    };
  } catch (e) {
    warn(`ignoring unreadable checkpoint ${file}: ${(e as Error).message}`);
    return undefined;
  }
}

/** Train on n × d images x (in [−1, 1]). */
export async function trainImageScoreNet(
  x: Float32Array,
  n: number,
  d: number,
  config: ImageTrainingConfig,
  hooks: TrainingHooks = {},
): Promise<ImageTrainingResult> {
  checkTrainingConfig(config);
  if (x.length !== n * d) throw new Error(`training images: ${x.length} values, expected n × d = ${n} × ${d}`);
  const a = config.arch;
  const arch: MlpArchitecture | UnetArchitecture =
    'kind' in a && a.kind === 'unet'
      ? { kind: 'unet', d, shape: a.shape ?? imageShapeOf(d), widths: a.widths, timeEmbed: a.timeEmbed }
      : { ...(a as Omit<MlpArchitecture, 'd' | 'timeMode'>), d, timeMode: 'project' };
  if (isUnetArchitecture(arch)) checkUnetArchitecture(arch);
  const stats = pixelStatistics(x, n, d, config.conditioning);
  const net = { arch, sde: config.sde, mean: stats.mean, variance: stats.variance } as AnyImageScoreNet;
  const sde = new VeSde(config.sde);
  const shapes: Array<{ name: string; shape: number[] }> = isUnetArchitecture(arch) ? unetParameterShapes(arch) : parameterShapes(arch);
  // Everything that must match for a checkpoint to belong to this run (the data by a cheap digest).
  let digest = 0;
  for (let i = 0; i < x.length; i += 97) digest = (Math.imul(digest, 31) + Math.round(x[i] * 1e4)) | 0;
  const key = JSON.stringify({ ...config, checkpointEvery: undefined, n, d, digest });
  const every = config.checkpointEvery ?? 0;
  const resume = hooks.scratchDir && every > 0 ? readImageCheckpoint(hooks.scratchDir, key, hooks.warn ?? (() => {})) : undefined;
  const initRng = createRng(config.seed).fork(1);
  const init = resume?.params ?? (isUnetArchitecture(arch) ? unetInitialParameters(arch, initRng) : initialParameters(arch, initRng));
  const initEma = resume?.ema ?? init;
  const vars = init.map((v, i) => tf.variable(tf.tensor(v, shapes[i].shape), true, `img.${shapes[i].name}`));
  const ema = initEma.map((v, i) => tf.variable(tf.tensor(v, shapes[i].shape), false, `img.ema.${shapes[i].name}`));
  const statsT = { mean: tf.tensor1d(stats.mean), variance: tf.tensor1d(stats.variance) };
  const optimizer = tf.train.adam(config.lr);
  const B = config.batch;
  const xb = new Float32Array(B * d);
  const noise = new Float32Array(B * d);
  const sigmas = new Float32Array(B);
  const losses: Array<{ step: number; loss: number }> = resume?.losses ?? [];
  let acc = resume?.acc ?? 0;
  let accCount = resume?.accCount ?? 0;
  try {
    if (resume) {
      await optimizer.setWeights(resume.adam.map((t) => ({ name: t.name, tensor: tf.tensor(t.data, t.shape) })));
    }
    for (let step = (resume?.step ?? 0) + 1; step <= config.steps; step++) {
      if (hooks.signal?.aborted) throw new Error('training aborted');
      // Each step's batch comes from its own generator, so a resumed run sees the same batches.
      const data = createRng(config.seed).fork(step + 1);
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
        acc = 0;
        accCount = 0;
        hooks.onLog?.(step, loss);
      }
      if (hooks.scratchDir && every > 0 && step % every === 0 && step < config.steps) {
        const adam = await optimizer.getWeights();
        const tensors: NamedTensor[] = [
          ...vars.map((v, i) => ({ name: `params/${shapes[i].name}`, shape: shapes[i].shape, data: v.dataSync() as Float32Array })),
          ...ema.map((v, i) => ({ name: `ema/${shapes[i].name}`, shape: shapes[i].shape, data: v.dataSync() as Float32Array })),
          ...adam.map((w) => ({ name: w.name, shape: w.tensor.shape, data: Float32Array.from(w.tensor.dataSync() as Float32Array) })),
        ];
        const meta = { key, step, losses, acc, accCount, nParams: vars.length };
        writeCheckpointAtomically(hooks.scratchDir, encodeBlobs(IMAGE_CHECKPOINT_MAGIC, meta, tensors));
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
