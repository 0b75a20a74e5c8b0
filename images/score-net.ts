// The image score network: a network F on the pixels — the residual MLP of science.md §5 (science/mlp.ts)
// on flattened pixels, or the small convolutional U-Net of unet.ts (train-images model=mlp|unet) — wrapped
// in a per-pixel preconditioning. ε-prediction, VE SDE (science/sde.ts); score = −ε̂/σ.
//
//   u       = c_in ⊙ (x − μ),                       c_in  = 1/√(σ² + v)
//   ε̂(x, σ) = c_skip ⊙ (x − μ) + c_out ⊙ F(u, σ),    c_skip = σ/(σ² + v),  c_out = √v/√(σ² + v)
//
// μ and v are the per-pixel mean and variance of the training images (v floored at VARIANCE_FLOOR;
// 'global' conditioning uses the mean variance for every pixel), stored with the weights. c_skip ⊙ (x − μ)
// is exactly the ε-prediction of the best *diagonal* Gaussian fit; F learns the rest.
// This is EDM's preconditioning (Karras et al. 2022) rewritten for ε with a per-pixel σ_data. Why:
//  - at large σ it gives the trivial phase s·J = −I (all 784 eigenvalues at −1) exactly, whatever F is:
//    F's contribution is damped by c_out·c_in·σ ≤ √v/σ there (a residual MLP of width H < d = 784 could
//    not represent −I at all: its Jacobian has rank ≤ H);
//  - pixels that never vary (MNIST's border) are normal directions at every σ > √v, by construction;
//  - F's input and target stay O(1) at every noise level.
// The loss is still science.md's mean |ε̂ − ξ|² with t ~ U(ε, 1).
//
// Why two networks: at small σ the MLP's ∂F/∂x has rank ≤ H = 256 < 784, so it cannot push the ~600
// normal directions to −1; everything it has not learned sits at ≈ 0 ("tangent"), and its spectral
// "dimension" at the smallest t counts the non-constant pixels (609 of 784 eigenvalues above −0.5 on MNIST).
// The U-Net's Jacobian has full rank. Measured on MNIST (2000 images, quick budget: widths 8/16/16,
// 2000 steps, batch 32, lr 2e-3, EMA 0.999; loss 0.10 against the MLP's 0.27): at σ = 0.01 it puts only
// 243–355 eigenvalues above −0.5 — it does learn normal directions — but as a continuum from −2.5 to 0.15
// with no final gap (gap detection at Δ = 0.1 or 0.05 finds only outliers in the tails), and with
// eigenvalues below −1, which the exact score never has (sym(s·J) = −I + Cov[x₀|x]/s ≥ −I): an
// undertrained network. So the quick profile keeps the MLP (a pipeline check of Figure 5, cheap and
// exact in float64) and the `paper` profile trains the U-Net (README, config/profiles.ts).
//
// What differs from the paper's Table 1 (a convolutional U-Net trained on GPUs):
//  - architecture: model=mlp is the residual MLP on 784 flattened pixels (no convolutions) — the CPU
//    stand-in the brief allows; model=unet (unet.ts) is a small U-Net — widths 8/16/16 (quick-sized) or
//    32/64/64 (paper profile) over 28 → 14 → 7, one residual block per level, GroupNorm, SiLU,
//    scale-shift time conditioning, concatenated skips — without self-attention, dropout or
//    multiple blocks per level;
//  - the preconditioning above (the paper's network predicts ε from the raw x_t) and the VE SDE of
//    science.md §2 (σ from 0.01 to 50) for every model;
//  - training: minutes on one CPU core in float32 (MLP quick profile: 2000 steps, batch 128, lr 3e-3,
//    EMA 0.999 with warm-up, on the WebAssembly kernels; times in the README's cost table) instead of long
//    GPU runs; the paper profile (U-Net, 10⁵ steps, lr 2e-4, EMA 0.9999) is only sensible
//    on a GPU backend (tfjs-node-gpu, not installed here);
//  - the U-Net's exact s·J is float32 (forward mode on tfjs, unet-score.ts), the MLP's float64.

import * as tf from '@tensorflow/tfjs-core';
import type { MlpArchitecture } from '../science/mlp-architecture.ts';
import { timeEmbedding } from '../science/mlp-architecture.ts';
import { mlpForward } from '../science/mlp.ts';
import type { VeSdeParams } from '../science/sde.ts';
import { registerTrainingGradients } from '../science/tf-gradients.ts';
import { fromNhwc, isUnetArchitecture, toNhwc, unetForward, type UnetArchitecture } from './unet.ts';

// tfjs-core's node bundle has no gradients; the shared module registers the ones training needs.
registerTrainingGradients();

export type PixelConditioning = 'pixel' | 'global';

/**
 * Variance floor: pixels constant in the training set would otherwise get c_out = 0 and c_in = 1/σ exactly.
 * Kept well below σ_min² = 1e-4 so that such pixels still sit at −σ²/(σ² + floor) ≈ −0.99 at σ_min.
 */
export const VARIANCE_FLOOR = 1e-6;

/** The preconditioned network; F is the residual MLP (default) or the U-Net of unet.ts. */
export interface ImageScoreNet<A extends MlpArchitecture | UnetArchitecture = MlpArchitecture> {
  arch: A;
  sde: VeSdeParams;
  /** Per-pixel mean μ of the training images (d values). */
  mean: Float32Array;
  /** Per-pixel variance v (floored; all equal for 'global' conditioning), d values. */
  variance: Float32Array;
}

export type AnyImageScoreNet = ImageScoreNet<MlpArchitecture> | ImageScoreNet<UnetArchitecture>;

export function isUnetNet(net: AnyImageScoreNet): net is ImageScoreNet<UnetArchitecture> {
  return isUnetArchitecture(net.arch);
}

/** μ and v of n × d images. */
export function pixelStatistics(
  x: Float32Array,
  n: number,
  d: number,
  conditioning: PixelConditioning,
): { mean: Float32Array; variance: Float32Array } {
  const mean = new Float64Array(d);
  const v = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += x[i * d + j];
  for (let j = 0; j < d; j++) mean[j] /= n;
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) v[j] += (x[i * d + j] - mean[j]) ** 2;
  for (let j = 0; j < d; j++) v[j] /= n;
  if (conditioning === 'global') v.fill(v.reduce((a, b) => a + b, 0) / d);
  for (let j = 0; j < d; j++) v[j] = Math.max(v[j], VARIANCE_FLOOR);
  return { mean: Float32Array.from(mean), variance: Float32Array.from(v) };
}

/** c_in, c_skip, c_out for one σ, per pixel (float64). */
export function preconditioning(sigma: number, variance: Float32Array | Float64Array) {
  const d = variance.length;
  const cIn = new Float64Array(d), cSkip = new Float64Array(d), cOut = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    const den = sigma * sigma + variance[j];
    cIn[j] = 1 / Math.sqrt(den);
    cSkip[j] = sigma / den;
    cOut[j] = Math.sqrt(variance[j] / den);
  }
  return { cIn, cSkip, cOut };
}

/** ε̂ for a batch x [n, d] whose rows have noise levels `sigmas`, on tfjs (training). Differentiable in the params. */
export function imageEpsilon(
  net: AnyImageScoreNet,
  params: tf.Tensor[],
  x: tf.Tensor2D,
  sigmas: Float32Array,
  stats: { mean: tf.Tensor1D; variance: tf.Tensor1D },
): tf.Tensor2D {
  const unet = isUnetNet(net) ? net.arch : undefined;
  if (!isUnetNet(net) && net.arch.timeMode !== 'project') {
    throw new Error(`image score net needs timeMode 'project', got '${net.arch.timeMode}'`);
  }
  const n = sigmas.length;
  const E = net.arch.timeEmbed;
  const emb = new Float32Array(n * E);
  for (let i = 0; i < n; i++) timeEmbedding(sigmas[i], E, emb, i * E);
  const s = tf.tensor2d(sigmas, [n, 1]);
  const den = tf.add(tf.square(s), stats.variance); // [n, d]
  const cIn = tf.rsqrt(den);
  const cSkip = tf.div(s, den);
  const cOut = tf.mul(tf.sqrt(stats.variance), cIn);
  const centred = tf.sub(x, stats.mean) as tf.Tensor2D;
  const u = tf.mul(centred, cIn) as tf.Tensor2D;
  const embT = tf.tensor2d(emb, [n, E]);
  const F = unet
    ? fromNhwc(unetForward(unet, params, { p: toNhwc(u, unet) }, embT).p, unet)
    : mlpForward(net.arch as MlpArchitecture, params, u, embT);
  return tf.add(tf.mul(centred, cSkip), tf.mul(F, cOut)) as tf.Tensor2D;
}
