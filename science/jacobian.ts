// Jacobians of a score by finite differences along orthonormal directions (science.md §6, Algorithms 1
// and 2), and the rescaled spectra of s·J that every spectra table reports.

import { haarOrthogonal } from '../linalg/haar.ts';
import { checkSize, matmulTransposeA, symmetricPart } from '../linalg/matrix.ts';
import { singularValues } from '../linalg/singular-values.ts';
import { symmetricEigenvalues } from '../linalg/symmetric-eigen.ts';
import type { Rng } from './random.ts';
import type { ScoreModel } from './score-model.ts';
import type { VeSde } from './sde.ts';

type FiniteDifferenceMethod = 'alg1' | 'alg2';
type StepRule = 'sigma' | 'fixed';

/** The finite-difference step: σ(t) (the authors' choice) or a fixed value. */
export function finiteDifferenceStep(rule: StepRule, sde: VeSde, t: number, fixed: number): number {
  if (rule === 'sigma') return sde.sigma(t);
  if (rule === 'fixed') {
    if (!(fixed > 0 && Number.isFinite(fixed))) throw new Error(`h must be a positive number when h_rule = 'fixed', got ${fixed}`);
    return fixed;
  }
  throw new Error(`h_rule must be 'sigma' or 'fixed', got ${String(rule)}`);
}

/**
 * Finite-difference Jacobian of `model` at x (length d), time t, from K orthonormal directions q_i
 * (the rows of `directions`, K × d): column estimates D_i ≈ J q_i, then J ≈ Σ_i D_i q_iᵀ (exact when
 * K = d and the score is linear).
 * - alg1 (one-sided): D_i = (s(x + h q_i) − s(x))/h, K + 1 score evaluations;
 * - alg2 (central):   D_i = (s(x + h q_i) − s(x − h q_i))/(2h), 2K evaluations.
 * All perturbed points go to the model in one batched `score` call.
 */
export function finiteDifferenceJacobian(
  model: ScoreModel,
  x: Float64Array,
  t: number,
  h: number,
  directions: Float64Array,
  k: number,
  method: FiniteDifferenceMethod,
): Float64Array {
  const d = model.d;
  checkSize(x, d, 'finiteDifferenceJacobian: x');
  checkSize(directions, k * d, 'finiteDifferenceJacobian: directions (K × d)');
  if (!(h > 0)) throw new Error(`finite-difference step h must be positive, got ${h}`);
  if (method !== 'alg1' && method !== 'alg2') throw new Error(`finite-difference method must be 'alg1' or 'alg2', got ${String(method)}`);
  const central = method === 'alg2';
  const count = central ? 2 * k : k + 1;
  const points = new Float64Array(count * d);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < d; j++) {
      const step = h * directions[i * d + j];
      points[i * d + j] = x[j] + step;
      if (central) points[(k + i) * d + j] = x[j] - step;
    }
  }
  if (!central) points.set(x, k * d);
  const scores = model.score(points, count, t);
  // Rows of D are the directional derivatives D_i; J = Σ_i D_i q_iᵀ = Dᵀ Q.
  const deriv = new Float64Array(k * d);
  const scale = central ? 1 / (2 * h) : 1 / h;
  for (let i = 0; i < k; i++) {
    const minus = central ? (k + i) * d : k * d;
    for (let a = 0; a < d; a++) deriv[i * d + a] = (scores[i * d + a] - scores[minus + a]) * scale;
  }
  return matmulTransposeA(deriv, directions, k, d, d);
}

/** K = d Haar-random orthonormal directions (rows), as the algorithms prescribe. */
export function randomDirections(d: number, rng: Rng): Float64Array {
  return haarOrthogonal(d, rng);
}

export interface RescaledSpectrum {
  /** Eigenvalues of sym(s·J), ascending. */
  eig: Float64Array;
  /** Singular values of s·J, descending. */
  sv: Float64Array;
}

/**
 * Spectra of the rescaled Jacobian s·J (normal directions sit at −1, tangent ones in (−1, 0)).
 * An exactly symmetric J (the exact Jacobian of the analytic or empirical score: a Hessian) has
 * singular values |eigenvalues|, so the SVD is skipped; anything else (networks, finite differences)
 * gets the Golub–Kahan SVD.
 */
export function rescaledSpectrum(jac: Float64Array, d: number, s: number): RescaledSpectrum {
  checkSize(jac, d * d, 'rescaledSpectrum');
  const sj = new Float64Array(d * d);
  for (let i = 0; i < sj.length; i++) sj[i] = s * jac[i];
  return scaledJacobianSpectrum(sj, d, isExactlySymmetric(sj, d));
}

/**
 * Spectra of a given s·J (d × d): eigenvalues of its symmetric part, and singular values — by the SVD, or
 * as |eigenvalues| when the caller knows s·J is symmetric (the Hessian of log p_s of an exact score).
 */
export function scaledJacobianSpectrum(sj: Float64Array, d: number, symmetric: boolean): RescaledSpectrum {
  checkSize(sj, d * d, 'scaledJacobianSpectrum');
  // symmetricPart of an exactly symmetric matrix is that matrix, bit for bit: (a + a)/2 = a.
  const eig = symmetricEigenvalues(symmetricPart(sj, d), d);
  const sv = symmetric ? Float64Array.from(eig, Math.abs).sort().reverse() : singularValues(sj, d, d);
  return { eig, sv };
}

function isExactlySymmetric(a: Float64Array, n: number): boolean {
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) if (a[i * n + j] !== a[j * n + i]) return false;
  return true;
}
