// The training choices of the authors' code (the `paper` profile): RAdam against a plain-JS statement of
// torch.optim.RAdam and against its closed form, the EMA without warm-up, torch.nn.Linear's initialisation,
// the sinusoids of σ against their formula, the raw input of input_scaling 'none', and the architecture's
// rejections of bad combinations.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  checkArchitecture,
  initialParameters,
  parameterShapes,
  timeFeatures,
  timeFeatureWidth,
  type MlpArchitecture,
} from '../../science/mlp-architecture.ts';
import { createRng } from '../../science/random.ts';
import { initBackend } from '../../science/tf-backend.ts';
import { ADAM_HYPERPARAMETERS, adamScalars, adamStep, initialOptimizerState, type OptimizerState } from '../../science/train-adam.ts';
import { drawBatch, trainScoreNetwork, type TrainConfig } from '../../science/train-mlp.ts';
import { radamStepJs } from '../reference/adam.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

const hyper = { lr: 3e-3, ...ADAM_HYPERPARAMETERS };
const same = (a: Float32Array, b: Float32Array): boolean => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

describe('RAdam', () => {
  it('the kernel equals the JS statement of torch.optim.RAdam bit for bit, through ρ_t ≤ 5 and after', () => {
    const lengths = [1, 2, 3, 7, 64, 129, 5]; // the kernel's two-lane loop and its scalar tail both run
    const make = (): OptimizerState => {
      const r = createRng(10);
      return initialOptimizerState(lengths.map((n) => Float32Array.from({ length: n }, () => r.normal())));
    };
    const a = make(), b = make();
    const rng = createRng(9);
    let rectified = 0;
    for (let t = 1; t <= 12; t++) {
      const grads = lengths.map((n) => Float32Array.from({ length: n }, () => (rng.uniform() < 0.1 ? 0 : rng.normal() * Math.pow(10, -6 + 8 * rng.uniform()))));
      const s = adamScalars(hyper, 0.999, t, { optimizer: 'radam', emaWarmup: false });
      if (s.rule !== 'radam') throw new Error('expected RAdam scalars');
      // β2 = 0.999: ρ_t = 1, 2.0, 3.0, 4.0, 5.0 for t ≤ 5, then 5.99…: the un-adapted steps are exactly the first five.
      expect(s.rect > 0).toBe(t >= 6);
      if (s.rect > 0) rectified++;
      adamStep(a, grads, s);
      radamStepJs(b, grads, hyper, t, 0.999);
      for (const key of ['params', 'm', 'v', 'ema'] as const) {
        a[key].forEach((x, k) => expect(same(x, b[key][k]), `${key}[${k}] after step ${t}`).toBe(true));
      }
    }
    expect(rectified).toBe(7);
  });

  it('follows the closed form under a constant gradient: lr·g while ρ_t ≤ 5, then lr·r_t·g/|g|', () => {
    // Constant g: m̂_t = g and v_t = (1 − β2^t) g² exactly in real arithmetic, so the step is lr·g for t ≤ 5 and
    // lr·r_t·√(1 − β2^t)·g/(√(1 − β2^t)|g| + ε) ≈ lr·r_t·sign(g) after (ε/|g| = 1e-6 here).
    const g = [0.01, -0.02];
    const state = initialOptimizerState([new Float32Array(2)]);
    const { beta2 } = ADAM_HYPERPARAMETERS;
    const rhoInf = 2 / (1 - beta2) - 1;
    let before = Float64Array.from(state.params[0]);
    for (let t = 1; t <= 40; t++) {
      adamStep(state, [Float32Array.from(g)], adamScalars(hyper, 0.9999, t, { optimizer: 'radam' }));
      const rho = rhoInf - (2 * t * beta2 ** t) / (1 - beta2 ** t);
      const r = Math.sqrt(((rho - 4) * (rho - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rho));
      g.forEach((gi, i) => {
        const expected = t <= 5 ? hyper.lr * gi : hyper.lr * r * Math.sign(gi);
        const moved = before[i] - state.params[0][i];
        expect(Math.abs(moved - expected), `t = ${t}, g = ${gi}`).toBeLessThan(2e-5 * Math.abs(expected));
      });
      before = Float64Array.from(state.params[0]);
    }
  });

  it('an unknown rule stops the training configuration by name, before any work', async () => {
    const c: TrainConfig = { arch: { d: 2, hidden: 4, blocks: 1, timeEmbed: 4, timeMode: 'project' }, sde: { sigmaMin: 0.01, sigmaMax: 50, eps: 1e-5 }, steps: 1, batch: 2, lr: 1e-3, ema: 0.9, weighting: 'epsilon', seed: 0, checkpointEvery: 0, logEvery: 1, optimizer: 'sgd' as 'adam' };
    await expect(trainScoreNetwork(new Float64Array(4), 2, c, 'kernels')).rejects.toThrow(/optimizer must be 'adam' or 'radam', got 'sgd'/);
  });
});

describe('EMA without warm-up', () => {
  it('is ema·old + (1 − ema)·new from the first step, where the warm-up would use 2/11', () => {
    for (const optimizer of ['adam', 'radam'] as const) {
      const state = initialOptimizerState([Float32Array.from([0.5, -1.25, 3])]);
      const g = Float32Array.from([0.1, -0.3, 0.02]);
      for (let t = 1; t <= 3; t++) {
        const s = adamScalars(hyper, 0.9999, t, { optimizer, emaWarmup: false });
        expect(s.decay).toBe(0.9999);
        expect(adamScalars(hyper, 0.9999, t, { optimizer }).decay).toBe((1 + t) / (10 + t));
        const old = Float64Array.from(state.ema[0]);
        adamStep(state, [g], s);
        state.ema[0].forEach((e, i) => {
          const expected = 0.9999 * old[i] + (1 - 0.9999) * state.params[0][i];
          expect(Math.abs(e - expected), `${optimizer} t = ${t}`).toBeLessThanOrEqual(2 * 2 ** -23 * Math.abs(expected));
        });
      }
    }
  });
});

describe("the authors' network", () => {
  const arch: MlpArchitecture = { d: 7, hidden: 12, blocks: 2, timeEmbed: 20, timeFeatureWidth: 8, timeFeatures: 'sigma', timeMode: 'project', inputScaling: 'none' };

  it("'pytorch' init draws every Linear's weight and bias from U(−1/√fan_in, 1/√fan_in), LayerNorms 1 and 0", () => {
    // fan_in of each Linear, written out from the network's definition (not from parameterShapes).
    const F = 8, E = 20, H = 12, d = 7;
    const fanIn: Record<string, number> = { in: d, time1: F, time2: E, 'head.out': H };
    for (const b of [0, 1]) Object.assign(fanIn, { [`block${b}.lin1`]: H, [`block${b}.time`]: E, [`block${b}.lin2`]: H });
    const params = initialParameters(arch, createRng(3), 'pytorch');
    const shapes = parameterShapes(arch);
    const seen = new Set<string>();
    shapes.forEach((s, k) => {
      const v = params[k];
      if (s.role === 'gain') return expect(v.every((x) => x === 1)).toBe(true);
      if (s.role === 'shift') return expect(v.every((x) => x === 0)).toBe(true);
      const layer = s.name.slice(0, s.name.lastIndexOf('.'));
      seen.add(layer);
      const bound = 1 / Math.sqrt(fanIn[layer]);
      expect(bound, s.name).toBeGreaterThan(0);
      expect(v.every((x) => Math.abs(x) <= bound), s.name).toBe(true);
      if (s.role === 'weight') {
        // Uniform on the interval: variance bound²/3, and the extremes reach near the bounds.
        let sum = 0, sq = 0;
        for (const x of v) {
          sum += x;
          sq += x * x;
        }
        const mean = sum / v.length, variance = sq / v.length - mean * mean;
        expect(Math.abs(mean), s.name).toBeLessThan((4 * bound) / Math.sqrt(3 * v.length));
        expect(variance / (bound * bound / 3), s.name).toBeGreaterThan(0.7);
        expect(variance / (bound * bound / 3), s.name).toBeLessThan(1.3);
        expect(Math.max(...v.map(Math.abs)) / bound, s.name).toBeGreaterThan(0.8);
      }
    });
    expect([...seen].sort()).toEqual(Object.keys(fanIn).sort());
    // The default init is unchanged by the option: LeCun-normal weights, zero biases.
    const lecun = initialParameters(arch, createRng(3));
    shapes.forEach((s, k) => {
      if (s.role === 'bias') expect(lecun[k].every((x) => x === 0)).toBe(true);
    });
    expect(() => initialParameters(arch, createRng(3), 'xavier' as 'default')).toThrow(/init must be 'default' or 'pytorch', got 'xavier'/);
  });

  it("'sigma' features are [sin(σω_k)] ++ [cos(σω_k)] with ω_k = 10⁴^(−k/(F/2 − 1)): the authors' formula", () => {
    const F = 128, half = 64;
    const sigmaEmbedding = (sigma: number, width: number, out: Float64Array, offset = 0): void =>
      timeFeatures({ d: 1, hidden: 1, blocks: 0, timeEmbed: width, timeMode: 'project', timeFeatures: 'sigma' }, sigma, out, offset);
    const out = new Float64Array(F + 3);
    for (const sigma of [0.01, 0.37, 3, 50]) {
      sigmaEmbedding(sigma, F, out, 3);
      for (let k = 0; k < half; k++) {
        const omega = Math.pow(10000, -k / (half - 1));
        expect(out[3 + k]).toBeCloseTo(Math.sin(sigma * omega), 12);
        expect(out[3 + half + k]).toBeCloseTo(Math.cos(sigma * omega), 12);
      }
      // Frequencies from 1 down to 1e-4: the first sine is sin(σ), the last nearly σ·1e-4.
      expect(out[3]).toBeCloseTo(Math.sin(sigma), 14);
      expect(out[3 + half - 1]).toBeCloseTo(Math.sin(sigma * 1e-4), 14);
    }
    // The architecture picks its features and width: F = timeFeatureWidth, not E.
    expect(timeFeatureWidth(arch)).toBe(8);
    const viaArch = new Float64Array(8), direct = new Float64Array(8);
    timeFeatures(arch, 2.5, viaArch);
    sigmaEmbedding(2.5, 8, direct);
    expect(Array.from(viaArch)).toEqual(Array.from(direct));
    expect(parameterShapes(arch).find((s) => s.name === 'time1.W')!.shape).toEqual([8, 20]);
  });

  it("input_scaling 'none' puts the raw noised x in the batch, where 'c_in' scales it by 1/√(1 + σ²)", () => {
    // Data at the origin: x = σξ and the target is ξ, so each input row is exactly σ times its target row;
    // σ is read back from the row's log-σ features (sin and cos of log(σ)/4 at frequency 1).
    const d = 5, n = 8;
    for (const inputScaling of ['none', 'c_in'] as const) {
      const a: MlpArchitecture = { d, hidden: 4, blocks: 1, timeEmbed: 6, timeMode: 'project', inputScaling };
      const c: TrainConfig = { arch: a, sde: { sigmaMin: 0.01, sigmaMax: 50, eps: 1e-5 }, steps: 1, batch: 32, lr: 1e-3, ema: 0.9, weighting: 'epsilon', seed: 4, checkpointEvery: 0, logEvery: 1 };
      const b = drawBatch(new Float64Array(n * d), n, c, 1);
      for (let i = 0; i < c.batch; i++) {
        const sigma = Math.exp(4 * Math.atan2(b.emb![i * 6], b.emb![i * 6 + 3]));
        const scale = inputScaling === 'none' ? sigma : sigma / Math.sqrt(1 + sigma * sigma);
        for (let j = 0; j < d; j++) {
          expect(Math.abs(b.xIn[i * d + j] - scale * b.target[i * d + j])).toBeLessThanOrEqual(1e-5 * Math.abs(scale * b.target[i * d + j]) + 1e-9);
        }
      }
    }
  });

  it('rejects bad combinations by name, value and what is allowed', () => {
    expect(() => checkArchitecture(arch)).not.toThrow();
    expect(() => checkArchitecture({ ...arch, inputScaling: 'none', sigmaData: 0.5 })).toThrow(/input_scaling 'none' needs preconditioning 'none'.*'edm'.*input_scaling 'c_in'/);
    expect(() => checkArchitecture({ ...arch, timeFeatureWidth: 7 })).toThrow(/time_features_width must be an even integer ≥ 4 for time_features 'sigma'.*got 7/);
    expect(() => checkArchitecture({ ...arch, timeFeatureWidth: 2 })).toThrow(/≥ 4 .*got 2/);
    expect(() => checkArchitecture({ ...arch, timeFeatures: 'log' as 'sigma' })).toThrow(/time_features must be 'log-sigma' or 'sigma', got 'log'/);
    expect(() => checkArchitecture({ ...arch, inputScaling: 'raw' as 'none' })).toThrow(/input_scaling must be 'c_in' or 'none', got 'raw'/);
  });
});
