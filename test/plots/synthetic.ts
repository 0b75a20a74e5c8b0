// Synthetic tables for the figure tests, from closed forms: a linear Gaussian model whose covariance
// eigenvalues λ are spread uniformly over two bands, so the rescaled Jacobian s·J has eigenvalues −1
// (d − m normal directions) and −s/(s + λ) (tangent), and the theory density, gap widths and dimension
// drop are exact formulas rather than numbers copied from a run.
import type { Columns, Table, TableSchema } from '../../engine/stage.ts';
import { createRng } from '../../science/random.ts';
import { VE_DEFAULTS, VeSde } from '../../science/sde.ts';
import {
  COLLAPSE,
  FIT,
  GAPS,
  JACOBIAN_ERROR,
  LOSS,
  PHASES,
  PHASE_TIMES,
  SPECTRA,
  THEORY_CURVES,
  THEORY_DENSITY,
  THEORY_EDGES,
} from '../../artifacts/schemas.ts';

type Row = Record<string, number | string | boolean>;

/** Rows → the columnar tables of engine/stage.ts. */
export function tableFromRows<S extends TableSchema>(schema: S, rows: Row[]): Table<S> {
  const columns: Record<string, unknown> = {};
  for (const [name, type] of Object.entries(schema)) {
    const values = rows.map((r) => r[name]);
    if (type === 'f64') columns[name] = Float64Array.from(values as number[]);
    else if (type === 'f32') columns[name] = Float32Array.from(values as number[]);
    else if (type === 'i32') columns[name] = Int32Array.from(values as number[]);
    else if (type === 'utf8') columns[name] = values.map(String);
    else if (type === 'bool') columns[name] = values.map(Boolean);
    else throw new Error(`list column ${name} not supported in synthetic tables`);
  }
  return { numRows: rows.length, columns: columns as Columns<S> };
}

/** Two bands of covariance eigenvalues: [lower, upper] with a weight (fraction of the m tangent directions). */
export interface Band {
  lower: number;
  upper: number;
  weight: number;
}

export const D = 40;
export const M = 20;
export const BANDS: Band[] = [
  { lower: 0.002, upper: 0.018, weight: 0.25 },
  { lower: 0.3, upper: 2.1, weight: 0.75 },
];
const ALPHA = M / D;
export const sde = new VeSde(VE_DEFAULTS);

/** The m covariance eigenvalues: each band filled on an even grid (jittered by `rng` if given). */
export function bandEigenvalues(rng?: () => number): number[] {
  const out: number[] = [];
  for (const b of BANDS) {
    const k = Math.round(b.weight * M);
    for (let i = 0; i < k; i++) {
      const u = rng ? rng() : (i + 0.5) / k;
      out.push(b.lower + u * (b.upper - b.lower));
    }
  }
  return out;
}

/** Sorted eigenvalues (ascending) of sym(s·J) for covariance eigenvalues λ: −1 × (d − m), then −s/(s + λ). */
export function rescaledSpectrum(lambdas: number[], s: number): number[] {
  const eig = [...new Array(D - lambdas.length).fill(-1), ...lambdas.map((l) => -s / (s + l))];
  return eig.sort((a, b) => a - b);
}

/** Exact density of μ = −s/(s + λ) for λ uniform on the bands, per d (integrates to α). */
export function exactDensity(mu: number, s: number): number {
  if (!(mu > -1 && mu < 0)) return 0;
  const lambda = s * (-1 / mu - 1);
  const jacobian = s / (mu * mu);
  let rho = 0;
  for (const b of BANDS) if (lambda >= b.lower && lambda <= b.upper) rho += (ALPHA * b.weight * jacobian) / (b.upper - b.lower);
  return rho;
}

/** Count of eigenvalues of s·J farther than Δ from −1: λ > sΔ/(1 − Δ). */
export function exactDimension(s: number, delta: number): number {
  const threshold = (s * delta) / (1 - delta);
  let dim = 0;
  for (const b of BANDS) {
    const above = Math.min(1, Math.max(0, (b.upper - threshold) / (b.upper - b.lower)));
    dim += M * b.weight * above;
  }
  return dim;
}

export function spectraTable(opts: {
  score: string;
  method: string;
  pointKind: string;
  times: number[];
  points: number;
  noise: number;
  seed: number;
}): Table<typeof SPECTRA> {
  const rng = createRng(opts.seed);
  const lambdas = bandEigenvalues();
  const rows: Row[] = [];
  for (const t of opts.times) {
    const s = sde.variance(t);
    for (let p = 0; p < opts.points; p++) {
      const eig = rescaledSpectrum(lambdas, s).map((e) => e + opts.noise * rng.normal());
      eig.sort((a, b) => a - b);
      const sv = eig.map(Math.abs).sort((a, b) => b - a);
      for (let r = 0; r < D; r++) {
        rows.push({ score: opts.score, method: opts.method, point_kind: opts.pointKind, t, s, point: p, rank: r, eig: eig[r], sv: sv[r] });
      }
    }
  }
  return tableFromRows(SPECTRA, rows);
}

/** Monte-Carlo spectra: per draw, the covariance eigenvalues are uniform random in the bands. */
export function montecarloTable(sValues: number[], draws: number, seed: number): Table<typeof SPECTRA> {
  const rng = createRng(seed);
  const rows: Row[] = [];
  for (const s of sValues) {
    const t = sde.timeOfVariance(s);
    for (let p = 0; p < draws; p++) {
      const eig = rescaledSpectrum(bandEigenvalues(() => rng.uniform()), s);
      const sv = eig.map(Math.abs).sort((a, b) => b - a);
      for (let r = 0; r < D; r++) {
        rows.push({ score: 'analytic', method: 'montecarlo', point_kind: 'draw', t, s, point: p, rank: r, eig: eig[r], sv: sv[r] });
      }
    }
  }
  return tableFromRows(SPECTRA, rows);
}

export function densityTable(sValues: number[], gridPoints = 400): Table<typeof THEORY_DENSITY> {
  const rows: Row[] = [];
  for (const s of sValues) {
    for (let i = 0; i < gridPoints; i++) {
      const x = -1 + (i + 0.5) / gridPoints;
      rows.push({ s, t: sde.timeOfVariance(s), x, density: exactDensity(x, s) });
    }
  }
  return tableFromRows(THEORY_DENSITY, rows);
}

export function edgesTable(): Table<typeof THEORY_EDGES> {
  return tableFromRows(
    THEORY_EDGES,
    BANDS.map((b, k) => ({ bulk: k, lower: b.lower, upper: b.upper })),
  );
}

/** theory_gaps rows the figures read: kind and the edges in units of C's eigenvalues (0: the atom). */
export function theoryGapsTable(): Table<{ gap_index: 'i32'; kind: 'utf8'; lower_edge: 'f64'; upper_edge: 'f64' }> {
  return tableFromRows({ gap_index: 'i32', kind: 'utf8', lower_edge: 'f64', upper_edge: 'f64' } as const, [
    { gap_index: 0, kind: 'manifold', lower_edge: 0, upper_edge: BANDS[0].lower },
    { gap_index: 1, kind: 'intermediate', lower_edge: BANDS[0].upper, upper_edge: BANDS[1].lower },
  ]);
}

/** Manifold gap γ₋/(s + γ₋) and intermediate gap s(A − B)/((s + A)(s + B)) (science.md §7). */
export function exactGapWidths(s: number): number[] {
  const [low, high] = BANDS;
  const A = high.lower;
  const B = low.upper;
  return [low.lower / (s + low.lower), (s * (A - B)) / ((s + A) * (s + B))];
}

export function curvesTable(delta: number, count = 120): Table<typeof THEORY_CURVES> {
  const rows: Row[] = [];
  for (let k = 0; k < count; k++) {
    const s = Math.pow(10, -4 + (7 * k) / (count - 1));
    const t = sde.timeOfVariance(s);
    exactGapWidths(s).forEach((width, g) => rows.push({ s, t, gap_index: g, width, dimension: NaN }));
    rows.push({ s, t, gap_index: -1, width: NaN, dimension: exactDimension(s, delta) });
  }
  return tableFromRows(THEORY_CURVES, rows);
}

export function gapsTable(times: number[], seed: number): Table<typeof GAPS> {
  const rng = createRng(seed);
  const rows: Row[] = [];
  for (const t of times) {
    const s = sde.variance(t);
    exactGapWidths(s).forEach((width, g) => {
      if (width < 0.1) return;
      const w = width * (1 + 0.05 * rng.normal());
      rows.push({ score: 'trained', method: 'exact', t, s, gap_index: g, lower: -1, upper: -1 + w, width: w, count_below: D - M });
    });
  }
  return tableFromRows(GAPS, rows);
}

export function phasesTable(times: number[], delta: number, seed: number, score = 'trained', method = 'exact'): Table<typeof PHASES> {
  const rng = createRng(seed);
  const rows: Row[] = [];
  for (const t of times) {
    const s = sde.variance(t);
    const widths = exactGapWidths(s);
    const manifold = widths[0] > delta;
    const intermediate = widths[1] > delta;
    const phase = intermediate ? 'coverage' : manifold ? 'consolidation' : 'trivial';
    const dim = Math.round(exactDimension(s, delta) + 0.5 * rng.normal());
    rows.push({ score, method, t, s, phase, dim_estimate: dim, n_gaps: Number(manifold) + Number(intermediate) });
  }
  return tableFromRows(PHASES, rows);
}

export function jacobianErrorTable(times: number[]): Table<typeof JACOBIAN_ERROR> {
  const rows: Row[] = [];
  for (const t of times) {
    const s = sde.variance(t);
    for (let p = 0; p < 3; p++) {
      // Finite-difference bias: O(h) one-sided, O(h²) central, with h = σ relative to the data scale 1.
      rows.push({ score: 'trained', method: 'alg1', point_kind: 'trajectory', t, s, point: p, reference: 'exact', rel_frobenius: 0.3 * Math.sqrt(s) / (1 + Math.sqrt(s)) + 1e-7 });
      rows.push({ score: 'trained', method: 'alg2', point_kind: 'trajectory', t, s, point: p, reference: 'exact', rel_frobenius: 0.1 * s / (1 + s) + 1e-9 });
    }
  }
  return tableFromRows(JACOBIAN_ERROR, rows);
}

export function lossTable(steps: number, seed: number, scale = 1): Table<typeof LOSS> {
  const rng = createRng(seed);
  const rows: Row[] = [];
  let smoothed = NaN;
  for (let step = 0; step < steps; step++) {
    const loss = scale * (0.2 + 1 / (1 + step / 50)) * Math.exp(0.2 * rng.normal());
    smoothed = Number.isNaN(smoothed) ? loss : 0.98 * smoothed + 0.02 * loss;
    rows.push({ step, loss, loss_smoothed: smoothed });
  }
  return tableFromRows(LOSS, rows);
}

/** Companion-paper collapse time t_C = ½ log(1 + (e^{2α'/β} − 1)⁻¹) with n = e^{α' d}, p = β d. */
export function collapseTime(n: number, d: number, p: number): number {
  const alphaPrime = Math.log(n) / d;
  const beta = p / d;
  return 0.5 * Math.log(1 + 1 / (Math.exp((2 * alphaPrime) / beta) - 1));
}

export function collapseTable(): Table<typeof COLLAPSE> {
  const rows: Row[] = [];
  const d = 40;
  for (const n of [30, 100, 300, 1000, 3000]) {
    const tc = collapseTime(n, d, 20);
    for (let k = 0; k <= 30; k++) {
      const t = 0.02 + (1.5 * k) / 30;
      rows.push({ n, d, t, fraction: 1 / (1 + Math.exp((t - tc) / 0.04)), t_c_theory: tc });
    }
  }
  return tableFromRows(COLLAPSE, rows);
}

export function fitTable(): Table<typeof FIT> {
  return tableFromRows(FIT, [
    { parameter: 'm', truth: M, fitted: M + 1, lo: M - 1, hi: M + 3 },
    { parameter: 'f', truth: 0.75, fitted: 0.73, lo: 0.7, hi: 0.77 },
    { parameter: 'sigma1sq', truth: 1, fitted: 1.05, lo: 0.95, hi: 1.12 },
    { parameter: 'sigma2sq', truth: 0.01, fitted: 0.011, lo: 0.009, hi: 0.013 },
  ]);
}

export function phaseTimesTable(): Table<typeof PHASE_TIMES> {
  const rows: Row[] = [];
  for (const source of ['theory', 'trained']) {
    const j = source === 'theory' ? 1 : 1.08;
    rows.push({ gap: 'intermediate 0', source, s_open: 0.9 * j, s_max: 0.074 * j, s_close: 0.006 * j, t_open: sde.timeOfVariance(0.9 * j), t_max: sde.timeOfVariance(0.074 * j), t_close: sde.timeOfVariance(0.006 * j) });
    rows.push({ gap: 'manifold', source, s_open: 0.018 * j, s_max: NaN, s_close: NaN, t_open: sde.timeOfVariance(0.018 * j), t_max: NaN, t_close: NaN });
  }
  return tableFromRows(PHASE_TIMES, rows);
}

/** The analysis grid of the spectra stage, smaller. */
export function analysisTimes(count: number): number[] {
  return sde.analysisGrid(count).map((g) => g.t);
}
