// Gradient definitions for the few tfjs kernels our networks differentiate through.
// tfjs-core's node bundle ships no gradients: the umbrella package @tensorflow/tfjs registers them from
// ES-module files (dist/gradients/*.js) whose extension-less imports plain Node cannot load. So we
// register, by hand, exactly the kernels the training loss and the stock-autodiff reference path use,
// with the same formulas as tfjs (BatchMatMul keeps tfjs's transposed-operand products, so the stock
// reference the benchmark measures is what tfjs autodiff really does). Kernels that already have a
// gradient (for example registered by tfjs-node) are left alone.

import * as tf from '@tensorflow/tfjs-core';

type Grads = Record<string, () => tf.Tensor>;

/** Sum a broadcast gradient back to the input's shape. */
function unbroadcast(g: tf.Tensor, shape: number[]): tf.Tensor {
  const axes = tf.backend_util.getReductionAxes(shape, g.shape);
  return tf.reshape(axes.length > 0 ? tf.sum(g, axes) : g, shape);
}

/** dy of a reduction (Sum/Mean) broadcast back over the reduced axes of x. */
function expandReduced(dy: tf.Tensor, xShape: number[], axis: number | number[]): tf.Tensor {
  const axes = tf.util.parseAxisParam(axis, xShape);
  const expanded = xShape.slice();
  for (const a of axes) expanded[a] = 1;
  return tf.mul(tf.reshape(dy, expanded), tf.ones(xShape));
}

function reducedSize(xShape: number[], axis: number | number[]): number {
  return tf.util.parseAxisParam(axis, xShape).reduce((n, a) => n * xShape[a], 1);
}

const configs: tf.GradConfig[] = [
  {
    kernelName: tf.BatchMatMul,
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, saved, attrs): Grads => {
      const [a, b] = saved;
      const { transposeA, transposeB } = attrs as unknown as { transposeA: boolean; transposeB: boolean };
      const d = dy as tf.Tensor;
      if (!transposeA && !transposeB) return { a: () => tf.matMul(d, b, false, true), b: () => tf.matMul(a, d, true, false) };
      if (!transposeA && transposeB) return { a: () => tf.matMul(d, b, false, false), b: () => tf.matMul(d, a, true, false) };
      if (transposeA && !transposeB) return { a: () => tf.matMul(b, d, false, true), b: () => tf.matMul(a, d, false, false) };
      return { a: () => tf.matMul(b, d, true, true), b: () => tf.matMul(d, a, true, true) };
    },
  },
  {
    kernelName: tf.Add,
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, saved): Grads => ({
      a: () => unbroadcast(dy as tf.Tensor, saved[0].shape),
      b: () => unbroadcast(dy as tf.Tensor, saved[1].shape),
    }),
  },
  {
    kernelName: tf.Sub,
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, saved): Grads => ({
      a: () => unbroadcast(dy as tf.Tensor, saved[0].shape),
      b: () => tf.neg(unbroadcast(dy as tf.Tensor, saved[1].shape)),
    }),
  },
  {
    kernelName: tf.Multiply,
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, saved): Grads => {
      const [a, b] = saved;
      return { a: () => unbroadcast(tf.mul(dy as tf.Tensor, b), a.shape), b: () => unbroadcast(tf.mul(dy as tf.Tensor, a), b.shape) };
    },
  },
  {
    kernelName: tf.RealDiv,
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, saved): Grads => {
      const [a, b] = saved;
      return {
        a: () => unbroadcast(tf.div(dy as tf.Tensor, b), a.shape),
        b: () => unbroadcast(tf.neg(tf.div(tf.mul(dy as tf.Tensor, a), tf.square(b))), b.shape),
      };
    },
  },
  {
    kernelName: tf.SquaredDifference,
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, saved): Grads => {
      const [a, b] = saved;
      const two = tf.scalar(2);
      return {
        a: () => unbroadcast(tf.mul(dy as tf.Tensor, tf.mul(two, tf.sub(a, b))), a.shape),
        b: () => unbroadcast(tf.mul(dy as tf.Tensor, tf.mul(two, tf.sub(b, a))), b.shape),
      };
    },
  },
  {
    kernelName: tf.Mean,
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs): Grads => {
      const x = saved[0];
      const axis = (attrs as unknown as { axis: number | number[] }).axis;
      return { x: () => tf.div(expandReduced(dy as tf.Tensor, x.shape, axis), reducedSize(x.shape, axis)) };
    },
  },
  {
    kernelName: tf.Sum,
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs): Grads => {
      const x = saved[0];
      return { x: () => expandReduced(dy as tf.Tensor, x.shape, (attrs as unknown as { axis: number | number[] }).axis) };
    },
  },
  {
    kernelName: tf.Sigmoid,
    outputsToSave: [true],
    gradFunc: (dy, saved): Grads => {
      const y = saved[0];
      return { x: () => tf.mul(dy as tf.Tensor, tf.mul(y, tf.sub(tf.scalar(1), y))) };
    },
  },
  {
    kernelName: tf.Sqrt,
    inputsToSave: ['x'],
    gradFunc: (dy, saved): Grads => ({ x: () => tf.div(dy as tf.Tensor, tf.mul(tf.sqrt(saved[0]), tf.scalar(2))) }),
  },
  {
    kernelName: tf.Square,
    inputsToSave: ['x'],
    gradFunc: (dy, saved): Grads => ({ x: () => tf.mul(dy as tf.Tensor, tf.mul(saved[0], tf.scalar(2))) }),
  },
  { kernelName: tf.Reshape, inputsToSave: ['x'], gradFunc: (dy, saved): Grads => ({ x: () => tf.reshape(dy as tf.Tensor, saved[0].shape) }) },
  { kernelName: tf.Cast, gradFunc: (dy): Grads => ({ x: () => tf.clone(dy as tf.Tensor) }) },
  { kernelName: tf.Identity, gradFunc: (dy): Grads => ({ x: () => tf.clone(dy as tf.Tensor) }) },
];

let registered = false;

/** Register the gradients above once (idempotent; keeps any gradient already registered). */
export function registerTrainingGradients(): void {
  if (registered) return;
  registered = true;
  for (const c of configs) if (tf.getGradient(c.kernelName) === undefined) tf.registerGradient(c);
}
