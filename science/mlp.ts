// The residual MLP of science.md §5 on tfjs: forward pass and denoising score-matching loss.
// The network's implementation for tfjs backends (GPU training: score-network.ts scoreNetworkFor); the kernels
// of science/kernels/ are the CPU one. Architecture and parameter order live in mlp-architecture.ts.
//   h = Linear_in(x_in)                                  x_in = c_in(σ)·x  (++ time features in 'concat' mode)
//   τ = SiLU(Linear(SiLU(Linear(emb(σ)))))               ('project' mode; emb: F features, the Linears F→E, E→E)
//   B × { a = Linear(SiLU(LN(h))) + Linear_τ(τ);  h = h + Linear(SiLU(LN(a))) }
//   F = Linear_out(SiLU(LN(h)))                           ε̂ = skip·x + out·F, score = −ε̂/σ (preconditioning())

import * as tf from '@tensorflow/tfjs-core';
import { registerTrainingGradients } from './tf-gradients.ts';
import { dense } from './dense.ts';
import { layerNorm } from './mlp-layer-norm.ts';
import { silu } from './mlp-silu.ts';
import { inputWidth, timeFeatureWidth, type Batch, type MlpArchitecture } from './mlp-architecture.ts';

// tfjs-core's node bundle has no gradients; autodiff of the plain ops needs them registered.
registerTrainingGradients();

/**
 * The raw network F for a batch (ε̂ itself for the plain network; see preconditioning()). `params` in parameterShapes order; `xIn` [n, inputWidth] already scaled by c_in (and
 * concatenated with the features in 'concat' mode); `emb` [n, F] the time features ('project' mode).
 */
export function mlpForward(
  arch: MlpArchitecture,
  params: tf.Tensor[],
  xIn: tf.Tensor2D,
  emb: tf.Tensor2D | null,
): tf.Tensor2D {
  let i = 0;
  const next = <T extends tf.Tensor>(): T => params[i++] as T;
  const linear = (x: tf.Tensor2D): tf.Tensor2D => dense(x, next<tf.Tensor2D>(), next<tf.Tensor1D>());
  const norm = (x: tf.Tensor2D): tf.Tensor2D => layerNorm(x, next<tf.Tensor1D>(), next<tf.Tensor1D>());
  let h = linear(xIn);
  let tau: tf.Tensor2D | null = null;
  if (arch.timeMode === 'project') {
    if (emb === null) throw new Error("mlpForward: 'project' time mode needs the time embedding tensor");
    tau = silu(linear(silu(linear(emb))));
  }
  for (let k = 0; k < arch.blocks; k++) {
    let a = linear(silu(norm(h)));
    if (tau !== null) a = tf.add(a, linear(tau));
    a = linear(silu(norm(a)));
    h = tf.add(h, a);
  }
  return linear(silu(norm(h)));
}

/** Denoising loss (1/(n·d)) Σ |F − target|², target = (ξ − skip·x)/out: 1 for a plain network that predicts nothing. */
export function denoisingLoss(
  arch: MlpArchitecture,
  params: tf.Tensor[],
  xIn: tf.Tensor2D,
  emb: tf.Tensor2D | null,
  target: tf.Tensor2D,
): tf.Scalar {
  return tf.mean(tf.squaredDifference(mlpForward(arch, params, xIn, emb), target));
}

/** denoisingLoss of a batch as the training loop draws it (mlp-architecture.ts Batch), as tensors. */
export function batchLoss(arch: MlpArchitecture, params: tf.Tensor[], batch: Batch): tf.Scalar {
  const B = batch.target.length / arch.d;
  const xIn = tf.tensor2d(batch.xIn, [B, inputWidth(arch)]);
  const emb = batch.emb ? tf.tensor2d(batch.emb, [B, timeFeatureWidth(arch)]) : null;
  const target = tf.tensor2d(batch.target, [B, arch.d]);
  if (batch.weight === null) return denoisingLoss(arch, params, xIn, emb, target);
  const F = mlpForward(arch, params, xIn, emb);
  return tf.mean(tf.mul(tf.tensor2d(batch.weight, [B, arch.d]), tf.squaredDifference(F, target)));
}
