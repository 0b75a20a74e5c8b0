import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ImageScoreModel } from '../../images/image-score.ts';
import { imageEpsilon, pixelStatistics, preconditioning, VARIANCE_FLOOR, type ImageScoreNet } from '../../images/score-net.ts';
import { symmetricEigenvalues } from '../../linalg/index.ts';
import { decodeImageWeights, encodeImageWeights } from '../../images/score-net-weights.ts';
import { trainImageScoreNet } from '../../images/train-score-net.ts';
import { initialParameters, parameterShapes } from '../../science/mlp-architecture.ts';
import { createRng } from '../../science/random.ts';
import { VE_DEFAULTS } from '../../science/sde.ts';
import { initBackend } from '../../science/tf-backend.ts';
import { IMAGE_RESUME_CONFIG, TOY_D, TOY_N, toyImages } from '../fixtures/image-training.ts';
import { killAfterFirstCheckpoint } from '../fixtures/kill-training.ts';
import { TfScaledJacobian } from '../reference/mlp-jacobian-tf.ts';

const d = TOY_D;
const n = TOY_N;

function randomNet(seed: number): { net: ImageScoreNet; params: Float32Array[] } {
  const x = toyImages(seed);
  const stats = pixelStatistics(x, n, d, 'pixel');
  const arch = { d, hidden: 16, blocks: 2, timeEmbed: 8, timeMode: 'project' as const };
  const params = initialParameters(arch, createRng(seed + 1));
  // Non-trivial LayerNorm gains and biases, so every parameter matters in the comparisons below.
  const rng = createRng(seed + 2);
  for (const p of params) for (let i = 0; i < p.length; i++) p[i] += 0.1 * rng.normal();
  return { net: { arch, sde: VE_DEFAULTS, mean: stats.mean, variance: stats.variance }, params };
}

beforeAll(async () => {
  await initBackend('wasm');
});

describe('image score network', () => {
  it('the float64 evaluator reproduces the tfjs forward pass used in training', () => {
    const { net, params } = randomNet(3);
    const model = new ImageScoreModel(net, params);
    const shapes = parameterShapes(net.arch);
    const xs = toyImages(9).subarray(0, 5 * d);
    for (const sigma of [0.02, 0.7, 30]) {
      const noisy = Float32Array.from(xs, (v, i) => v + sigma * Math.sin(7 * i));
      const tfEps = tf.tidy(() => {
        const P = params.map((p, i) => tf.tensor(p, shapes[i].shape));
        const stats = { mean: tf.tensor1d(net.mean), variance: tf.tensor1d(net.variance) };
        return imageEpsilon(net, P, tf.tensor2d(noisy, [5, d]), new Float32Array(5).fill(sigma), stats).dataSync();
      });
      const jsEps = model.epsilon(noisy, 5, sigma);
      for (let i = 0; i < jsEps.length; i++) expect(Math.abs(jsEps[i] - tfEps[i])).toBeLessThan(1e-4 * (1 + Math.abs(jsEps[i])));
    }
  });

  it('exact s·J matches central finite differences of ε̂', () => {
    const { net, params } = randomNet(5);
    const model = new ImageScoreModel(net, params);
    const x = Float64Array.from(toyImages(11).subarray(0, d), (v, i) => v + 0.05 * Math.cos(i));
    for (const sigma of [0.05, 2]) {
      const sj = model.scaledJacobian(x, sigma);
      const h = 1e-5;
      for (let j = 0; j < d; j++) {
        const xp = Float64Array.from(x), xm = Float64Array.from(x);
        xp[j] += h;
        xm[j] -= h;
        const ep = model.epsilon(xp, 1, sigma), em = model.epsilon(xm, 1, sigma);
        for (let i = 0; i < d; i++) {
          const fd = (-sigma * (ep[i] - em[i])) / (2 * h);
          expect(Math.abs(sj[i * d + j] - fd)).toBeLessThan(1e-6 * (1 + Math.abs(fd)));
        }
      }
      // The ScoreModel Jacobian is s·J / s.
      const J = model.jacobian(x, model.sde.timeOfVariance(sigma * sigma));
      expect(J[0] * sigma * sigma).toBeCloseTo(sj[0], 8);
    }
  });

  it('the tfjs forward-mode s·J agrees with the float64 one to float32 rounding', () => {
    const { net, params } = randomNet(23);
    const model = new ImageScoreModel(net, params);
    const fast = new TfScaledJacobian(net, params);
    const x = Float64Array.from(toyImages(29).subarray(0, d), (v, i) => v + 0.1 * Math.sin(3 * i));
    for (const sigma of [0.02, 1, 40]) {
      const a = model.scaledJacobian(x, sigma);
      const b = fast.compute(x, sigma);
      const scale = Math.max(...a.map(Math.abs));
      for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThan(1e-5 * scale);
    }
    fast.dispose();
  });

  it('the skip path is the diagonal-Gaussian ε-prediction: constant pixels sit at −σ²/(σ² + floor)', () => {
    const { net } = randomNet(7);
    const { cSkip, cOut, cIn } = preconditioning(0.5, net.variance);
    // Pixel 0 is constant in the toy data: variance floored, skip ≈ 1/σ, network path ≈ 0.
    expect(cSkip[0] * 0.5).toBeCloseTo(0.25 / (0.25 + net.variance[0]), 12);
    expect(cOut[0]).toBeLessThan(1e-2);
    // Varying pixels: c_skip σ + c_out² = 1 (EDM's unit-variance identity, in ε form: c_skip σ = σ²/(σ²+v)).
    for (let j = 4; j < d; j++) expect(cSkip[j] * 0.5 + cOut[j] ** 2).toBeCloseTo(1, 12);
    expect(cIn[5]).toBeCloseTo(1 / Math.sqrt(0.25 + net.variance[5]), 12);
  });

  it('weights survive a round trip; a truncated file is rejected', () => {
    const { net, params } = randomNet(13);
    const bytes = encodeImageWeights({ net, step: 42, params });
    const back = decodeImageWeights(bytes);
    expect(back.step).toBe(42);
    expect(Array.from(back.net.variance)).toEqual(Array.from(net.variance));
    expect(Array.from(back.params[3])).toEqual(Array.from(params[3]));
    expect(() => decodeImageWeights(bytes.subarray(0, bytes.length - 8))).toThrow(/image score network weights: truncated/);
  });

  it('training lowers the denoising loss on low-dimensional data', async () => {
    const x = toyImages(17);
    const r = await trainImageScoreNet(x, n, d, {
      arch: { hidden: 32, blocks: 1, timeEmbed: 8 },
      sde: VE_DEFAULTS,
      conditioning: 'pixel',
      steps: 600,
      batch: 64,
      lr: 1e-2,
      ema: 0.99,
      seed: 1,
      logEvery: 100,
      checkpointEvery: 0,
    }, 'kernels');
    expect(r.lossRows).toHaveLength(6);
    // Closed forms (averaged over t ~ U(ε, 1)) for the empirical covariance C with eigenvalues λ and
    // diagonal v: the skip path alone (diagonal Gaussian) has loss (1/d) Σ_j v_j/(σ² + v_j); the best
    // denoiser of Gaussian data with covariance C has (1/d) Σ_i λ_i/(σ² + λ_i). The data lie on a
    // 3-dimensional subspace, so the two differ a lot; the trained net must close most of that difference.
    const mean = new Float64Array(d);
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += x[i * d + j] / n;
    const C = new Float64Array(d * d);
    for (let i = 0; i < n; i++)
      for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) C[a * d + b] += ((x[i * d + a] - mean[a]) * (x[i * d + b] - mean[b])) / n;
    const lambda = symmetricEigenvalues(C, d);
    let diag = 0, best = 0;
    const T = 2000;
    for (let k = 0; k < T; k++) {
      const s = VE_DEFAULTS.sigmaMin ** 2 * (VE_DEFAULTS.sigmaMax / VE_DEFAULTS.sigmaMin) ** (2 * (k + 0.5) / T);
      for (let j = 0; j < d; j++) diag += Math.max(C[j * d + j], VARIANCE_FLOOR) / (s + Math.max(C[j * d + j], VARIANCE_FLOOR)) / (d * T);
      for (const l of lambda) best += Math.max(l, 0) / (s + Math.max(l, 0)) / (d * T);
    }
    const late = (r.lossRows[4].loss + r.lossRows[5].loss) / 2;
    expect(late).toBeLessThan(best + 0.5 * (diag - best));
    expect(late).toBeGreaterThan(best - 0.05);
  });

  it('the kernel and tfjs implementations of the image MLP train alike (same batches, same loss to float32 rounding)', async () => {
    const x = toyImages(21);
    const config = {
      arch: { hidden: 16, blocks: 1, timeEmbed: 8 }, sde: VE_DEFAULTS, conditioning: 'pixel' as const,
      steps: 12, batch: 16, lr: 3e-3, ema: 0.9, seed: 2, logEvery: 1, checkpointEvery: 0,
    };
    const kernels = await trainImageScoreNet(x, n, d, config, 'kernels');
    const tfjs = await trainImageScoreNet(x, n, d, config, 'tfjs');
    // The first step starts from the same parameters: the losses agree to float32 rounding; later ones
    // drift by the rounding of twelve Adam steps, still far below the step-to-step change.
    expect(Math.abs(kernels.lossRows[0].loss - tfjs.lossRows[0].loss)).toBeLessThan(1e-5 * tfjs.lossRows[0].loss);
    kernels.lossRows.forEach((r, i) => expect(Math.abs(r.loss - tfjs.lossRows[i].loss)).toBeLessThan(1e-3 * tfjs.lossRows[i].loss));
    const moved = Math.abs(tfjs.lossRows[0].loss - tfjs.lossRows.at(-1)!.loss);
    expect(moved).toBeGreaterThan(1e-2 * tfjs.lossRows[0].loss);
  });

  it.each(['kernels', 'tfjs'] as const)('%s: resumes after kill -9 to the bits of an uninterrupted run', async (implementation) => {
    const scratch = mkdtempSync(path.join(tmpdir(), 'img-ckpt-'));
    const config = IMAGE_RESUME_CONFIG;
    const layout = parameterShapes({ ...(config.arch as { hidden: number; blocks: number; timeEmbed: number }), d, timeMode: 'project' });
    const killedAt = await killAfterFirstCheckpoint(scratch, ['image', implementation], layout);
    expect(killedAt).toBeGreaterThan(0);
    expect(killedAt).toBeLessThan(config.steps);
    const lines: string[] = [];
    const resumed = await trainImageScoreNet(toyImages(19), n, d, config, implementation, { scratchDir: scratch, log: (l) => lines.push(l) });
    expect(resumed.resumedFrom).toBe(killedAt); // not from scratch
    const straight = await trainImageScoreNet(toyImages(19), n, d, config, implementation);
    expect(resumed.lossRows).toEqual(straight.lossRows);
    resumed.params.forEach((p, k) => expect(Buffer.from(p.buffer).equals(Buffer.from(straight.params[k].buffer)), `tensor ${k}`).toBe(true));
    // A different configuration ignores the checkpoint (with a warning) and starts over.
    const other = await trainImageScoreNet(toyImages(19), n, d, { ...config, steps: 12, seed: 5 }, implementation, { scratchDir: scratch, log: (l) => lines.push(l) });
    expect(lines.join()).toMatch(/different training configuration/);
    expect(other.resumedFrom).toBe(0);
  });
});
