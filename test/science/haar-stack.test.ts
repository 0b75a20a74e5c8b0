// The authors' Haar-stack estimator against closed forms on the analytic Gaussian score s(x) = −A x,
// A = (C + sI)⁻¹: the stack is S = −(1/σ)·1(Ax₀)ᵀ − QA, built here from C's eigendecomposition (not from
// the score code), and at x₀ = 0 its rescaled singular values are exactly s/(λᵢ + s).
import { describe, expect, it } from 'vitest';
import { haarOrthogonal } from '../../linalg/haar.ts';
import { matvec } from '../../linalg/matrix.ts';
import { singularValues } from '../../linalg/singular-values.ts';
import { symmetricEigen } from '../../linalg/symmetric-eigen.ts';
import { analyticScore } from '../../science/exact-scores.ts';
import { dropLargestAndNormalise, haarStackSingularValues } from '../../science/haar-stack.ts';
import { JacobianErrorRows, measurePoint, SpectraRows } from '../../science/jacobian-spectra.ts';
import { createLinearManifold, dataCovariance } from '../../science/linear-manifold.ts';
import { createRng } from '../../science/random.ts';
import { VE_DEFAULTS, VeSde } from '../../science/sde.ts';
import { spectraSeries } from '../../theory/spectra-table.ts';

const sde = new VeSde(VE_DEFAULTS);
const model = createLinearManifold({ d: 24, m: 8, profile: { kind: 'double', f: 0.75, sigma1Sq: 1, sigma2Sq: 0.01 }, scaling: '1/d', seed: 3 });
const { d, m } = model;
const score = analyticScore(model.F, model.variances, d, m, sde);
const { values: lambda, vectors } = symmetricEigen(dataCovariance(model.F, model.variances, d, m), d);

/** A = (C + sI)⁻¹ = Σ_k v_k v_kᵀ / (λ_k + s), from the eigendecomposition of C. */
function resolvent(s: number): Float64Array {
  const a = new Float64Array(d * d);
  for (let k = 0; k < d; k++) {
    const w = 1 / (lambda[k] + s);
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) a[i * d + j] += w * vectors[k * d + i] * vectors[k * d + j];
  }
  return a;
}

const times = sde.analysisGrid(9).map((g) => g.t);

describe('Haar-stack estimator', () => {
  it.each(times)('at x₀ = 0 gives exactly the singular values s/(λᵢ + s) of s·J (t = %f)', (t) => {
    const s = sde.variance(t);
    const q = haarOrthogonal(d, createRng(11));
    const sv = haarStackSingularValues(score, new Float64Array(d), t, sde.sigma(t), q);
    const expected = Float64Array.from(lambda, (l) => s / (Math.max(l, 0) + s)).sort().reverse();
    for (let i = 0; i < d; i++) expect(Math.abs(sv[i] - expected[i])).toBeLessThan(1e-9);
  });

  it.each(times)('at a data point equals the singular values of s·(−(1/σ)·1(Ax₀)ᵀ − QA) built directly (t = %f)', (t) => {
    const s = sde.variance(t);
    const sigma = sde.sigma(t);
    const rng = createRng(5);
    const x0 = new Float64Array(d);
    for (let j = 0; j < m; j++) {
      const z = rng.normal() * Math.sqrt(model.variances[j]);
      for (let i = 0; i < d; i++) x0[i] += model.F[i * m + j] * z;
    }
    const q = haarOrthogonal(d, createRng(12));
    const a = resolvent(s);
    const ax = matvec(a, x0, d, d);
    const stack = new Float64Array(d * d);
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < d; j++) {
        let qa = 0;
        for (let k = 0; k < d; k++) qa += q[i * d + k] * a[k * d + j];
        stack[i * d + j] = s * (-ax[j] / sigma - qa);
      }
    }
    const expected = singularValues(stack, d, d);
    const sv = haarStackSingularValues(score, x0, t, sigma, q);
    for (let i = 0; i < d; i++) expect(Math.abs(sv[i] - expected[i]) / expected[0]).toBeLessThan(1e-9);
  });

  it("drops the largest value and divides by the largest left, as the authors' post-processing", () => {
    expect(Array.from(dropLargestAndNormalise([10, 4, 2, 1]))).toEqual([1, 0.5, 0.25]);
    expect(Array.from(dropLargestAndNormalise([1, 4, 10, 2]))).toEqual([1, 0.5, 0.25]);
    expect(() => dropLargestAndNormalise([3])).toThrow(/at least 2/);
  });

  it('is a spectra method: d singular values per point, eig NaN, no error row', () => {
    const spectra = new SpectraRows();
    const errors = new JacobianErrorRows();
    const t = times[4];
    measurePoint(
      { model: score, x: new Float64Array(d), label: { score: 'analytic', pointKind: 'clean', t, s: sde.variance(t), point: 0 }, methods: ['exact', 'haar-stack'], h: 1e-3, sigma: sde.sigma(t), directions: haarOrthogonal(d, createRng(2)), },
      spectra,
      errors,
    );
    const rows = spectra.method.map((me, i) => ({ me, eig: spectra.eig[i], sv: spectra.sv[i] }));
    const stack = rows.filter((r) => r.me === 'haar-stack');
    const exact = rows.filter((r) => r.me === 'exact');
    expect(stack).toHaveLength(d);
    expect(stack.every((r) => Number.isNaN(r.eig))).toBe(true);
    // At x₀ = 0 the stack and the exact Jacobian agree: same singular values of s·J.
    for (let i = 0; i < d; i++) expect(Math.abs(stack[i].sv - exact[i].sv)).toBeLessThan(1e-9);
    expect(errors.method).toEqual([]);
    // Gap detection reads eigenvalues: the stack has none, so only the exact series is there; sv has both.
    const c = spectra.columns();
    expect(spectraSeries(c, c.score.length, 'eig', 'any').map((x) => x.method)).toEqual(['exact']);
    expect(spectraSeries(c, c.score.length, 'sv', 'any').map((x) => x.method).sort()).toEqual(['exact', 'haar-stack']);
  });
});
