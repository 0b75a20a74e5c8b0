// Haar-distributed random orthogonal matrices.

import { withWorkspace } from './simd.ts';

/** The one thing drawn from a random stream here (science/random.ts's Rng is one), so linalg needs no science import. */
interface NormalSource {
  fillNormal(out: Float64Array): void;
}

/** Rows orthogonalised together against the earlier ones (block Gram–Schmidt). */
const PANEL = 32;

/**
 * A Haar-random n × n orthogonal matrix Q (row-major; its rows are an orthonormal basis).
 * Q is the orthogonal factor of the QR decomposition of a Gaussian matrix, normalised so R has a
 * positive diagonal (the "sign fix" without which Q is not Haar): Gram–Schmidt on the rows of a
 * Gaussian matrix produces exactly that factor. Block classical Gram–Schmidt with every projection
 * done twice ("twice is enough", BCGS2) keeps Q orthogonal to working precision. Each earlier row is
 * read once per panel and used against all the panel's rows while it is in cache.
 */
export function haarOrthogonal(n: number, rng: NormalSource): Float64Array {
  if (!(Number.isInteger(n) && n >= 1)) throw new Error(`haarOrthogonal: n must be an integer ≥ 1, got ${n}`);
  return withWorkspace([n * n, PANEL * n], (ws, [oq], [q, coef]) => {
    rng.fillNormal(q);
    for (let i0 = 0; i0 < n; i0 += PANEL) {
      const rows = Math.min(n, i0 + PANEL) - i0;
      // Remove the components along the rows already done, twice: coef = P Qᵀ, then P −= coef Q.
      for (let pass = 0; pass < 2 && i0 > 0; pass++) {
        for (let j = 0; j < i0; j++) {
          for (let r = 0; r < rows; r++) coef[r * n + j] = ws.dot(oq + (i0 + r) * n, oq + j * n, n);
        }
        for (let j = 0; j < i0; j++) {
          for (let r = 0; r < rows; r++) ws.axpy(-coef[r * n + j], oq + j * n, oq + (i0 + r) * n, n);
        }
      }
      // Gram–Schmidt inside the panel, each projection twice, then normalise.
      for (let r = 0; r < rows; r++) {
        const ri = oq + (i0 + r) * n;
        for (let pass = 0; pass < 2; pass++) {
          for (let j = 0; j < r; j++) {
            const rj = oq + (i0 + j) * n;
            ws.axpy(-ws.dot(ri, rj, n), rj, ri, n);
          }
        }
        const inv = 1 / Math.sqrt(ws.dot(ri, ri, n));
        const row = (i0 + r) * n;
        for (let k = 0; k < n; k++) q[row + k] *= inv;
      }
    }
    return q.slice(); // a copy: the workspace is reused
  });
}
