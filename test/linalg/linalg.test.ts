import { describe, expect, it } from 'vitest';
import {
  cholesky,
  haarOrthogonal,
  matmul,
  matmulTransposeA,
  matmulTransposeB,
  matvec,
  singularValues,
  solveSpd,
  symmetricEigen,
  symmetricEigenvalues,
  symmetricPart,
  transpose,
} from '../../linalg/index.ts';
import { withWorkspace } from '../../linalg/simd.ts';
import { createRng } from '../../science/random.ts';

/** Q D Qᵀ for rows of Q as the eigenvectors. */
function fromSpectrum(q: Float64Array, values: ArrayLike<number>, n: number): Float64Array {
  const qtd = new Float64Array(n * n);
  for (let k = 0; k < n; k++) for (let j = 0; j < n; j++) qtd[k * n + j] = q[k * n + j] * values[k];
  return matmulTransposeA(q, qtd, n, n, n);
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

function tridiagonalToeplitz(n: number, diag: number, off: number): Float64Array {
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    a[i * n + i] = diag;
    if (i > 0) a[i * n + i - 1] = a[(i - 1) * n + i] = off;
  }
  return a;
}

describe('matrix products', () => {
  it('agree with the definition', () => {
    const rng = createRng(3);
    const a = new Float64Array(5 * 7);
    const b = new Float64Array(7 * 3);
    rng.fillNormal(a);
    rng.fillNormal(b);
    const c = matmul(a, b, 5, 7, 3);
    for (let i = 0; i < 5; i++)
      for (let j = 0; j < 3; j++) {
        let s = 0;
        for (let p = 0; p < 7; p++) s += a[i * 7 + p] * b[p * 3 + j];
        expect(c[i * 3 + j]).toBeCloseTo(s, 12);
      }
    expect(maxAbsDiff(matmulTransposeB(a, transpose(b, 7, 3), 5, 7, 3), c)).toBeLessThan(1e-12);
    expect(maxAbsDiff(matmulTransposeA(transpose(a, 5, 7), b, 7, 5, 3), c)).toBeLessThan(1e-12);
    const x = b.subarray(0, 7);
    expect(maxAbsDiff(matvec(a, Float64Array.from(x), 5, 7), matmul(a, Float64Array.from(x), 5, 7, 1))).toBeLessThan(1e-12);
    expect(() => matmul(a, b, 5, 6, 3)).toThrow(/expected 30 values/);
  });
});

describe('symmetricEigenvalues', () => {
  it('returns the sorted diagonal of a diagonal matrix, without modifying the input', () => {
    const n = 6;
    const diag = [3, -1, 0, 2.5, -7, 3];
    const a = new Float64Array(n * n);
    diag.forEach((v, i) => (a[i * n + i] = v));
    const copy = Float64Array.from(a);
    expect(Array.from(symmetricEigenvalues(a, n))).toEqual([...diag].sort((x, y) => x - y));
    expect(a).toEqual(copy);
  });

  it.each([1, 2, 3, 50, 200])('matches 2cos(kπ/(n+1)) for the tridiagonal Toeplitz matrix, n = %i', (n) => {
    // Eigenvalues of tridiag(off, diag, off) are diag + 2 off cos(kπ/(n+1)), k = 1..n.
    const ev = symmetricEigenvalues(tridiagonalToeplitz(n, 0.5, -1.5), n);
    const exact = Array.from({ length: n }, (_, k) => 0.5 - 3 * Math.cos(((k + 1) * Math.PI) / (n + 1))).sort((x, y) => x - y);
    expect(maxAbsDiff(ev, exact)).toBeLessThan(1e-13 * n);
  });

  it('recovers the spectrum of Q D Qᵀ with a Haar Q, repeated eigenvalues included', () => {
    const n = 80;
    const rng = createRng(11);
    const values = Array.from({ length: n }, (_, i) => (i < 30 ? -1 : i < 50 ? 0 : Math.exp(-i / 10)));
    const a = fromSpectrum(haarOrthogonal(n, rng), values, n);
    const ev = symmetricEigenvalues(symmetricPart(a, n), n);
    expect(maxAbsDiff(ev, [...values].sort((x, y) => x - y))).toBeLessThan(1e-13);
  });

  it('symmetricEigen returns orthonormal vectors that reconstruct the matrix', () => {
    const n = 40;
    const rng = createRng(5);
    const g = new Float64Array(n * n);
    rng.fillNormal(g);
    const a = symmetricPart(g, n);
    const { values, vectors } = symmetricEigen(a, n);
    expect(maxAbsDiff(values, symmetricEigenvalues(a, n))).toBeLessThan(1e-12);
    expect(maxAbsDiff(fromSpectrum(vectors, values, n), a)).toBeLessThan(1e-12);
    const gram = matmulTransposeB(vectors, vectors, n, n, n);
    const eye = new Float64Array(n * n);
    for (let i = 0; i < n; i++) eye[i * n + i] = 1;
    expect(maxAbsDiff(gram, eye)).toBeLessThan(1e-13);
    // A v_k = λ_k v_k for the first and last pair.
    for (const k of [0, n - 1]) {
      const v = vectors.slice(k * n, k * n + n);
      const av = matvec(a, v, n, n);
      expect(maxAbsDiff(av, v.map((x) => x * values[k]))).toBeLessThan(1e-12);
    }
  });

  it('rejects arrays whose length does not match n', () => {
    expect(() => symmetricEigenvalues(new Float64Array(5), 2)).toThrow(/expected 4 values/);
  });
});

describe('singularValues', () => {
  it('recovers U diag(σ) Vᵀ with Haar U, V, tiny singular values to absolute working precision', () => {
    const n = 60;
    const rng = createRng(7);
    const u = haarOrthogonal(n, rng);
    const v = haarOrthogonal(n, rng);
    const sigma = Array.from({ length: n }, (_, i) => 10 ** ((-12 * i) / (n - 1)));
    // A = Uᵀ diag(σ) V (rows of u and v are the singular vectors).
    const dv = new Float64Array(n * n);
    for (let k = 0; k < n; k++) for (let j = 0; j < n; j++) dv[k * n + j] = sigma[k] * v[k * n + j];
    const a = matmulTransposeA(u, dv, n, n, n);
    const sv = singularValues(a, n, n);
    expect(maxAbsDiff(sv, sigma)).toBeLessThan(1e-14);
    // The squared route sqrt(eig(AᵀA)) cannot resolve σ = 1e-12 (its error is ~ε‖A‖²/σ): ours can.
    expect(Math.abs(sv[n - 1] - 1e-12)).toBeLessThan(1e-14);
  });

  it('finds exact zeros of a rank-deficient matrix, tall and wide alike', () => {
    const rng = createRng(9);
    const rows = 70;
    const cols = 40;
    const rank = 15;
    const l = new Float64Array(rows * rank);
    const r = new Float64Array(rank * cols);
    rng.fillNormal(l);
    rng.fillNormal(r);
    const a = matmul(l, r, rows, rank, cols);
    const tall = singularValues(a, rows, cols);
    const wide = singularValues(transpose(a, rows, cols), cols, rows);
    expect(tall.length).toBe(cols);
    expect(maxAbsDiff(tall, wide)).toBeLessThan(1e-12 * tall[0]);
    for (let i = rank; i < cols; i++) expect(tall[i]).toBeLessThan(1e-13 * tall[0]);
    expect(tall[rank - 1]).toBeGreaterThan(1e-3 * tall[0]);
    for (let i = 1; i < cols; i++) expect(tall[i]).toBeLessThanOrEqual(tall[i - 1]);
    // The squares of the singular values are the eigenvalues of AᵀA.
    const ata = matmulTransposeA(a, a, rows, cols, cols);
    const ev = symmetricEigenvalues(ata, cols).reverse();
    expect(maxAbsDiff(tall.map((x) => x * x), ev)).toBeLessThan(1e-11 * ev[0]);
  });

  it('handles the zero matrix, a single row and a single column', () => {
    expect(Array.from(singularValues(new Float64Array(12), 3, 4))).toEqual([0, 0, 0]);
    expect(singularValues(Float64Array.from([3, 4]), 1, 2)[0]).toBeCloseTo(5, 14);
    expect(singularValues(Float64Array.from([3, 4]), 2, 1)[0]).toBeCloseTo(5, 14);
  });

  it('puts the Wishart spectrum inside the Marchenko–Pastur edges (1 ± √γ)²', () => {
    // X is N × p with N(0, 1) entries; the eigenvalues of XᵀX/N fill [(1 − √γ)², (1 + √γ)²], γ = p/N.
    // The extreme eigenvalues fluctuate on the Tracy–Widom scales (Johnstone 2001; Ma 2012):
    // (√N ± √p)(1/√N ± 1/√p)^(1/3)/N, ≈ 0.025 at the top and ≈ 0.006 at the bottom here.
    const N = 800;
    const p = 200;
    const rng = createRng(21);
    const x = new Float64Array(N * p);
    rng.fillNormal(x);
    const sv = singularValues(x, N, p);
    const ev = Array.from(sv, (s) => (s * s) / N);
    const gamma = p / N;
    const topScale = ((Math.sqrt(N) + Math.sqrt(p)) * Math.cbrt(1 / Math.sqrt(N) + 1 / Math.sqrt(p))) / N;
    const bottomScale = ((Math.sqrt(N) - Math.sqrt(p)) * Math.cbrt(1 / Math.sqrt(p) - 1 / Math.sqrt(N))) / N;
    // Tracy–Widom (β = 1) has mean ≈ −1.21 and sd ≈ 1.27: allow −1.21 ± 5 sd.
    const top = (1 + Math.sqrt(gamma)) ** 2;
    const bottom = (1 - Math.sqrt(gamma)) ** 2;
    expect(Math.abs(ev[0] - (top - 1.21 * topScale))).toBeLessThan(5 * 1.27 * topScale);
    expect(Math.abs(ev[p - 1] - (bottom + 1.21 * bottomScale))).toBeLessThan(5 * 1.27 * bottomScale);
    // Mean of the MP law is 1.
    expect(ev.reduce((s, v) => s + v, 0) / p).toBeCloseTo(1, 1);
  });
});

describe('haarOrthogonal', () => {
  it('is orthogonal to working precision', () => {
    const n = 120;
    const q = haarOrthogonal(n, createRng(1));
    const gram = matmulTransposeB(q, q, n, n, n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) expect(Math.abs(gram[i * n + j] - (i === j ? 1 : 0))).toBeLessThan(1e-13);
  });

  it('has the Haar moments of the trace: E tr Q = 0, E (tr Q)² = 1', () => {
    // Without the sign fix QR of a Gaussian matrix is biased (e.g. Householder QR gives E tr Q ≠ 0).
    const rng = createRng(2);
    const n = 5;
    const draws = 4000;
    let sum = 0;
    let sumSq = 0;
    for (let r = 0; r < draws; r++) {
      const q = haarOrthogonal(n, rng);
      let tr = 0;
      for (let i = 0; i < n; i++) tr += q[i * n + i];
      sum += tr;
      sumSq += tr * tr;
    }
    // Standard errors: 1/√draws for the mean, ≈ √2/√draws for the second moment; 5 of them as tolerance.
    expect(Math.abs(sum / draws)).toBeLessThan(5 / Math.sqrt(draws));
    expect(Math.abs(sumSq / draws - 1)).toBeLessThan((5 * Math.SQRT2) / Math.sqrt(draws));
  });
});

describe('cholesky and solveSpd', () => {
  it('factor and solve an SPD system', () => {
    const n = 30;
    const rng = createRng(4);
    const g = new Float64Array(n * n);
    rng.fillNormal(g);
    const a = matmulTransposeA(g, g, n, n, n);
    for (let i = 0; i < n; i++) a[i * n + i] += 1;
    const l = cholesky(a, n);
    expect(maxAbsDiff(matmulTransposeB(l, l, n, n, n), a)).toBeLessThan(1e-11);
    const b = new Float64Array(n * 2);
    rng.fillNormal(b);
    const x = solveSpd(a, b, n, 2);
    expect(maxAbsDiff(matmul(a, x, n, n, 2), b)).toBeLessThan(1e-10);
  });

  it('rejects an indefinite matrix', () => {
    expect(() => cholesky(Float64Array.from([1, 2, 2, 1]), 2)).toThrow(/not positive definite/);
  });
});

describe('WebAssembly SIMD kernels', () => {
  it('agree with the JavaScript fallback (taken when a workspace is already in use)', () => {
    const rng = createRng(31);
    for (const [rows, cols] of [
      [57, 57],
      [90, 41],
      [13, 70],
    ]) {
      const a = new Float64Array(rows * cols);
      rng.fillNormal(a);
      const fast = singularValues(a, rows, cols);
      const slow = withWorkspace([1], () => singularValues(a, rows, cols));
      expect(maxAbsDiff(fast, slow)).toBeLessThan(1e-12 * fast[0]);
      if (rows === cols) {
        const s = symmetricPart(a, rows);
        const fe = symmetricEigen(s, rows);
        const se = withWorkspace([1], () => symmetricEigen(s, rows));
        expect(maxAbsDiff(fe.values, se.values)).toBeLessThan(1e-12);
        expect(maxAbsDiff(symmetricEigenvalues(s, rows), withWorkspace([1], () => symmetricEigenvalues(s, rows)))).toBeLessThan(1e-12);
      }
    }
  });
});
