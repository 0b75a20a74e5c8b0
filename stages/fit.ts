// Stage `fit`: estimate the data model (m and a K-group variance profile) from measured spectra by
// fitting the random-matrix quantile function of s·J at several s (science.md §8), with a bootstrap over
// evaluation points for the uncertainty; and W1 between measured and theoretical spectra at every time
// (against the true profile when the profile input is bound, otherwise against the fitted one).
// Default `at`: s from 10⁻³ (consolidation for the paper's profiles) to 1 (coverage), half a decade apart,
// so both the small- and the large-variance bulks are resolved by some s.

import { param } from '../core/params.ts';
import { defineStage, table, tableInput } from '../core/stage.ts';
import { FIT, PROFILE, SPECTRA, WASSERSTEIN } from '../artifacts/schemas.ts';

export default defineStage({
  name: 'fit',
  description: 'Fit m and the variance profile to measured spectra (quantile matching), with bootstrap intervals and W1',
  module: import.meta.url,
  params: {
    groups: param.integer({ default: 2, min: 1, max: 8, help: 'Number K of variance groups fitted' }),
    at: param.numbers({ default: [1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 1], exclusiveMin: 0, minLength: 1, help: 'Noise variances s fitted (nearest measured s each)' }),
    bootstrap: param.integer({ default: 200, min: 0, help: 'Bootstrap resamples of the evaluation points (0: no interval)' }),
    seed: param.integer({ default: 0, min: 0, help: 'Seed of the bootstrap' }),
    score: param.choice(['any', 'trained', 'analytic', 'empirical'] as const, { default: 'any', help: 'Score whose spectra are fitted (any: the first series)' }),
    method: param.choice(['any', 'exact', 'alg1', 'alg2', 'montecarlo'] as const, { default: 'any', help: 'Jacobian method whose spectra are fitted' }),
    quantity: param.choice(['eig', 'sv'] as const, { default: 'eig', help: 'Spectrum read: eigenvalues of sym(s·J), or singular values (as −sv)' }),
    point_kind: param.choice(['any', 'trajectory', 'noised', 'draw'] as const, { default: 'any', help: 'Evaluation points used' }),
  },
  inputs: {
    spectra: tableInput(
      SPECTRA,
      'Measured rescaled spectra',
    ),
    profile: tableInput(
      PROFILE,
      'True variance profile (data stage), reported next to the fit',
      true,
    ),
  },
  outputs: {
    fit: table(FIT, 'Fitted parameters with 95% bootstrap intervals and the truth (NaN if unknown)'),
    wasserstein: table(WASSERSTEIN, 'W1 between measured and theoretical spectra per time'),
  },
  resources: { cpu: 1, memoryMiB: 800 },
  async run(ctx) {
    const p = ctx.params;
    const { spectraSeries } = await import('../theory/spectra-table.ts');
    const { fitTables } = await import('../theory/fit-tables.ts');
    const { profileFromTable } = await import('../theory/profile.ts');
    const input = await ctx.read.table('spectra');
    const all = spectraSeries(input.columns, input.numRows, p.quantity, p.point_kind);
    const candidates = all.filter((s) => (p.score === 'any' || s.score === p.score) && (p.method === 'any' || s.method === p.method));
    if (candidates.length === 0) {
      throw new Error(`fit: no spectra with score=${p.score}, method=${p.method}, point_kind=${p.point_kind}; present: ${all.map((s) => `${s.score}/${s.method}`).join(', ') || 'none'}`);
    }
    if (candidates.length > 1) ctx.log.warn(`fit: several series match; fitting ${candidates[0].score}/${candidates[0].method}`);
    const truth = ctx.read.has('profile') ? profileFromTable(await ctx.read.table('profile')) : undefined;
    const tables = fitTables(candidates[0], all, {
      groups: p.groups,
      at: p.at,
      bootstrap: p.bootstrap,
      seed: p.seed,
      truth: truth && { profile: truth.profile, m: truth.m },
      onProgress: (f, m) => ctx.progress(f, m),
    });
    ctx.log.info(`fit: m = ${tables.fitted.m.toFixed(2)}, loss ${tables.fitted.loss.toExponential(3)}`);
    await ctx.write.table('fit', tables.fit);
    await ctx.write.table('wasserstein', tables.wasserstein);
    ctx.progress(1);
  },
});
