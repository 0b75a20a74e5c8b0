// Gradients for the few core tfjs ops the image score network uses outside the custom-gradient layers
// (science/dense.ts, mlp-layer-norm.ts, mlp-silu.ts). tfjs-core's node bundle ships no gradient
// registrations (the full 'tfjs' package imports them from an ESM build Node cannot load: its imports
// lack file extensions), so we register the ones we need, with broadcasting, once per process; an
// existing registration (another module's) is left alone.

import * as tf from '@tensorflow/tfjs-core';

/** Sum dy over the axes along which `shape` was broadcast, then reshape to `shape`. */
function unbroadcast(dy: tf.Tensor, shape: number[]): tf.Tensor {
  const rank = dy.shape.length;
  const offset = rank - shape.length;
  const axes: number[] = [];
  for (let a = 0; a < rank; a++) {
    if (a < offset || (shape[a - offset] === 1 && dy.shape[a] !== 1)) axes.push(a);
  }
  const summed = axes.length > 0 ? tf.sum(dy, axes) : dy;
  return tf.reshape(summed, shape);
}

const configs: tf.GradConfig[] = [
  {
    kernelName: tf.Add,
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, saved) => {
      const [a, b] = saved;
      const g = dy as tf.Tensor;
      return { a: () => unbroadcast(g, a.shape), b: () => unbroadcast(g, b.shape) };
    },
  },
  {
    kernelName: tf.Sub,
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, saved) => {
      const [a, b] = saved;
      const g = dy as tf.Tensor;
      return { a: () => unbroadcast(g, a.shape), b: () => unbroadcast(tf.neg(g), b.shape) };
    },
  },
  {
    kernelName: tf.Multiply,
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, saved) => {
      const [a, b] = saved;
      const g = dy as tf.Tensor;
      return { a: () => unbroadcast(tf.mul(g, b), a.shape), b: () => unbroadcast(tf.mul(g, a), b.shape) };
    },
  },
  {
    kernelName: tf.SquaredDifference,
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, saved) => {
      const [a, b] = saved;
      const g = dy as tf.Tensor;
      const two = tf.scalar(2);
      return {
        a: () => unbroadcast(tf.mul(g, tf.mul(two, tf.sub(a, b))), a.shape),
        b: () => unbroadcast(tf.mul(g, tf.mul(two, tf.sub(b, a))), b.shape),
      };
    },
  },
  {
    kernelName: tf.Mean,
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const [x] = saved;
      const { axis, keepDims } = attrs as unknown as { axis: number | number[]; keepDims: boolean };
      const axes = (Array.isArray(axis) ? axis : [axis]).map((a) => (a < 0 ? a + x.rank : a));
      const count = axes.reduce((n, a) => n * x.shape[a], 1);
      const kept = x.shape.map((s, a) => (axes.includes(a) ? 1 : s));
      const g = keepDims ? (dy as tf.Tensor) : tf.reshape(dy as tf.Tensor, kept);
      return { x: () => tf.div(tf.mul(g, tf.onesLike(x)), count) };
    },
  },
];

let registered = false;

export function registerImageGradients(): void {
  if (registered) return;
  registered = true;
  for (const c of configs) if (tf.getGradient(c.kernelName) == null) tf.registerGradient(c);
}
