import { describe, expect, it } from 'vitest';
import { matvec, relativeFrobeniusError } from '../../linalg/matrix.ts';
import { symmetricEigenvalues } from '../../linalg/symmetric-eigen.ts';
import { analyticScore, empiricalScore, posteriorWeights } from '../../science/exact-scores.ts';
import { finiteDifferenceJacobian, randomDirections, rescaledSpectrum } from '../../science/jacobian.ts';
import { createLinearManifold, dataCovariance, sampleLinearManifold } from '../../science/linear-manifold.ts';
import { createRng } from '../../science/random.ts';
import { VE_DEFAULTS, VeSde } from '../../science/sde.ts';

const sde = new VeSde(VE_DEFAULTS);
const model = createLinearManifold({
  d: 40,
  m: 16,
  profile: { kind: 'double', f: 0.75, sigma1Sq: 1, sigma2Sq: 0.01 },
  scaling: '1/d',
  seed: 7,
});
const { d, m } = model;

describe('analytic score', () => {
  const score = analyticScore(model.F, model.variances, d, m, sde);
  const c = dataCovariance(model.F, model.variances, d, m);
  // The m non-zero eigenvalues of C, ascending.
  const lambda = symmetricEigenvalues(c, d).slice(d - m);
  const rng = createRng(1);
  const x = new Float64Array(d);
  rng.fillNormal(x);

  it.each(sde.analysisGrid(12).map((g) => [g.t, g.s]))('has the closed-form spectrum of s·J at t = %f', (t, s) => {
    const { eig, sv } = rescaledSpectrum(score.jacobian(x, t), d, s);
    // d − m eigenvalues at −1 exactly (normal directions) ...
    const atMinusOne = Array.from(eig).filter((v) => Math.abs(v + 1) < 1e-9);
    expect(atMinusOne).toHaveLength(d - m);
    // ... and −s/(s + λ_i) for the tangent ones; both sorted ascending.
    for (let i = 0; i < m; i++) expect(Math.abs(eig[d - m + i] + s / (s + lambda[i]))).toBeLessThan(1e-9);
    // J is symmetric negative definite: singular values are |eigenvalues|, reversed.
    for (let i = 0; i < d; i++) expect(Math.abs(sv[i] + eig[i])).toBeLessThan(1e-9);
  });

  it('is linear, s(x) = J x, and batched evaluation matches single points', () => {
    const t = 0.3;
    const j = score.jacobian(x, t);
    const pts = new Float64Array(3 * d);
    rng.fillNormal(pts);
    const batch = score.score(pts, 3, t);
    for (let p = 0; p < 3; p++) {
      const one = pts.slice(p * d, p * d + d);
      const jx = matvec(j, one, d, d);
      for (let k = 0; k < d; k++) expect(batch[p * d + k]).toBeCloseTo(jx[k], 8);
    }
  });

  it('Algorithms 1 and 2 reproduce the exact Jacobian of a linear score', () => {
    for (const t of [0.05, 0.5, 0.95]) {
      const exact = score.jacobian(x, t);
      const q = randomDirections(d, createRng(2));
      const h = sde.sigma(t);
      expect(relativeFrobeniusError(finiteDifferenceJacobian(score, x, t, h, q, d, 'alg2'), exact)).toBeLessThan(1e-6);
      expect(relativeFrobeniusError(finiteDifferenceJacobian(score, x, t, h, q, d, 'alg1'), exact)).toBeLessThan(1e-6);
    }
  });

  it('rejects a wrong number of variances', () => {
    expect(() => analyticScore(model.F, model.variances.slice(1), d, m, sde)).toThrow(/expected m = 16 variances, got 15/);
  });
});

describe('empirical score', () => {
  const dd = 5;
  const small = createLinearManifold({ d: dd, m: 3, profile: { kind: 'single', variance: 1 }, scaling: '1/d', seed: 3 });
  const n = 60;
  const ys = sampleLinearManifold(small, n, createRng(5));
  const score = empiricalScore(ys, n, dd, sde);
  const x = Float64Array.from([0.1, -0.2, 0.05, 0.3, -0.1]);

  it.each([0.15, 0.3, 0.5])('its Jacobian matches a central finite difference at t = %f', (t) => {
    const s = sde.variance(t);
    const exact = score.jacobian(x, t);
    // Central differences along the axes with a step well below the posterior's scale √s.
    const h = 1e-4 * Math.sqrt(s);
    const fd = new Float64Array(dd * dd);
    for (let j = 0; j < dd; j++) {
      const plus = Float64Array.from(x);
      const minus = Float64Array.from(x);
      plus[j] += h;
      minus[j] -= h;
      const sp = score.score(plus, 1, t);
      const sm = score.score(minus, 1, t);
      for (let i = 0; i < dd; i++) fd[i * dd + j] = (sp[i] - sm[i]) / (2 * h);
    }
    expect(relativeFrobeniusError(exact, fd)).toBeLessThan(1e-6);
  });

  it('satisfies J_n = −I/s + Cov_w(y)/s² and s_n = (E_w y − x)/s', () => {
    const t = 0.2;
    const s = sde.variance(t);
    const w = posteriorWeights(ys, n, dd, x, 0, s);
    // Weights by their definition, without log-sum-exp.
    const raw = Array.from({ length: n }, (_, mu) => {
      let dist = 0;
      for (let k = 0; k < dd; k++) dist += (x[k] - ys[mu * dd + k]) ** 2;
      return Math.exp(-dist / (2 * s));
    });
    const total = raw.reduce((a, b) => a + b, 0);
    raw.forEach((r, mu) => expect(w[mu]).toBeCloseTo(r / total, 12));
    const mean = new Float64Array(dd);
    for (let mu = 0; mu < n; mu++) for (let k = 0; k < dd; k++) mean[k] += w[mu] * ys[mu * dd + k];
    const sx = score.score(x, 1, t);
    for (let k = 0; k < dd; k++) expect(sx[k]).toBeCloseTo((mean[k] - x[k]) / s, 9);
    const j = score.jacobian(x, t);
    for (let a = 0; a < dd; a++)
      for (let b = 0; b < dd; b++) {
        let cov = 0;
        for (let mu = 0; mu < n; mu++) cov += w[mu] * (ys[mu * dd + a] - mean[a]) * (ys[mu * dd + b] - mean[b]);
        expect(j[a * dd + b]).toBeCloseTo(cov / (s * s) - (a === b ? 1 / s : 0), 6);
      }
  });

  it('memorises at small noise: the score points to the nearest training point', () => {
    const t = 0;
    const s = sde.variance(t);
    const y0 = ys.slice(0, dd);
    const near = y0.map((v, k) => v + 1e-3 * (k - 2));
    const sx = score.score(near, 1, t);
    for (let k = 0; k < dd; k++) expect(sx[k]).toBeCloseTo((y0[k] - near[k]) / s, 6);
    // Extreme distances do not overflow the softmax.
    const far = new Float64Array(dd).fill(1e3);
    expect(Array.from(score.score(far, 1, t)).every(Number.isFinite)).toBe(true);
  });
});

describe('rescaledSpectrum', () => {
  it('gives the same singular values through the symmetric shortcut as through the SVD', () => {
    const n = 30;
    const rng = createRng(12);
    const g = new Float64Array(n * n);
    rng.fillNormal(g);
    const sym = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) sym[i * n + j] = g[i * n + j] + g[j * n + i];
    const viaEig = rescaledSpectrum(sym, n, 0.5);
    // Break the exact symmetry by one rounding-sized amount: the SVD path must agree.
    const nudged = Float64Array.from(sym);
    nudged[1] *= 1 + 2 ** -52;
    const viaSvd = rescaledSpectrum(nudged, n, 0.5);
    for (let i = 0; i < n; i++) {
      expect(viaEig.sv[i]).toBeCloseTo(viaSvd.sv[i], 12);
      expect(viaEig.eig[i]).toBeCloseTo(viaSvd.eig[i], 12);
    }
  });
});
