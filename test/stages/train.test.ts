// The train stage end to end with an in-memory context: schema of its outputs, a loadable weights file,
// and an environment resolved without loading tfjs.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTrainedScore } from '../../science/mlp-score.ts';
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
});
