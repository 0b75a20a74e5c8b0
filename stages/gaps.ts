// Stage `gaps`: gap detection on measured rescaled spectra (science.md §8). Per (score, method, t), gaps
// wider than Δ are found on every evaluation point's sorted spectrum and aggregated: a gap counts when
// at least `min_fraction` of the points show it (gaps of different points are matched by overlapping
// position), with median edges and rank. Phases: trivial (no gap), consolidation (only the final gap —
// the lowest gap at the smallest s), coverage (otherwise); dim_estimate = eigenvalues above the lowest gap.

import { param } from '../core/params.ts';
import { defineStage, table, tableInput } from '../core/stage.ts';
import { GAPS, PHASES, SPECTRA } from '../artifacts/schemas.ts';
import { RESOLUTION_PARAMS } from '../theory/resolution-param.ts';

export default defineStage({
  name: 'gaps',
  description: 'Spectral gaps, dimension estimate and phase label per time, from measured spectra',
  module: import.meta.url,
  params: {
    ...RESOLUTION_PARAMS,
    min_fraction: param.number({ default: 0.5, exclusiveMin: 0, max: 1, help: 'Fraction of evaluation points that must show a gap for it to count' }),
    quantity: param.choice(['eig', 'sv'] as const, { default: 'eig', help: 'Spectrum read: eigenvalues of sym(s·J), or singular values (as −sv)' }),
    point_kind: param.choice(['any', 'trajectory', 'noised', 'draw'] as const, { default: 'any', help: 'Evaluation points used (any: all pooled)' }),
    rank_tolerance: param.integer({ default: 2, min: 0, help: 'Ranks by which a gap may move and still be the final (manifold) gap' }),
  },
  inputs: {
    spectra: tableInput(
      SPECTRA,
      'Rescaled Jacobian spectra (spectra, montecarlo or spectra-images)',
    ),
  },
  outputs: {
    gaps: table(GAPS, 'Aggregated gaps per time, ascending in position'),
    phases: table(PHASES, 'Phase label and dimension estimate per time'),
  },
  resources: { cpu: 1, memoryMiB: 500 },
  async run(ctx) {
    const p = ctx.params;
    const { spectraSeries } = await import('../theory/spectra-table.ts');
    const { gapTables, measureGaps } = await import('../theory/gap-tables.ts');
    const input = await ctx.read.table('spectra');
    const series = spectraSeries(input.columns, input.numRows, p.quantity, p.point_kind);
    if (series.length === 0) throw new Error(`gaps: no spectra rows with point_kind=${p.point_kind}`);
    ctx.progress(0.3, `${series.length} series`);
    const measured = measureGaps(series, { delta: p.delta, minFraction: p.min_fraction });
    const tables = gapTables(measured, p.rank_tolerance);
    await ctx.write.table('gaps', tables.gaps);
    await ctx.write.table('phases', tables.phases);
    ctx.progress(1);
  },
});
