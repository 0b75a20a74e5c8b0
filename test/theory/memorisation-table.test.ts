// The memorisation table from spectra whose counts are known in closed form: the analytic score of a rank-m
// Gaussian (sym(s·J) = −s(C + sI)⁻¹, eigenvalues −s/(s + λᵢ): m tangent values near 0 at small s, d − m at
// exactly −1) and an empirical score that memorises below a known time (every eigenvalue −1) and detaches
// min(n − 1, d) directions above it; the collapse time against theory/collapse.ts's closed form.
import { describe, expect, it } from 'vitest';
import type { Table } from '../../core/table.ts';
import type { SPECTRA } from '../../artifacts/schemas.ts';
import { memorisationTable, trainingSetTrace, type MemorisationSlot } from '../../theory/memorisation-table.ts';
import { collapseTimeOu } from '../../theory/collapse.ts';
import { VE_DEFAULTS, VeSde } from '../../science/sde.ts';

const sde = new VeSde(VE_DEFAULTS);
const times = sde.analysisGrid(8).map(({ t }) => t);

/** A spectra table: at each t, `points` evaluation points with the eigenvalues spectrum(s) (ascending). */
function spectra(score: string, spectrum: (s: number, t: number) => number[], points = 3, method = 'exact'): Table<typeof SPECTRA> {
  const rows: Array<{ t: number; s: number; point: number; rank: number; eig: number }> = [];
  for (const t of times) {
    const s = sde.variance(t);
    const eig = spectrum(s, t).sort((a, b) => a - b);
    for (let point = 0; point < points; point++) eig.forEach((e, rank) => rows.push({ t, s, point, rank, eig: e }));
  }
  return {
    numRows: rows.length,
    columns: {
      score: rows.map(() => score),
      method: rows.map(() => method),
      point_kind: rows.map(() => 'noised'),
      t: Float64Array.from(rows, (r) => r.t),
      s: Float64Array.from(rows, (r) => r.s),
      point: Int32Array.from(rows, (r) => r.point),
      rank: Int32Array.from(rows, (r) => r.rank),
      eig: Float64Array.from(rows, (r) => r.eig),
      sv: Float64Array.from(rows, (r) => Math.abs(r.eig)),
    },
  };
}

/** −s/(s + λ) over C's eigenvalues: m at the latent variances, d − m at 0. */
const analytic = (d: number, variances: number[]) => (s: number) => Array.from({ length: d }, (_, i) => (i < variances.length ? -s / (s + variances[i]) : -1));

/**
 * Memorised (all −1) below tStar; above it min(n − 1, m) eigenvalues detached to −0.5 (the posterior over
 * points of an m-dimensional manifold spreads in at most that many directions).
 */
const memorising = (d: number, n: number, tStar: number) => (_s: number, t: number) =>
  Array.from({ length: d }, (_, i) => (t >= tStar && i < Math.min(n - 1, m) ? -0.5 : -1));

const d = 12;
const m = 5;
const variances = [1, 1, 1, 0.01, 0.01];
const slot = (n: number, tStar: number, trace = 3.02): MemorisationSlot => ({
  n,
  d,
  m,
  trace,
  trained: spectra('trained', analytic(d, variances)),
  empirical: spectra('empirical', memorising(d, n, tStar)),
});

describe('memorisationTable', () => {
  const tStar = times[4];
  const rows = memorisationTable([slot(4, tStar), slot(50, tStar)], { delta: 0.1, minFraction: 0.5, sde });

  it('reads both counts at the smallest analysis time', () => {
    expect([...rows.t]).toEqual([Math.min(...times), Math.min(...times)]);
    expect(rows.s[0]).toBeCloseTo(sde.variance(Math.min(...times)), 15);
  });

  it('counts the analytic score\'s m tangent directions and none for the memorised empirical score', () => {
    expect([...rows.trained_dim]).toEqual([m, m]);
    expect([...rows.trained_detached]).toEqual([m, m]);
    expect([...rows.empirical_dim]).toEqual([0, 0]);
    expect([...rows.empirical_detached]).toEqual([0, 0]);
  });

  it('gives the empirical score\'s rank bound min(n − 1, m)', () => {
    expect([...rows.rank_bound]).toEqual([3, m]);
  });

  it('brackets the collapse where the empirical dimension leaves 0', () => {
    const up = [...times].sort((a, b) => a - b);
    const k = up.indexOf(tStar);
    expect([...rows.t_collapse_below]).toEqual([up[k - 1], up[k - 1]]);
    expect([...rows.t_collapse_above]).toEqual([up[k], up[k]]);
  });

  it('puts the theory collapse at v/(n^{2/p} − 1), p = m, v = trace/m, on the VE clock', () => {
    for (const [i, n] of [4, 50].entries()) {
      const v = 3.02 / m;
      const closed = v / (n ** (2 / m) - 1);
      expect(rows.s_c_theory[i]).toBeCloseTo(closed, 12);
      // The same variance from the OU collapse time, s = e^{2 t_C} − 1, times v.
      expect(rows.s_c_theory[i]).toBeCloseTo(v * Math.expm1(2 * collapseTimeOu(Math.log(n) / d, m / d)), 12);
      // VE time of a variance: σ(t) = σ_min (σ_max/σ_min)^t.
      const t = Math.log(Math.sqrt(closed) / VE_DEFAULTS.sigmaMin) / Math.log(VE_DEFAULTS.sigmaMax / VE_DEFAULTS.sigmaMin);
      expect(rows.t_c_theory[i]).toBeCloseTo(t, 12);
    }
    // More samples: the collapse comes later in generation (smaller t).
    expect(rows.t_c_theory[1]).toBeLessThan(rows.t_c_theory[0]);
  });

  it('leaves the bracket NaN when the empirical score never memorises on the grid', () => {
    const [r] = [memorisationTable([{ ...slot(50, tStar), empirical: spectra('empirical', analytic(d, variances)) }], { delta: 0.1, minFraction: 0.5, sde })];
    expect(r.empirical_dim[0]).toBe(m);
    expect(r.t_collapse_below[0]).toBeNaN();
    expect(r.t_collapse_above[0]).toBeNaN();
  });

  it('stops when the scores do not share the smallest time, or a table has no exact method', () => {
    const e = spectra('empirical', memorising(d, 50, tStar));
    const shifted = { ...slot(50, tStar), empirical: { ...e, columns: { ...e.columns, t: e.columns.t.map((t) => t * 2) } } };
    expect(() => memorisationTable([shifted], { delta: 0.1, minFraction: 0.5, sde })).toThrow(/smallest t differs/);
    const alg1 = { ...slot(50, tStar), trained: spectra('trained', analytic(d, variances), 3, 'alg1') };
    expect(() => memorisationTable([alg1], { delta: 0.1, minFraction: 0.5, sde })).toThrow(/trained spectra: no rows with method 'exact' \(found alg1\)/);
  });
});

describe('trainingSetTrace', () => {
  it('is the trace of the centred 1/n covariance', () => {
    // Columns (1, 3) and (2, 6): variances 1 and 4.
    expect(trainingSetTrace([1, 2, 3, 6], 2, 2)).toBeCloseTo(5, 15);
  });
});
