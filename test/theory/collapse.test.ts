// Collapse time of the empirical score: the George–Veiga–Macris formula and a small measurement.
import { describe, expect, it } from 'vitest';
import collapseStage from '../../stages/collapse.ts';
import { collapseTimeOu, collapseVariance, nearestNeighbourDistances } from '../../theory/collapse.ts';
import { runStage, writtenTable } from '../support/stage-context.ts';

describe('collapse time formula', () => {
  it('matches closed forms: e^{2α′/β} = 2 gives ½ log 2; the VE variance is e^{2t_C} − 1', () => {
    const beta = 0.5;
    const alphaPrime = (beta * Math.log(2)) / 2;
    expect(collapseTimeOu(alphaPrime, beta)).toBeCloseTo(0.5 * Math.log(2), 12);
    expect(collapseVariance(alphaPrime, beta)).toBeCloseTo(1, 12);
    // n = (1 + 1/s_C)^{p/2}: the volume criterion the formula comes from, with n = e^{α′ d}, p = β d.
    const d = 10;
    for (const n of [3, 50, 1e4]) {
      const ap = Math.log(n) / d;
      const s = collapseVariance(ap, 0.3);
      expect(Math.pow(1 + 1 / s, (0.3 * d) / 2)).toBeCloseTo(n, 6);
    }
  });
  it('decreases with n and rejects bad β', () => {
    expect(collapseTimeOu(0.5, 0.5)).toBeGreaterThan(collapseTimeOu(1, 0.5));
    expect(() => collapseTimeOu(0.5, 0)).toThrow(/beta/);
    expect(() => collapseTimeOu(0, 0.5)).toThrow(/α'/);
  });
  it('nearest-neighbour distances', () => {
    const nn = nearestNeighbourDistances(Float64Array.from([0, 0, 3, 0, 3, 1]), 3, 2);
    expect(Array.from(nn)).toEqual([3, 1, 1]);
  });
});

describe('collapse stage (small)', () => {
  it('nobody is captured at t = 1, almost everyone at the end, and larger n is captured later', async () => {
    const run = await runStage(collapseStage, { d: 6, beta: 0.5, n: [5, 400], trajectories: 60, steps: 150, grid: 30, seed: 3 });
    const c = writtenTable(run, 'collapse').columns as { n: Int32Array; t: Float64Array; fraction: Float64Array; t_c_theory: Float64Array };
    const curve = (n: number) => {
      const idx = Array.from(c.n.keys()).filter((i) => c.n[i] === n);
      return { t: idx.map((i) => c.t[i]), f: idx.map((i) => c.fraction[i]), tc: c.t_c_theory[idx[0]] };
    };
    const half = (cv: { t: number[]; f: number[] }) => cv.t[cv.f.findIndex((f) => f >= 0.5)];
    const small = curve(5);
    const large = curve(400);
    for (const cv of [small, large]) {
      expect(cv.f[0]).toBe(0);
      expect(cv.f[cv.f.length - 1]).toBeGreaterThanOrEqual(0.9);
    }
    expect(small.tc).toBeGreaterThan(large.tc);
    expect(half(small)).toBeGreaterThan(half(large));
  });
});
