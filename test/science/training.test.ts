// Training: reproducible from the seed, resumable after kill -9 with bit-identical results, and on a
// linear manifold the trained score's Jacobian separates normal (≈ −1) from tangent (≈ 0) directions.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parameterShapes } from '../../science/mlp-architecture.ts';
import { TrainedMlpScore } from '../../science/mlp-score.ts';
import { encodeWeights } from '../../science/mlp-weights.ts';
import { createRng } from '../../science/random.ts';
import { VeSde } from '../../science/sde.ts';
import { initBackend } from '../../science/tf-backend.ts';
import { CHECKPOINT_FILE } from '../../science/train-checkpoint.ts';
import { learningRateAt } from '../../science/train-loop.ts';
import { trainScoreNetwork, type TrainConfig } from '../../science/train-mlp.ts';
import { killAfterFirstCheckpoint } from '../fixtures/kill-training.ts';
import { linearManifoldData, RESUME_CONFIG, RESUME_N, resumeData } from '../fixtures/linear-training.ts';
import { symmetricEigenvalues } from '../../linalg/index.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

const short: TrainConfig = { ...RESUME_CONFIG, steps: 60 };

describe('training', () => {
  it('same seed and backend give identical weights; another seed does not', async () => {
    const data = resumeData();
    const a = await trainScoreNetwork(data, RESUME_N, short, 'kernels');
    const b = await trainScoreNetwork(data, RESUME_N, short, 'kernels');
    const c = await trainScoreNetwork(data, RESUME_N, { ...short, seed: short.seed + 1 }, 'kernels');
    expect(Buffer.from(encodeWeights(a.weights)).equals(Buffer.from(encodeWeights(b.weights)))).toBe(true);
    expect(Buffer.from(encodeWeights(a.weights)).equals(Buffer.from(encodeWeights(c.weights)))).toBe(false);
    expect(a.lossRows.map((r) => r.loss)).toEqual(b.lossRows.map((r) => r.loss));
  });

  it("lr_schedule 'cosine' anneals lr·½(1 + cos(π(k − 1)/steps)), and a constant-lr checkpoint is not resumed under it", async () => {
    const c = { lr: 2e-3, lrSchedule: 'cosine' as const, steps: 100 };
    expect(learningRateAt(c, 1)).toBe(2e-3);
    expect(learningRateAt(c, 51)).toBeCloseTo(1e-3, 15);
    expect(learningRateAt(c, 100)).toBeCloseTo(2e-3 * 0.5 * (1 + Math.cos(0.99 * Math.PI)), 18);
    expect(learningRateAt({ ...c, lrSchedule: undefined }, 100)).toBe(2e-3);
    const data = resumeData();
    const cosine = { ...short, lrSchedule: 'cosine' as const };
    const a = await trainScoreNetwork(data, RESUME_N, cosine, 'kernels');
    const constant = await trainScoreNetwork(data, RESUME_N, short, 'kernels');
    expect(Buffer.from(encodeWeights(a.weights)).equals(Buffer.from(encodeWeights(constant.weights)))).toBe(false);
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'train-schedule-'));
    try {
      await trainScoreNetwork(data, RESUME_N, { ...short, checkpointEvery: 30 }, 'kernels', { scratchDir: scratch });
      const b = await trainScoreNetwork(data, RESUME_N, { ...cosine, checkpointEvery: 30 }, 'kernels', { scratchDir: scratch });
      expect(b.resumedFrom).toBe(0);
      expect(Buffer.from(encodeWeights(b.weights)).equals(Buffer.from(encodeWeights(a.weights)))).toBe(true);
    } finally {
      fs.rmSync(scratch, { recursive: true, force: true });
    }
  });

  it('resumes after kill -9 and ends with the weights of an uninterrupted run', async () => {
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'train-resume-'));
    try {
      const killedAt = await killAfterFirstCheckpoint(scratch, ['linear', 'kernels'], parameterShapes(RESUME_CONFIG.arch));
      const checkpoint = path.join(scratch, CHECKPOINT_FILE);
      expect(killedAt).toBeGreaterThan(0);
      expect(killedAt).toBeLessThan(RESUME_CONFIG.steps);

      const resumed = await trainScoreNetwork(resumeData(), RESUME_N, RESUME_CONFIG, 'kernels', { scratchDir: scratch });
      expect(resumed.resumedFrom).toBeGreaterThanOrEqual(killedAt);
      const straight = await trainScoreNetwork(resumeData(), RESUME_N, RESUME_CONFIG, 'kernels');
      expect(Buffer.from(encodeWeights(resumed.weights)).equals(Buffer.from(encodeWeights(straight.weights)))).toBe(true);
      resumed.rawParams.forEach((p, k) => expect(Buffer.from(p.buffer).equals(Buffer.from(straight.rawParams[k].buffer))).toBe(true));
      expect(resumed.lossRows).toEqual(straight.lossRows);

      // A damaged checkpoint is ignored (training restarts) rather than trusted.
      fs.writeFileSync(checkpoint, fs.readFileSync(checkpoint).subarray(0, 100));
      const lines: string[] = [];
      const again = await trainScoreNetwork(resumeData(), RESUME_N, { ...RESUME_CONFIG, steps: 30 }, 'kernels', { scratchDir: scratch, log: (l) => lines.push(l) });
      expect(again.resumedFrom).toBe(0);
      expect(lines.join('\n')).toMatch(/ignoring unreadable checkpoint/);
    } finally {
      fs.rmSync(scratch, { recursive: true, force: true });
    }
  });

  it.each([
    ['plain ε-prediction', {}],
    ['EDM preconditioning', { edm: true }],
    ['EDM preconditioning and RMS scaling', { edm: true, rmsScaling: true }],
  ])('%s on a linear manifold (d = 8, m = 2): the loss falls and s·J has d − m eigenvalues near −1', async (_label, variant: { edm?: boolean; rmsScaling?: boolean }) => {
    const d = 8, m = 2, n = 2000;
    const { data } = linearManifoldData(d, m, n, 7);
    const sde = { sigmaMin: 0.05, sigmaMax: 5, eps: 1e-5 };
    const sigmaData = Math.sqrt(data.reduce((a, v) => a + v * v, 0) / data.length);
    const result = await trainScoreNetwork(data, n, {
      arch: {
        d, hidden: 32, blocks: 1, timeEmbed: 16, timeMode: 'project',
        ...(variant.edm ? { sigmaData } : {}),
        ...(variant.rmsScaling ? { rmsScaling: true } : {}),
      },
      sde, steps: 400, batch: 128, lr: 3e-3, ema: 0.99, weighting: 'epsilon', seed: 1, checkpointEvery: 1000, logEvery: 50,
    }, 'kernels');
    const first = result.lossRows[0].loss, last = result.lossRows.at(-1)!.loss;
    expect(last).toBeLessThan(0.6 * first);

    const model = new TrainedMlpScore(result.weights);
    const rng = createRng(9);
    const sigma = 0.2, s = sigma * sigma;
    const t = new VeSde(sde).timeOfVariance(s);
    for (let point = 0; point < 3; point++) {
      const x = data.slice(point * d, point * d + d).map((v) => v + sigma * rng.normal());
      const J = model.jacobian(x, t);
      const sym = new Float64Array(d * d);
      for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) sym[i * d + j] = (s * (J[i * d + j] + J[j * d + i])) / 2;
      const eig = Array.from(symmetricEigenvalues(sym, d));
      // Exact linear-Gaussian theory: −1 with multiplicity d − m, −s/(s + λ_i) ≈ −0.01 for the tangent ones.
      const normal = eig.slice(0, d - m), tangent = eig.slice(d - m);
      // Generous bounds for a 400-step network, but a spectrum without the gap (or with the wrong count on
      // either side of it) fails.
      const msg = `eigenvalues of s·J at point ${point}: ${eig.map((e) => e.toFixed(3)).join(' ')}`;
      for (const e of normal) expect(e, msg).toBeLessThan(-0.4);
      for (const e of normal) expect(e, msg).toBeGreaterThan(-1.6);
      const meanNormal = normal.reduce((a, b) => a + b, 0) / normal.length;
      expect(meanNormal, msg).toBeLessThan(-0.7);
      expect(meanNormal, msg).toBeGreaterThan(-1.3);
      for (const e of tangent) expect(Math.abs(e), msg).toBeLessThan(0.25);
    }
  });
});
