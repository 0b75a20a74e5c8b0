// The estimator of the authors' companion code (losing-dimensions, `compute_singular_values_orthg`): at a
// point x and noise level σ, stack the scores at x + σ qᵢ for the d rows qᵢ of a Haar orthogonal matrix,
//   S = [ s(x + σ qᵢ)/σ ]ᵢ   (d × d),
// without subtracting s(x). To first order S ≈ 1·s(x)ᵀ/σ + Q Jᵀ, so its singular values are those of J
// plus a rank-one term of size √d·|s(x)|/σ. The authors drop the largest singular value (meant to be
// that term) and divide by the largest remaining one.

import { checkSize } from '../linalg/matrix.ts';
import { singularValues } from '../linalg/singular-values.ts';
import type { ScoreModel } from './score-model.ts';

/**
 * Singular values of S, descending, times s = σ²: on the scale of the singular values of s·J, where
 * the other methods' `sv` columns are (for a linear score with s(x) = 0 they are exactly those).
 */
export function haarStackSingularValues(model: ScoreModel, x: Float64Array, t: number, sigma: number, directions: Float64Array): Float64Array {
  const d = model.d;
  checkSize(x, d, 'haarStackSingularValues: x');
  checkSize(directions, d * d, 'haarStackSingularValues: directions (d × d)');
  if (!(sigma > 0 && Number.isFinite(sigma))) throw new Error(`haarStackSingularValues: σ must be a positive number, got ${sigma}`);
  const points = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) points[i * d + j] = x[j] + sigma * directions[i * d + j];
  const stack = model.score(points, d, t);
  // S/σ, then ×σ² for the s·J scale: one factor σ.
  for (let i = 0; i < stack.length; i++) stack[i] *= sigma;
  return singularValues(stack, d, d);
}

/** The authors' post-processing: drop the largest singular value, divide the rest by the largest left. */
export function dropLargestAndNormalise(sv: ArrayLike<number>): Float64Array {
  if (sv.length < 2) throw new Error(`dropLargestAndNormalise: needs at least 2 singular values, got ${sv.length}`);
  const rest = Float64Array.from(sv).sort().reverse().subarray(1);
  const top = Math.max(rest[0], 1e-300);
  return rest.map((v) => v / top);
}
