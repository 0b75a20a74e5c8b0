// Small dense-matrix building blocks on float64 typed arrays: row-major, explicit dimensions, no
// per-element allocation. Loop orders keep the innermost loop on contiguous memory (i-k-j products).
// Large products run in the WebAssembly SIMD workspace (simd.ts): the O(n²) copies in and out are
// cheap next to the O(n³) multiply-adds done two at a time.

/** Transpose of a rows × cols matrix (returns cols × rows). */
export function transpose(a: Float64Array, rows: number, cols: number): Float64Array {
  checkSize(a, rows * cols, 'transpose');
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    const ri = i * cols;
    for (let j = 0; j < cols; j++) out[j * rows + i] = a[ri + j];
  }
  return out;
}

import { withWorkspace } from './simd.ts';
import { axpyKernel, dotKernel } from './vector-kernels.ts';


/** Products with at least this many multiply-adds (and rows of at least 12) go to the SIMD workspace. */
const SIMD_PRODUCT_WORK = 32768;
const useSimd = (work: number, inner: number): boolean => inner >= 12 && work >= SIMD_PRODUCT_WORK;

/**
 * Rows of the right-hand factor kept hot per block: 64 rows of up to ~1000 doubles (≈ 0.5 MB) stay in
 * L2 while every row of the result streams past them, instead of the whole factor per result row.
 */
const BLOCK = 64;

/** C = A B with A (n × k) and B (k × m): i-k-j order, blocked over k, so inner loops stream rows of B and C. */
export function matmul(a: Float64Array, b: Float64Array, n: number, k: number, m: number): Float64Array {
  checkSize(a, n * k, 'matmul: A');
  checkSize(b, k * m, 'matmul: B');
  return rowUpdates(a, k, 1, b, n, k, m);
}

/** C = A Bᵀ with A (n × k) and B (m × k): dot products of contiguous rows, blocked over the rows of B. */
export function matmulTransposeB(a: Float64Array, b: Float64Array, n: number, k: number, m: number): Float64Array {
  checkSize(a, n * k, 'matmulTransposeB: A');
  checkSize(b, m * k, 'matmulTransposeB: B');
  const c = new Float64Array(n * m);
  if (useSimd(n * k * m, k)) {
    return withWorkspace([n * k, m * k], (ws, [oa, ob], [aw, bw]) => {
      aw.set(a);
      bw.set(b);
      for (let j0 = 0; j0 < m; j0 += BLOCK) {
        const j1 = Math.min(m, j0 + BLOCK);
        for (let i = 0; i < n; i++) for (let j = j0; j < j1; j++) c[i * m + j] = ws.dot(oa + i * k, ob + j * k, k);
      }
      return c;
    });
  }
  for (let j0 = 0; j0 < m; j0 += BLOCK) {
    const j1 = Math.min(m, j0 + BLOCK);
    for (let i = 0; i < n; i++) {
      const ai = i * k;
      for (let j = j0; j < j1; j++) c[i * m + j] = dotKernel(a, ai, b, j * k, k);
    }
  }
  return c;
}

/** C = A Aᵀ (n × n, symmetric) for A (n × k): half the dot products of matmulTransposeB, mirrored. */
export function gramRows(a: Float64Array, n: number, k: number): Float64Array {
  checkSize(a, n * k, 'gramRows');
  const c = new Float64Array(n * n);
  const dot = useSimd((n * n * k) / 2, k)
    ? undefined
    : (i: number, j: number) => dotKernel(a, i * k, a, j * k, k);
  const fill = (rowDot: (i: number, j: number) => number) => {
    for (let j0 = 0; j0 < n; j0 += BLOCK) {
      const j1 = Math.min(n, j0 + BLOCK);
      for (let i = j0; i < n; i++) {
        const jEnd = Math.min(j1, i + 1);
        for (let j = j0; j < jEnd; j++) {
          const v = rowDot(i, j);
          c[i * n + j] = v;
          c[j * n + i] = v;
        }
      }
    }
  };
  if (dot) fill(dot);
  else {
    withWorkspace([n * k], (ws, [oa], [aw]) => {
      aw.set(a);
      fill((i, j) => ws.dot(oa + i * k, oa + j * k, k));
    });
  }
  return c;
}

/** C = Aᵀ B with A (k × n) and B (k × m): rank-one updates over contiguous rows, blocked over k. */
export function matmulTransposeA(a: Float64Array, b: Float64Array, k: number, n: number, m: number): Float64Array {
  checkSize(a, k * n, 'matmulTransposeA: A');
  checkSize(b, k * m, 'matmulTransposeA: B');
  return rowUpdates(a, 1, n, b, n, k, m);
}

/**
 * C (n × m) with row i = Σ_p L[i][p] · (row p of B), where L[i][p] = a[i·rowStride + p·colStride]: A B for
 * (k, 1), Aᵀ B for (1, n). Blocked over p so a block of B's rows stays hot; zeros of L are skipped.
 */
function rowUpdates(a: Float64Array, rowStride: number, colStride: number, b: Float64Array, n: number, k: number, m: number): Float64Array {
  if (useSimd(n * k * m, m)) {
    return withWorkspace([n * m, k * m], (ws, [oc, ob], [c, bw]) => {
      bw.set(b);
      for (let p0 = 0; p0 < k; p0 += BLOCK) {
        const p1 = Math.min(k, p0 + BLOCK);
        for (let i = 0; i < n; i++) {
          for (let p = p0; p < p1; p++) {
            const lip = a[i * rowStride + p * colStride];
            if (lip !== 0) ws.axpy(lip, ob + p * m, oc + i * m, m);
          }
        }
      }
      return c.slice();
    });
  }
  const c = new Float64Array(n * m);
  for (let p0 = 0; p0 < k; p0 += BLOCK) {
    const p1 = Math.min(k, p0 + BLOCK);
    for (let i = 0; i < n; i++) {
      const ci = i * m;
      for (let p = p0; p < p1; p++) {
        const lip = a[i * rowStride + p * colStride];
        if (lip !== 0) axpyKernel(lip, b, p * m, c, ci, m);
      }
    }
  }
  return c;
}

/** y = A x with A (rows × cols). */
export function matvec(a: Float64Array, x: Float64Array, rows: number, cols: number): Float64Array {
  checkSize(a, rows * cols, 'matvec: A');
  checkSize(x, cols, 'matvec: x');
  const y = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    y[i] = dotKernel(a, i * cols, x, 0, cols);
  }
  return y;
}

/** (A + Aᵀ)/2 of an n × n matrix. */
export function symmetricPart(a: Float64Array, n: number): Float64Array {
  checkSize(a, n * n, 'symmetricPart');
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    out[i * n + i] = a[i * n + i];
    for (let j = 0; j < i; j++) {
      const v = 0.5 * (a[i * n + j] + a[j * n + i]);
      out[i * n + j] = v;
      out[j * n + i] = v;
    }
  }
  return out;
}

/** Frobenius norm. */
function frobeniusNorm(a: Float64Array): number {
  let scale = 0;
  for (let i = 0; i < a.length; i++) scale = Math.max(scale, Math.abs(a[i]));
  if (scale === 0 || !Number.isFinite(scale)) return scale;
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const v = a[i] / scale;
    sum += v * v;
  }
  return scale * Math.sqrt(sum);
}

/** ‖A − B‖_F / ‖B‖_F (the relative error of A against the reference B). */
export function relativeFrobeniusError(a: Float64Array, reference: Float64Array): number {
  checkSize(a, reference.length, 'relativeFrobeniusError');
  const diff = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) diff[i] = a[i] - reference[i];
  return frobeniusNorm(diff) / frobeniusNorm(reference);
}

export function checkSize(a: Float64Array, expected: number, what: string): void {
  if (a.length !== expected) {
    throw new Error(`${what}: expected ${expected} values from the given dimensions, got an array of length ${a.length}`);
  }
}

export function checkSquare(a: Float64Array, n: number, what: string): void {
  if (!(Number.isInteger(n) && n >= 0)) throw new Error(`${what}: dimension n must be a non-negative integer, got ${n}`);
  checkSize(a, n * n, what);
}

/** sqrt(a² + b²) without the overflow or underflow of the naive form, and much faster than Math.hypot in V8. */
export function hypot2(a: number, b: number): number {
  const direct = Math.sqrt(a * a + b * b);
  // The plain formula is exact enough whenever neither square left the safe range.
  if (direct > 1e-150 && direct < 1e150) return direct;
  const x = Math.abs(a);
  const y = Math.abs(b);
  if (x > y) {
    const r = y / x;
    return x * Math.sqrt(1 + r * r);
  }
  if (y === 0) return 0;
  const r = x / y;
  return y * Math.sqrt(1 + r * r);
}


