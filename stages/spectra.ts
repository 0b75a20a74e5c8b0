// Stage `spectra`: Jacobian spectra of a score along time (science.md §6). At every time of the grid
// (or the explicit at_times), at points on reverse trajectories and at noised training points, the
// Jacobian by the exact method and by Algorithms 1 and 2; eigenvalues of sym(s·J) and singular values of
// s·J, plus the relative Frobenius error of each estimate. Numerics in science/, imported inside `run`.

import { param } from '../core/params.ts';
import { defineStage, fileInput, table, tableInput } from '../core/stage.ts';
import { SDE_PARAMS, sdeParamsOf, sdeProblem } from '../science/sde-params.ts';
import { JACOBIAN_ERROR, LATENT_VARIANCES, LOADINGS, SAMPLES, SPECTRA, TRAJECTORIES } from '../artifacts/schemas.ts';

export default defineStage({
  name: 'spectra',
  description: 'Spectra of the rescaled score Jacobian s·J along time: exact, Algorithm 1 and Algorithm 2',
  module: import.meta.url,
  params: {
    score: param.choice(['trained', 'analytic', 'empirical'] as const, {
      default: 'trained',
      help: 'Score whose Jacobian is measured: trained network (needs weights), analytic Gaussian, or empirical (training set)',
    }),
    methods: param.choices(['exact', 'alg1', 'alg2', 'haar-stack'] as const, {
      default: ['exact', 'alg1', 'alg2'],
      minLength: 1,
      help: "Jacobian estimates: exact, alg1 (one-sided differences), alg2 (central differences), haar-stack (the authors' code: singular values of the stacked scores s(x + σ qᵢ)/σ, times s; eig is NaN)",
    }),
    h_rule: param.choice(['sigma', 'fixed'] as const, { default: 'sigma', help: 'Finite-difference step: h = σ(t), or the fixed value h' }),
    h: param.number({ default: 1e-3, min: 0, help: "Fixed finite-difference step (h_rule = 'fixed')" }),
    times: param.integer({ default: 100, min: 1, help: 'Size of the analysis time grid (log-spaced in s over [eps, 1])' }),
    at_times: param.numbers({ default: [], min: 0, max: 1, help: 'Explicit times t; when non-empty they replace the grid' }),
    point_kinds: param.choices(['trajectory', 'noised', 'clean'] as const, {
      default: ['trajectory', 'noised'],
      minLength: 1,
      help: "Evaluation points: states of reverse trajectories (needs the trajectories input), noised training points x₀ + σ(t)ξ, or clean training points x₀ (as the authors' code evaluates)",
    }),
    points: param.integer({ default: 8, min: 1, help: 'Evaluation points per time and point kind' }),
    ...SDE_PARAMS,
    seed: param.integer({ default: 0, min: 0, help: 'Seed of the noised points and of the random directions' }),
  },
  check(p) {
    const sdeIssue = sdeProblem(p);
    if (sdeIssue) return sdeIssue;
    if (p.h_rule === 'fixed' && !(p.h > 0)) return `h must be positive when h_rule = 'fixed', got h=${p.h}`;
    return undefined;
  },
  inputs: {
    samples: tableInput(SAMPLES, 'Training set (noised points; the empirical score)'),
    F: tableInput(LOADINGS, 'Loadings F (the analytic score and its reference Jacobian)'),
    variances: tableInput(LATENT_VARIANCES, 'Latent variances (the analytic score)'),
    trajectories: tableInput(
      TRAJECTORIES,
      'Reverse trajectories (point_kinds = trajectory)',
      true,
    ),
    weights: fileInput('Trained score network (score = trained)', true),
  },
  outputs: {
    spectra: table(
      SPECTRA,
      'Eigenvalues of sym(s·J) ascending and singular values of s·J descending, per (method, point kind, t, point)',
    ),
    jacobian_error: table(
      JACOBIAN_ERROR,
      '‖s·J_method − s·J_reference‖_F / ‖s·J_reference‖_F: finite differences against exact; trained exact against analytic',
    ),
  },
  // A few d × d float64 matrices per point (the Jacobian, its symmetric part, the eigen/SVD workspace); d is the
  // data's dimension, read from the node bound to samples.
  resources: (_p, inputs) => {
    const d = Number(inputs.samples?.params.d ?? 0);
    return { cpu: 1, memoryMiB: 300 + (8 * 8 * d * d) / 2 ** 20, memoryFrom: ['samples.d'] };
  },
  async run(ctx) {
    const p = ctx.params;
    const { VeSde } = await import('../science/sde.ts');
    const { createRng } = await import('../science/random.ts');
    const { finiteDifferenceStep, randomDirections } = await import('../science/jacobian.ts');
    const { JacobianErrorRows, SpectraRows, measurePoint } = await import('../science/jacobian-spectra.ts');
    const { analyticScore } = await import('../science/exact-scores.ts');
    const { loadScoreModel, readLinearModel, readSamples } = await import('../science/score-source.ts');

    const sde = new VeSde(sdeParamsOf(p));
    const model = await loadScoreModel(p.score, sde, ctx);
    const d = model.d;
    let analytic: Awaited<ReturnType<typeof loadScoreModel>> | undefined;
    if (p.score === 'trained') {
      const lin = await readLinearModel(ctx);
      if (lin.d !== d) throw new Error(`the network has d = ${d} but the data's F has d = ${lin.d}`);
      analytic = analyticScore(lin.F, lin.variances, lin.d, lin.m, sde);
    }
    const { samples, n } = await readSamples(ctx);

    const times = p.at_times.length > 0 ? p.at_times.map((t) => ({ t, s: sde.variance(t) })) : sde.analysisGrid(p.times);
    const kinds = p.point_kinds.filter((k) => {
      if (k === 'trajectory' && !ctx.read.has('trajectories')) {
        ctx.log.warn("point_kinds includes 'trajectory' but no trajectories input is bound: measuring noised points only");
        return false;
      }
      return true;
    });
    const byStep = kinds.includes('trajectory') ? await trajectoryStates(await ctx.read.table('trajectories'), d) : undefined;

    const spectra = new SpectraRows();
    const errors = new JacobianErrorRows();
    const rng = createRng(p.seed);
    for (let k = 0; k < times.length; k++) {
      if (ctx.signal.aborted) throw new Error('spectra aborted');
      const timeRng = rng.fork(k);
      for (const kind of kinds) {
        // Evaluation points and the time they belong to.
        let t = times[k].t;
        let pts: Float64Array[];
        if (kind === 'trajectory') {
          // Trajectories are recorded on their own grid: use the nearest recorded time (and say so).
          const rec = nearest(byStep!, t);
          if (Math.abs(rec.t - t) > 1e-9) ctx.log.info(`t = ${t}: using trajectory states recorded at t = ${rec.t}`);
          t = rec.t;
          pts = rec.states.slice(0, p.points);
        } else {
          const sigma = kind === 'noised' ? sde.sigma(t) : 0;
          pts = Array.from({ length: p.points }, () => {
            const mu = timeRng.int(n);
            const x = samples.slice(mu * d, mu * d + d);
            if (sigma > 0) for (let j = 0; j < d; j++) x[j] += sigma * timeRng.normal();
            return x;
          });
        }
        const s = sde.variance(t);
        const h = finiteDifferenceStep(p.h_rule, sde, t, p.h);
        pts.forEach((x, point) => {
          measurePoint(
            {
              model,
              x,
              label: { score: p.score, pointKind: kind, t, s, point },
              methods: p.methods,
              h,
              sigma: sde.sigma(t),
              directions: p.methods.some((me) => me !== 'exact') ? randomDirections(d, timeRng) : new Float64Array(0),
              analytic,
            },
            spectra,
            errors,
          );
        });
      }
      ctx.progress((k + 1) / times.length, `t = ${times[k].t.toPrecision(3)} (${k + 1}/${times.length})`);
    }
    await ctx.write.table('spectra', spectra.columns());
    await ctx.write.table('jacobian_error', errors.columns());
  },
});

interface RecordedStep {
  t: number;
  states: Float64Array[];
}

/** Trajectory states grouped by grid step, trajectories in order. */
async function trajectoryStates(
  table: { numRows: number; columns: { trajectory: Int32Array; step: Int32Array; t: Float64Array; x: { values: Float64Array | Float32Array; width: number } } },
  d: number,
): Promise<RecordedStep[]> {
  const { trajectory, step, t, x } = table.columns;
  if (x.width !== d) throw new Error(`trajectories have width ${x.width} but the score has d = ${d}`);
  const steps = new Map<number, { t: number; rows: Array<{ k: number; r: number }> }>();
  for (let r = 0; r < table.numRows; r++) {
    let e = steps.get(step[r]);
    if (!e) steps.set(step[r], (e = { t: t[r], rows: [] }));
    e.rows.push({ k: trajectory[r], r });
  }
  return [...steps.values()].map((e) => ({
    t: e.t,
    states: e.rows.sort((a, b) => a.k - b.k).map(({ r }) => Float64Array.from(x.values.subarray(r * d, r * d + d))),
  }));
}

function nearest(steps: RecordedStep[], t: number): RecordedStep {
  if (steps.length === 0) throw new Error('the trajectories table is empty');
  return steps.reduce((best, e) => (Math.abs(e.t - t) < Math.abs(best.t - t) ? e : best));
}
