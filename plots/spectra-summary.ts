// Reductions of long spectra tables to what a figure draws: choose the score/method/point kind, average
// over evaluation points per (time, rank), histogram a spectrum, pick the grid time nearest a request.
// Pure functions on the columnar tables of docs/dag.md.
import type { Table } from '../core/table.ts';
import type { SpectraSchema } from '../artifacts/schemas.ts';

export interface SpectraSelection {
  /** score ∈ trained | analytic | empirical; undefined: the first present in the table. */
  score?: string;
  /** method ∈ exact | alg1 | alg2 | montecarlo; undefined: the first present of exact, alg2, alg1, montecarlo. */
  method?: string;
  /** point_kind ∈ trajectory | noised | draw; undefined: the first present of trajectory, noised, draw. */
  pointKind?: string;
}

interface ResolvedSelection {
  score: string;
  method: string;
  pointKind: string;
  /** Row indices of the table that match. */
  rows: number[];
}

const METHOD_PREFERENCE = ['exact', 'alg2', 'alg1', 'montecarlo'];
const POINT_KIND_PREFERENCE = ['trajectory', 'noised', 'draw'];
const SCORE_PREFERENCE = ['trained', 'analytic', 'empirical'];

/** Distinct values in first-seen order. */
export function distinct(values: ArrayLike<string>): string[] {
  return [...new Set(Array.from(values))];
}

/** The requested label if present, else the first of `preference` present, else the first present. */
function chooseLabel(present: string[], requested: string | undefined, preference: string[], what: string): string {
  if (present.length === 0) throw new Error(`no ${what} values in the table (it is empty)`);
  if (requested !== undefined && requested !== '') {
    if (!present.includes(requested)) {
      throw new Error(`${what} '${requested}' is not in the table; present: ${present.join(', ')}`);
    }
    return requested;
  }
  return preference.find((p) => present.includes(p)) ?? present[0];
}

/** Resolves a selection against a spectra table (score first, then method among that score's rows, ...). */
export function selectSpectra(table: Table<SpectraSchema>, selection: SpectraSelection = {}): ResolvedSelection {
  const c = table.columns;
  const all = range(table.numRows);
  const score = chooseLabel(distinct(all.map((i) => c.score[i])), selection.score, SCORE_PREFERENCE, 'score');
  const byScore = all.filter((i) => c.score[i] === score);
  const method = chooseLabel(distinct(byScore.map((i) => c.method[i])), selection.method, METHOD_PREFERENCE, 'method');
  const byMethod = byScore.filter((i) => c.method[i] === method);
  const pointKind = chooseLabel(
    distinct(byMethod.map((i) => c.point_kind[i])),
    selection.pointKind,
    POINT_KIND_PREFERENCE,
    'point_kind',
  );
  return { score, method, pointKind, rows: byMethod.filter((i) => c.point_kind[i] === pointKind) };
}

interface RankSummary {
  t: number;
  s: number;
  rank: number;
  /** Mean over evaluation points. */
  mean: number;
  /** 10% and 90% quantiles over evaluation points (the spread a band shows). */
  lo: number;
  hi: number;
  points: number;
}

/**
 * Mean (and 10–90% spread) over evaluation points of `value` at each (t, rank), sorted by t descending
 * then rank. Times are grouped by their exact t value (the grid of the spectra stage).
 */
export function summariseByTimeAndRank(
  table: Table<SpectraSchema>,
  rows: number[],
  value: 'eig' | 'sv',
): RankSummary[] {
  const c = table.columns;
  const groups = new Map<string, { t: number; s: number; rank: number; values: number[] }>();
  for (const i of rows) {
    const key = `${c.t[i]}|${c.rank[i]}`;
    let g = groups.get(key);
    if (!g) {
      g = { t: c.t[i], s: c.s[i], rank: c.rank[i], values: [] };
      groups.set(key, g);
    }
    g.values.push(c[value][i]);
  }
  const out: RankSummary[] = [];
  for (const g of groups.values()) {
    const sorted = Float64Array.from(g.values).sort();
    let sum = 0;
    for (const v of sorted) sum += v;
    out.push({
      t: g.t,
      s: g.s,
      rank: g.rank,
      mean: sum / sorted.length,
      lo: quantileOfSorted(sorted, 0.1),
      hi: quantileOfSorted(sorted, 0.9),
      points: sorted.length,
    });
  }
  out.sort((a, b) => b.t - a.t || a.rank - b.rank);
  return out;
}

/** Linear-interpolated quantile of an ascending array (type 7, as numpy's default). */
export function quantileOfSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const h = (n - 1) * Math.min(1, Math.max(0, p));
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/**
 * Ranks to draw: the explicit list if given (validated against d), else at most `maxRanks` evenly spaced
 * ranks including the first and the last (d = 784 lines would bury the figure).
 */
export function chooseRanks(d: number, explicit: number[], maxRanks: number): number[] {
  if (explicit.length > 0) {
    const bad = explicit.filter((r) => !(Number.isInteger(r) && r >= 0 && r < d));
    if (bad.length > 0) throw new Error(`ranks must be integers in [0, ${d - 1}] (d = ${d}), got ${bad.join(', ')}`);
    return [...new Set(explicit)].sort((a, b) => a - b);
  }
  if (!(Number.isInteger(maxRanks) && maxRanks >= 1)) throw new Error(`max_ranks must be an integer ≥ 1, got ${maxRanks}`);
  if (d <= maxRanks) return range(d);
  if (maxRanks === 1) return [0];
  const out = new Set<number>();
  for (let k = 0; k < maxRanks; k++) out.add(Math.round((k * (d - 1)) / (maxRanks - 1)));
  return [...out];
}

/** The element of `candidates` nearest to `target` (in log distance when `log`, for s; linear for t). */
export function nearest(candidates: number[], target: number, log = false): number {
  if (candidates.length === 0) throw new Error(`no values to choose ${target} from`);
  const dist = (v: number) => (log ? Math.abs(Math.log(v) - Math.log(target)) : Math.abs(v - target));
  let best = candidates[0];
  for (const v of candidates) if (dist(v) < dist(best)) best = v;
  return best;
}

interface HistogramBin {
  x0: number;
  x1: number;
  /** Count in the bin / (total · bin width): integrates to the fraction of `total` that fell in range. */
  density: number;
  count: number;
}

/**
 * Histogram on [lo, hi] with `bins` equal bins, normalised as a density relative to `total` values (which
 * may exceed values.length: the eigenvalues left out, such as the atom at −1, still count in the total).
 */
export function histogramDensity(values: ArrayLike<number>, bins: number, lo: number, hi: number, total = values.length): HistogramBin[] {
  if (!(Number.isInteger(bins) && bins >= 1)) throw new Error(`bins must be an integer ≥ 1, got ${bins}`);
  if (!(hi > lo)) throw new Error(`histogram range needs lo < hi, got [${lo}, ${hi}]`);
  const width = (hi - lo) / bins;
  const counts = new Array<number>(bins).fill(0);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!(v >= lo && v <= hi)) continue;
    counts[Math.min(bins - 1, Math.floor((v - lo) / width))]++;
  }
  return counts.map((count, k) => ({
    x0: lo + k * width,
    x1: lo + (k + 1) * width,
    count,
    density: total > 0 ? count / (total * width) : 0,
  }));
}

/** Distinct numeric values of a column over some rows, ascending. */
export function distinctNumbers(column: ArrayLike<number>, rows?: number[]): number[] {
  const set = new Set<number>();
  if (rows) for (const i of rows) set.add(column[i]);
  else for (let i = 0; i < column.length; i++) set.add(column[i]);
  return [...set].sort((a, b) => a - b);
}

export function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/** At most `max` evenly spaced indices of 0..n−1 (subsampling long loss curves for the SVG). */
export function evenlySpacedIndices(n: number, max: number): number[] {
  if (n <= max) return range(n);
  const out: number[] = [];
  for (let k = 0; k < max; k++) out.push(Math.round((k * (n - 1)) / (max - 1)));
  return [...new Set(out)];
}
