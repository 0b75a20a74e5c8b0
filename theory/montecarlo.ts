// Finite-d spectra of the linear Gaussian model (science.md §7, "finite-d check"): the eigenvalues of
// C = F diag(v) Fᵀ for a drawn F, and of s·J = −s(C + sI)⁻¹ from them. C's non-zero eigenvalues are
// those of the m × m Gram matrix D^{1/2} FᵀF D^{1/2} (cheaper than d × d when m < d, and the d − m
// zero eigenvalues come out exactly zero instead of as rounding noise).

import { matmulTransposeA } from '../linalg/matrix.ts';
import { symmetricEigenvalues } from '../linalg/symmetric-eigen.ts';

/** The d eigenvalues of C = F diag(v) Fᵀ, ascending (d − m exact zeros first; rounding below 0 clamped). */
export function covarianceEigenvalues(F: Float64Array, variances: ArrayLike<number>, d: number, m: number): Float64Array {
  if (F.length !== d * m) throw new Error(`covarianceEigenvalues: F must hold d × m = ${d * m} values, got ${F.length}`);
  if (variances.length !== m) throw new Error(`covarianceEigenvalues: expected m = ${m} variances, got ${variances.length}`);
  const k = Math.min(d, m);
  const out = new Float64Array(d);
  let gram: Float64Array;
  let n: number;
  if (m <= d) {
    gram = matmulTransposeA(F, F, d, m, m);
    n = m;
    for (let i = 0; i < m; i++) {
      const si = Math.sqrt(variances[i]);
      for (let j = 0; j < m; j++) gram[i * m + j] *= si * Math.sqrt(variances[j]);
    }
  } else {
    gram = new Float64Array(d * d);
    n = d;
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < d; j++) {
        let acc = 0;
        for (let c = 0; c < m; c++) acc += F[i * m + c] * variances[c] * F[j * m + c];
        gram[i * d + j] = acc;
      }
    }
  }
  const eig = symmetricEigenvalues(gram, n);
  for (let i = 0; i < k; i++) out[d - k + i] = Math.max(0, eig[n - k + i]);
  return out;
}

/** Eigenvalues of s·J = −s(C + sI)⁻¹, ascending (μ = −s/(s + λ) is increasing in λ). */
export function rescaledJacobianSpectrum(covEigenvalues: Float64Array, s: number): Float64Array {
  const out = new Float64Array(covEigenvalues.length);
  for (let i = 0; i < out.length; i++) out[i] = -s / (s + covEigenvalues[i]);
  return out;
}
