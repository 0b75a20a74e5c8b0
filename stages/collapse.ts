// Stage `collapse`: the George–Veiga–Macris collapse time of the exact empirical score vs a measurement
// (science.md §9). For each n: n training points on a p = round(β d)-dimensional linear subspace (unit
// variance along it), reverse-SDE trajectories driven by the exact empirical score, and at every time t
// of the analysis grid the fraction of trajectories captured by a training point (denoised state within
// ε × that point's nearest-neighbour distance). t_c_theory is t_C = ½ log(1 + (e^{2α'/β} − 1)⁻¹), α' = log(n)/d, converted from OU
// time to this pipeline's VE clock through s = e^{2 t_OU} − 1 (both t columns are VE times).
//
// Finite-d caveat (for the README): t_C is a d → ∞ result with n exponential in d; at the small d an exact
// empirical score allows (default d = 8, n ≤ 3000) capture is a smooth crossover whose position depends
// on ε, so the measurement tests the trend of t_C with n (larger n, later capture), not its exact value.

import { param } from '../core/params.ts';
import { defineStage, table } from '../core/stage.ts';
import { COLLAPSE } from '../artifacts/schemas.ts';
import { SDE_PARAMS, sdeParamsOf, sdeProblem } from '../science/sde-params.ts';

export default defineStage({
  name: 'collapse',
  description: 'Collapse (memorisation) time of the exact empirical score vs n: measurement and theory',
  module: import.meta.url,
  params: {
    d: param.integer({ default: 8, min: 1, max: 64, help: 'Ambient dimension d (small: the theory needs n ~ e^{α′d})' }),
    beta: param.number({ default: 0.5, exclusiveMin: 0, max: 1, help: 'Manifold dimension fraction β = p/d, p = round(β d)' }),
    n: param.numbers({ default: [10, 30, 100, 300, 1000, 3000], min: 2, integer: true, minLength: 1, help: 'Training-set sizes' }),
    trajectories: param.integer({ default: 200, min: 1, help: 'Reverse trajectories per n' }),
    steps: param.integer({ default: 400, min: 1, help: 'Euler–Maruyama steps over [eps, 1]' }),
    grid: param.integer({ default: 60, min: 2, help: 'Analysis-grid times at which capture is measured' }),
    eps_capture: param.number({ default: 0.1, exclusiveMin: 0, help: 'Capture radius, in units of the captured training point’s nearest-neighbour distance' }),
    ...SDE_PARAMS,
    seed: param.integer({ default: 0, min: 0, help: 'Seed of the training sets and trajectories' }),
  },
  check(p) {
    if (Math.round(p.beta * p.d) < 1) return `beta × d must round to a manifold dimension ≥ 1, got beta=${p.beta}, d=${p.d}`;
    return sdeProblem(p);
  },
  inputs: {},
  outputs: {
    collapse: table(
      COLLAPSE,
      'Fraction of trajectories captured by a training point at each VE time t, per n, and the theory’s collapse time (VE clock)',
    ),
  },
  resources: { cpu: 1, memoryMiB: 300 },
  async run(ctx) {
    const p = ctx.params;
    const { captureCurve, collapseVariance, manifoldTrainingSet, measuredCollapseTime, sampleExponent } = await import('../theory/collapse.ts');
    const { VeSde } = await import('../science/sde.ts');
    const { createRng } = await import('../science/random.ts');
    const sde = new VeSde(sdeParamsOf(p));
    const manifoldDim = Math.round(p.beta * p.d);
    const beta = manifoldDim / p.d;
    const rows = { n: [] as number[], d: [] as number[], t: [] as number[], fraction: [] as number[], t_c_theory: [] as number[] };
    const rng = createRng(p.seed);
    for (const [i, n] of p.n.entries()) {
      const samples = manifoldTrainingSet(n, p.d, manifoldDim, rng.fork(2 * i + 1));
      const curve = captureCurve(samples, n, p.d, sde, {
        trajectories: p.trajectories,
        steps: p.steps,
        gridSize: p.grid,
        eps: p.eps_capture,
        rng: rng.fork(2 * i + 2),
        signal: ctx.signal,
      });
      const tc = sde.timeOfVariance(collapseVariance(sampleExponent(n, p.d), beta));
      curve.grid.forEach(({ t }, k) => {
        rows.n.push(n);
        rows.d.push(p.d);
        rows.t.push(t);
        rows.fraction.push(curve.fraction[k]);
        rows.t_c_theory.push(tc);
      });
      ctx.log.info(`n=${n}: half captured at t=${measuredCollapseTime(curve).toFixed(3)}, theory t_C=${tc.toFixed(3)} (VE clock)`);
      ctx.progress((i + 1) / p.n.length, `n=${n}`);
    }
    await ctx.write.table('collapse', {
      n: Int32Array.from(rows.n),
      d: Int32Array.from(rows.d),
      t: Float64Array.from(rows.t),
      fraction: Float64Array.from(rows.fraction),
      t_c_theory: Float64Array.from(rows.t_c_theory),
    });
  },
});
