// The batch drawn in the kernels (science/kernels/batch-draw.ts, mlp-kernels.c draw_mlp_batch) against the JS
// drawer of science/train-mlp.ts (drawBatch): the same bits in every input, target and embedding, and the
// step's generator left where the JS drawer leaves it, over the switches of the batch (preconditioning, RMS
// scaling, time mode, loss weighting), several seeds and steps, and cases where the kernel's fast sin, cos and
// log cannot decide a float32 and Math's are used; and the error bounds those fast functions are trusted with.
import { describe, expect, it } from 'vitest';
import { inputWidth, type MlpArchitecture } from '../../science/mlp-architecture.ts';
import { mlpKernelBatches } from '../../science/kernels/batch-draw.ts';
import { KernelInstance } from '../../science/kernels/mlp-kernels.ts';
import { StepPlan } from '../../science/kernels/train-step.ts';
import { createRng, forksOf } from '../../science/random.ts';
import { batchDrawer, drawBatch, timeLaw, type TrainConfig } from '../../science/train-mlp.ts';

const bits = (a: Float32Array): string => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');

interface Case {
  label: string;
  arch: MlpArchitecture;
  weighting: TrainConfig['weighting'];
  batch: number;
  /** Scale of the data (default 1). */
  scale?: number;
  sde?: TrainConfig['sde'];
}

// d = 7 is odd: each row's last normal leaves its Box–Muller partner as the next row's first.
const cases: Case[] = [
  { label: 'project, plain, edm weighting', arch: { d: 8, hidden: 8, blocks: 1, timeEmbed: 12, timeMode: 'project' }, weighting: 'edm', batch: 9 },
  { label: 'project, plain, odd d, epsilon weighting', arch: { d: 7, hidden: 8, blocks: 1, timeEmbed: 6, timeMode: 'project' }, weighting: 'epsilon', batch: 11 },
  {
    label: 'project, preconditioned, epsilon weighting (out² time law)',
    arch: { d: 7, hidden: 8, blocks: 1, timeEmbed: 8, timeMode: 'project', sigmaData: 0.7 },
    weighting: 'epsilon',
    batch: 13,
  },
  {
    label: 'project, preconditioned, RMS-scaled, edm weighting',
    arch: { d: 10, hidden: 8, blocks: 2, timeEmbed: 16, timeMode: 'project', sigmaData: 1.3, rmsScaling: true },
    weighting: 'edm',
    batch: 8,
  },
  { label: 'concat, plain, RMS-scaled', arch: { d: 5, hidden: 8, blocks: 1, timeEmbed: 2, timeMode: 'concat', rmsScaling: true }, weighting: 'epsilon', batch: 10 },
  {
    label: 'concat, preconditioned, RMS-scaled, epsilon weighting',
    arch: { d: 9, hidden: 8, blocks: 0, timeEmbed: 10, timeMode: 'concat', sigmaData: 0.4, rmsScaling: true },
    weighting: 'epsilon',
    batch: 7,
  },
  // Data at 0 and σ_d ≪ σ: ξ − skip·x cancels to ξ·σ_d²/(σ² + σ_d²), whose float32 the bounds seldom decide: most
  // rows are drawn again with Math's sin and cos.
  {
    label: 'project, preconditioned with σ_data = 0.01, data at 0, edm weighting',
    arch: { d: 11, hidden: 8, blocks: 1, timeEmbed: 8, timeMode: 'project', sigmaData: 0.01 },
    weighting: 'edm',
    batch: 16,
    scale: 1e-12,
  },
  // σ ≈ 1: the embedding's sin(c·ω) are ≈ 1e-9, below what the bounds decide, and come from Math.
  {
    label: 'σ within 1e-9 of 1',
    arch: { d: 4, hidden: 8, blocks: 1, timeEmbed: 8, timeMode: 'project' },
    weighting: 'edm',
    batch: 6,
    sde: { sigmaMin: 1 - 1e-9, sigmaMax: 1 + 1e-9, eps: 1e-5 },
  },
  // The authors' inputs (--profile paper): raw x, sinusoids of σ, F = 12 features into an E = 20 time MLP; and
  // their features in 'concat' mode.
  {
    label: "raw input, 'sigma' features of width F ≠ E",
    arch: { d: 6, hidden: 8, blocks: 1, timeEmbed: 20, timeMode: 'project', inputScaling: 'none', timeFeatures: 'sigma', timeFeatureWidth: 12 },
    weighting: 'epsilon',
    batch: 7,
  },
  {
    label: "concat, 'sigma' features",
    arch: { d: 5, hidden: 8, blocks: 1, timeEmbed: 6, timeMode: 'concat', timeFeatures: 'sigma' },
    weighting: 'edm',
    batch: 8,
  },
  // The bench's network (d = 100, E = 128), fewer rows.
  { label: 'paper architecture, d = 100, E = 128', arch: { d: 100, hidden: 8, blocks: 1, timeEmbed: 128, timeMode: 'project' }, weighting: 'edm', batch: 24 },
];

const n = 37;

function config(c: Case, seed: number): TrainConfig {
  return {
    arch: c.arch,
    sde: c.sde ?? { sigmaMin: 0.01, sigmaMax: 50, eps: 1e-5 },
    steps: 10,
    batch: c.batch,
    lr: 1e-3,
    ema: 0.99,
    weighting: c.weighting,
    seed,
    checkpointEvery: 0,
    logEvery: 1,
  };
}

describe('the batch drawn in the kernels', () => {
  for (const c of cases) {
    it(`has the bits of the JS drawer and leaves the generator where it does (${c.label})`, () => {
      const { d } = c.arch;
      const data = new Float64Array(n * d);
      createRng(d).fillNormal(data);
      for (let i = 0; i < data.length; i++) data[i] *= (c.scale ?? 1) * (1 + (i % 5)); // rows of unequal scale: the RMS matters
      for (const seed of [0, 3, 2 ** 31 + 11]) {
        const cfg = config(c, seed);
        const plan = new StepPlan(c.arch, c.batch);
        const draw = mlpKernelBatches(data, n, cfg, timeLaw(cfg)).attach(plan);
        const stepRng = forksOf(seed);
        const f32 = plan.mem.f32;
        const region = (at: number, len: number): Float32Array => f32.subarray(at / 4, at / 4 + len);
        for (const step of [1, 2, 17, 40000]) {
          // Whatever the previous step left in the regions must not show through.
          f32.fill(Number.NaN, plan.xIn / 4, plan.target / 4 + c.batch * d);
          const rng = stepRng(step);
          draw(rng);
          const js = drawBatch(data, n, cfg, step);
          expect(bits(region(plan.xIn, c.batch * inputWidth(c.arch))), `xIn, seed ${seed}, step ${step}`).toBe(bits(js.xIn));
          expect(bits(region(plan.target, c.batch * d)), `target, seed ${seed}, step ${step}`).toBe(bits(js.target));
          if (js.emb) expect(bits(region(plan.emb, js.emb.length)), `emb, seed ${seed}, step ${step}`).toBe(bits(js.emb));
          // The JS drawer's generator after the batch: the kernel handed its state back.
          const ref = createRng(seed).fork(step);
          batchDrawer(data, n, cfg)(ref, drawBatch(data, n, cfg, step));
          expect([rng.normal(), rng.uniform(), rng.normal()]).toEqual([ref.normal(), ref.uniform(), ref.normal()]);
        }
        // And the batches do change with the step (the comparison is not between two constant arrays).
        const a = drawBatch(data, n, cfg, 1), b = drawBatch(data, n, cfg, 2);
        expect(bits(a.target)).not.toBe(bits(b.target));
      }
    });
  }

  it("computes the embedding's sin and cos within 2^-49 of Math's, the premise of its float32 certificate (≤ 2^-46)", () => {
    // Arguments c·ω of the embedding (|c| ≤ 177 for any float64 σ, ω ≤ 100) and Box–Muller-sized ones, many near
    // multiples of π/2 where the reduction cancels.
    const k = new KernelInstance();
    const N = 200_000;
    const xAt = k.allocF64(N), sAt = k.allocF64(N), cAt = k.allocF64(N);
    const x = k.f64.subarray(xAt / 8, xAt / 8 + N);
    const rng = createRng(8);
    for (let i = 0; i < N; i++) {
      const scale = [1, 7, 120, 20000][i % 4];
      x[i] = i % 3 === 0 ? Math.round(rng.uniform() * scale) * (Math.PI / 2) + (rng.uniform() - 0.5) * 1e-6 : (2 * rng.uniform() - 1) * scale;
    }
    k.k.fast_sincos(xAt, N, sAt, cAt);
    const f64 = k.f64;
    let worst = 0;
    for (let i = 0; i < N; i++) {
      worst = Math.max(worst, Math.abs(f64[sAt / 8 + i] - Math.sin(x[i])), Math.abs(f64[cAt / 8 + i] - Math.cos(x[i])));
    }
    expect(worst).toBeLessThan(2 ** -49);
    expect(worst).toBeGreaterThan(0); // not Math's own values by accident
  });

  it("computes Box–Muller's log u within 2^-49·|log u| of Math's, the premise of the noise's slack", () => {
    // u as uniform53 draws it, and at the ends of (0, 1) and around √½, where the mantissa range switches.
    const k = new KernelInstance();
    const N = 200_000;
    const xAt = k.allocF64(N), lAt = k.allocF64(N);
    const u = k.f64.subarray(xAt / 8, xAt / 8 + N);
    const rng = createRng(12);
    for (let i = 0; i < N; i++) {
      const v = rng.uniform();
      u[i] = [v, 2 ** -53 * (1 + Math.floor(v * 1e6)), 1 - 2 ** -53 * (1 + Math.floor(v * 1e6)), Math.SQRT1_2 * (1 + (v - 0.5) * 1e-9)][i % 4];
    }
    k.k.fast_log(xAt, N, lAt);
    const f64 = k.f64;
    let worst = 0;
    for (let i = 0; i < N; i++) worst = Math.max(worst, Math.abs(f64[lAt / 8 + i] - Math.log(u[i])) / Math.abs(Math.log(u[i])));
    expect(worst).toBeLessThan(2 ** -49);
    expect(worst).toBeGreaterThan(0);
  });

  it('refuses data of the wrong size and a plan of another configuration', () => {
    const c = cases[0];
    const cfg = config(c, 1);
    const data = new Float64Array(n * c.arch.d);
    expect(() => mlpKernelBatches(data.subarray(1), n, cfg, timeLaw(cfg))).toThrow(/data values/);
    expect(() => mlpKernelBatches(data, n, cfg, timeLaw(cfg)).attach(new StepPlan(c.arch, c.batch + 1))).toThrow(/not for this configuration/);
  });
});
