// Spectra of the rescaled Jacobian s·J of an image score model along time (science.md §6):
// at each time of the grid, at noised data points x = x₀ + σ(t)ξ, the exact s·J (d × d), the eigenvalues
// of its symmetric part (ascending) and its singular values (descending), as rows of the common
// `spectra` table (docs/dag.md).

import { singularValues, symmetricEigenvalues, symmetricPart } from '../linalg/index.ts';
import type { Rng } from '../science/random.ts';
import type { SPECTRA } from '../artifacts/schemas.ts';
import type { Columns } from '../core/table.ts';

export interface ScaledJacobianSource {
  readonly d: number;
  scaledJacobian(x: Float64Array, sigma: number): Float64Array;
}

export type SpectraRows = Columns<typeof SPECTRA>;

/** What the rows say about the source, and whether its s·J is symmetric (then sv = |eig|, no SVD). */
export interface SpectraLabel {
  /** The `score` column: trained | empirical. */
  score: string;
  /** True for exact scores, whose Jacobian is a Hessian of log p_s. */
  symmetric: boolean;
}

export interface SpectraHooks {
  /** Called after each (time, point) with the fraction done. */
  onProgress?(fraction: number, message: string): void;
  signal?: AbortSignal;
}

/** `total` zeroed rows of one score's exact spectra at noised points, to be filled in. */
export function exactNoisedRows(total: number, score: string): SpectraRows {
  return {
    score: new Array<string>(total).fill(score),
    method: new Array<string>(total).fill('exact'),
    point_kind: new Array<string>(total).fill('noised'),
    t: new Float64Array(total),
    s: new Float64Array(total),
    point: new Int32Array(total),
    rank: new Int32Array(total),
    eig: new Float64Array(total),
    sv: new Float64Array(total),
  };
}

/**
 * `points` holds P data points x₀ (P × d). For every time in `grid` (with its σ = √s) and every point,
 * draws ξ from `rng` and records the spectrum of s·J at x₀ + σξ. Rows are ordered time, point, rank.
 */
export function noisedPointSpectra(
  model: ScaledJacobianSource,
  points: Float32Array | Float64Array,
  P: number,
  grid: Array<{ t: number; s: number }>,
  rng: Rng,
  label: SpectraLabel,
  hooks: SpectraHooks = {},
): SpectraRows {
  const d = model.d;
  if (points.length !== P * d) throw new Error(`points: ${points.length} values, expected P × d = ${P} × ${d}`);
  const rows = exactNoisedRows(grid.length * P * d, label.score);
  const x = new Float64Array(d);
  const xi = new Float64Array(d);
  let at = 0;
  grid.forEach(({ t, s }, k) => {
    const sigma = Math.sqrt(s);
    for (let p = 0; p < P; p++) {
      if (hooks.signal?.aborted) throw new Error('spectra aborted');
      rng.fillNormal(xi);
      for (let j = 0; j < d; j++) x[j] = points[p * d + j] + sigma * xi[j];
      const sj = model.scaledJacobian(x, sigma);
      const eig = symmetricEigenvalues(symmetricPart(sj, d), d);
      // A symmetric matrix's singular values are its eigenvalues' absolute values.
      const sv = label.symmetric ? Float64Array.from(eig, Math.abs).sort().reverse() : singularValues(sj, d, d);
      for (let r = 0; r < d; r++, at++) {
        rows.t[at] = t;
        rows.s[at] = s;
        rows.point[at] = p;
        rows.rank[at] = r;
        rows.eig[at] = eig[r];
        rows.sv[at] = sv[r];
      }
      hooks.onProgress?.((k * P + p + 1) / (grid.length * P), `t=${t.toPrecision(3)} point ${p + 1}/${P}`);
    }
  });
  return rows;
}
