// The residual MLP of science.md §5 on tfjs: forward pass and denoising score-matching loss.
// Architecture and parameter order live in mlp-architecture.ts (shared with the pure-JS evaluator).
//   h = Linear_in(x_in)                                  x_in = c_in(σ)·x  (++ time embedding in 'concat' mode)
//   τ = SiLU(Linear(SiLU(Linear(emb(σ)))))               ('project' mode)
//   B × { a = Linear(SiLU(LN(h))) + Linear_τ(τ);  h = h + Linear(SiLU(LN(a))) }
//   F = Linear_out(SiLU(LN(h)))                           ε̂ = skip·x + out·F, score = −ε̂/σ (preconditioning())

import * as tf from '@tensorflow/tfjs-core';
import { registerTrainingGradients } from './tf-gradients.ts';
import { dense, denseStock } from './dense.ts';
import { layerNorm, layerNormStock } from './mlp-layer-norm.ts';
import { silu, siluStock } from './mlp-silu.ts';
import type { MlpArchitecture } from './mlp-architecture.ts';

// tfjs-core's node bundle has no gradients; autodiff of the plain ops needs them registered.
registerTrainingGradients();

export interface ForwardOptions {
  /** Use tfjs's own autodiff kernels instead of the custom-gradient ones (reference for tests/bench). */
  stock?: boolean;
}

/**
 * The raw network F for a batch (ε̂ itself for the plain network; see preconditioning()). `params` in parameterShapes order; `xIn` [n, inputWidth] already scaled by c_in (and
 * concatenated with the embedding in 'concat' mode); `emb` [n, E] the time embedding ('project' mode).
 */
export function mlpForward(
  arch: MlpArchitecture,
  params: tf.Tensor[],
  xIn: tf.Tensor2D,
  emb: tf.Tensor2D | null,
  opts: ForwardOptions = {},
): tf.Tensor2D {
  const lin = opts.stock ? denseStock : dense;
  const ln = opts.stock ? layerNormStock : layerNorm;
  const act = opts.stock ? siluStock : silu;
  let i = 0;
  const next = <T extends tf.Tensor>(): T => params[i++] as T;
  const linear = (x: tf.Tensor2D): tf.Tensor2D => lin(x, next<tf.Tensor2D>(), next<tf.Tensor1D>());
  const norm = (x: tf.Tensor2D): tf.Tensor2D => ln(x, next<tf.Tensor1D>(), next<tf.Tensor1D>());
  let h = linear(xIn);
  let tau: tf.Tensor2D | null = null;
  if (arch.timeMode === 'project') {
    if (emb === null) throw new Error("mlpForward: 'project' time mode needs the time embedding tensor");
    tau = act(linear(act(linear(emb))));
  }
  for (let k = 0; k < arch.blocks; k++) {
    let a = linear(act(norm(h)));
    if (tau !== null) a = tf.add(a, linear(tau));
    a = linear(act(norm(a)));
    h = tf.add(h, a);
  }
  return linear(act(norm(h)));
}

/** Denoising loss (1/(n·d)) Σ |F − target|², target = (ξ − skip·x)/out: 1 for a plain network that predicts nothing. */
export function denoisingLoss(
  arch: MlpArchitecture,
  params: tf.Tensor[],
  xIn: tf.Tensor2D,
  emb: tf.Tensor2D | null,
  target: tf.Tensor2D,
  opts: ForwardOptions = {},
): tf.Scalar {
  return tf.mean(tf.squaredDifference(mlpForward(arch, params, xIn, emb, opts), target));
}
