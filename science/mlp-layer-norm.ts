// LayerNorm over the last axis, y = (x − mean)/√(var + eps) · g + b, with a hand-written gradient:
// tfjs's autodiff of the same expression emits about twenty small kernels; the closed form
// dx = r·(dx̂ − mean(dx̂) − x̂·mean(dx̂ ⊙ x̂)) with dx̂ = dy ⊙ g needs a handful.

import * as tf from '@tensorflow/tfjs-core';
import { registerTrainingGradients } from './tf-gradients.ts';
import { LAYER_NORM_EPS } from './mlp-architecture.ts';

// tfjs-core's node bundle has no gradients; autodiff of the plain ops needs them registered.
registerTrainingGradients();

type LayerNorm = (x: tf.Tensor2D, g: tf.Tensor1D, b: tf.Tensor1D) => tf.Tensor2D;

const layerNormOp = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const x = args[0] as tf.Tensor2D;
  const g = args[1] as tf.Tensor1D;
  const b = args[2] as tf.Tensor1D;
  const save = args[3] as tf.GradSaveFunc;
  const { mean, variance } = tf.moments(x, 1, true);
  const r = tf.rsqrt(tf.add(variance, LAYER_NORM_EPS));
  const xhat = tf.mul(tf.sub(x, mean), r);
  save([xhat, r, g]);
  return {
    value: tf.add(tf.mul(xhat, g), b) as tf.Tensor2D,
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [xh, rs, gs] = saved;
      const dxhat = tf.mul(dy, gs);
      const inner = tf.sub(tf.sub(dxhat, tf.mean(dxhat, 1, true)), tf.mul(xh, tf.mean(tf.mul(dxhat, xh), 1, true)));
      return [tf.mul(rs, inner), tf.sum(tf.mul(dy, xh), 0), tf.sum(dy, 0)];
    },
  };
}) as unknown as LayerNorm;

export function layerNorm(x: tf.Tensor2D, g: tf.Tensor1D, b: tf.Tensor1D): tf.Tensor2D {
  return layerNormOp(x, g, b);
}
