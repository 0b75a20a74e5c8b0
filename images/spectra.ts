// Spectra of the rescaled Jacobian s·J of an image score model along time (science.md §6):
// at each time of the grid, at noised data points x = x₀ + σ(t)ξ, the exact s·J (d × d), the eigenvalues
// of its symmetric part (ascending) and its singular values (descending), as rows of the common
// `spectra` table (docs/dag.md), through the same rows and spectrum code as the linear model's
// (science/jacobian-spectra.ts SpectraRows, science/jacobian.ts scaledJacobianSpectrum).

import { SpectraRows, type SpectraColumns } from '../science/jacobian-spectra.ts';
import { scaledJacobianSpectrum } from '../science/jacobian.ts';
import type { Rng } from '../science/random.ts';

export interface ScaledJacobianSource {
  readonly d: number;
  /** s·J at x (the U-Net's comes back asynchronously from the tfjs backend). */
  scaledJacobian(x: Float64Array, sigma: number): Float64Array | Promise<Float64Array>;
}

/** What the rows say about the source, and whether its s·J is symmetric (then sv = |eig|, no SVD). */
interface SpectraLabel {
  /** The `score` column: trained | empirical. */
  score: string;
  /** True for exact scores, whose Jacobian is a Hessian of log p_s. */
  symmetric: boolean;
}

interface SpectraHooks {
  /** Called after each (time, point) with the fraction done. */
  onProgress?(fraction: number, message: string): void;
  signal?: AbortSignal;
}

/**
 * `points` holds P data points x₀ (P × d). For every time in `grid` (with its σ = √s) and every point,
 * draws ξ from `rng` and records the spectrum of s·J at x₀ + σξ. Rows are ordered time, point, rank.
 */
export async function noisedPointSpectra(
  model: ScaledJacobianSource,
  points: Float32Array | Float64Array,
  P: number,
  grid: Array<{ t: number; s: number }>,
  rng: Rng,
  label: SpectraLabel,
  hooks: SpectraHooks = {},
): Promise<SpectraColumns> {
  const d = model.d;
  if (points.length !== P * d) throw new Error(`points: ${points.length} values, expected P × d = ${P} × ${d}`);
  const rows = new SpectraRows();
  const x = new Float64Array(d);
  const xi = new Float64Array(d);
  for (const [k, { t, s }] of grid.entries()) {
    const sigma = Math.sqrt(s);
    for (let p = 0; p < P; p++) {
      if (hooks.signal?.aborted) throw new Error('spectra aborted');
      rng.fillNormal(xi);
      for (let j = 0; j < d; j++) x[j] = points[p * d + j] + sigma * xi[j];
      const spectrum = scaledJacobianSpectrum(await model.scaledJacobian(x, sigma), d, label.symmetric);
      rows.add({ score: label.score, pointKind: 'noised', t, s, point: p }, 'exact', spectrum);
      hooks.onProgress?.((k * P + p + 1) / (grid.length * P), `t=${t.toPrecision(3)} point ${p + 1}/${P}`);
    }
  }
  return rows.columns();
}
