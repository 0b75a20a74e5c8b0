// The 'epsilon' loss weighting of a preconditioned network draws t with density ∝ out(σ(t))²: checked by
// Monte-Carlo against the CDF integrated numerically from preconditioning() itself; 'edm' and the plain
// network keep t ~ U(eps, 1).
import { describe, expect, it } from 'vitest';
import { preconditioning, type MlpArchitecture } from '../../science/mlp-architecture.ts';
import { createRng } from '../../science/random.ts';
import { VeSde } from '../../science/sde.ts';
import { drawTime } from '../../science/train-mlp.ts';

const sde = { sigmaMin: 0.01, sigmaMax: 50, eps: 1e-5 };
const arch: MlpArchitecture = { d: 4, hidden: 8, blocks: 1, timeEmbed: 4, timeMode: 'project', sigmaData: 0.55 };

/** P(T ≤ t) for density ∝ out(σ(t))² on [eps, 1], by the trapezoid rule on a fine grid. */
function cdf(t: number): number {
  const ve = new VeSde(sde);
  const w = (u: number): number => preconditioning(arch, ve.sigma(u)).out ** 2;
  const integrate = (a: number, b: number): number => {
    const n = 20000, h = (b - a) / n;
    let sum = (w(a) + w(b)) / 2;
    for (let i = 1; i < n; i++) sum += w(a + i * h);
    return sum * h;
  };
  return integrate(sde.eps, t) / integrate(sde.eps, 1);
}

describe('loss weighting', () => {
  it("'epsilon' draws t with density ∝ out(σ(t))² (Monte-Carlo against the integrated CDF)", () => {
    const rng = createRng(3);
    const N = 40000;
    const draws = Float64Array.from({ length: N }, () => drawTime(rng.uniform(), { arch, sde, weighting: 'epsilon' })).sort();
    for (const t of [0.1, 0.3, 0.45, 0.6, 0.8]) {
      let below = 0;
      while (below < N && draws[below] <= t) below++;
      const expected = cdf(t);
      // Binomial standard error at N = 40 000 is ≤ 0.0025; 4 of them.
      expect(Math.abs(below / N - expected), `t = ${t}: empirical ${below / N}, expected ${expected}`).toBeLessThan(0.01);
    }
    // Far from uniform: σ ≤ σ_data gets most draws.
    expect(cdf(0.5)).toBeGreaterThan(0.7);
    expect(draws[0]).toBeGreaterThanOrEqual(sde.eps);
    expect(draws[N - 1]).toBeLessThanOrEqual(1);
  });

  it("'edm' weighting and the plain network keep t ~ U(eps, 1), the uniform draw unchanged", () => {
    for (const U of [0, 0.25, 0.5, 0.99]) {
      const uniform = sde.eps + (1 - sde.eps) * U;
      expect(drawTime(U, { arch, sde, weighting: 'edm' })).toBe(uniform);
      expect(drawTime(U, { arch: { ...arch, sigmaData: undefined }, sde, weighting: 'epsilon' })).toBe(uniform);
    }
  });
});
