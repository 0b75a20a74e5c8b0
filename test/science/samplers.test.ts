import { describe, expect, it } from 'vitest';
import { cholesky } from '../../linalg/cholesky.ts';
import { analyticScore } from '../../science/exact-scores.ts';
import { createLinearManifold, dataCovariance } from '../../science/linear-manifold.ts';
import { createRng } from '../../science/random.ts';
import { sampleTrajectories, stepsPerInterval } from '../../science/samplers.ts';
import { VE_DEFAULTS, VeSde } from '../../science/sde.ts';

// With the analytic score, the exact reverse process has the marginal N(0, C + sI) at every time.
// We whiten the P states with the Cholesky factor L of C + sI (y = L⁻¹x) so that every check has a
// known standard error: the mean of y has SE 1/√P per entry, and the covariance of y (ideally I) has
// SE √(2/P) on the diagonal and √(1/P) off it. Five standard errors per entry leave room for the
// 6 + 36 entries × 5 times checked and for the O(1/N) discretisation bias (≈ 1 % here).
const d = 6;
const m = 2;
const P = 4000;
const sde = new VeSde(VE_DEFAULTS);
const data = createLinearManifold({ d, m, profile: { kind: 'double', f: 0.5, sigma1Sq: 1, sigma2Sq: 0.1 }, scaling: '1/d', seed: 1 });
const c = dataCovariance(data.F, data.variances, d, m);
const score = analyticScore(data.F, data.variances, d, m, sde);

function whitenedMoments(states: Float64Array, offset: number, s: number): { mean: number[]; cov: number[][] } {
  const target = Float64Array.from(c);
  for (let i = 0; i < d; i++) target[i * d + i] += s;
  const l = cholesky(target, d);
  const mean = new Array<number>(d).fill(0);
  const cov = Array.from({ length: d }, () => new Array<number>(d).fill(0));
  const y = new Float64Array(d);
  for (let p = 0; p < P; p++) {
    const o = offset + p * d;
    for (let i = 0; i < d; i++) {
      let v = states[o + i];
      for (let k = 0; k < i; k++) v -= l[i * d + k] * y[k];
      y[i] = v / l[i * d + i];
    }
    for (let a = 0; a < d; a++) {
      mean[a] += y[a] / P;
      for (let b = 0; b < d; b++) cov[a][b] += (y[a] * y[b]) / P;
    }
  }
  return { mean, cov };
}

describe.each(['sde', 'ode'] as const)('%s sampler with the analytic score', (sampler) => {
  it('has the marginal N(0, C + sI) on the analysis grid', () => {
    const res = sampleTrajectories(score, { sde, sampler, steps: 1000, trajectories: P, gridSize: 6, rng: createRng(3) });
    expect(res.grid.map((g) => g.t)).toEqual(sde.analysisGrid(6).map((g) => g.t));
    expect(res.states).toHaveLength(6 * P * d);
    for (let j = 1; j < res.grid.length; j++) {
      const { mean, cov } = whitenedMoments(res.states, j * P * d, res.grid[j].s);
      for (let a = 0; a < d; a++) {
        expect(Math.abs(mean[a])).toBeLessThan(5 / Math.sqrt(P));
        for (let b = 0; b < d; b++) {
          const se = a === b ? Math.sqrt(2 / P) : Math.sqrt(1 / P);
          expect(Math.abs(cov[a][b] - (a === b ? 1 : 0))).toBeLessThan(5 * se);
        }
      }
    }
  });
});

describe('sampler plumbing', () => {
  it('splits the steps over grid intervals and is reproducible from its seed', () => {
    const grid = sde.analysisGrid(11);
    const counts = stepsPerInterval(grid, 1000);
    expect(counts).toHaveLength(10);
    expect(counts.reduce((a, b) => a + b)).toBe(1000);
    const run = () => sampleTrajectories(score, { sde, sampler: 'sde', steps: 50, trajectories: 3, gridSize: 4, rng: createRng(8) }).states;
    expect(run()).toEqual(run());
    expect(() => sampleTrajectories(score, { sde, sampler: 'sde', steps: 0, trajectories: 3, gridSize: 4, rng: createRng(8) })).toThrow(
      /steps must be an integer ≥ 1, got 0/,
    );
  });
});
