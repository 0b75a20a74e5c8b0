// The WebAssembly SIMD kernels (science/kernels/): GEMM against a triple loop on sizes that are not
// multiples of the register block, training gradients against the JS back-propagation of test/reference/
// and a float64 finite difference, Adam bit for bit against the JS rule, the float64 score and Jacobian
// against the JS layers of test/reference/mlp-layers-f64.ts, the dispatch of score-network.ts, and the
// embedded binary against its C source.
import { beforeAll, describe, expect, it } from 'vitest';
import { CLANG_FLAGS, sourceSha256 } from '../../scripts/build-kernels.ts';
import { KernelInstance } from '../../science/kernels/mlp-kernels.ts';
import { kernelLossAndGradients } from '../../science/kernels/train-step.ts';
import { KERNELS_BUILD_FLAGS, KERNELS_SOURCE_SHA256 } from '../../science/kernels/mlp-kernels.wasm.ts';
import {
  inputWidth,
  initialParameters,
  parameterShapes,
  preconditioning,
  timeFeatures,
  timeFeatureWidth,
  type MlpArchitecture,
} from '../../science/mlp-architecture.ts';
import { TrainedMlpScore } from '../../science/mlp-score.ts';
import { createRng, type Rng } from '../../science/random.ts';
import { VE_DEFAULTS } from '../../science/sde.ts';
import { initBackend } from '../../science/tf-backend.ts';
import { scoreNetworkFor } from '../../science/score-network.ts';
import { ADAM_HYPERPARAMETERS, adamScalars, adamStep, type OptimizerState } from '../../science/train-adam.ts';
import { drawBatch, type Batch, type TrainConfig } from '../../science/train-mlp.ts';
import { backpropLossAndGradients } from '../reference/mlp-backprop.ts';
import { adamStepJs } from '../reference/adam.ts';
import { JsMlpLayers } from '../reference/mlp-layers-f64.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

const size = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);

/** Random weights with every gain, shift and bias perturbed, so no path is trivially zero. */
function randomParams(arch: MlpArchitecture, rng: Rng): Float32Array[] {
  return parameterShapes(arch).map((s) => {
    const v = new Float32Array(size(s.shape));
    const scale = s.role === 'weight' ? 1 / Math.sqrt(s.shape[0]) : 0.3;
    for (let i = 0; i < v.length; i++) v[i] = (s.role === 'gain' ? 1 : 0) + scale * rng.normal();
    return v;
  });
}

// Odd widths everywhere: the GEMM's 4 × 8 (float32) and 4 × 4 (float64) blocks all meet their edges.
const archs: MlpArchitecture[] = [
  { d: 7, hidden: 13, blocks: 2, timeEmbed: 6, timeMode: 'project' },
  { d: 5, hidden: 11, blocks: 1, timeEmbed: 4, timeMode: 'concat' },
  { d: 6, hidden: 9, blocks: 1, timeEmbed: 10, timeMode: 'project', sigmaData: 0.7 },
  { d: 3, hidden: 5, blocks: 0, timeEmbed: 2, timeMode: 'project' },
  // The authors' shape: F sinusoids of σ into a wider time MLP (F ≠ E, E odd), raw x in; and F > E.
  { d: 6, hidden: 10, blocks: 2, timeEmbed: 9, timeFeatureWidth: 4, timeFeatures: 'sigma', timeMode: 'project', inputScaling: 'none' },
  { d: 5, hidden: 7, blocks: 1, timeEmbed: 6, timeFeatureWidth: 14, timeMode: 'project' },
];

describe('kernels', () => {
  it('the embedded binary was built from the current C source', () => {
    const fresh = sourceSha256();
    expect(KERNELS_SOURCE_SHA256, 'science/kernels/mlp-kernels.c changed: rebuild with npm run build:kernels').toBe(fresh);
    expect(KERNELS_BUILD_FLAGS, 'the compiler flags changed: rebuild with npm run build:kernels').toBe(CLANG_FLAGS.join(' '));
  });

  it('compute the MLP on the CPU backends; tfjs computes it on the others and the U-Net everywhere', () => {
    expect(scoreNetworkFor('mlp', 'wasm')).toBe('kernels');
    expect(scoreNetworkFor('mlp', 'cpu')).toBe('kernels');
    expect(scoreNetworkFor('mlp', 'tensorflow-gpu')).toBe('tfjs');
    expect(scoreNetworkFor('mlp', 'webgpu')).toBe('tfjs');
    expect(scoreNetworkFor('unet', 'wasm')).toBe('tfjs');
    expect(() => scoreNetworkFor('transformer' as 'mlp', 'wasm')).toThrow(/'mlp' or 'unet', got 'transformer'/);
  });

  it('sgemm equals a triple loop for every transpose, with bias and accumulation, on odd sizes', () => {
    const mem = new KernelInstance();
    const rng = createRng(1);
    // K = 300 crosses the packed panel's 256-row chunk; N = 13 leaves a 4-wide strip and a scalar column.
    const sizes: Array<[number, number, number]> = [[1, 1, 1], [5, 7, 3], [13, 13, 9], [6, 21, 300], [9, 4, 0], [17, 8, 33]];
    for (const [M, N, K] of sizes) {
      for (const tA of [0, 1]) {
        for (const tB of [0, 1]) {
          for (const [withBias, acc] of [[false, 0], [true, 0], [true, 1], [false, 1]] as const) {
            mem.reset();
            const a = mem.allocF32(M * K), b = mem.allocF32(K * N), c = mem.allocF32(M * N), bias = mem.allocF32(N);
            const f = mem.f32;
            for (const [at, len] of [[a, M * K], [b, K * N], [c, M * N], [bias, N]]) for (let i = 0; i < len; i++) f[at / 4 + i] = rng.normal();
            const A = f.slice(a / 4, a / 4 + M * K), B = f.slice(b / 4, b / 4 + K * N), C0 = f.slice(c / 4, c / 4 + M * N);
            const bv = f.slice(bias / 4, bias / 4 + N);
            const lda = tA ? M : K, ldb = tB ? K : N;
            mem.k.sgemm(tA, tB, M, N, K, a, lda, b, ldb, c, N, withBias ? bias : 0, acc);
            const C = mem.f32.subarray(c / 4, c / 4 + M * N);
            for (let i = 0; i < M; i++) {
              for (let j = 0; j < N; j++) {
                let s = (acc ? C0[i * N + j] : 0) + (withBias ? bv[j] : 0), mag = Math.abs(s);
                for (let k = 0; k < K; k++) {
                  const p = (tA ? A[k * lda + i] : A[i * lda + k]) * (tB ? B[j * ldb + k] : B[k * ldb + j]);
                  s += p;
                  mag += Math.abs(p);
                }
                expect(Math.abs(C[i * N + j] - s), `M ${M} N ${N} K ${K} tA ${tA} tB ${tB} bias ${withBias} acc ${acc} (${i}, ${j})`).toBeLessThanOrEqual(
                  1e-6 * (mag + 1),
                );
              }
            }
          }
        }
      }
    }
  });

  it('dgemm equals a float64 triple loop on odd sizes', () => {
    const mem = new KernelInstance();
    const rng = createRng(2);
    // M ≥ 8 packs B (in 256-row chunks: K = 300 takes two); smaller M reads B in place.
    for (const [M, N, K] of [[1, 1, 1], [3, 5, 7], [9, 6, 13], [1, 11, 4], [14, 3, 0], [10, 7, 300]] as Array<[number, number, number]>) {
      for (const [withBias, acc] of [[false, 0], [true, 0], [true, 1]] as const) {
        mem.reset();
        const a = mem.allocF64(M * K), b = mem.allocF64(K * N), c = mem.allocF64(M * N), bias = mem.allocF64(N);
        const f = mem.f64;
        for (const [at, len] of [[a, M * K], [b, K * N], [c, M * N], [bias, N]]) for (let i = 0; i < len; i++) f[at / 8 + i] = rng.normal();
        const A = f.slice(a / 8, a / 8 + M * K), B = f.slice(b / 8, b / 8 + K * N), C0 = f.slice(c / 8, c / 8 + M * N);
        const bv = f.slice(bias / 8, bias / 8 + N);
        mem.k.dgemm(M, N, K, a, K, b, N, c, N, withBias ? bias : 0, acc);
        const C = mem.f64.subarray(c / 8, c / 8 + M * N);
        for (let i = 0; i < M; i++) {
          for (let j = 0; j < N; j++) {
            let s = (acc ? C0[i * N + j] : 0) + (withBias ? bv[j] : 0), mag = Math.abs(s);
            for (let k = 0; k < K; k++) {
              s += A[i * K + k] * B[k * N + j];
              mag += Math.abs(A[i * K + k] * B[k * N + j]);
            }
            expect(Math.abs(C[i * N + j] - s)).toBeLessThanOrEqual(1e-14 * (mag + 1));
          }
        }
      }
    }
  });

  it("training gradients equal the explicit backprop path's, for 'project' and 'concat'", () => {
    for (const arch of archs) {
      const cfg: TrainConfig = { arch, sde: VE_DEFAULTS, steps: 1, batch: 19, lr: 1e-3, ema: 0.99, weighting: 'edm', seed: 3, checkpointEvery: 1, logEvery: 1 };
      const data = new Float64Array(40 * arch.d);
      createRng(4).fillNormal(data);
      const params = randomParams(arch, createRng(5));
      const batch = drawBatch(data, 40, cfg, 1);
      const ref = backpropLossAndGradients(arch, params, batch);
      const ours = kernelLossAndGradients(arch, params, batch);
      expect(Math.abs(ours.loss - ref.loss)).toBeLessThan(1e-6 * ref.loss);
      parameterShapes(arch).forEach((s, k) => {
        const a = ours.grads[k], r = ref.grads[k];
        expect(a.length).toBe(r.length);
        let scale = 0, diff = 0;
        for (let i = 0; i < r.length; i++) {
          scale = Math.max(scale, Math.abs(r[i]));
          diff = Math.max(diff, Math.abs(a[i] - r[i]));
        }
        // Both float32, different summation orders: agreement to a few float32 roundings.
        expect(diff, `${arch.timeMode} d=${arch.d} ${s.name}`).toBeLessThanOrEqual(2e-5 * scale + 1e-9);
      });
    }
  });

  it('training gradients equal a float64 central difference of the loss', () => {
    for (const arch of archs.filter((a) => a.sigmaData === undefined)) {
      // One σ for the whole batch, so the float64 network of TrainedMlpScore (F itself: skip = 0, out = 1
      // without sigmaData) evaluates the same loss: mean over n·d of (F(c_in·x) − target)².
      const n = 9, sigma = 0.7, { d } = arch, F = timeFeatureWidth(arch);
      const rng = createRng(6);
      const xs = new Float64Array(n * d), target = new Float32Array(n * d);
      rng.fillNormal(xs);
      rng.fillNormal(target);
      const { cIn } = preconditioning(arch, sigma);
      const w = inputWidth(arch);
      const xIn = new Float32Array(n * w);
      const emb = arch.timeMode === 'project' ? new Float32Array(n * F) : null;
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < d; j++) xIn[i * w + j] = cIn * xs[i * d + j];
        if (emb) timeFeatures(arch, sigma, emb, i * F);
        else timeFeatures(arch, sigma, xIn, i * w + d);
      }
      // The network sees float32 inputs: give the float64 model exactly those.
      const xs32 = new Float64Array(n * d);
      for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) xs32[i * d + j] = xIn[i * w + j] / cIn;
      const batch: Batch = { xIn, emb, target, weight: null };
      const params = randomParams(arch, createRng(7));
      const loss64 = (p: Float32Array[]): number => {
        const F = new TrainedMlpScore({ arch, sde: VE_DEFAULTS, step: 0, params: p }).predictNoise(xs32, n, sigma);
        let s = 0;
        for (let i = 0; i < n * d; i++) s += (F[i] - target[i]) ** 2;
        return s / (n * d);
      };
      const { loss, grads } = kernelLossAndGradients(arch, params, batch);
      expect(Math.abs(loss - loss64(params))).toBeLessThan(1e-5 * loss);
      const pick = createRng(8);
      parameterShapes(arch).forEach((s, k) => {
        let scale = 0;
        for (const g of grads[k]) scale = Math.max(scale, Math.abs(g));
        for (let trial = 0; trial < 2; trial++) {
          const i = pick.int(grads[k].length);
          const moved = (h: number): { p: Float32Array[]; step: number } => {
            const p = params.map((a) => Float32Array.from(a));
            p[k][i] = params[k][i] + h;
            return { p, step: p[k][i] - params[k][i] }; // the step float32 actually took
          };
          const up = moved(1e-3), down = moved(-1e-3);
          const fd = (loss64(up.p) - loss64(down.p)) / (up.step - down.step);
          expect(Math.abs(grads[k][i] - fd), `${arch.timeMode} ${s.name}[${i}]`).toBeLessThanOrEqual(1e-3 * Math.abs(fd) + 1e-4 * scale + 1e-8);
        }
      });
    }
  });

  it('Adam + EMA kernel equals the JS loop bit for bit', () => {
    const rng = createRng(9);
    const lengths = [1, 2, 3, 7, 64, 129, 5]; // 211 in all: the kernel's two-lane loop and its scalar tail both run
    const arrays = (fill: (i: number) => number): Float32Array[] => lengths.map((n) => Float32Array.from({ length: n }, (_, i) => fill(i)));
    const make = (): OptimizerState => {
      const r = createRng(10);
      return {
        step: 3,
        params: arrays(() => r.normal()),
        m: arrays(() => 0.01 * r.normal()),
        v: arrays(() => 1e-4 * r.uniform()),
        ema: arrays(() => r.normal()),
      };
    };
    const a = make(), b = make();
    for (let step = 0; step < 6; step++) {
      // Gradients spanning many magnitudes, with exact zeros.
      const grads = arrays(() => (rng.uniform() < 0.1 ? 0 : rng.normal() * Math.pow(10, -6 + 8 * rng.uniform())));
      const scalars = adamScalars({ lr: 3e-3, ...ADAM_HYPERPARAMETERS }, 0.999, 4 + step);
      adamStep(a, grads, scalars);
      adamStepJs(b, grads, scalars);
      for (const key of ['params', 'm', 'v', 'ema'] as const) {
        a[key].forEach((x, k) => expect(Buffer.from(x.buffer).equals(Buffer.from(b[key][k].buffer)), `${key}[${k}] after step ${step}`).toBe(true));
      }
    }
    expect(() => adamStep(a, [new Float32Array(2)], adamScalars({ lr: 1e-3, ...ADAM_HYPERPARAMETERS }, 0.9, 1))).toThrow(/gradients/);
  });

  it('float64 score and Jacobian equal the JS float64 layers (to rounding), preconditioning included', () => {
    for (const arch of archs) {
      const weights = { arch, sde: VE_DEFAULTS, step: 0, params: randomParams(arch, createRng(11)) };
      const model = new TrainedMlpScore(weights);
      const reference = new TrainedMlpScore(weights, (a, p) => new JsMlpLayers(a, p));
      const n = 21;
      const xs = new Float64Array(n * arch.d);
      createRng(12).fillNormal(xs);
      for (const t of [0.05, 0.5, 0.95]) {
        const ours = { s: model.score(xs, n, t), J: model.jacobian(xs.subarray(0, arch.d), t) };
        const ref = { s: reference.score(xs, n, t), J: reference.jacobian(xs.subarray(0, arch.d), t) };
        for (const key of ['s', 'J'] as const) {
          let err = 0, norm = 0;
          for (let i = 0; i < ref[key].length; i++) {
            err += (ours[key][i] - ref[key][i]) ** 2;
            norm += ref[key][i] ** 2;
          }
          expect(norm).toBeGreaterThan(0);
          expect(Math.sqrt(err / norm), `${key} ${arch.timeMode} d=${arch.d} t=${t}`).toBeLessThan(1e-12);
        }
      }
    }
  });

  it('the kernel training step is bit-reproducible and its gradients do not alias later calls', () => {
    const arch = archs[0];
    const cfg: TrainConfig = { arch, sde: VE_DEFAULTS, steps: 1, batch: 11, lr: 1e-3, ema: 0.99, weighting: 'edm', seed: 3, checkpointEvery: 1, logEvery: 1 };
    const data = new Float64Array(30 * arch.d);
    createRng(13).fillNormal(data);
    const params = initialParameters(arch, createRng(14));
    const first = kernelLossAndGradients(arch, params, drawBatch(data, 30, cfg, 1));
    const kept = first.grads.map((g) => Float32Array.from(g));
    kernelLossAndGradients(arch, params, drawBatch(data, 30, cfg, 2));
    first.grads.forEach((g, k) => expect(Array.from(g)).toEqual(Array.from(kept[k])));
    const again = kernelLossAndGradients(arch, params, drawBatch(data, 30, cfg, 1));
    expect(again.loss).toBe(first.loss);
    again.grads.forEach((g, k) => expect(Buffer.from(g.slice().buffer).equals(Buffer.from(kept[k].buffer))).toBe(true));
  });
});
