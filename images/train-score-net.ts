// Denoising score matching for the image score network (science.md §5) on the one training loop of
// science/train-loop.ts (batch schedule, Adam, EMA warm-up, checkpoints, bit-identical resume): t ~ U(ε, 1),
// σ = σ(t), x = x₀ + σξ, loss = mean |ε̂(x, σ) − ξ|² with ε̂ the preconditioned network of score-net.ts;
// the EMA of the weights is what gets saved and analysed.

import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../science/random.ts';
import { initialParameters, parameterShapes, timeEmbedding, type Batch, type MlpArchitecture } from '../science/mlp-architecture.ts';
import type { ScoreNetworkImplementation, TrainableScoreNetwork } from '../science/score-network.ts';
import { VeSde, type VeSdeParams } from '../science/sde.ts';
import type { LossRow } from '../science/train-checkpoint.ts';
import { checkLoopConfig, trainLoop, type TrainHooks } from '../science/train-loop.ts';
import { tfjsStepper } from '../science/train-tfjs.ts';
import { imageEpsilon, pixelStatistics, type AnyImageScoreNet, type ImageScoreNet, type PixelConditioning } from './score-net.ts';
import {
  checkUnetArchitecture,
  imageShapeOf,
  isUnetArchitecture,
  unetInitialParameters,
  unetParameterShapes,
  type UnetArchitecture,
} from './unet.ts';

/** F's hyper-parameters: the residual MLP's (no `kind`), or the U-Net's (kind 'unet'; shape defaults to imageShapeOf(d)). */
type ImageNetworkConfig =
  | Omit<MlpArchitecture, 'd' | 'timeMode'>
  | (Omit<UnetArchitecture, 'd' | 'shape'> & { shape?: UnetArchitecture['shape'] });

export interface ImageTrainingConfig {
  arch: ImageNetworkConfig;
  sde: VeSdeParams;
  conditioning: PixelConditioning;
  steps: number;
  batch: number;
  lr: number;
  ema: number;
  seed: number;
  /** Record the loss every this many steps (its mean over the interval). */
  logEvery: number;
  /** Write a resumable checkpoint every this many steps (needs hooks.scratchDir); 0 = never. */
  checkpointEvery: number;
}

interface ImageTrainingResult {
  net: AnyImageScoreNet;
  /** EMA parameters in parameterShapes (MLP) or unetParameterShapes (U-Net) order. */
  params: Float32Array[];
  lossRows: LossRow[];
  /** Step the run resumed from (0 for a fresh start). */
  resumedFrom: number;
}

function checkTrainingConfig(c: ImageTrainingConfig): void {
  checkLoopConfig({ ...c, key: {} });
  if (!(Number.isInteger(c.batch) && c.batch >= 1)) throw new Error(`batch must be an integer ≥ 1, got ${c.batch}`);
}

/** The architecture for d pixels: the MLP in 'project' time mode, or the U-Net at its image shape. */
function imageArchitecture(a: ImageNetworkConfig, d: number): MlpArchitecture | UnetArchitecture {
  return 'kind' in a && a.kind === 'unet'
    ? { kind: 'unet', d, shape: a.shape ?? imageShapeOf(d), widths: a.widths, timeEmbed: a.timeEmbed }
    : { ...(a as Omit<MlpArchitecture, 'd' | 'timeMode'>), d, timeMode: 'project' };
}

/** One step's noised images: x = x₀ + σξ row by row, with each row's σ and ξ. */
interface ImageBatch {
  x: Float32Array;
  noise: Float32Array;
  sigmas: Float32Array;
}

function imageBatchDrawer(images: Float32Array, n: number, d: number, B: number, sde: VeSde): (rng: Rng) => ImageBatch {
  const { eps } = sde.p;
  return (rng) => {
    const x = new Float32Array(B * d), noise = new Float32Array(B * d), sigmas = new Float32Array(B);
    for (let b = 0; b < B; b++) {
      const i = rng.int(n);
      const sigma = sde.sigma(eps + (1 - eps) * rng.uniform());
      sigmas[b] = sigma;
      const xi = noise.subarray(b * d, (b + 1) * d);
      rng.fillNormal(xi);
      for (let j = 0; j < d; j++) x[b * d + j] = images[i * d + j] + sigma * xi[j];
    }
    return { x, noise, sigmas };
  };
}

/**
 * The same batches (same draws, same order) in the form of the MLP's kernel step (mlp-architecture.ts Batch):
 * with u = c_in ⊙ (x − μ), |ε̂ − ξ|² = Σ_j c_out,j² (F_j(u) − y_j)², y = (ξ − c_skip ⊙ (x − μ))/c_out, so
 * xIn = u, target = y and weight = c_out² (score-net.ts's preconditioning, per pixel and row).
 */
function imageMlpBatchDrawer(net: ImageScoreNet, images: Float32Array, n: number, B: number, sde: VeSde): (rng: Rng, out: Batch) => void {
  const { d, timeEmbed: E } = net.arch;
  const { eps } = sde.p;
  const xi = new Float64Array(d);
  return (rng, { xIn, emb, target, weight }) => {
    for (let b = 0; b < B; b++) {
      const i = rng.int(n);
      const sigma = sde.sigma(eps + (1 - eps) * rng.uniform());
      rng.fillNormal(xi);
      for (let j = 0; j < d; j++) {
        const v = net.variance[j];
        const den = sigma * sigma + v;
        const centred = images[i * d + j] + sigma * xi[j] - net.mean[j];
        const cOut = Math.sqrt(v / den);
        xIn[b * d + j] = centred / Math.sqrt(den);
        target[b * d + j] = (xi[j] - (sigma / den) * centred) / cOut;
        weight![b * d + j] = cOut * cOut;
      }
      timeEmbedding(sigma, E, emb!, b * E);
    }
  };
}

/** The image network on n × d images as the training loop takes it, computed by `implementation`. */
function imageTrainable(net: AnyImageScoreNet, images: Float32Array, n: number, batch: number, implementation: ScoreNetworkImplementation): TrainableScoreNetwork {
  const { arch } = net;
  const d = arch.d;
  const layout = isUnetArchitecture(arch) ? unetParameterShapes(arch) : parameterShapes(arch);
  const sde = new VeSde(net.sde);
  const draw = imageBatchDrawer(images, n, d, batch, sde);
  return {
    layout,
    initialParameters: (rng) => (isUnetArchitecture(arch) ? unetInitialParameters(arch, rng) : initialParameters(arch, rng)),
    async stepper() {
      if (implementation === 'kernels') {
        if (isUnetArchitecture(arch)) throw new Error('the U-Net has no kernel implementation: train it with tfjs (score-network.ts scoreNetworkFor)');
        const { ResidentTraining } = await import('../science/kernels/resident-training.ts');
        return new ResidentTraining(arch, batch, imageMlpBatchDrawer(net as ImageScoreNet, images, n, batch, sde), true);
      }
      const name = isUnetArchitecture(arch) ? 'the image U-Net' : 'the image MLP';
      return tfjsStepper(name, layout, draw, (params, b) => {
        const stats = { mean: tf.tensor1d(net.mean), variance: tf.tensor1d(net.variance) };
        const eps = imageEpsilon(net, params, tf.tensor2d(b.x, [batch, d]), b.sigmas, stats);
        return tf.mean(tf.squaredDifference(eps, tf.tensor2d(b.noise, [batch, d]))) as tf.Scalar;
      });
    },
  };
}

/** Train on n × d images x (in [−1, 1]) with `implementation` (science/score-network.ts scoreNetworkFor). */
export async function trainImageScoreNet(
  x: Float32Array,
  n: number,
  d: number,
  config: ImageTrainingConfig,
  implementation: ScoreNetworkImplementation,
  hooks: TrainHooks = {},
): Promise<ImageTrainingResult> {
  checkTrainingConfig(config);
  if (x.length !== n * d) throw new Error(`training images: ${x.length} values, expected n × d = ${n} × ${d}`);
  const arch = imageArchitecture(config.arch, d);
  if (isUnetArchitecture(arch)) checkUnetArchitecture(arch);
  const stats = pixelStatistics(x, n, d, config.conditioning);
  const net = { arch, sde: config.sde, mean: stats.mean, variance: stats.variance } as AnyImageScoreNet;
  // Everything that must match for a checkpoint to belong to this run (the data by a cheap digest).
  let digest = 0;
  for (let i = 0; i < x.length; i += 97) digest = (Math.imul(digest, 31) + Math.round(x[i] * 1e4)) | 0;
  const key = { ...config, checkpointEvery: undefined, arch, n, d, digest, implementation };
  const r = await trainLoop(imageTrainable(net, x, n, config.batch, implementation), { ...config, key }, hooks);
  return { net, params: r.state.ema, lossRows: r.lossRows, resumedFrom: r.resumedFrom };
}
