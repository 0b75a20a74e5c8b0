// The training loop with its state resident in wasm memory (science/kernels/resident-training.ts) against the
// step-by-step statement of the same computation (a fresh batch, kernelLossAndGradients, then Adam on JS
// arrays, with the kernel and with the plain-JS rule of test/reference/adam.ts): the same bits; and batches
// drawn into reused memory against freshly allocated ones.
import { beforeAll, describe, expect, it } from 'vitest';
import { initialParameters, type MlpArchitecture } from '../../science/mlp-architecture.ts';
import { kernelLossAndGradients } from '../../science/kernels/train-step.ts';
import { createRng } from '../../science/random.ts';
import { initBackend } from '../../science/tf-backend.ts';
import { ADAM_HYPERPARAMETERS, adamScalars, adamStep, initialOptimizerState } from '../../science/train-adam.ts';
import { batchDrawer, drawBatch, trainScoreNetwork, type TrainConfig } from '../../science/train-mlp.ts';
import { linearManifoldData } from '../fixtures/linear-training.ts';
import { adamStepJs, radamStepJs } from '../reference/adam.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

const d = 6;
const n = 150;
const data = linearManifoldData(d, 2, n, 3).data;
const architectures: Record<string, MlpArchitecture> = {
  // d = 6 and E = 6 leave float32 tensors whose sizes are not multiples of four: padding inside the spans.
  'project, odd sizes': { d, hidden: 10, blocks: 2, timeEmbed: 6, timeMode: 'project' },
  'concat, preconditioned, RMS-scaled': { d, hidden: 16, blocks: 1, timeEmbed: 8, timeMode: 'concat', sigmaData: 0.5, rmsScaling: true },
};
const config = (arch: MlpArchitecture): TrainConfig => ({
  arch,
  sde: { sigmaMin: 0.01, sigmaMax: 50, eps: 1e-5 },
  steps: 40,
  batch: 12,
  lr: 2e-3,
  ema: 0.99,
  weighting: 'epsilon',
  seed: 23,
  checkpointEvery: 1000,
  logEvery: 5,
});

const bits = (a: Float32Array[]): string[] => a.map((x) => Buffer.from(x.buffer, x.byteOffset, x.byteLength).toString('base64'));

describe('resident training state', () => {
  for (const [label, arch] of Object.entries(architectures)) {
    it(`ends with the bits of the step-by-step loop, kernel and JS Adam alike (${label})`, async () => {
      const c = config(arch);
      const resident = await trainScoreNetwork(data, n, c, 'kernels');
      const adam = { lr: c.lr, ...ADAM_HYPERPARAMETERS };
      for (const update of [adamStep, adamStepJs]) {
        const state = initialOptimizerState(initialParameters(arch, createRng(c.seed).fork(0)));
        for (let step = 1; step <= c.steps; step++) {
          const { grads } = kernelLossAndGradients(arch, state.params, drawBatch(data, n, c, step));
          update(state, grads, adamScalars(adam, c.ema, step));
        }
        expect(bits(resident.rawParams)).toEqual(bits(state.params));
        expect(bits(resident.weights.params)).toEqual(bits(state.ema));
      }
      // And training moved the parameters at all (the comparison is not between two untouched copies).
      expect(bits(resident.rawParams)).not.toEqual(bits(initialParameters(arch, createRng(c.seed).fork(0))));
    });
  }

  it("ends with the bits of the step-by-step loop for the authors' training: RAdam, no EMA warm-up, PyTorch init, F ≠ E", async () => {
    const arch: MlpArchitecture = { d, hidden: 10, blocks: 2, timeEmbed: 14, timeFeatureWidth: 6, timeFeatures: 'sigma', timeMode: 'project', inputScaling: 'none' };
    const c: TrainConfig = { ...config(arch), optimizer: 'radam', emaWarmup: false, init: 'pytorch', ema: 0.9 };
    const resident = await trainScoreNetwork(data, n, c, 'kernels');
    const hyper = { lr: c.lr, ...ADAM_HYPERPARAMETERS };
    const updates = [
      (s: ReturnType<typeof initialOptimizerState>, g: Float32Array[], t: number) => adamStep(s, g, adamScalars(hyper, c.ema, t, c)),
      (s: ReturnType<typeof initialOptimizerState>, g: Float32Array[], t: number) => radamStepJs(s, g, hyper, t, c.ema),
    ];
    for (const update of updates) {
      const state = initialOptimizerState(initialParameters(arch, createRng(c.seed).fork(0), 'pytorch'));
      for (let step = 1; step <= c.steps; step++) {
        const { grads } = kernelLossAndGradients(arch, state.params, drawBatch(data, n, c, step));
        update(state, grads, step);
      }
      expect(bits(resident.rawParams)).toEqual(bits(state.params));
      expect(bits(resident.weights.params)).toEqual(bits(state.ema));
    }
  });

  it('draws a batch into reused memory exactly as into fresh arrays, whatever was there before', () => {
    for (const arch of Object.values(architectures)) {
      const c = config(arch);
      const draw = batchDrawer(data, n, c);
      const reused = drawBatch(data, n, c, 1);
      for (const step of [7, 8]) {
        reused.xIn.fill(Number.NaN);
        reused.target.fill(Number.NaN);
        reused.emb?.fill(Number.NaN);
        draw(createRng(c.seed).fork(step), reused);
        const fresh = drawBatch(data, n, c, step);
        expect(bits([reused.xIn, reused.target, ...(reused.emb ? [reused.emb] : [])])).toEqual(
          bits([fresh.xIn, fresh.target, ...(fresh.emb ? [fresh.emb] : [])]),
        );
      }
    }
  });
});
