// Stage `montecarlo`: the finite-d check of science.md §7 — for R draws of F, the eigenvalues of
// s·J = −s(C + sI)⁻¹ of the linear Gaussian model at every s of the analysis grid, in the common
// `spectra` schema (score analytic, method montecarlo, point_kind draw, point = draw index, sv = |eig|).
// Each draw diagonalises C once (through the m × m Gram matrix); every s then costs a division per eigenvalue.

import { param } from '../core/params.ts';
import { defineStage, table, tableInput } from '../core/stage.ts';
import { SDE_PARAMS, sdeParamsOf, sdeProblem } from '../science/sde-params.ts';
import { SPECTRA, PROFILE } from '../artifacts/schemas.ts';
import { PROFILE_PARAMS, profileParamsProblem } from '../theory/profile-params.ts';

export default defineStage({
  name: 'montecarlo',
  description: 'Finite-d spectra of s·J for R draws of F (linear Gaussian model)',
  module: import.meta.url,
  params: {
    ...PROFILE_PARAMS,
    d: param.integer({ default: 100, min: 1, help: 'Ambient dimension d (without a profile input)' }),
    draws: param.integer({ default: 100, min: 1, help: 'Number R of independent draws of F' }),
    s_points: param.integer({ default: 100, min: 1, help: 'Points of the analysis grid (log-spaced in s over t ∈ [eps, 1])' }),
    ...SDE_PARAMS,
    seed: param.integer({ default: 0, min: 0, help: 'Seed of the draws of F' }),
  },
  check(p) {
    if (Math.round(p.alpha * p.d) < 1) return `alpha × d must round to m ≥ 1, got alpha=${p.alpha}, d=${p.d}`;
    const sdeIssue = sdeProblem(p);
    if (sdeIssue) return sdeIssue;
    return profileParamsProblem(p);
  },
  inputs: {
    profile: tableInput(
      PROFILE,
      'Variance profile of the data stage (overrides alpha/fractions/variances/d)',
      true,
    ),
  },
  outputs: {
    spectra: table(
      SPECTRA,
      'Eigenvalues of s·J per draw and s (ascending by rank); sv = |eig| (descending by rank)',
    ),
  },
  resources: (p) => ({ cpu: 1, memoryMiB: 100 + Math.ceil((p.draws * p.s_points * p.d * 60 + 4 * 8 * p.d * p.d) / 2 ** 20), memoryFrom: ['d', 'draws', 's_points'] }),
  async run(ctx) {
    const p = ctx.params;
    const { profileFromTable } = await import('../theory/profile.ts');
    const { monteCarloSpectra } = await import('../theory/montecarlo-table.ts');
    let groups = p.fractions.map((fraction, k) => ({ fraction, variance: p.variances[k] }));
    let d = p.d;
    let m = Math.round(p.alpha * p.d);
    if (ctx.read.has('profile')) {
      const fromData = profileFromTable(await ctx.read.table('profile'));
      groups = fromData.profile.fractions.map((fraction, k) => ({ fraction, variance: fromData.profile.variances[k] }));
      d = fromData.d;
      m = fromData.m;
    }
    const spectra = monteCarloSpectra({
      groups,
      d,
      m,
      draws: p.draws,
      sde: sdeParamsOf(p),
      sPoints: p.s_points,
      seed: p.seed,
      scaling: p.scaling,
      onDraw: (r) => ctx.progress((0.9 * (r + 1)) / p.draws, `draw ${r + 1}/${p.draws}`),
      signal: ctx.signal,
    });
    await ctx.write.table('spectra', spectra);
    ctx.progress(1);
  },
});
