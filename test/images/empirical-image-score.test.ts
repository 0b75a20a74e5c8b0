// The exact empirical score of an image set as a source of s·J, against closed forms: with two training
// points the posterior covariance is w(1 − w) ΔΔᵀ, so s·J has one eigenvalue −1 + w(1 − w)|Δ|²/s and
// d − 1 at −1; with many points it memorises at small s (all eigenvalues −1) and at large s approaches
// −1 + λᵢ/s over the covariance eigenvalues λᵢ of the set.
import { describe, expect, it } from 'vitest';
import { symmetricEigenvalues } from '../../linalg/index.ts';
import { empiricalImageScore } from '../../images/empirical-image-score.ts';
import { dataCovarianceEigenvalues } from '../../images/gaussian-model.ts';
import { noisedPointSpectra } from '../../images/spectra.ts';
import { createRng } from '../../science/random.ts';
import { VE_DEFAULTS, VeSde } from '../../science/sde.ts';
import gapsStage from '../../stages/gaps.ts';
import spectraStage from '../../stages/spectra-images.ts';
import gaussianStage from '../../stages/spectra-gaussian.ts';
import { runStage, writtenTable } from '../support/stage-context.ts';

const sde = new VeSde(VE_DEFAULTS);
const d = 10;

describe('empirical image score', () => {
  it('has the two-point closed form at an intermediate s', () => {
    const rng = createRng(4);
    const y = new Float64Array(2 * d);
    rng.fillNormal(y);
    const model = empiricalImageScore(y, 2, d, sde);
    const x = Float64Array.from({ length: d }, (_, j) => 0.5 * (y[j] + y[d + j]) + 0.1 * Math.cos(j));
    let delta2 = 0;
    let da = 0;
    let db = 0;
    for (let j = 0; j < d; j++) {
      delta2 += (y[j] - y[d + j]) ** 2;
      da += (x[j] - y[j]) ** 2;
      db += (x[j] - y[d + j]) ** 2;
    }
    for (const s of [0.3, 1, 4]) {
      const w = 1 / (1 + Math.exp((da - db) / (2 * s)));
      const eig = symmetricEigenvalues(model.scaledJacobian(x, Math.sqrt(s)), d);
      for (let r = 0; r < d - 1; r++) expect(Math.abs(eig[r] + 1)).toBeLessThan(1e-9);
      expect(Math.abs(eig[d - 1] - (-1 + (w * (1 - w) * delta2) / s))).toBeLessThan(1e-9);
    }
  });

  it('memorises at small s and approaches the Gaussian spectrum −1 + λᵢ/s at large s', async () => {
    const n = 40;
    const rng = createRng(6);
    const y = new Float64Array(n * d);
    rng.fillNormal(y);
    const model = empiricalImageScore(Float32Array.from(y), n, d, sde);
    const points = Float32Array.from(y.subarray(0, 2 * d));
    const grid = [
      { t: sde.timeOfVariance(1e-4), s: 1e-4 },
      { t: sde.timeOfVariance(1e4), s: 1e4 },
    ];
    const rows = await noisedPointSpectra(model, points, 2, grid, createRng(1), { score: 'empirical', symmetric: true });
    const lambda = dataCovarianceEigenvalues(Float32Array.from(y), n, d);
    for (let p = 0; p < 2; p++) {
      for (let r = 0; r < d; r++) {
        const small = rows.eig[p * d + r];
        expect(Math.abs(small + 1)).toBeLessThan(1e-9);
        // At s = 1e4 (σ = 100) the log-weights differ by x·y_μ/s ~ σ|y|/s ≈ 0.03: Cov_w = C to a few %,
        // on eigenvalues λ/s that would all be 0 without it.
        const large = rows.eig[(2 + p) * d + r];
        expect(Math.abs(large - (-1 + lambda[r] / 1e4))).toBeLessThan((0.1 * lambda[d - 1]) / 1e4);
        expect(large + 1).toBeGreaterThan(0.5 * (lambda[0] / 1e4));
        // Singular values of a symmetric s·J are |eigenvalues|: all eigenvalues < 0 here, so rank for rank.
        expect(rows.sv[(2 + p) * d + r]).toBe(Math.abs(large));
      }
    }
    expect(new Set(rows.score)).toEqual(new Set(['empirical']));
  });
});

describe('stage spectra-images, score = empirical', () => {
  it('shows collapse: dimension 0 at small t, more above, no weights needed', async () => {
    const n = 60;
    const rng = createRng(9);
    const x = new Float32Array(n * d);
    for (let i = 0; i < x.length; i++) x[i] = rng.normal();
    const images = { numRows: n, columns: { x: { values: x, width: d } } };
    const run = await runStage(spectraStage, { score: 'empirical', times: 8, points: 3 }, { tables: { images } });
    const spectra = writtenTable(run, 'spectra');
    expect(new Set((spectra.columns as { score: string[] }).score)).toEqual(new Set(['empirical']));
    const gaps = await runStage(gapsStage, {}, { tables: { spectra } });
    const ph = writtenTable(gaps, 'phases').columns as { t: Float64Array; dim_estimate: Float64Array };
    const byT = Array.from(ph.t, (t, i) => ({ t, dim: ph.dim_estimate[i] })).sort((a, b) => a.t - b.t);
    expect(byT[0].dim).toBe(0);
    expect(Math.max(...byT.map((r) => r.dim))).toBeGreaterThan(0);
  });

  it('takes the first n_train rows as the training set and its evaluation points', async () => {
    const n = 40;
    const rng = createRng(3);
    const x = new Float32Array(n * d);
    for (let i = 0; i < x.length; i++) x[i] = rng.normal();
    const images = { numRows: n, columns: { x: { values: x, width: d } } };
    const run = await runStage(spectraStage, { score: 'empirical', n_train: 10, times: 2, points: 3 }, { tables: { images } });
    expect(run.logs).toContain('empirical score of 10 of 40 images, float64');
    await expect(runStage(spectraStage, { score: 'empirical', n_train: 2, points: 3 }, { tables: { images } })).rejects.toThrow(/^points: 3 requested but the training set has 2 rows/);
    const gaussian = await runStage(gaussianStage, { n_train: 10, times: 2 }, { tables: { images } });
    expect((writtenTable(gaussian, 'covariance').columns as { n_samples: Int32Array }).n_samples[0]).toBe(10);
  });

  it('needs the weights for score = trained, and says so', async () => {
    const images = { numRows: 2, columns: { x: { values: new Float32Array(2 * d), width: d } } };
    await expect(runStage(spectraStage, { score: 'trained', points: 1 }, { tables: { images } })).rejects.toThrow(/^weights: score = 'trained' needs the weights input/);
  });
});
