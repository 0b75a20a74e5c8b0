// The sample and spectra stages on the data stage's small linear model, run through the in-memory stage context.
import { describe, expect, it } from 'vitest';
import { initialParameters, type MlpArchitecture } from '../../science/mlp-architecture.ts';
import { encodeWeights } from '../../science/mlp-weights.ts';
import { createRng } from '../../science/random.ts';
import { VE_DEFAULTS, VeSde } from '../../science/sde.ts';
import sampleStage from '../../stages/sample.ts';
import spectraStage from '../../stages/spectra.ts';
import { d, smallData } from '../fixtures/small-linear-data.ts';
import { runStage, writtenTable } from '../support/stage-context.ts';

describe('stages sample and spectra', () => {
  it('sample writes P trajectories on the grid, for the analytic and empirical scores', async () => {
    const data = await smallData();
    const tables = { samples: writtenTable(data, 'samples'), F: writtenTable(data, 'F'), variances: writtenTable(data, 'variances') };
    for (const score of ['analytic', 'empirical'] as const) {
      const run = await runStage(sampleStage, { score, steps: 40, trajectories: 3, times: 5, seed: 2 }, { tables });
      const traj = run.tables.get('trajectories')!;
      expect(Object.keys(traj.columns).sort()).toEqual(['s', 'step', 't', 'trajectory', 'x']);
      expect(traj.numRows).toBe(15);
      const t = traj.columns.t as Float64Array;
      const grid = new VeSde(VE_DEFAULTS).analysisGrid(5);
      expect(Array.from(t.slice(0, 5))).toEqual(grid.map((g) => g.t));
      expect(Array.from(traj.columns.s as Float64Array).slice(0, 5)).toEqual(grid.map((g) => g.s));
      expect(run.progress.at(-1)).toBe(1);
    }
    await expect(runStage(sampleStage, { score: 'trained', steps: 10, times: 3 }, { tables })).rejects.toThrow(/needs the weights input/);
  });

  it('spectra measures every method, point kind and time, with finite differences exact for the analytic score', async () => {
    const data = await smallData();
    const tables = { samples: writtenTable(data, 'samples'), F: writtenTable(data, 'F'), variances: writtenTable(data, 'variances') };
    const sample = await runStage(sampleStage, { score: 'analytic', steps: 40, trajectories: 3, times: 5 }, { tables });
    const run = await runStage(
      spectraStage,
      { score: 'analytic', times: 5, points: 2 },
      { tables: { ...tables, trajectories: writtenTable(sample, 'trajectories') } },
    );
    const spectra = run.tables.get('spectra')!;
    expect(Object.keys(spectra.columns).sort()).toEqual(['eig', 'method', 'point', 'point_kind', 'rank', 's', 'score', 'sv', 't']);
    // 5 times × 2 kinds × 2 points × 3 methods × d ranks.
    expect(spectra.numRows).toBe(5 * 2 * 2 * 3 * d);
    const eig = spectra.columns.eig as Float64Array;
    const sv = spectra.columns.sv as Float64Array;
    for (let r = 0; r < spectra.numRows; r += d) {
      for (let i = 1; i < d; i++) {
        expect(eig[r + i]).toBeGreaterThanOrEqual(eig[r + i - 1]);
        expect(sv[r + i]).toBeLessThanOrEqual(sv[r + i - 1]);
      }
      // Rescaled spectrum of the analytic score: d − m eigenvalues at −1, all in [−1, 0).
      expect(Math.abs(eig[r] + 1)).toBeLessThan(1e-6);
      expect(eig[r + d - 1]).toBeLessThan(0);
    }
    const errors = run.tables.get('jacobian_error')!;
    expect(Object.keys(errors.columns).sort()).toEqual(['method', 'point', 'point_kind', 'reference', 'rel_frobenius', 's', 'score', 't']);
    expect(errors.numRows).toBe(5 * 2 * 2 * 2);
    for (const e of errors.columns.rel_frobenius as Float64Array) expect(e).toBeLessThan(1e-6);
    expect(new Set(errors.columns.reference as string[])).toEqual(new Set(['exact']));
    expect(run.progress).toHaveLength(5);

    // Explicit times replace the grid.
    const at = await runStage(spectraStage, { score: 'analytic', at_times: [0.45, 0.11], point_kinds: ['noised'], points: 1, methods: ['exact'] }, { tables });
    expect(new Set(at.tables.get('spectra')!.columns.t as Float64Array)).toEqual(new Set([0.45, 0.11]));
  });

  it('spectra of a trained network also reports its exact Jacobian against the analytic one', async () => {
    const data = await smallData();
    const tables = { samples: writtenTable(data, 'samples'), F: writtenTable(data, 'F'), variances: writtenTable(data, 'variances') };
    const arch: MlpArchitecture = { d, hidden: 16, blocks: 1, timeEmbed: 8, timeMode: 'project' };
    const weights = encodeWeights({ arch, sde: VE_DEFAULTS, step: 0, params: initialParameters(arch, createRng(3)) });
    const run = await runStage(
      spectraStage,
      { score: 'trained', times: 2, points: 1, point_kinds: ['noised'] },
      { tables, files: { weights } },
    );
    const errors = run.tables.get('jacobian_error')!.columns;
    const refs = errors.reference as string[];
    expect(refs.filter((r) => r === 'analytic')).toHaveLength(2);
    expect((errors.method as string[])[refs.indexOf('analytic')]).toBe('exact');
    expect(new Set(run.tables.get('spectra')!.columns.score as string[])).toEqual(new Set(['trained']));
  });
});
