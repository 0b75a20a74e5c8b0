// The MLP's layers written as plain tfjs ops, differentiated by tfjs's own autodiff: the reference the
// hand-written gradients of science/dense.ts, mlp-layer-norm.ts and mlp-silu.ts are tested against.
import * as tf from '@tensorflow/tfjs-core';
import { LAYER_NORM_EPS } from '../../science/mlp-architecture.ts';

export function denseStock(x: tf.Tensor2D, W: tf.Tensor2D, b: tf.Tensor1D): tf.Tensor2D {
  return tf.add(tf.matMul(x, W), b);
}

export function layerNormStock(x: tf.Tensor2D, g: tf.Tensor1D, b: tf.Tensor1D): tf.Tensor2D {
  const { mean, variance } = tf.moments(x, 1, true);
  return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, LAYER_NORM_EPS))), g), b) as tf.Tensor2D;
}

export function siluStock(x: tf.Tensor2D): tf.Tensor2D {
  return tf.mul(x, tf.sigmoid(x)) as tf.Tensor2D;
}
