// The Gaussian model of an image dataset (science.md §4, §7): N(μ, C) with C the data covariance. Its
// score is linear, s(x) = −(C + sI)⁻¹(x − μ), so s·J = −s(C + sI)⁻¹ at every x, with eigenvalues
// −s/(s + λᵢ) over the eigenvalues λᵢ of C: the paper's linear theory applied to the measured λᵢ. What
// it shows beside the trained and empirical scores is the spectrum a model that only learned the second
// moments would have. Its gaps, phases and dimension drop come from the same gap detection as the others.

import { gramRows } from '../linalg/matrix.ts';
import { symmetricEigenvalues } from '../linalg/symmetric-eigen.ts';
import { rescaledJacobianSpectrum } from '../theory/montecarlo.ts';
import { SpectraRows, type SpectraColumns } from '../science/jacobian-spectra.ts';

/**
 * Eigenvalues of the covariance (1/n) Σ (x − x̄)(x − x̄)ᵀ of n rows of width d, ascending, in float64;
 * rounding below 0 clamped (pixels constant over the set give exact zero variance).
 */
export function dataCovarianceEigenvalues(x: Float32Array | Float64Array, n: number, d: number): Float64Array {
  if (x.length !== n * d) throw new Error(`dataCovarianceEigenvalues: x holds ${x.length} values, expected n × d = ${n} × ${d}`);
  if (!(n >= 1)) throw new Error(`dataCovarianceEigenvalues: needs at least one row, got n = ${n}`);
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += x[i * d + j];
  for (let j = 0; j < d; j++) mean[j] /= n;
  // Centred and transposed (d × n), scaled by 1/√n: C = Z Zᵀ is one symmetric product.
  const z = new Float64Array(d * n);
  const scale = 1 / Math.sqrt(n);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) z[j * n + i] = (x[i * d + j] - mean[j]) * scale;
  const eig = symmetricEigenvalues(gramRows(z, d, n), d);
  for (let i = 0; i < d; i++) eig[i] = Math.max(0, eig[i]);
  return eig;
}

/**
 * The `spectra` rows of the Gaussian model at each (t, s) of `grid`: score 'gaussian', method 'exact',
 * point_kind 'noised', point 0 (the spectrum is the same at every x); eig = −s/(s + λᵢ) ascending and
 * sv = s/(s + λᵢ) descending by rank.
 */
export function gaussianModelSpectra(eigenvalues: Float64Array, grid: Array<{ t: number; s: number }>): SpectraColumns {
  const d = eigenvalues.length;
  for (let i = 1; i < d; i++) {
    if (!(eigenvalues[i] >= eigenvalues[i - 1])) throw new Error('gaussianModelSpectra: eigenvalues must be ascending');
  }
  const rows = new SpectraRows();
  for (const { t, s } of grid) {
    const mu = rescaledJacobianSpectrum(eigenvalues, s);
    rows.add({ score: 'gaussian', pointKind: 'noised', t, s, point: 0 }, 'exact', { eig: mu, sv: mu.map((v) => -v) });
  }
  return rows.columns();
}
