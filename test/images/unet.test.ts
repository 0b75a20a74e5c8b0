import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeImageWeights, encodeImageWeights } from '../../images/score-net-weights.ts';
import { imageEpsilon, pixelStatistics, VARIANCE_FLOOR, type ImageScoreNet } from '../../images/score-net.ts';
import { trainImageScoreNet } from '../../images/train-score-net.ts';
import { conv2dFilterGradient, conv2dInputGradient } from '../../images/unet-gradients.ts';
import { UnetScoreModel } from '../../images/unet-score.ts';
import {
  checkUnetArchitecture,
  imageShapeOf,
  unetInitialParameters,
  unetParameterShapes,
  type UnetArchitecture,
} from '../../images/unet.ts';
import { symmetricEigenvalues, symmetricPart } from '../../linalg/index.ts';
import { createRng } from '../../science/random.ts';
import { VE_DEFAULTS } from '../../science/sde.ts';
import { initBackend } from '../../science/tf-backend.ts';

const side = 8;
const d = side * side;
const n = 200;

/** 8 × 8 images: a blob whose position and brightness vary (3 latent factors), on a constant border. */
function toyImages(seed: number, count = n): Float32Array {
  const rng = createRng(seed);
  const x = new Float32Array(count * d).fill(-1);
  for (let i = 0; i < count; i++) {
    const cy = 2 + 3 * rng.uniform(), cx = 2 + 3 * rng.uniform(), level = rng.uniform();
    for (let r = 1; r < side - 1; r++) {
      for (let c = 1; c < side - 1; c++) x[i * d + r * side + c] = -1 + (1 + level) * Math.exp(-((r - cy) ** 2 + (c - cx) ** 2) / 2);
    }
  }
  return x;
}

function randomUnet(seed: number, widths = [4, 8, 8]): { net: ImageScoreNet<UnetArchitecture>; params: Float32Array[] } {
  const x = toyImages(seed);
  const stats = pixelStatistics(x, n, d, 'pixel');
  const arch: UnetArchitecture = { kind: 'unet', d, shape: [1, side, side], widths, timeEmbed: 8 };
  const params = unetInitialParameters(arch, createRng(seed + 1));
  // Zero-initialised output and time projections would make F vanish: perturb every parameter.
  const rng = createRng(seed + 2);
  for (const p of params) for (let i = 0; i < p.length; i++) p[i] += 0.1 * rng.normal();
  return { net: { arch, sde: VE_DEFAULTS, mean: stats.mean, variance: stats.variance }, params };
}

beforeAll(async () => {
  await initBackend('wasm');
});

describe('U-Net image score network', () => {
  it('the Conv2D gradients (written with Conv2D only) equal the convolution sums', () => {
    const rng = createRng(3);
    const [N, H, W, ci, co, k] = [2, 5, 4, 3, 2, 3];
    const x = Float32Array.from({ length: N * H * W * ci }, () => rng.normal());
    const w = Float32Array.from({ length: k * k * ci * co }, () => rng.normal());
    const dy = Float32Array.from({ length: N * H * W * co }, () => rng.normal());
    const [dx, dw] = tf.tidy(() => {
      const X = tf.tensor4d(x, [N, H, W, ci]), Wt = tf.tensor4d(w, [k, k, ci, co]), DY = tf.tensor4d(dy, [N, H, W, co]);
      return [conv2dInputGradient(DY, Wt).arraySync(), conv2dFilterGradient(X, DY, [k, k, ci, co]).arraySync()];
    });
    // y[n,h,w,o] = Σ x[n, h+a−1, w+b−1, i] W[a,b,i,o] (zero outside): differentiate the sum directly.
    const at = (n_: number, h: number, w_: number, i: number) => (h < 0 || h >= H || w_ < 0 || w_ >= W ? 0 : x[((n_ * H + h) * W + w_) * ci + i]);
    const dyAt = (n_: number, h: number, w_: number, o: number) => (h < 0 || h >= H || w_ < 0 || w_ >= W ? 0 : dy[((n_ * H + h) * W + w_) * co + o]);
    for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) for (let i = 0; i < ci; i++) for (let o = 0; o < co; o++) {
      let s = 0;
      for (let n_ = 0; n_ < N; n_++) for (let h = 0; h < H; h++) for (let w_ = 0; w_ < W; w_++) s += at(n_, h + a - 1, w_ + b - 1, i) * dyAt(n_, h, w_, o);
      expect((dw as number[][][][])[a][b][i][o]).toBeCloseTo(s, 4);
    }
    for (let n_ = 0; n_ < N; n_++) for (let h = 0; h < H; h++) for (let w_ = 0; w_ < W; w_++) for (let i = 0; i < ci; i++) {
      let s = 0;
      for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) for (let o = 0; o < co; o++) s += dyAt(n_, h - a + 1, w_ - b + 1, o) * w[((a * k + b) * ci + i) * co + o];
      expect((dx as number[][][][])[n_][h][w_][i]).toBeCloseTo(s, 4);
    }
  });

  it('the forward-mode s·J equals finite differences of ε̂ and the reverse-mode Jacobian', async () => {
    const { net, params } = randomUnet(5);
    const model = new UnetScoreModel(net, params, 24); // 24 tangents a pass: three chunks, the last one short
    const shapes = unetParameterShapes(net.arch);
    const x = Float64Array.from(toyImages(11).subarray(0, d), (v, i) => v + 0.05 * Math.cos(i));
    for (const sigma of [0.05, 1, 30]) {
      const sj = await model.scaledJacobian(x, sigma);
      const scale = Math.max(...sj.map(Math.abs));
      // Central differences in float32: step 1e-3, measured error ≤ 4e-4 of the largest entry.
      const h = 1e-3;
      for (let j = 0; j < d; j++) {
        const xp = Float64Array.from(x), xm = Float64Array.from(x);
        xp[j] += h;
        xm[j] -= h;
        const ep = await model.epsilon(xp, 1, sigma), em = await model.epsilon(xm, 1, sigma);
        for (let i = 0; i < d; i++) expect(Math.abs(sj[i * d + j] + (sigma * (ep[i] - em[i])) / (2 * h))).toBeLessThan(2e-3 * scale);
      }
      // Reverse mode through tfjs autodiff (and the gradients of unet-gradients.ts): d rows at once.
      const rev = tf.tidy(() => {
        const P = params.map((p, i) => tf.tensor(p, shapes[i].shape));
        const stats = { mean: tf.tensor1d(net.mean), variance: tf.tensor1d(net.variance) };
        const X = tf.tile(tf.tensor2d(Float32Array.from(x), [1, d]), [d, 1]) as tf.Tensor2D;
        const f = (inp: tf.Tensor) => imageEpsilon(net, P, inp as tf.Tensor2D, new Float32Array(d).fill(sigma), stats);
        return tf.grad(f)(X, tf.eye(d));
      });
      const r = rev.dataSync();
      rev.dispose();
      for (let i = 0; i < d * d; i++) expect(Math.abs(sj[i] + sigma * r[i])).toBeLessThan(1e-5 * scale);
    }
    model.dispose();
  });

  it('is trivial at large σ: every eigenvalue of sym(s·J) within 5 % of −1, even with random weights', async () => {
    const { net, params } = randomUnet(7);
    const model = new UnetScoreModel(net, params);
    const x = Float64Array.from(toyImages(13).subarray(0, d), (v, i) => v + 50 * Math.sin(3 * i));
    // The skip path gives −σ²/(σ² + v) ≈ −1; F's Jacobian is damped by c_out c_in σ = √v σ/(σ² + v) ≈ √v/50.
    const eig = symmetricEigenvalues(symmetricPart(await model.scaledJacobian(x, 50), d), d);
    for (const e of eig) expect(Math.abs(e + 1)).toBeLessThan(0.05);
    model.dispose();
  });

  it('training lowers the loss below the diagonal-Gaussian skip path', async () => {
    const x = toyImages(17);
    const r = await trainImageScoreNet(x, n, d, {
      arch: { kind: 'unet', widths: [4, 8], timeEmbed: 8 },
      sde: VE_DEFAULTS,
      conditioning: 'pixel',
      steps: 90,
      batch: 16,
      lr: 1e-2,
      ema: 0.9,
      seed: 1,
      logEvery: 15,
      checkpointEvery: 0,
    }, 'tfjs');
    expect(r.net.arch).toMatchObject({ kind: 'unet', shape: [1, side, side], widths: [4, 8] });
    // The zero-initialised output layer starts the network at the skip path: its loss averaged over
    // t ~ U(ε, 1) is (1/d) Σ_j v_j/(σ² + v_j). The data have 3 latent factors; the net must beat it.
    const stats = pixelStatistics(x, n, d, 'pixel');
    let diag = 0;
    const T = 2000;
    for (let k = 0; k < T; k++) {
      const s = VE_DEFAULTS.sigmaMin ** 2 * (VE_DEFAULTS.sigmaMax / VE_DEFAULTS.sigmaMin) ** ((2 * (k + 0.5)) / T);
      for (let j = 0; j < d; j++) diag += stats.variance[j] / (s + stats.variance[j]) / (d * T);
    }
    expect(stats.variance[0]).toBeCloseTo(VARIANCE_FLOOR, 12); // the constant border
    const late = (r.lossRows[4].loss + r.lossRows[5].loss) / 2;
    expect(late).toBeLessThan(0.8 * diag);
    expect(late).toBeLessThan(r.lossRows[0].loss);
  });

  it('weights survive a round trip and say which network they hold', async () => {
    const { net, params } = randomUnet(19);
    const bytes = encodeImageWeights({ net, step: 7, params });
    const back = decodeImageWeights(bytes);
    expect(back.net.arch).toEqual(net.arch);
    expect(back.step).toBe(7);
    expect(back.params.map((p) => Array.from(p))).toEqual(params.map((p) => Array.from(p)));
    expect(Array.from(back.net.mean)).toEqual(Array.from(net.mean));
    // The decoded network evaluates identically.
    const a = new UnetScoreModel(net, params), b = new UnetScoreModel(back.net as ImageScoreNet<UnetArchitecture>, back.params);
    const x = Float64Array.from(toyImages(23).subarray(0, d));
    expect(Array.from(await b.epsilon(x, 1, 0.3))).toEqual(Array.from(await a.epsilon(x, 1, 0.3)));
    a.dispose();
    b.dispose();
  });

  it('rejects bad architectures with the parameter named', () => {
    const base: UnetArchitecture = { kind: 'unet', d, shape: [1, side, side], widths: [4, 8], timeEmbed: 8 };
    expect(() => checkUnetArchitecture({ ...base, widths: [4, 8, 8, 8, 8] })).toThrow(/^widths: 5 levels .* divisible by 16; the images are 8 × 8/);
    expect(() => checkUnetArchitecture({ ...base, widths: [] })).toThrow(/^widths: need a non-empty list/);
    expect(() => checkUnetArchitecture({ ...base, widths: [4, 0] })).toThrow(/^widths:/);
    expect(() => checkUnetArchitecture({ ...base, timeEmbed: 7 })).toThrow(/^time_embed/);
    expect(imageShapeOf(784)).toEqual([1, 28, 28]);
    expect(imageShapeOf(3072)).toEqual([3, 32, 32]);
    expect(() => imageShapeOf(780)).toThrow(/d = 780/);
  });

  it('handles three-channel images stored channel-major (CHW)', async () => {
    const rng = createRng(29);
    const arch: UnetArchitecture = { kind: 'unet', d: 3 * 16, shape: [3, 4, 4], widths: [4, 4], timeEmbed: 4 };
    const params = unetInitialParameters(arch, rng.fork(1));
    for (const p of params) for (let i = 0; i < p.length; i++) p[i] += 0.2 * rng.normal();
    const net = { arch, sde: VE_DEFAULTS, mean: new Float32Array(48), variance: new Float32Array(48).fill(0.3) };
    const model = new UnetScoreModel(net, params);
    const x = Float64Array.from({ length: 48 }, () => rng.normal());
    const sj = await model.scaledJacobian(x, 0.5);
    const h = 1e-2;
    for (const j of [0, 17, 47]) {
      const xp = Float64Array.from(x), xm = Float64Array.from(x);
      xp[j] += h;
      xm[j] -= h;
      const ep = await model.epsilon(xp, 1, 0.5), em = await model.epsilon(xm, 1, 0.5);
      for (let i = 0; i < 48; i++) expect(sj[i * 48 + j]).toBeCloseTo((-0.5 * (ep[i] - em[i])) / (2 * h), 2);
    }
    model.dispose();
  });
});
