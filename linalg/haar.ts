// Haar-distributed random orthogonal matrices.

import type { Rng } from '../science/random.ts';

/**
 * A Haar-random n × n orthogonal matrix Q (row-major; its rows are an orthonormal basis).
 * Q is the orthogonal factor of the QR decomposition of a Gaussian matrix, normalised so R has a
 * positive diagonal (the "sign fix" without which Q is not Haar): Gram–Schmidt on the rows of a
 * Gaussian matrix produces exactly that factor. Each row is orthogonalised twice ("twice is enough"),
 * so Q is orthogonal to working precision even for the last rows of a square matrix.
 */
export function haarOrthogonal(n: number, rng: Rng): Float64Array {
  if (!(Number.isInteger(n) && n >= 1)) throw new Error(`haarOrthogonal: n must be an integer ≥ 1, got ${n}`);
  const q = new Float64Array(n * n);
  rng.fillNormal(q);
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let pass = 0; pass < 2; pass++) {
      for (let j = 0; j < i; j++) {
        const rj = j * n;
        let dot = 0;
        for (let k = 0; k < n; k++) dot += q[ri + k] * q[rj + k];
        for (let k = 0; k < n; k++) q[ri + k] -= dot * q[rj + k];
      }
    }
    let norm = 0;
    for (let k = 0; k < n; k++) norm += q[ri + k] * q[ri + k];
    const inv = 1 / Math.sqrt(norm);
    for (let k = 0; k < n; k++) q[ri + k] *= inv;
  }
  return q;
}
