// The training step of a network written in tfjs ops (the MLP of mlp.ts on a GPU backend, the image U-Net
// on any): the batch is drawn in JS, the loss and its gradients come from tfjs autodiff on the active
// backend, and Adam + EMA update the float32 state with the same kernel as every other target
// (train-adam.ts). Values are read with `await data()`, which every backend supports (dataSync throws on
// webgpu in Node).

import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from './random.ts';
import type { ParameterLayout, TrainingStepper } from './score-network.ts';
import { adamStep } from './train-adam.ts';
import { registerTrainingGradients } from './tf-gradients.ts';

// tfjs-core's node bundle has no gradients; autodiff of the plain ops needs them registered.
registerTrainingGradients();

/** The loss at `params` (tensors in layout order) and its gradient for every parameter, read back to float32 arrays. */
export async function tfjsLossAndGradients(
  layout: ParameterLayout,
  params: Float32Array[],
  loss: (params: tf.Tensor[]) => tf.Scalar,
): Promise<{ loss: number; grads: Float32Array[] }> {
  if (params.length !== layout.length) throw new Error(`tfjs step: ${params.length} parameter tensors, expected ${layout.length}`);
  // tidy returns the tensors; their values are read outside it (tidy walks a returned container value by
  // value, ~1.5 µs per number).
  const { value, grads } = tf.tidy(() => tf.valueAndGrads((...p: tf.Tensor[]) => loss(p))(params.map((p, i) => tf.tensor(p, layout[i].shape))));
  try {
    const [v, ...g] = await Promise.all([value.data(), ...grads.map((t) => t.data())]);
    return { loss: v[0], grads: g as Float32Array[] };
  } finally {
    tf.dispose([value, ...grads]);
  }
}

/** A stepper for a loss written in tfjs: `draw` makes step k's batch from its generator, `loss` builds the loss on it. */
export function tfjsStepper<B>(
  description: string,
  layout: ParameterLayout,
  draw: (rng: Rng) => B,
  loss: (params: tf.Tensor[], batch: B) => tf.Scalar,
): TrainingStepper {
  return {
    description: `${description}, tfjs autodiff on the ${tf.getBackend()} backend`,
    load() {},
    async step(rng, scalars, state) {
      const batch = draw(rng);
      const r = await tfjsLossAndGradients(layout, state.params, (p) => loss(p, batch));
      // A non-finite loss stops the loop; the state is left as it was.
      if (Number.isFinite(r.loss)) adamStep(state, r.grads, scalars);
      return r.loss;
    },
    store() {},
    dispose() {},
  };
}
