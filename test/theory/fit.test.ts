// The theory fit recovers a known profile from Monte-Carlo spectra of the linear Gaussian model.
import { describe, expect, it } from 'vitest';
import fitStage from '../../stages/fit.ts';
import montecarloStage from '../../stages/montecarlo.ts';
import { nelderMead } from '../../theory/nelder-mead.ts';
import { fitTables } from '../../theory/fit-tables.ts';
import { monteCarloSpectra } from '../../theory/montecarlo-table.ts';
import { spectraSeries } from '../../theory/spectra-table.ts';
import { createRng } from '../../science/random.ts';
import { runStage, writtenTable } from '../support/stage-context.ts';

type Cols = Record<string, ArrayLike<unknown>>;

function profileTable(f: number, v1: number, v2: number, d: number, m: number) {
  return {
    numRows: 2,
    columns: {
      group: Int32Array.from([0, 1]),
      fraction: Float64Array.from([f, 1 - f]),
      variance: Float64Array.from([v1, v2]),
      alpha: Float64Array.from([m / d, m / d]),
      d: Int32Array.from([d, d]),
      m: Int32Array.from([m, m]),
    },
  };
}

describe('Nelder–Mead', () => {
  it('minimises the Rosenbrock function', () => {
    const r = nelderMead((x) => (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2, [-1.2, 1], { step: 0.5, maxEvaluations: 2000, tolerance: 1e-20 });
    expect(r.x[0]).toBeCloseTo(1, 4);
    expect(r.x[1]).toBeCloseTo(1, 4);
  });
});

describe('fit stage', () => {
  it.each([
    // (f, σ₁², σ₂², d, m): the fig3-left profile and one with σ₁² < σ₂² and other dimensions.
    [0.75, 1, 0.01, 100, 40],
    [0.6, 0.05, 2, 80, 36],
  ])('recovers f=%f σ₁²=%f σ₂²=%f (d=%i, m=%i)', async (f, v1, v2, d, m) => {
    const profile = profileTable(f, v1, v2, d, m);
    const mc = await runStage(montecarloStage, { draws: 12, s_points: 60, seed: 21 }, { tables: { profile } });
    const fit = await runStage(fitStage, { bootstrap: 8, seed: 1 }, { tables: { spectra: writtenTable(mc, 'spectra'), profile } });
    const t = writtenTable(fit, 'fit').columns as Cols;
    const names = t.parameter as string[];
    const get = (n: string, col: string) => (t[col] as Float64Array)[names.indexOf(n)];
    expect(Math.abs(get('m', 'fitted') - m)).toBeLessThanOrEqual(1);
    expect(Math.abs(get('f', 'fitted') - f)).toBeLessThanOrEqual(0.05);
    expect(Math.abs(get('sigma1sq', 'fitted') / v1 - 1)).toBeLessThan(0.3);
    expect(Math.abs(get('sigma2sq', 'fitted') / v2 - 1)).toBeLessThan(0.3);
    expect(get('m', 'truth')).toBe(m);
    expect(get('sigma1sq', 'truth')).toBe(v1);
    for (const n of names) {
      expect(get(n, 'lo')).toBeLessThanOrEqual(get(n, 'fitted') + 1e-9);
      expect(get(n, 'hi')).toBeGreaterThanOrEqual(get(n, 'fitted') - 1e-9);
    }
    // W1 to the true theory is small at every s (finite-d effects only): below 1% of the spectrum's range.
    const wTable = writtenTable(fit, 'wasserstein');
    expect(wTable.numRows).toBe(60);
    const w = wTable.columns as Cols;
    expect(Math.max(...Array.from(w.w1 as Float64Array))).toBeLessThan(0.01);
  });
});

describe('fit on noisy spectra', () => {
  it('still recovers the profile when every eigenvalue carries N(0, 0.02²) noise (a stand-in for trained-network error)', () => {
    const sp = monteCarloSpectra({
      groups: [
        { fraction: 0.75, variance: 1 },
        { fraction: 0.25, variance: 0.01 },
      ],
      d: 100,
      m: 40,
      draws: 16,
      sde: { sigmaMin: 0.01, sigmaMax: 50, eps: 1e-5 },
      sPoints: 60,
      seed: 4,
      scaling: '1/d',
    });
    const rng = createRng(2);
    const eig = sp.eig.map((v) => v + 0.02 * rng.normal());
    const series = spectraSeries({ ...sp, eig }, sp.t.length, 'eig', 'any');
    const r = fitTables(series[0], series, { groups: 2, at: [1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 1], bootstrap: 0, seed: 1 });
    const get = (n: string) => r.fit.fitted[r.fit.parameter.indexOf(n)];
    expect(Math.abs(get('m') - 40)).toBeLessThanOrEqual(1);
    expect(Math.abs(get('f') - 0.75)).toBeLessThanOrEqual(0.05);
    expect(Math.abs(get('sigma1sq') - 1)).toBeLessThan(0.3);
    expect(Math.abs(get('sigma2sq') / 0.01 - 1)).toBeLessThan(0.3);
    // Without a bootstrap the interval collapses onto the estimate; without a truth it is NaN.
    expect(Array.from(r.fit.lo)).toEqual(Array.from(r.fit.fitted));
    expect(Number.isNaN(r.fit.truth[0])).toBe(true);
  });
});
