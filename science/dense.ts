// A Linear layer y = x·W + b with a hand-written gradient.
// tfjs's autodiff of matMul computes dx = dy·Wᵀ and dW = xᵀ·dy with transposed-operand matMuls, which
// the wasm backend runs about 10× slower than a plain one; transposing explicitly first and multiplying
// plainly gives the same numbers far faster. The forward uses the fused matMul + bias kernel.

import * as tf from '@tensorflow/tfjs-core';
import { registerTrainingGradients } from './tf-gradients.ts';

// tfjs-core's node bundle has no gradients; autodiff of the plain ops needs them registered.
registerTrainingGradients();

type Dense = (x: tf.Tensor2D, W: tf.Tensor2D, b: tf.Tensor1D) => tf.Tensor2D;

const denseOp = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const x = args[0] as tf.Tensor2D;
  const W = args[1] as tf.Tensor2D;
  const b = args[2] as tf.Tensor1D;
  const save = args[3] as tf.GradSaveFunc;
  save([x, W]);
  return {
    value: tf.fused.matMul({ a: x, b: W, bias: b }),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [xs, Ws] = saved as [tf.Tensor2D, tf.Tensor2D];
      const dy2 = dy as tf.Tensor2D;
      return [tf.matMul(dy2, tf.transpose(Ws)), tf.matMul(tf.transpose(xs), dy2), tf.sum(dy2, 0)];
    },
  };
}) as unknown as Dense;

/** y = x·W + b for x [n, in], W [in, out], b [out]; differentiable in all three. */
export function dense(x: tf.Tensor2D, W: tf.Tensor2D, b: tf.Tensor1D): tf.Tensor2D {
  return denseOp(x, W, b);
}
