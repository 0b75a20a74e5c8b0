import { describe, expect, it } from 'vitest';
import { createRng } from '../../science/random.ts';
import { intrinsicDimensionTable, levinaBickelMle, nearestNeighbourDistances, twoNn } from '../../images/intrinsic-dimension.ts';

/** A random orthonormal map R^m → R^D (Gram–Schmidt on Gaussian columns). */
function orthonormalColumns(D: number, m: number, seed: number): Float64Array[] {
  const rng = createRng(seed);
  const cols: Float64Array[] = [];
  while (cols.length < m) {
    const v = new Float64Array(D);
    rng.fillNormal(v);
    for (const c of cols) {
      let dot = 0;
      for (let i = 0; i < D; i++) dot += v[i] * c[i];
      for (let i = 0; i < D; i++) v[i] -= dot * c[i];
    }
    const norm = Math.hypot(...v);
    for (let i = 0; i < D; i++) v[i] /= norm;
    cols.push(v);
  }
  return cols;
}

function embed(latent: Float64Array, n: number, m: number, D: number, seed: number): Float64Array {
  const Q = orthonormalColumns(D, m, seed);
  const x = new Float64Array(n * D);
  for (let p = 0; p < n; p++) for (let a = 0; a < m; a++) for (let i = 0; i < D; i++) x[p * D + i] += latent[p * m + a] * Q[a][i];
  return x;
}

const n = 1000;
const D = 50;

// Tolerances. TwoNN's sampling error is about m/√(0.9 n) (Facco et al.): 0.17 for m = 5, n = 1000;
// three of those is 10 %. The MLE averages many overlapping neighbourhoods; its error at this n is
// dominated by bias from density variation and curvature inside the k-ball (Levina & Bickel report a
// few percent at m ≤ 5): we allow 10 %, and require both estimates to exclude m ± 1 neighbours.
describe('intrinsic dimension on data of known dimension', () => {
  it('a 5-dimensional linear subspace of R^50 (Gaussian latent)', () => {
    const z = new Float64Array(n * 5);
    createRng(11).fillNormal(z);
    const cloud = { x: embed(z, n, 5, D, 12), n, dim: D };
    for (const row of intrinsicDimensionTable(cloud, [10, 20], 0.1)) {
      expect(Math.abs(row.estimate - 5) / 5, `${row.method} k=${row.k}: ${row.estimate}`).toBeLessThan(0.1);
    }
  });
  it('a curved 3-manifold: the flat torus (cos θ_a, sin θ_a)_{a=1..3} rotated into R^50', () => {
    const rng = createRng(21);
    const z = new Float64Array(n * 6);
    for (let p = 0; p < n; p++) {
      for (let a = 0; a < 3; a++) {
        const th = 2 * Math.PI * rng.uniform();
        z[p * 6 + 2 * a] = Math.cos(th);
        z[p * 6 + 2 * a + 1] = Math.sin(th);
      }
    }
    const cloud = { x: embed(z, n, 6, D, 22), n, dim: D };
    expect(Math.abs(twoNn(cloud, 0.1) - 3) / 3).toBeLessThan(0.1);
    expect(Math.abs(levinaBickelMle(cloud, 10) - 3) / 3).toBeLessThan(0.1);
  });
  it('nearest-neighbour distances match brute force and skip duplicates', () => {
    const x = Float64Array.of(0, 0, 3, 4, 0, 0, 1, 0, 0, 2);
    const d = nearestNeighbourDistances({ x, n: 5, dim: 2 }, 2);
    // Point 0 = (0,0) has a duplicate (point 2): its neighbours are (1,0) at 1 and (0,2) at 2.
    expect(Array.from(d.subarray(0, 2))).toEqual([1, 2]);
    expect(d[2]).toBeCloseTo(Math.hypot(3, 2), 12); // (3,4) → (0,2)
    expect(d[3]).toBeCloseTo(Math.hypot(2, 4), 12); // (3,4) → (1,0)
    expect(() => nearestNeighbourDistances({ x, n: 5, dim: 2 }, 5)).toThrow(/k = 5 neighbours need at least 6 points/);
    expect(() => intrinsicDimensionTable({ x, n: 5, dim: 2 }, [1], 0.1)).toThrow(/^k: /);
  });
});
