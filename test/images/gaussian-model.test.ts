// The Gaussian model of an image set against closed forms: data built so that its sample covariance is
// exactly Q diag(λ) Qᵀ (pairs μ ± a qᵢ), whose s·J spectrum is −s/(s + λᵢ); the same spectrum through the
// analytic linear-model score (Woodbury + Cholesky, another code path); gap detection reads it.
import { describe, expect, it } from 'vitest';
import { haarOrthogonal, symmetricEigenvalues } from '../../linalg/index.ts';
import { dataCovarianceEigenvalues, gaussianModelSpectra } from '../../images/gaussian-model.ts';
import { analyticScore } from '../../science/exact-scores.ts';
import { createRng } from '../../science/random.ts';
import { VE_DEFAULTS, VeSde } from '../../science/sde.ts';
import gapsStage from '../../stages/gaps.ts';
import gaussianStage from '../../stages/spectra-gaussian.ts';
import spectraStage from '../../stages/spectra-images.ts';
import { IMAGE_GRID_PARAMS } from '../../images/grid-params.ts';
import { runStage, writtenTable } from '../support/stage-context.ts';

const d = 12;
// Four zero variances (pixels that never change), then a spread of scales as in images.
const LAMBDA = [0, 0, 0, 0, 1e-3, 0.01, 0.05, 0.2, 0.7, 1.5, 4, 9];
const q = haarOrthogonal(d, createRng(3));
const mu = Float64Array.from({ length: d }, (_, j) => 0.3 * Math.sin(j));

/** 2K rows μ ± √(K λᵢ) qᵢ per non-zero λᵢ, with K = the number of non-zero λᵢ: covariance exactly Σ λᵢ qᵢ qᵢᵀ. */
function dataWithCovariance(): { x: Float64Array; n: number } {
  const nonZero = LAMBDA.map((l, i) => [l, i] as const).filter(([l]) => l > 0);
  const k = nonZero.length;
  const x = new Float64Array(2 * k * d);
  nonZero.forEach(([l, i], r) => {
    const a = Math.sqrt(k * l);
    for (let j = 0; j < d; j++) {
      x[2 * r * d + j] = mu[j] + a * q[i * d + j];
      x[(2 * r + 1) * d + j] = mu[j] - a * q[i * d + j];
    }
  });
  return { x, n: 2 * k };
}

const sde = new VeSde(VE_DEFAULTS);
const grid = sde.analysisGrid(15);

describe('Gaussian model of a dataset', () => {
  const { x, n } = dataWithCovariance();
  const lambda = dataCovarianceEigenvalues(x, n, d);

  it('recovers the covariance eigenvalues', () => {
    for (let i = 0; i < d; i++) expect(Math.abs(lambda[i] - LAMBDA[i])).toBeLessThan(1e-12);
  });

  it('gives s·J eigenvalues −s/(s + λᵢ) and singular values s/(s + λᵢ) to 1e-9 at every s', () => {
    const rows = gaussianModelSpectra(lambda, grid);
    expect(rows.t).toHaveLength(grid.length * d);
    grid.forEach(({ s }, k) => {
      for (let r = 0; r < d; r++) {
        const closed = -s / (s + LAMBDA[r]);
        expect(Math.abs(rows.eig[k * d + r] - closed)).toBeLessThan(1e-9);
        expect(Math.abs(rows.sv[k * d + r] + closed)).toBeLessThan(1e-9);
        expect(rows.s[k * d + r]).toBe(s);
      }
    });
    expect(new Set(rows.score)).toEqual(new Set(['gaussian']));
  });

  it('agrees with the analytic score of the same linear Gaussian model (s·J = −s(C + sI)⁻¹)', () => {
    // C = F diag(v) Fᵀ with F = the columns qᵢ of the non-zero λᵢ (d × m), v = those λᵢ.
    const idx = LAMBDA.map((l, i) => [l, i] as const).filter(([l]) => l > 0);
    const m = idx.length;
    const F = new Float64Array(d * m);
    idx.forEach(([, i], c) => {
      for (let j = 0; j < d; j++) F[j * m + c] = q[i * d + j];
    });
    const analytic = analyticScore(F, Float64Array.from(idx, ([l]) => l), d, m, sde);
    const rows = gaussianModelSpectra(lambda, grid);
    grid.forEach(({ t, s }, k) => {
      const sj = analytic.jacobian(new Float64Array(d), t).map((v) => v * s);
      const eig = symmetricEigenvalues(sj, d);
      for (let r = 0; r < d; r++) expect(Math.abs(rows.eig[k * d + r] - eig[r])).toBeLessThan(1e-9);
    });
  });

  it('rejects a spectrum that is not ascending', () => {
    expect(() => gaussianModelSpectra(Float64Array.from([1, 0]), grid)).toThrow(/ascending/);
  });
});

describe('stage spectra-gaussian', () => {
  it('writes spectra the gaps stage reads: at the smallest t the dimension is the number of varying directions', async () => {
    const { x, n } = dataWithCovariance();
    const images = { numRows: n, columns: { x: { values: Float32Array.from(x), width: d } } };
    const run = await runStage(gaussianStage, { times: 6 }, { tables: { images } });
    const cov = writtenTable(run, 'covariance').columns as { eigenvalue: Float64Array; n_samples: Int32Array };
    // float32 pixels: the covariance is exact to float32 rounding.
    for (let i = 0; i < d; i++) expect(Math.abs(cov.eigenvalue[i] - LAMBDA[i])).toBeLessThan(1e-5);
    expect(cov.n_samples[0]).toBe(n);
    const gaps = await runStage(gapsStage, {}, { tables: { spectra: writtenTable(run, 'spectra') } });
    const phases = writtenTable(gaps, 'phases').columns as { t: Float64Array; dim_estimate: Float64Array; phase: string[] };
    const smallest = phases.t.indexOf(Math.min(...phases.t));
    // At s = 1e-4 the eigenvalues −s/(s + λ) of the seven λ ≥ 0.01 sit within 0.01 of 0, that of
    // λ = 1e-3 at −0.09, the four zeros at −1: one gap, 8 detached.
    expect(phases.dim_estimate[smallest]).toBe(8);
    expect(phases.phase[smallest]).toBe('consolidation');
    const largest = phases.t.indexOf(Math.max(...phases.t));
    expect(phases.phase[largest]).toBe('trivial');
  });

  it('shares the analysis grid with spectra-images, and rejects t_min > t_max alike', async () => {
    for (const k of ['times', 't_min', 't_max'] as const) {
      expect(gaussianStage.params[k]).toBe(IMAGE_GRID_PARAMS[k]);
      expect(spectraStage.params[k]).toBe(IMAGE_GRID_PARAMS[k]);
    }
    await expect(runStage(gaussianStage, { t_min: 0.5, t_max: 0.2 }, { tables: {} })).rejects.toThrow(/t_min=0.5, t_max=0.2/);
  });
});
