// Cholesky factorisation of symmetric positive-definite matrices and the solves built on it.

import { checkSize, checkSquare } from './matrix.ts';

/** Lower-triangular L with A = L Lᵀ (row-major n × n, upper part zero). Reads the lower triangle of A. */
export function cholesky(a: Float64Array, n: number): Float64Array {
  checkSquare(a, n, 'cholesky');
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let j = 0; j <= i; j++) {
      const rj = j * n;
      let sum = a[ri + j];
      for (let k = 0; k < j; k++) sum -= l[ri + k] * l[rj + k];
      if (i === j) {
        if (!(sum > 0)) {
          throw new Error(`cholesky: matrix is not positive definite (pivot ${i} is ${sum}); n = ${n}`);
        }
        l[ri + i] = Math.sqrt(sum);
      } else {
        l[ri + j] = sum / l[rj + j];
      }
    }
  }
  return l;
}

/** Solve L Y = B in place for B (n × cols, row-major), L lower triangular. */
export function forwardSubstitute(l: Float64Array, b: Float64Array, n: number, cols: number): void {
  checkSize(b, n * cols, 'forwardSubstitute: B');
  for (let i = 0; i < n; i++) {
    const ri = i * cols;
    for (let k = 0; k < i; k++) {
      const lik = l[i * n + k];
      if (lik === 0) continue;
      const rk = k * cols;
      for (let c = 0; c < cols; c++) b[ri + c] -= lik * b[rk + c];
    }
    const inv = 1 / l[i * n + i];
    for (let c = 0; c < cols; c++) b[ri + c] *= inv;
  }
}

/** Solve Lᵀ X = B in place for B (n × cols, row-major), L lower triangular. */
function backSubstituteTransposed(l: Float64Array, b: Float64Array, n: number, cols: number): void {
  checkSize(b, n * cols, 'backSubstituteTransposed: B');
  for (let i = n - 1; i >= 0; i--) {
    const ri = i * cols;
    const inv = 1 / l[i * n + i];
    for (let c = 0; c < cols; c++) b[ri + c] *= inv;
    // Row i of X is final: remove its contribution from the rows above (column i of Lᵀ = row i of L).
    for (let k = 0; k < i; k++) {
      const lik = l[i * n + k];
      if (lik === 0) continue;
      const rk = k * cols;
      for (let c = 0; c < cols; c++) b[rk + c] -= lik * b[ri + c];
    }
  }
}

/** X = A⁻¹ B for SPD A (n × n) and B (n × cols); B may be a vector (cols = 1, the default). */
export function solveSpd(a: Float64Array, b: Float64Array, n: number, cols = 1): Float64Array {
  const l = cholesky(a, n);
  const x = Float64Array.from(b);
  forwardSubstitute(l, x, n, cols);
  backSubstituteTransposed(l, x, n, cols);
  return x;
}
