// The data stage's tables and parameter checks, run through the in-memory stage context.
import { describe, expect, it } from 'vitest';
import type { ListColumn } from '../../core/table.ts';
import dataStage from '../../stages/data.ts';
import { d, m, smallData } from '../fixtures/small-linear-data.ts';
import { runStage } from '../support/stage-context.ts';

function columnsOf(run: Awaited<ReturnType<typeof smallData>>, name: string): string[] {
  return Object.keys(run.tables.get(name)!.columns).sort();
}

describe('stage data', () => {
  it('writes the documented tables', async () => {
    const run = await smallData();
    expect(columnsOf(run, 'samples')).toEqual(['x']);
    expect(columnsOf(run, 'F')).toEqual(['f', 'row']);
    expect(columnsOf(run, 'variances')).toEqual(['column', 'variance']);
    expect(columnsOf(run, 'profile')).toEqual(['alpha', 'd', 'fraction', 'group', 'm', 'variance']);
    const samples = run.tables.get('samples')!;
    expect(samples.numRows).toBe(300);
    expect((samples.columns.x as ListColumn).width).toBe(d);
    expect((run.tables.get('F')!.columns.f as ListColumn).width).toBe(m);
    const profile = run.tables.get('profile')!.columns;
    expect(Array.from(profile.fraction as Float64Array)).toEqual([2 / 3, 1 / 3]);
    expect(Array.from(profile.variance as Float64Array)).toEqual([1, 0.01]);
    expect(Array.from(profile.alpha as Float64Array)).toEqual([m / d, m / d]);
    // Reproducible from the seed.
    const again = await smallData();
    expect((again.tables.get('samples')!.columns.x as ListColumn).values).toEqual((samples.columns.x as ListColumn).values);
  });

  it('parses multi groups and rejects bad parameter combinations', async () => {
    const run = await runStage(dataStage, { d, m: 4, n_train: 10, profile: 'multi', groups: [0.5, 2, 0.5, 0.1] });
    expect(Array.from(run.tables.get('variances')!.columns.variance as Float64Array)).toEqual([2, 2, 0.1, 0.1]);
    await expect(runStage(dataStage, { d: 5, m: 6 })).rejects.toThrow(/m=6, d=5/);
    await expect(runStage(dataStage, { profile: 'multi', groups: [0.5, 1, 0.3, 2] })).rejects.toThrow(/sum to 1, got 0.8/);
    await expect(runStage(dataStage, { profile: 'multi', groups: [0.5, 1, 0.5] })).rejects.toThrow(/pairs/);
    // A variance's range is its declaration's, whichever profile reads it.
    await expect(runStage(dataStage, { profile: 'single', sigma_sq: 0 })).rejects.toThrow(/data\.sigma_sq = 0: out of range: allowed a number > 0/);
    await expect(runStage(dataStage, { profile: 'double', sigma2_sq: -0.01 })).rejects.toThrow(/data\.sigma2_sq = -0\.01: out of range: allowed a number > 0/);
  });
});
