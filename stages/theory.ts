// Stage `theory`: random-matrix predictions for the linear Gaussian model (science.md §7) — bulk edges of
// C, the density of the rescaled Jacobian s·J along the analysis grid, every gap's peak and visibility
// window, gap widths and the dimension-drop curve vs s. Numerics in theory/, imported inside `run`.

import { param } from '../core/params.ts';
import { defineStage, table, tableInput } from '../core/stage.ts';
import { PROFILE, THEORY_CURVES, THEORY_DENSITY, THEORY_EDGES, THEORY_GAPS } from '../artifacts/schemas.ts';
import { SDE_PARAMS, sdeParamsOf, sdeProblem } from '../science/sde-params.ts';
import { PROFILE_PARAMS, profileParamsProblem } from '../theory/profile-params.ts';
import { RESOLUTION_PARAMS } from '../theory/resolution-param.ts';

export default defineStage({
  name: 'theory',
  description: 'Random-matrix theory of the linear model: edges, density of s·J, gaps, dimension drop',
  module: import.meta.url,
  params: {
    ...PROFILE_PARAMS,
    d: param.integer({ default: 100, min: 1, help: 'Ambient dimension for the dimension-drop curve (without a profile input)' }),
    ...RESOLUTION_PARAMS,
    s_points: param.integer({ default: 100, min: 2, help: 'Points of the analysis grid (log-spaced in s over t ∈ [eps, 1])' }),
    ...SDE_PARAMS,
    at_times: param.numbers({ default: [0.45, 0.3, 0.11], min: 0, max: 1, help: 'Extra times t at which the density is written (Figure 4)' }),
    density_nodes: param.integer({ default: 200, min: 8, help: 'Density nodes per bulk (edge-clustered)' }),
  },
  check(p) {
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
    theory_edges: table(THEORY_EDGES, 'Bulks of C’s non-zero spectrum, ascending'),
    theory_density: table(THEORY_DENSITY, 'Density of s·J eigenvalues (continuous part; atom 1 − α at −1)'),
    theory_gaps: table(
      THEORY_GAPS,
      'Every gap: edges in C units, peak, height and visibility window (NaN: not applicable / never visible)',
    ),
    theory_curves: table(
      THEORY_CURVES,
      'Gap width vs s per gap (dimension NaN) and the dimension-drop curve (gap_index −1, width NaN)',
    ),
  },
  resources: { cpu: 1, memoryMiB: 200 },
  async run(ctx) {
    const p = ctx.params;
    const { buildTheoryTables } = await import('../theory/theory-tables.ts');
    const { profileFromTable, profileForScaling } = await import('../theory/profile.ts');
    let profile = { alpha: p.alpha, fractions: p.fractions, variances: p.variances };
    let d = p.d;
    if (ctx.read.has('profile')) {
      const fromData = profileFromTable(await ctx.read.table('profile'));
      profile = fromData.profile;
      d = fromData.d;
      ctx.log.info(`profile from ${ctx.read.origin('profile').node}: α = ${profile.alpha}, ${profile.fractions.length} group(s), d = ${d}`);
    }
    ctx.progress(0.1, 'edges and density');
    const tables = buildTheoryTables({
      profile: profileForScaling(profile, p.scaling),
      d,
      delta: p.delta,
      sde: sdeParamsOf(p),
      sPoints: p.s_points,
      atTimes: p.at_times,
      densityNodes: p.density_nodes,
    });
    ctx.progress(0.8, 'writing');
    await ctx.write.table('theory_edges', tables.edges);
    await ctx.write.table('theory_density', tables.density);
    await ctx.write.table('theory_gaps', tables.gaps);
    await ctx.write.table('theory_curves', tables.curves);
    ctx.progress(1);
  },
});
