// Symmetric eigenproblem: Householder tridiagonalisation followed by the implicit QL algorithm with
// Wilkinson-type shifts (the EISPACK tred2/tql2 pair, as in JAMA). The working matrix W is stored so that
// the Householder vectors and, later, the eigenvectors are its *rows*: every inner loop then runs over
// contiguous memory, which matters at d = 784 where the matrix no longer fits in cache.

import { checkSquare, hypot2 } from './matrix.ts';
import { withWorkspace, type Workspace } from './simd.ts';

interface SymmetricEigen {
  /** Eigenvalues, ascending. */
  values: Float64Array;
  /** Eigenvectors as rows (n × n, row-major): row k is the unit eigenvector of values[k]. */
  vectors: Float64Array;
}

/** Eigenvalues of the symmetric n × n matrix `a` (row-major; assumed symmetric, only the upper triangle is read), ascending. */
export function symmetricEigenvalues(a: Float64Array, n: number): Float64Array {
  checkSquare(a, n, 'symmetricEigenvalues');
  if (n === 0) return new Float64Array(0);
  return withWorkspace([n * n, n, n, 4 * n], (ws, offsets, [w, d, e]) => {
    w.set(a);
    // In WebAssembly the whole reduction is one call (the per-row calls from JS cost as much as the arithmetic).
    const r = ws.reductions;
    if (r) {
      r.tridiagonalValues(offsets[0], n, offsets[1], offsets[2], offsets[3]);
      if (!r.tridiagonalQlValues(offsets[1], offsets[2], n)) throw new Error(`symmetric eigensolver: QL iteration did not converge (n = ${n})`);
    } else {
      tridiagonalize(ws, offsets, n, false);
      tridiagonalQl(d, e, n, undefined);
    }
    return Float64Array.from(d).sort(); // a copy: the workspace is reused
  });
}

/** Eigenvalues (ascending) and orthonormal eigenvectors (rows) of a symmetric n × n matrix. */
export function symmetricEigen(a: Float64Array, n: number): SymmetricEigen {
  checkSquare(a, n, 'symmetricEigen');
  return withWorkspace([n * n, n, n], (ws, offsets, [w, d, e]) => {
    w.set(a);
    if (n > 0) {
      tridiagonalize(ws, offsets, n, true);
      tridiagonalQl(d, e, n, w);
    }
    // Sort values ascending and permute the vector rows with them (copies out of the workspace).
    const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => d[i] - d[j]);
    const values = new Float64Array(n);
    const vectors = new Float64Array(n * n);
    for (let k = 0; k < n; k++) {
      values[k] = d[order[k]];
      vectors.set(w.subarray(order[k] * n, order[k] * n + n), k * n);
    }
    return { values, vectors };
  });
}

/**
 * Householder reduction to tridiagonal form. On return d holds the diagonal, e[1..n−1] the
 * sub-diagonal (e[0] = 0). With `accumulate`, w holds the orthogonal transformation (rows).
 * The code is tred2 with every index transposed (w[j*n+k] ≡ V[k][j]), so lower-triangle column
 * sweeps become row sweeps.
 */
function tridiagonalize(ws: Workspace, [ow, od, oe]: number[], n: number, accumulate: boolean): void {
  const w = ws.mem.subarray(ow, ow + n * n);
  const d = ws.mem.subarray(od, od + n);
  const e = ws.mem.subarray(oe, oe + n);
  for (let j = 0; j < n; j++) d[j] = w[j * n + n - 1];
  for (let i = n - 1; i > 0; i--) {
    let scale = 0;
    let h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(d[k]);
    if (scale === 0) {
      e[i] = d[i - 1];
      for (let j = 0; j < i; j++) {
        d[j] = w[j * n + i - 1];
        w[j * n + i] = 0;
        w[i * n + j] = 0;
      }
    } else {
      for (let k = 0; k < i; k++) {
        d[k] /= scale;
        h += d[k] * d[k];
      }
      let f = d[i - 1];
      let g = Math.sqrt(h);
      if (f > 0) g = -g;
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;
      // p = A u, reading the (transposed) lower triangle once: row j of w holds column j of A.
      for (let j = 0; j < i; j++) {
        f = d[j];
        w[i * n + j] = f;
        const rj = j * n;
        // g = e[j] + Σ_{k>j} w_jk d_k, while e[k] += w_jk f for k > j.
        g = e[j] + w[rj + j] * f + ws.dotAxpy(f, ow + rj + j + 1, od + j + 1, oe + j + 1, i - j - 1);
        e[j] = g;
      }
      f = 0;
      for (let j = 0; j < i; j++) {
        e[j] /= h;
        f += e[j] * d[j];
      }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j] -= hh * d[j];
      // Rank-two update A ← A − u qᵀ − q uᵀ on the triangle.
      for (let j = 0; j < i; j++) {
        f = d[j];
        g = e[j];
        const rj = j * n;
        ws.rank2(f, g, ow + rj + j, oe + j, od + j, i - j);
        d[j] = w[rj + i - 1];
        w[rj + i] = 0;
      }
    }
    d[i] = h;
  }

  if (!accumulate) {
    for (let i = 0; i < n; i++) d[i] = w[i * n + i];
    e[0] = 0;
    return;
  }

  // Accumulate the transformations.
  for (let i = 0; i < n - 1; i++) {
    w[i * n + n - 1] = w[i * n + i];
    w[i * n + i] = 1;
    const h = d[i + 1];
    const ri1 = (i + 1) * n;
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = w[ri1 + k] / h;
      for (let j = 0; j <= i; j++) {
        const rj = j * n;
        ws.axpy(-ws.dot(ow + ri1, ow + rj, i + 1), od, ow + rj, i + 1);
      }
    }
    for (let k = 0; k <= i; k++) w[ri1 + k] = 0;
  }
  for (let j = 0; j < n; j++) {
    d[j] = w[j * n + n - 1];
    w[j * n + n - 1] = 0;
  }
  w[(n - 1) * n + n - 1] = 1;
  e[0] = 0;
}

/**
 * Implicit QL with shifts on the tridiagonal (d, e) (e[i] couples i−1 and i). With `w`, the plane
 * rotations are applied to the rows of w (eigenvectors as rows). Eigenvalues are left unsorted in d.
 */
function tridiagonalQl(d: Float64Array, e: Float64Array, n: number, w: Float64Array | undefined): void {
  for (let i = 1; i < n; i++) e[i - 1] = e[i];
  e[n - 1] = 0;
  let f = 0;
  let tst1 = 0;
  const eps = 2 ** -52;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l]) + Math.abs(e[l]));
    let m = l;
    while (m < n) {
      if (Math.abs(e[m]) <= eps * tst1) break;
      m++;
    }
    if (m === n) m = n - 1; // e[n−1] = 0, so this never triggers; keeps the index in range.
    if (m > l) {
      let iter = 0;
      do {
        if (++iter > 60 * n) throw new Error(`symmetric eigensolver: QL iteration did not converge (n = ${n})`);
        // Shift from the leading 2 × 2 block (Wilkinson).
        let g = d[l];
        let p = (d[l + 1] - g) / (2 * e[l]);
        let r = hypot2(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l] / (p + r);
        d[l + 1] = e[l] * (p + r);
        const dl1 = d[l + 1];
        let h = g - d[l];
        for (let i = l + 2; i < n; i++) d[i] -= h;
        f += h;
        // Implicit QL sweep.
        p = d[m];
        let c = 1;
        let c2 = c;
        let c3 = c;
        const el1 = e[l + 1];
        let s = 0;
        let s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i];
          h = c * p;
          r = hypot2(p, e[i]);
          e[i + 1] = s * r;
          s = e[i] / r;
          c = p / r;
          p = c * d[i] - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]);
          if (w) {
            const ri = i * n;
            const ri1 = ri + n;
            for (let k = 0; k < n; k++) {
              const hk = w[ri1 + k];
              const wik = w[ri + k];
              w[ri1 + k] = s * wik + c * hk;
              w[ri + k] = c * wik - s * hk;
            }
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]) / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (Math.abs(e[l]) > eps * tst1);
    }
    d[l] += f;
    e[l] = 0;
  }
}
