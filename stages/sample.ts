// Stage `sample`: P reverse-time trajectories of the VE SDE (or its probability-flow ODE) driven by a
// score — the trained network, the analytic Gaussian score or the empirical score of the training set —
// recorded on the analysis time grid. Numerics in science/samplers.ts, imported inside `run`.

import { LATENT_VARIANCES, LOADINGS, SAMPLES, TRAJECTORIES } from '../artifacts/schemas.ts';
import { param } from '../core/params.ts';
import { defineStage, fileInput, table, tableInput } from '../core/stage.ts';
import { SDE_PARAMS, sdeParamsOf, sdeProblem } from '../science/sde-params.ts';

export default defineStage({
  name: 'sample',
  description: 'Reverse trajectories (SDE Euler–Maruyama or ODE Heun) recorded on the analysis time grid',
  module: import.meta.url,
  params: {
    score: param.choice(['trained', 'analytic', 'empirical'] as const, {
      default: 'trained',
      help: 'Score that drives the sampler: trained network (needs weights), analytic Gaussian, or empirical (training set)',
    }),
    sampler: param.choice(['sde', 'ode'] as const, { default: 'sde', help: 'Reverse SDE (Euler–Maruyama) or probability-flow ODE (Heun)' }),
    steps: param.integer({ default: 1000, min: 1, help: 'Integration steps N over [eps, 1]' }),
    trajectories: param.integer({ default: 16, min: 1, help: 'Number of trajectories P' }),
    times: param.integer({ default: 100, min: 1, help: 'Size of the analysis time grid (log-spaced in s over [eps, 1])' }),
    ...SDE_PARAMS,
    seed: param.integer({ default: 0, min: 0, help: 'Seed of the prior draws and of the SDE noise' }),
  },
  check(p) {
    const sdeIssue = sdeProblem(p);
    if (sdeIssue) return sdeIssue;
    if (p.times > p.steps + 1) return `times (${p.times}) must not exceed steps + 1 (${p.steps + 1}): every grid interval needs a step`;
    return undefined;
  },
  inputs: {
    samples: tableInput(SAMPLES, 'Training set (the empirical score)'),
    F: tableInput(LOADINGS, 'Loadings F (the analytic score)'),
    variances: tableInput(LATENT_VARIANCES, 'Latent variances (the analytic score)'),
    weights: fileInput('Trained score network (score = trained)', true),
  },
  outputs: {
    trajectories: table(
      TRAJECTORIES,
      'P reverse trajectories on the analysis grid (step = grid index, t decreasing)',
    ),
  },
  resources: { cpu: 1 },
  async run(ctx) {
    const p = ctx.params;
    const { VeSde } = await import('../science/sde.ts');
    const { createRng } = await import('../science/random.ts');
    const { sampleTrajectories } = await import('../science/samplers.ts');
    const { loadScoreModel } = await import('../science/score-source.ts');
    const sde = new VeSde(sdeParamsOf(p));
    const model = await loadScoreModel(p.score, sde, ctx);
    const res = sampleTrajectories(model, {
      sde,
      sampler: p.sampler,
      steps: p.steps,
      trajectories: p.trajectories,
      gridSize: p.times,
      rng: createRng(p.seed),
      signal: ctx.signal,
      onProgress: (f) => ctx.progress(f, `${p.sampler} with the ${p.score} score`),
    });
    // Rows ordered by trajectory, then grid step; the states array is grid step × trajectory × d.
    const { grid, states, d } = res;
    const P = res.trajectories;
    const rows = P * grid.length;
    const x = new Float64Array(rows * d);
    const trajectory = new Int32Array(rows);
    const step = new Int32Array(rows);
    const t = new Float64Array(rows);
    const s = new Float64Array(rows);
    let r = 0;
    for (let k = 0; k < P; k++) {
      for (let j = 0; j < grid.length; j++, r++) {
        trajectory[r] = k;
        step[r] = j;
        t[r] = grid[j].t;
        s[r] = grid[j].s;
        x.set(states.subarray((j * P + k) * d, (j * P + k + 1) * d), r * d);
      }
    }
    await ctx.write.table('trajectories', { trajectory, step, t, s, x: { values: x, width: d } });
  },
});
