// The MLP's two production implementations against references: the tfjs layers' hand-written gradients
// (dense, LayerNorm, SiLU) against tfjs autodiff of the plain ops, and the whole network's gradients — tfjs
// (science/mlp.ts, the GPU path) and the WebAssembly kernels (the CPU path) — against the explicit
// back-propagation of test/reference/mlp-backprop.ts, for unit and per-output loss weights.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { dense } from '../../science/dense.ts';
import { kernelLossAndGradients } from '../../science/kernels/train-step.ts';
import { layerNorm } from '../../science/mlp-layer-norm.ts';
import { silu } from '../../science/mlp-silu.ts';
import { batchLoss } from '../../science/mlp.ts';
import { initialParameters, parameterShapes, type MlpArchitecture } from '../../science/mlp-architecture.ts';
import { drawBatch, type TrainConfig } from '../../science/train-mlp.ts';
import { createRng } from '../../science/random.ts';
import { initBackend } from '../../science/tf-backend.ts';
import { tfjsLossAndGradients } from '../../science/train-tfjs.ts';
import { backpropLossAndGradients } from '../reference/mlp-backprop.ts';
import { denseStock, layerNormStock, siluStock } from '../reference/tf-stock-layers.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

function randn(rng: ReturnType<typeof createRng>, shape: number[]): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const v = new Float32Array(n);
  rng.fillNormal(v);
  return tf.tensor(v, shape);
}

function maxRelDiff(a: tf.Tensor, b: tf.Tensor): number {
  const x = a.dataSync(), y = b.dataSync();
  let scale = 0, diff = 0;
  for (let i = 0; i < x.length; i++) {
    scale = Math.max(scale, Math.abs(y[i]));
    diff = Math.max(diff, Math.abs(x[i] - y[i]));
  }
  return diff / scale;
}

describe('custom-gradient layers', () => {
  it('dense: value and gradients in x, W, b equal autodiff of x·W + b', () => {
    const rng = createRng(1);
    const x = randn(rng, [7, 5]) as tf.Tensor2D, W = randn(rng, [5, 3]) as tf.Tensor2D, b = randn(rng, [3]) as tf.Tensor1D;
    // A non-uniform upstream gradient, so a transposition mistake cannot cancel out.
    const dy = randn(rng, [7, 3]);
    const f = (op: typeof dense) => (x: tf.Tensor, W: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.mul(op(x as tf.Tensor2D, W as tf.Tensor2D, b as tf.Tensor1D), dy)) as tf.Scalar;
    const ours = tf.grads(f(dense))([x, W, b]);
    const ref = tf.grads(f(denseStock))([x, W, b]);
    expect(maxRelDiff(dense(x, W, b), denseStock(x, W, b))).toBeLessThan(1e-6);
    for (let k = 0; k < 3; k++) {
      expect(ours[k].shape).toEqual(ref[k].shape);
      expect(maxRelDiff(ours[k], ref[k])).toBeLessThan(1e-5);
    }
  });

  it('LayerNorm and SiLU: gradients equal autodiff', () => {
    const rng = createRng(2);
    const x = tf.mul(randn(rng, [6, 9]), 3) as tf.Tensor2D, g = randn(rng, [9]) as tf.Tensor1D, b = randn(rng, [9]) as tf.Tensor1D;
    const dy = randn(rng, [6, 9]);
    const fl = (op: typeof layerNorm) => (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.mul(op(x as tf.Tensor2D, g as tf.Tensor1D, b as tf.Tensor1D), dy)) as tf.Scalar;
    const ours = tf.grads(fl(layerNorm))([x, g, b]);
    const ref = tf.grads(fl(layerNormStock))([x, g, b]);
    for (let k = 0; k < 3; k++) expect(maxRelDiff(ours[k], ref[k])).toBeLessThan(1e-4);
    const fs = (op: typeof silu) => (x: tf.Tensor) => tf.sum(tf.mul(op(x as tf.Tensor2D), dy)) as tf.Scalar;
    expect(maxRelDiff(tf.grad(fs(silu))(x), tf.grad(fs(siluStock))(x))).toBeLessThan(1e-5);
  });

  it('whole network: tfjs and kernel gradients equal explicit back-propagation, with and without loss weights', async () => {
    // The last case is the authors' shape: 6 sinusoids of σ into a 12-wide time MLP (F ≠ E), raw x in.
    const authors = { timeEmbed: 12, timeFeatureWidth: 6, timeFeatures: 'sigma', inputScaling: 'none' } as const;
    for (const [timeMode, weighted, extra] of [['project', false, {}], ['concat', false, {}], ['project', true, {}], ['project', false, authors]] as const) {
      const arch: MlpArchitecture = { d: 6, hidden: 16, blocks: 2, timeEmbed: 8, timeMode, ...extra };
      const cfg: TrainConfig = {
        arch, sde: { sigmaMin: 0.01, sigmaMax: 50, eps: 1e-5 }, steps: 1, batch: 32, lr: 1e-3, ema: 0.99, weighting: 'edm', seed: 3,
        checkpointEvery: 1, logEvery: 1,
      };
      const data = new Float64Array(50 * 6);
      createRng(4).fillNormal(data);
      const params = initialParameters(arch, createRng(5));
      const batch = drawBatch(data, 50, cfg, 1);
      if (weighted) {
        // Weights spanning two decades, as the image network's c_out² do.
        const w = new Float32Array(batch.target.length);
        const rng = createRng(6);
        for (let i = 0; i < w.length; i++) w[i] = Math.pow(10, -2 * rng.uniform());
        batch.weight = w;
      }
      const ref = backpropLossAndGradients(arch, params, batch);
      const implementations = {
        tfjs: await tfjsLossAndGradients(parameterShapes(arch), params, (p) => batchLoss(arch, p, batch)),
        kernels: kernelLossAndGradients(arch, params, batch),
      };
      for (const [path, ours] of Object.entries(implementations)) {
        expect(Math.abs(ours.loss - ref.loss)).toBeLessThan(1e-5 * ref.loss);
        parameterShapes(arch).forEach((s, k) => {
          const a = ours.grads[k], r = ref.grads[k];
          let scale = 0, diff = 0;
          for (let i = 0; i < r.length; i++) {
            scale = Math.max(scale, Math.abs(r[i]));
            diff = Math.max(diff, Math.abs(a[i] - r[i]));
          }
          expect(diff, `${path} ${timeMode}${weighted ? ' weighted' : ''}${arch.timeFeatureWidth ? ' F ≠ E' : ''} ${s.name}`).toBeLessThanOrEqual(1e-4 * scale + 1e-9);
        });
      }
    }
  });
});
