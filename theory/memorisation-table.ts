// Geometric memorisation (beyond the paper; the authors' companion study): per training-set size n, the
// tangent count at the smallest s of a trained network and of the exact empirical score of the same samples,
// read by the gap detection the `gaps` stage uses, beside the George–Veiga–Macris collapse at that n.
//
// The empirical score's s·J is −I + Cov_post(x₀ | x)/s, and the posterior covariance over n points of an
// m-dimensional linear manifold has rank ≤ min(n − 1, m): at most that many eigenvalues can leave −1
// (rank_bound), and at small s, where one point carries the posterior, none do. A network that generalises keeps the m tangent directions there.

import type { Columns } from '../core/table.ts';
import { scaledCollapseVariance, spectralCollapse } from './collapse.ts';
import { aggregateGaps, detachedCount, detectGaps, labelPhases } from './gap-detection.ts';
import { spectraSeries, type SpectraColumns, type SpectraSeries } from './spectra-table.ts';
import type { VeSde } from '../science/sde.ts';

/**
 * The `memorisation` table, one row per training-set size n: at the smallest analysis time (t, s), the tangent
 * count of the trained network and of the empirical score of the same samples (gap detection: eigenvalues above
 * the lowest gap) and their dimension drop (eigenvalues more than Δ above −1, mean over points); min(n − 1, m),
 * the most eigenvalues the empirical s·J can detach (its posterior covariance spans the points' differences);
 * the empirical score's collapse bracket along t (NaN when not bracketed) and the George–Veiga–Macris collapse
 * variance and time at n (p = m, v = trace(C)/m). Declared here, not in artifacts/schemas.ts, which every stage
 * imports: a new schema there would change every stage's code fingerprint and recompute every cached node.
 */
export const MEMORISATION = {
  n: 'i32',
  d: 'i32',
  m: 'i32',
  t: 'f64',
  s: 'f64',
  trained_dim: 'f64',
  empirical_dim: 'f64',
  trained_detached: 'f64',
  empirical_detached: 'f64',
  rank_bound: 'i32',
  t_collapse_below: 'f64',
  t_collapse_above: 'f64',
  s_c_theory: 'f64',
  t_c_theory: 'f64',
} as const;

interface SpectraTableLike {
  numRows: number;
  columns: SpectraColumns;
}

/** One training-set size: its data (n, d, m, trace of the training set's covariance) and both scores' spectra. */
export interface MemorisationSlot {
  n: number;
  d: number;
  m: number;
  /** trace(C) of the training set (1/n normalisation, centred): the variance the empirical score sees. */
  trace: number;
  trained: SpectraTableLike;
  empirical: SpectraTableLike;
}

interface MemorisationOptions {
  delta: number;
  minFraction: number;
  sde: VeSde;
}

interface CountsAlongT {
  /** Ascending t. */
  slices: Array<{ t: number; s: number; dimension: number; detached: number }>;
}

/** The exact-method spectra of one score: gap-detection dimension and mean dimension drop at every time. */
function countsAlongT(table: SpectraTableLike, label: string, o: MemorisationOptions): CountsAlongT {
  const series = spectraSeries(table.columns, table.numRows, 'eig', 'any');
  const exact: SpectraSeries | undefined = series.find((s) => s.method === 'exact');
  if (!exact) throw new Error(`${label} spectra: no rows with method 'exact' (found ${series.map((s) => s.method).join(', ') || 'none'})`);
  const gaps = exact.slices.map((slice) => ({ s: slice.s, gaps: aggregateGaps(slice.points.map((pt) => detectGaps(pt, o.delta)), o.minFraction) }));
  // rankTolerance only changes the phase label, not the dimension estimate read here.
  const phases = labelPhases(gaps, exact.d, 0);
  const slices = exact.slices.map((slice, k) => ({
    t: slice.t,
    s: slice.s,
    dimension: phases[k].dimEstimate,
    detached: slice.points.reduce((a, pt) => a + detachedCount(pt, o.delta), 0) / slice.points.length,
  }));
  return { slices: slices.sort((a, b) => a.t - b.t) };
}

/** One row per slot (in the slots' order): both counts at the smallest t, the rank bound, the measured and theory collapse. */
export function memorisationTable(slots: readonly MemorisationSlot[], o: MemorisationOptions): Columns<typeof MEMORISATION> {
  const rows = {
    n: [] as number[], d: [] as number[], m: [] as number[], t: [] as number[], s: [] as number[],
    trained_dim: [] as number[], empirical_dim: [] as number[], trained_detached: [] as number[], empirical_detached: [] as number[],
    rank_bound: [] as number[], t_collapse_below: [] as number[], t_collapse_above: [] as number[], s_c_theory: [] as number[], t_c_theory: [] as number[],
  };
  for (const slot of slots) {
    const trained = countsAlongT(slot.trained, `n = ${slot.n}, trained`, o);
    const empirical = countsAlongT(slot.empirical, `n = ${slot.n}, empirical`, o);
    const [a, b] = [trained.slices[0], empirical.slices[0]];
    if (!a || !b) throw new Error(`n = ${slot.n}: a spectra table is empty`);
    // Both counts are read at one s: the scores must share the smallest analysis time.
    if (Math.abs(a.t - b.t) > 1e-12) throw new Error(`n = ${slot.n}: the smallest t differs between the trained (${a.t}) and empirical (${b.t}) spectra`);
    const collapse = spectralCollapse(empirical.slices);
    const sC = slot.n >= 2 ? scaledCollapseVariance(slot.n, slot.d, slot.m, slot.trace / slot.m) : NaN;
    rows.n.push(slot.n);
    rows.d.push(slot.d);
    rows.m.push(slot.m);
    rows.t.push(a.t);
    rows.s.push(a.s);
    rows.trained_dim.push(a.dimension);
    rows.empirical_dim.push(b.dimension);
    rows.trained_detached.push(a.detached);
    rows.empirical_detached.push(b.detached);
    rows.rank_bound.push(Math.min(slot.n - 1, slot.m));
    rows.t_collapse_below.push(collapse?.below.t ?? NaN);
    rows.t_collapse_above.push(collapse?.above.t ?? NaN);
    rows.s_c_theory.push(sC);
    rows.t_c_theory.push(Number.isFinite(sC) ? o.sde.timeOfVariance(sC) : NaN);
  }
  return {
    n: Int32Array.from(rows.n),
    d: Int32Array.from(rows.d),
    m: Int32Array.from(rows.m),
    t: Float64Array.from(rows.t),
    s: Float64Array.from(rows.s),
    trained_dim: Float64Array.from(rows.trained_dim),
    empirical_dim: Float64Array.from(rows.empirical_dim),
    trained_detached: Float64Array.from(rows.trained_detached),
    empirical_detached: Float64Array.from(rows.empirical_detached),
    rank_bound: Int32Array.from(rows.rank_bound),
    t_collapse_below: Float64Array.from(rows.t_collapse_below),
    t_collapse_above: Float64Array.from(rows.t_collapse_above),
    s_c_theory: Float64Array.from(rows.s_c_theory),
    t_c_theory: Float64Array.from(rows.t_c_theory),
  };
}

/** trace of the centred covariance (1/n) of n rows of width d. */
export function trainingSetTrace(x: ArrayLike<number>, n: number, d: number): number {
  let trace = 0;
  for (let j = 0; j < d; j++) {
    let sum = 0;
    let sq = 0;
    for (let i = 0; i < n; i++) {
      const v = x[i * d + j];
      sum += v;
      sq += v * v;
    }
    trace += sq / n - (sum / n) ** 2;
  }
  return trace;
}
