import { describe, expect, it } from 'vitest';
import { symmetricEigenvalues } from '../../linalg/symmetric-eigen.ts';
import {
  columnCounts,
  createLinearManifold,
  dataCovariance,
  sampleLinearManifold,
  type LinearManifoldSpec,
} from '../../science/linear-manifold.ts';
import { createRng } from '../../science/random.ts';

const spec: LinearManifoldSpec = {
  d: 20,
  m: 8,
  profile: { kind: 'double', f: 0.75, sigma1Sq: 1, sigma2Sq: 0.01 },
  scaling: '1/d',
  seed: 4,
};

describe('linear manifold data', () => {
  it('realises the profile fractions on whole columns', () => {
    const model = createLinearManifold(spec);
    expect(model.alpha).toBe(8 / 20);
    expect(Array.from(model.variances)).toEqual([1, 1, 1, 1, 1, 1, 0.01, 0.01]);
    expect(model.groups).toEqual([
      { fraction: 0.75, variance: 1 },
      { fraction: 0.25, variance: 0.01 },
    ]);
    const multi = createLinearManifold({ ...spec, m: 10, profile: { kind: 'multi', groups: [
      { fraction: 0.5, variance: 2 }, { fraction: 0.3, variance: 0.5 }, { fraction: 0.2, variance: 0.1 },
    ] } });
    expect(multi.groups.map((g) => g.fraction)).toEqual([0.5, 0.3, 0.2]);
    const cont = createLinearManifold({ ...spec, m: 20, profile: { kind: 'continuous', count: 4 } });
    expect(cont.groups).toHaveLength(4);
    for (const g of cont.groups) {
      expect(g.fraction).toBe(0.25);
      expect(g.variance).toBeGreaterThanOrEqual(0.01);
      expect(g.variance).toBeLessThanOrEqual(1);
    }
    expect(columnCounts([1 / 3, 1 / 3, 1 / 3], 10).reduce((a, b) => a + b)).toBe(10);
  });

  it('draws F with entries of variance 1/d (or 1/m)', () => {
    for (const scaling of ['1/d', '1/m'] as const) {
      const model = createLinearManifold({ ...spec, d: 200, m: 100, scaling });
      const mean = model.F.reduce((a, b) => a + b, 0) / model.F.length;
      const variance = model.F.reduce((a, b) => a + b * b, 0) / model.F.length;
      const expected = scaling === '1/d' ? 1 / 200 : 1 / 100;
      // 20 000 entries: relative standard error of the variance √(2/20000) = 1 %.
      expect(Math.abs(variance / expected - 1)).toBeLessThan(0.05);
      expect(Math.abs(mean)).toBeLessThan(5 * Math.sqrt(expected / model.F.length));
    }
  });

  it('has samples whose empirical covariance tends to C = F diag(v) Fᵀ', () => {
    const model = createLinearManifold(spec);
    const n = 20000;
    const x = sampleLinearManifold(model, n, createRng(1));
    const { d, m } = model;
    const c = dataCovariance(model.F, model.variances, d, m);
    const emp = new Float64Array(d * d);
    for (let i = 0; i < n; i++) for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) emp[a * d + b] += (x[i * d + a] * x[i * d + b]) / n;
    // Standard error of an entry: √((C_aa C_bb + C_ab²)/n).
    for (let a = 0; a < d; a++)
      for (let b = 0; b < d; b++) {
        const se = Math.sqrt((c[a * d + a] * c[b * d + b] + c[a * d + b] ** 2) / n);
        expect(Math.abs(emp[a * d + b] - c[a * d + b])).toBeLessThan(5 * se);
      }
    // C has rank m: exactly d − m zero eigenvalues.
    const ev = symmetricEigenvalues(c, d);
    const scale = ev[d - 1];
    expect(ev.filter((v) => Math.abs(v) < 1e-12 * scale)).toHaveLength(d - m);
  });

  it('is reproducible from its seed, and F does not depend on the sample count', () => {
    const a = createLinearManifold(spec);
    const b = createLinearManifold(spec);
    expect(a.F).toEqual(b.F);
    expect(sampleLinearManifold(a, 5, createRng(9))).toEqual(sampleLinearManifold(b, 5, createRng(9)));
    expect(createLinearManifold({ ...spec, seed: 5 }).F).not.toEqual(a.F);
  });

  it('rejects m > d and bad profiles with messages naming the values', () => {
    expect(() => createLinearManifold({ ...spec, d: 10, m: 11 })).toThrow(/m = 11.*d = 10/);
    expect(() => createLinearManifold({ ...spec, profile: { kind: 'multi', groups: [{ fraction: 0.5, variance: 1 }, { fraction: 0.4, variance: 2 }] } })).toThrow(
      /sum to 1, got 0.9/,
    );
    expect(() => createLinearManifold({ ...spec, profile: { kind: 'double', f: 1.5, sigma1Sq: 1, sigma2Sq: 1 } })).toThrow(/f must lie in \[0, 1\], got 1.5/);
    expect(() => createLinearManifold({ ...spec, profile: { kind: 'single', variance: -1 } })).toThrow(/sigma_sq.*-1/);
  });
});
