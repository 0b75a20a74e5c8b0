// The C reductions of linalg-kernels.c (tridiagonalisation + rational QL and bidiagonalisation, values only) against
// closed forms and against the JavaScript factorisations they replace (taken when a workspace is already in
// use), at sizes where the two-row and two-column sweeps meet odd remainders; and the embedded binary
// against its C source.
import { describe, expect, it } from 'vitest';
import { haarOrthogonal, matmulTransposeA, singularValues, symmetricEigenvalues, symmetricPart } from '../../linalg/index.ts';
import { KERNELS_BUILD_FLAGS, KERNELS_SOURCE_SHA256 } from '../../linalg/linalg-kernels.wasm.ts';
import { withWorkspace } from '../../linalg/simd.ts';
import { CLANG_FLAGS, LINALG_KERNELS, sourceSha256 } from '../../scripts/build-kernels.ts';
import { createRng } from '../../science/random.ts';

const plainJs = <T>(fn: () => T): T => withWorkspace([1], fn);

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Qᵀ diag(values) Q for the rows of a Haar Q: a dense symmetric matrix with a known spectrum. */
function rotated(values: number[], seed: number): Float64Array {
  const n = values.length;
  const q = haarOrthogonal(n, createRng(seed));
  const dq = new Float64Array(n * n);
  for (let k = 0; k < n; k++) for (let j = 0; j < n; j++) dq[k * n + j] = values[k] * q[k * n + j];
  return symmetricPart(matmulTransposeA(q, dq, n, n, n), n);
}

describe('linalg WebAssembly kernels', () => {
  it('are compiled from the committed C source with the current flags', () => {
    expect(KERNELS_SOURCE_SHA256, 'linalg/linalg-kernels.c changed: rebuild with npm run build:kernels').toBe(sourceSha256(LINALG_KERNELS.source));
    expect(KERNELS_BUILD_FLAGS, 'the compiler flags changed: rebuild with npm run build:kernels').toBe(CLANG_FLAGS.join(' '));
  });

  it('tridiagonalisation + QL: the spectrum of the path Laplacian 2 − 2 cos(kπ/(n+1)), rotated dense, odd and even n', () => {
    for (const n of [129, 130]) {
      const exact = Array.from({ length: n }, (_, k) => 2 - 2 * Math.cos(((k + 1) * Math.PI) / (n + 1)));
      const ev = symmetricEigenvalues(rotated(exact, n), n);
      expect(maxAbsDiff(ev, exact)).toBeLessThan(1e-13);
    }
  });

  it('tridiagonalisation agrees with the JS tred2/tql2, also where a column is already reduced (the zero-scale branch)', () => {
    const rng = createRng(41);
    for (const n of [2, 3, 17, 96, 151]) {
      const g = new Float64Array(n * n);
      rng.fillNormal(g);
      const a = symmetricPart(g, n);
      // Block-diagonal with a trailing 3 × 3 block: step n − 3 finds its column already reduced (scale = 0)
      // while the update of step n − 2 is still pending.
      for (let i = Math.max(0, n - 3); i < n; i++) for (let j = 0; j < n - 3; j++) a[i * n + j] = a[j * n + i] = 0;
      const fast = symmetricEigenvalues(a, n);
      const slow = plainJs(() => symmetricEigenvalues(a, n));
      const scale = Math.max(...slow.map(Math.abs));
      expect(maxAbsDiff(fast, slow)).toBeLessThan(1e-13 * scale);
      // Trace and Frobenius norm are invariants of the spectrum.
      let tr = 0, fro = 0;
      for (let i = 0; i < n; i++) tr += a[i * n + i];
      for (const x of a) fro += x * x;
      expect(fast.reduce((s, x) => s + x, 0)).toBeCloseTo(tr, 10);
      expect(fast.reduce((s, x) => s + x * x, 0)).toBeCloseTo(fro, 9);
    }
  });

  it('rational QL agrees with the JS QL on hard tridiagonals: Wilkinson W⁺ (near-degenerate pairs) and graded entries', () => {
    for (const n of [21, 101]) {
      const half = (n - 1) / 2;
      const wilkinson = new Float64Array(n * n);
      const graded = new Float64Array(n * n);
      for (let i = 0; i < n; i++) {
        wilkinson[i * n + i] = Math.abs(half - i);
        graded[i * n + i] = 10 ** (-i / 8);
        if (i > 0) {
          wilkinson[i * n + i - 1] = wilkinson[(i - 1) * n + i] = 1;
          graded[i * n + i - 1] = graded[(i - 1) * n + i] = 10 ** (-(i - 0.5) / 8);
        }
      }
      for (const a of [wilkinson, graded]) {
        const fast = symmetricEigenvalues(a, n);
        const slow = plainJs(() => symmetricEigenvalues(a, n));
        expect(maxAbsDiff(fast, slow)).toBeLessThan(1e-13 * Math.max(...slow.map(Math.abs)));
      }
    }
  });

  it('bidiagonalisation: U diag(σ) Vᵀ to absolute working precision, tall and wide, odd and even sizes', () => {
    const rng = createRng(43);
    for (const [rows, cols] of [
      [101, 101],
      [130, 77],
      [64, 99],
    ]) {
      const k = Math.min(rows, cols);
      const sigma = Array.from({ length: k }, (_, i) => 10 ** ((-10 * i) / (k - 1)));
      const u = haarOrthogonal(rows, rng);
      const v = haarOrthogonal(cols, rng);
      // A = Σ_i σ_i u_i v_iᵀ with u_i, v_i rows of the Haar matrices.
      const a = new Float64Array(rows * cols);
      for (let i = 0; i < k; i++) for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) a[r * cols + c] += sigma[i] * u[i * rows + r] * v[i * cols + c];
      const sv = singularValues(a, rows, cols);
      expect(maxAbsDiff(sv, sigma)).toBeLessThan(2e-14);
      expect(maxAbsDiff(sv, plainJs(() => singularValues(a, rows, cols)))).toBeLessThan(2e-14);
    }
  });
});
