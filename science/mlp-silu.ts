// SiLU(x) = x·sigmoid(x) (tfjs-core has no such op), with the closed-form gradient
// sigmoid(x)·(1 + x·(1 − sigmoid(x))) so the backward pass reuses the forward's sigmoid.

import * as tf from '@tensorflow/tfjs-core';
import { registerTrainingGradients } from './tf-gradients.ts';

// tfjs-core's node bundle has no gradients; autodiff of the plain ops needs them registered.
registerTrainingGradients();

type Silu = (x: tf.Tensor2D) => tf.Tensor2D;

const siluOp = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const x = args[0] as tf.Tensor2D;
  const save = args[1] as tf.GradSaveFunc;
  const s = tf.sigmoid(x);
  save([x, s]);
  return {
    value: tf.mul(x, s) as tf.Tensor2D,
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [xs, ss] = saved;
      return tf.mul(dy, tf.mul(ss, tf.add(1, tf.mul(xs, tf.sub(1, ss)))));
    },
  };
}) as unknown as Silu;

export function silu(x: tf.Tensor2D): tf.Tensor2D {
  return siluOp(x);
}
