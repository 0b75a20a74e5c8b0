// The train stage end to end with an in-memory context: schema of its outputs, a loadable weights file,
// and an environment resolved without loading tfjs.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROFILES } from '../../config/profiles.ts';
import { loadTrainedScore } from '../../science/mlp-score.ts';
import { decodeWeights, encodeWeights } from '../../science/mlp-weights.ts';
import { trainScoreNetwork } from '../../science/train-mlp.ts';
import stage from '../../stages/train.ts';
import { runStage, writtenTable } from '../support/stage-context.ts';
import { linearManifoldData } from '../fixtures/linear-training.ts';

describe('train stage', () => {
  it('resolves its environment and rejects bad parameter combinations', () => {
    const defaults = Object.fromEntries(Object.entries(stage.params).map(([k, v]) => [k, v.default])) as any;
    expect(stage.environment!(defaults)).toEqual({ backend: 'wasm', precision: 'float32', network: 'kernels' });
    expect(stage.environment!({ ...defaults, backend: 'cpu' })).toMatchObject({ backend: 'cpu', network: 'kernels' });
    expect(stage.check!({ ...defaults, sigma_min: 60 })).toMatch(/sigma_min/);
    expect(stage.check!({ ...defaults, time_embed: 7 })).toMatch(/time_embed/);
    expect(stage.check!(defaults)).toBeUndefined();
    // The authors' options: raw input only for the plain network, the features' width even (≥ 4 for 'sigma').
    expect(stage.check!({ ...defaults, input_scaling: 'none' })).toMatch(/input_scaling 'none' needs preconditioning 'none'.*'edm'.*'c_in'/);
    expect(stage.check!({ ...defaults, input_scaling: 'none', preconditioning: 'none' })).toBeUndefined();
    expect(stage.check!({ ...defaults, time_features: 'sigma', time_features_width: 2 })).toMatch(/time_features_width must be an even integer ≥ 4.*got 2/);
    expect(stage.check!({ ...defaults, time_features_width: 9 })).toMatch(/time_features_width .*got 9/);
    // With its own feature width the time MLP may be odd.
    expect(stage.check!({ ...defaults, time_embed: 7, time_features_width: 8 })).toBeUndefined();
  });

  it('trains, writes a loss table and a weights file the ScoreModel loader reads', async () => {
    const d = 5, n = 300;
    const { data } = linearManifoldData(d, 2, n, 3);
    const params = { steps: 40, batch: 16, hidden: 8, blocks: 1, time_embed: 4, checkpoint_every: 15, backend: 'wasm', lr: 1e-3 };
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'train-stage-'));
    try {
      const run = await runStage(stage, params, {
        tables: { samples: { numRows: n, columns: { x: { values: data, width: d } } } },
        scratchDir: scratch,
        environment: { backend: 'wasm', precision: 'float32' },
      });
      const loss = writtenTable(run, 'loss').columns as { step: Int32Array; loss: Float64Array; loss_smoothed: Float64Array };
      expect(loss.step).toBeInstanceOf(Int32Array);
      expect(loss.step.at(-1)).toBe(40);
      expect(loss.loss.length).toBe(loss.step.length);
      expect(loss.loss_smoothed.every((v) => Number.isFinite(v) && v > 0)).toBe(true);
      const model = loadTrainedScore(run.files.get('weights')!);
      expect(model.d).toBe(d);
      expect(model.kind).toBe('trained');
      const s = model.score(data.subarray(0, 2 * d), 2, 0.5);
      expect(s.every(Number.isFinite)).toBe(true);
      expect(run.logs.join('\n')).toMatch(/tfjs backend: wasm/);
      expect(fs.existsSync(path.join(scratch, 'train-checkpoint.bin'))).toBe(true);
    } finally {
      fs.rmSync(scratch, { recursive: true, force: true });
    }
  });

  it("trains the paper profile's network end to end at toy size, with the authors' choices passed through", async () => {
    const d = 5, n = 200;
    const { data } = linearManifoldData(d, 2, n, 3);
    const paper = PROFILES.paper.train as Record<string, unknown>;
    expect(paper).toMatchObject({ optimizer: 'radam', ema_warmup: false, init: 'pytorch', input_scaling: 'none', time_features: 'sigma', time_features_width: 128, time_embed: 512 });
    const params = { ...paper, steps: 20, checkpoint_every: 10, batch: 16, hidden: 8, time_embed: 12, time_features_width: 8, backend: 'wasm' };
    const run = await runStage(stage, params, {
      tables: { samples: { numRows: n, columns: { x: { values: data, width: d } } } },
      environment: { backend: 'wasm', precision: 'float32' },
    });
    const weights = decodeWeights(run.files.get('weights')!);
    expect(weights.step).toBe(20);
    expect(weights.arch).toEqual({ d, hidden: 8, blocks: 2, timeEmbed: 12, timeMode: 'project', timeFeatures: 'sigma', timeFeatureWidth: 8, inputScaling: 'none' });
    const loss = writtenTable(run, 'loss').columns as { loss: Float64Array };
    expect(loss.loss.every((v) => Number.isFinite(v) && v > 0)).toBe(true);
    expect(loadTrainedScore(run.files.get('weights')!).score(data.subarray(0, 2 * d), 2, 0.5).every(Number.isFinite)).toBe(true);
    // The stage trained with RAdam, no EMA warm-up and PyTorch's init: the same bits as asking for them directly,
    // and not those of today's defaults.
    const direct = (choices: object) =>
      trainScoreNetwork(data, n, { arch: weights.arch, sde: weights.sde, steps: 20, batch: 16, lr: 1e-4, ema: 0.9999, weighting: 'epsilon', seed: 0, checkpointEvery: 0, logEvery: 1, ...choices }, 'kernels');
    const authors = await direct({ optimizer: 'radam', emaWarmup: false, init: 'pytorch' });
    expect(Buffer.from(encodeWeights(authors.weights)).equals(Buffer.from(run.files.get('weights')!))).toBe(true);
    const defaults = await direct({});
    expect(Buffer.from(encodeWeights(defaults.weights)).equals(Buffer.from(run.files.get('weights')!))).toBe(false);
  });
  it("preconditions with σ_data = the samples' per-coordinate RMS, or with the sigma_data given", async () => {
    const d = 4, n = 64;
    const { data } = linearManifoldData(d, 2, n, 5);
    const rms = Math.sqrt(data.reduce((a, v) => a + v * v, 0) / data.length);
    const sigmaDataOf = async (extra: Record<string, unknown>): Promise<number | undefined> => {
      const run = await runStage(stage, { steps: 2, batch: 4, hidden: 4, blocks: 0, time_embed: 4, backend: 'wasm', ...extra }, {
        tables: { samples: { numRows: n, columns: { x: { values: data, width: d } } } },
        environment: { backend: 'wasm', precision: 'float32' },
      });
      return decodeWeights(run.files.get('weights')!).arch.sigmaData;
    };
    expect(await sigmaDataOf({})).toBeCloseTo(rms, 12);
    expect(await sigmaDataOf({ sigma_data: 0.8 })).toBe(0.8);
    expect(await sigmaDataOf({ preconditioning: 'none', sigma_data: 0.8 })).toBeUndefined();
  });
});
