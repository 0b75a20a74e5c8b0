// The memorisation stage on synthetic slots: one row per distinct training set, sorted by n, with n read from
// the bound samples and m from their profile; slots bound to the same artifacts are one row; a slot bound in part
// stops the run; the figure's three files carry the quantities drawn.
import { describe, expect, it } from 'vitest';
import type { Table } from '../../core/table.ts';
import type { PROFILE, SAMPLES, SPECTRA } from '../../artifacts/schemas.ts';
import memorisation from '../../stages/memorisation.ts';
import { VE_DEFAULTS, VeSde } from '../../science/sde.ts';
import { runStage, writtenTable } from '../support/stage-context.ts';

const sde = new VeSde(VE_DEFAULTS);
const d = 8;
const m = 3;

function samples(n: number): Table<typeof SAMPLES> {
  // Only the first m coordinates vary: a linear manifold of dimension m.
  const x = new Float64Array(n * d);
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) x[i * d + j] = ((i * 7 + j * 3) % 5) - 2;
  return { numRows: n, columns: { x: { values: x, width: d } } };
}

const profile = (): Table<typeof PROFILE> => ({
  numRows: 1,
  columns: { group: Int32Array.of(0), fraction: Float64Array.of(1), variance: Float64Array.of(1), alpha: Float64Array.of(m / d), d: Int32Array.of(d), m: Int32Array.of(m) },
});

/** At every grid time, `detached` eigenvalues at −0.02 and the rest at −1 (two points). */
function spectra(score: string, detached: number): Table<typeof SPECTRA> {
  const rows: Array<{ t: number; s: number; point: number; rank: number; eig: number }> = [];
  for (const { t, s } of sde.analysisGrid(4)) {
    for (let point = 0; point < 2; point++) for (let rank = 0; rank < d; rank++) rows.push({ t, s, point, rank, eig: rank >= d - detached ? -0.02 : -1 });
  }
  return {
    numRows: rows.length,
    columns: {
      score: rows.map(() => score), method: rows.map(() => 'exact'), point_kind: rows.map(() => 'noised'),
      t: Float64Array.from(rows, (r) => r.t), s: Float64Array.from(rows, (r) => r.s), point: Int32Array.from(rows, (r) => r.point),
      rank: Int32Array.from(rows, (r) => r.rank), eig: Float64Array.from(rows, (r) => r.eig), sv: Float64Array.from(rows, (r) => Math.abs(r.eig)),
    },
  };
}

/** Slot i's four inputs (and their origins, keyed so that equal `key`s mean the same artifacts). */
function slot(i: number, n: number, trainedCount: number, key: string) {
  const tables = { [`samples_${i}`]: samples(n), [`profile_${i}`]: profile(), [`trained_${i}`]: spectra('trained', trainedCount), [`empirical_${i}`]: spectra('empirical', 0) };
  const origin = Object.fromEntries(Object.keys(tables).map((k) => [k, { key: `${key}:${k.replace(/_\d+$/, '')}`, node: `data-${key}` }]));
  return { tables, origin };
}

function merge(...slots: Array<ReturnType<typeof slot>>) {
  return { tables: Object.assign({}, ...slots.map((s) => s.tables)), origin: Object.assign({}, ...slots.map((s) => s.origin)) };
}

describe('memorisation stage', () => {
  it('writes one row per distinct training set, by n, and the figure', async () => {
    // Slot 2 is bound to slot 0's artifacts (as when a profile gives two nodes the same n): one row.
    const run = await runStage(memorisation, {}, merge(slot(0, 40, m, 'a'), slot(1, 10, 0, 'b'), slot(2, 40, m, 'a')));
    const t = writtenTable(run, 'memorisation');
    const c = t.columns as Record<string, ArrayLike<number>>;
    expect(t.numRows).toBe(2);
    expect([...c.n as Int32Array]).toEqual([10, 40]);
    expect([...c.m as Int32Array]).toEqual([m, m]);
    expect([...c.d as Int32Array]).toEqual([d, d]);
    expect([...c.trained_dim as Float64Array]).toEqual([0, m]);
    expect([...c.empirical_dim as Float64Array]).toEqual([0, 0]);
    expect([...c.rank_bound as Int32Array]).toEqual([m, m]);
    expect(run.logs.some((l) => /slot 2: the same inputs as an earlier slot/.test(l))).toBe(true);
    const svg = run.text('svg');
    for (const title of ['training-set size n', 'tangent count at the smallest s', 'collapse time (VE clock)']) expect(svg).toContain(title);
    expect(run.text('png').slice(1, 4)).toBe('PNG');
    expect(JSON.parse(run.text('spec')).$schema).toMatch(/vega-lite/);
  });

  it('stops on a slot bound in part, naming what is missing', async () => {
    const { tables, origin } = slot(3, 20, m, 'c');
    delete tables.empirical_3;
    await expect(runStage(memorisation, {}, { tables, origin })).rejects.toThrow(/slot 3: samples_3, profile_3, trained_3, empirical_3 must be bound together \(bound: samples_3, profile_3, trained_3\)/);
  });

  it('stops when nothing is bound', async () => {
    await expect(runStage(memorisation, {}, {})).rejects.toThrow(/no slot is bound/);
  });
});
