// Haar-distributed random orthogonal matrices.

import type { Rng } from '../science/random.ts';
import { axpyKernel, dotKernel, matmul, matmulTransposeB } from './matrix.ts';

/** Rows orthogonalised together against the earlier ones, with matrix products (cache-friendly at d = 784). */
const PANEL = 32;

/**
 * A Haar-random n × n orthogonal matrix Q (row-major; its rows are an orthonormal basis).
 * Q is the orthogonal factor of the QR decomposition of a Gaussian matrix, normalised so R has a
 * positive diagonal (the "sign fix" without which Q is not Haar): Gram–Schmidt on the rows of a
 * Gaussian matrix produces exactly that factor. Block Gram–Schmidt with every projection done twice
 * ("twice is enough", BCGS2) keeps Q orthogonal to working precision.
 */
export function haarOrthogonal(n: number, rng: Rng): Float64Array {
  if (!(Number.isInteger(n) && n >= 1)) throw new Error(`haarOrthogonal: n must be an integer ≥ 1, got ${n}`);
  const q = new Float64Array(n * n);
  rng.fillNormal(q);
  for (let i0 = 0; i0 < n; i0 += PANEL) {
    const i1 = Math.min(n, i0 + PANEL);
    const rows = i1 - i0;
    const panel = q.subarray(i0 * n, i1 * n);
    if (i0 > 0) {
      // Remove the components along the rows already done: panel ← panel − (panel Qᵀ) Q, twice.
      const done = q.subarray(0, i0 * n);
      for (let pass = 0; pass < 2; pass++) {
        const coef = matmulTransposeB(panel, done, rows, n, i0);
        const along = matmul(coef, done, rows, i0, n);
        for (let k = 0; k < panel.length; k++) panel[k] -= along[k];
      }
    }
    // Gram–Schmidt inside the panel, each projection twice.
    for (let i = 0; i < rows; i++) {
      const ri = i * n;
      for (let pass = 0; pass < 2; pass++) {
        for (let j = 0; j < i; j++) axpyKernel(-dotKernel(panel, ri, panel, j * n, n), panel, j * n, panel, ri, n);
      }
      const inv = 1 / Math.sqrt(dotKernel(panel, ri, panel, ri, n));
      for (let k = 0; k < n; k++) panel[ri + k] *= inv;
    }
  }
  return q;
}
