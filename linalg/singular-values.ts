// Singular values by Golub–Kahan Householder bidiagonalisation followed by implicit-shift QR on the
// bidiagonal (LINPACK dsvdc, as in JAMA). Backward stable: every singular value, small ones included,
// is accurate to O(ε‖A‖), unlike sqrt(eig(AᵀA)) whose small values carry errors of O(ε‖A‖²/σ).
// The matrix is worked on in column-major order (taller side first), so the Householder sweeps of the
// reduction, the O(n³) part, read contiguous memory.

import { checkSize, hypot2 } from './matrix.ts';
import { withWorkspace, type Workspace } from './simd.ts';

/** Singular values of the rows × cols matrix `a` (row-major, not modified), descending; min(rows, cols) values. */
export function singularValues(a: Float64Array, rows: number, cols: number): Float64Array {
  if (!(Number.isInteger(rows) && rows >= 0 && Number.isInteger(cols) && cols >= 0)) {
    throw new Error(`singularValues: rows and cols must be non-negative integers, got rows=${rows}, cols=${cols}`);
  }
  checkSize(a, rows * cols, 'singularValues');
  // B is m × n with m ≥ n: A itself when tall, Aᵀ when wide (same singular values). Column-major B
  // is the transpose of row-major A when tall and a plain copy of A when wide.
  const m = Math.max(rows, cols);
  const n = Math.min(rows, cols);
  if (n === 0) return new Float64Array(0);
  return withWorkspace([m * n, Math.min(m + 1, n), n, m, m, n, 2 * m + n], (ws, offsets, [b, s, e, work, acc, tau]) => {
    if (rows >= cols) {
      for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) b[j * rows + i] = a[i * cols + j];
    } else {
      b.set(a);
    }
    // In WebAssembly the whole reduction is one call (the per-column calls from JS cost as much as the arithmetic).
    const r = ws.reductions;
    if (r) {
      r.bidiagonalize(offsets[0], m, n, offsets[1], offsets[2], offsets[6]);
      if (!r.bidiagonalQrValues(offsets[1], offsets[2], n)) throw new Error(`singularValues: bidiagonal QR did not converge (order ${n})`);
    } else {
      bidiagonalize(ws, offsets[0], offsets[3], offsets[4], m, n, s, e, tau);
      bidiagonalQr(s, e, Math.min(n, m + 1));
    }
    return s.slice(0, n); // a copy: the workspace is reused
  });
}

/** Euclidean norm of x[start..end) with stride, scaled only when the plain sum under- or overflows. */
function norm(x: Float64Array, start: number, end: number, stride: number): number {
  let sum = 0;
  for (let i = start; i < end; i += stride) sum += x[i] * x[i];
  if (sum > 1e-280 && sum < 1e280) return Math.sqrt(sum);
  let big = 0;
  for (let i = start; i < end; i += stride) big = Math.max(big, Math.abs(x[i]));
  if (big === 0 || !Number.isFinite(big)) return big;
  sum = 0;
  for (let i = start; i < end; i += stride) {
    const v = x[i] / big;
    sum += v * v;
  }
  return big * Math.sqrt(sum);
}

/**
 * Householder bidiagonalisation of the column-major m × n matrix b (m ≥ n): diagonal into s,
 * super-diagonal into e. This is dsvdc's reduction with its loops fused so that each column is read
 * from memory once per step: while column j is in cache it receives the previous step's right
 * reflector, this step's left reflector, and contributes to the next right reflector's product
 * work = B v (accumulated from the raw row, v = row/‖row‖ + e₁, before v is known).
 */
function bidiagonalize(
  ws: Workspace,
  /** Where b (m × n, column-major), work and acc (length m) start in ws.mem. */
  ob: number,
  ow: number,
  oa: number,
  m: number,
  n: number,
  s: Float64Array,
  e: Float64Array,
  // The right reflector of the previous step, not yet applied: column j gains tau[j] · work[k..m).
  tau: Float64Array,
): void {
  const b = ws.mem.subarray(ob, ob + m * n);
  const work = ws.mem.subarray(ow, ow + m);
  const acc = ws.mem.subarray(oa, oa + m);
  const nct = Math.min(m - 1, n);
  const nrt = Math.max(0, Math.min(n - 2, m));
  let pending = false;
  for (let k = 0; k < Math.max(nct, nrt); k++) {
    const ck = k * m;
    const len = m - k;
    if (pending) ws.axpy(tau[k], ow + k, ob + ck + k, len);
    let left = false;
    if (k < nct) {
      // Left reflector zeroing column k below the diagonal.
      let sk = norm(b, ck + k, ck + m, 1);
      if (sk !== 0) {
        if (b[ck + k] < 0) sk = -sk;
        const inv = 1 / sk;
        for (let i = k; i < m; i++) b[ck + i] *= inv;
        b[ck + k] += 1;
        left = true;
      }
      s[k] = -sk;
    }
    const right = k < nrt;
    if (right) acc.fill(0, k + 1, m);
    const ukk = b[ck + k];
    for (let j = k + 1; j < n; j++) {
      const cj = j * m;
      if (pending) ws.axpy(tau[j], ow + k, ob + cj + k, len);
      if (left) ws.axpy(-ws.dot(ob + ck + k, ob + cj + k, len) / ukk, ob + ck + k, ob + cj + k, len);
      const ej = b[cj + k];
      e[j] = ej;
      if (right && ej !== 0) ws.axpy(ej, ob + cj + k + 1, oa + k + 1, len - 1);
    }
    pending = false;
    if (right) {
      // Right reflector zeroing row k right of the super-diagonal.
      let ek = norm(e, k + 1, n, 1);
      if (ek !== 0) {
        if (e[k + 1] < 0) ek = -ek;
        const inv = 1 / ek;
        for (let i = k + 1; i < n; i++) e[i] *= inv;
        e[k + 1] += 1;
        if (k + 1 < m) {
          // work = B v over rows k+1.. = acc/ek + column k+1 (the e₁ part of v).
          const c1 = (k + 1) * m;
          for (let i = k + 1; i < m; i++) work[i] = acc[i] * inv + b[c1 + i];
          const v1 = e[k + 1];
          for (let j = k + 1; j < n; j++) tau[j] = -e[j] / v1;
          pending = true;
        }
      }
      e[k] = -ek;
    }
  }
  // The final bidiagonal of order p = n (m ≥ n).
  const p = Math.min(n, m + 1);
  if (nct < n) s[nct] = b[nct * m + nct];
  if (m < p) s[p - 1] = 0;
  if (nrt + 1 < p) e[nrt] = b[(p - 1) * m + nrt];
  e[p - 1] = 0;
}

/** Implicit-shift QR on the upper bidiagonal (s, e) of order p; leaves |singular values| in s, descending. */
function bidiagonalQr(s: Float64Array, e: Float64Array, p: number): void {
  const pp = p - 1;
  const eps = 2 ** -52;
  const tiny = 2 ** -966;
  let iter = 0;
  while (p > 0) {
    if (iter > 75 * (pp + 1)) throw new Error(`singularValues: bidiagonal QR did not converge (order ${pp + 1})`);
    // Find the largest k such that e[k] is negligible: the unreduced block is k+1 .. p−1.
    let k: number;
    for (k = p - 2; k >= 0; k--) {
      if (Math.abs(e[k]) <= tiny + eps * (Math.abs(s[k]) + Math.abs(s[k + 1]))) {
        e[k] = 0;
        break;
      }
    }
    let kase: number;
    if (k === p - 2) {
      kase = 4;
    } else {
      let ks: number;
      for (ks = p - 1; ks > k; ks--) {
        const t = (ks !== p ? Math.abs(e[ks]) : 0) + (ks !== k + 1 ? Math.abs(e[ks - 1]) : 0);
        if (Math.abs(s[ks]) <= tiny + eps * t) {
          s[ks] = 0;
          break;
        }
      }
      if (ks === k) kase = 3;
      else if (ks === p - 1) kase = 1;
      else {
        kase = 2;
        k = ks;
      }
    }
    k++;
    if (kase === 1) {
      // Deflate a negligible s[p−1].
      let f = e[p - 2];
      e[p - 2] = 0;
      for (let j = p - 2; j >= k; j--) {
        const t = hypot2(s[j], f);
        const cs = s[j] / t;
        const sn = f / t;
        s[j] = t;
        if (j !== k) {
          f = -sn * e[j - 1];
          e[j - 1] = cs * e[j - 1];
        }
      }
    } else if (kase === 2) {
      // Split at a negligible s[k−1].
      let f = e[k - 1];
      e[k - 1] = 0;
      for (let j = k; j < p; j++) {
        const t = hypot2(s[j], f);
        const cs = s[j] / t;
        const sn = f / t;
        s[j] = t;
        f = -sn * e[j];
        e[j] = cs * e[j];
      }
    } else if (kase === 3) {
      // One implicit QR step with the shift from the trailing 2 × 2 block.
      const scale = Math.max(Math.abs(s[p - 1]), Math.abs(s[p - 2]), Math.abs(e[p - 2]), Math.abs(s[k]), Math.abs(e[k]));
      const sp = s[p - 1] / scale;
      const spm1 = s[p - 2] / scale;
      const epm1 = e[p - 2] / scale;
      const sk = s[k] / scale;
      const ek = e[k] / scale;
      const bb = ((spm1 + sp) * (spm1 - sp) + epm1 * epm1) / 2;
      const c = sp * epm1 * (sp * epm1);
      let shift = 0;
      if (bb !== 0 || c !== 0) {
        shift = Math.sqrt(bb * bb + c);
        if (bb < 0) shift = -shift;
        shift = c / (bb + shift);
      }
      let f = (sk + sp) * (sk - sp) + shift;
      let g = sk * ek;
      for (let j = k; j < p - 1; j++) {
        let t = hypot2(f, g);
        let cs = f / t;
        let sn = g / t;
        if (j !== k) e[j - 1] = t;
        f = cs * s[j] + sn * e[j];
        e[j] = cs * e[j] - sn * s[j];
        g = sn * s[j + 1];
        s[j + 1] = cs * s[j + 1];
        t = hypot2(f, g);
        cs = f / t;
        sn = g / t;
        s[j] = t;
        f = cs * e[j] + sn * s[j + 1];
        s[j + 1] = -sn * e[j] + cs * s[j + 1];
        g = sn * e[j + 1];
        e[j + 1] = cs * e[j + 1];
      }
      e[p - 2] = f;
      iter++;
    } else {
      // Convergence of s[k]: make it non-negative and bubble it into descending order.
      if (s[k] <= 0) s[k] = s[k] < 0 ? -s[k] : 0;
      while (k < pp) {
        if (s[k] >= s[k + 1]) break;
        const t = s[k];
        s[k] = s[k + 1];
        s[k + 1] = t;
        k++;
      }
      iter = 0;
      p--;
    }
  }
}
