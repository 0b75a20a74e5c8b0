// Stage `gaps`: gap detection on measured rescaled spectra (science.md §8). Per (score, method, t), gaps
// wider than Δ are found on every evaluation point's sorted spectrum and aggregated: a gap counts when
// at least `min_fraction` of the points show it (gaps of different points are matched by overlapping
// position), with median edges and rank. Phases: trivial (no gap), consolidation (only the final gap —
// the lowest gap at the smallest s), coverage (otherwise); dim_estimate = eigenvalues above the lowest gap.

import { param } from '../core/params.ts';
import { defineStage, table, tableInput } from '../core/stage.ts';
import { SPECTRA } from '../artifacts/schemas.ts';

export default defineStage({
  name: 'gaps',
  description: 'Spectral gaps, dimension estimate and phase label per time, from measured spectra',
  module: import.meta.url,
  params: {
    delta: param.number({ default: 0.1, min: 0, max: 1, help: 'Gap resolution Δ (same units as the rescaled spectrum), 0 < Δ < 1' }),
    min_fraction: param.number({ default: 0.5, min: 0, max: 1, help: 'Fraction of evaluation points that must show a gap for it to count' }),
    quantity: param.choice(['eig', 'sv'] as const, { default: 'eig', help: 'Spectrum read: eigenvalues of sym(s·J), or singular values (as −sv)' }),
    point_kind: param.choice(['any', 'trajectory', 'noised', 'draw'] as const, { default: 'any', help: 'Evaluation points used (any: all pooled)' }),
    rank_tolerance: param.integer({ default: 2, min: 0, help: 'Ranks by which a gap may move and still be the final (manifold) gap' }),
  },
  check(p) {
    if (!(p.delta > 0 && p.delta < 1)) return `delta must be in (0, 1), got ${p.delta}`;
    if (!(p.min_fraction > 0)) return `min_fraction must be in (0, 1], got ${p.min_fraction}`;
    return undefined;
  },
  inputs: {
    spectra: tableInput(
      SPECTRA,
      'Rescaled Jacobian spectra (spectra, montecarlo or spectra-images)',
    ),
  },
  outputs: {
    gaps: table(
      { score: 'utf8', method: 'utf8', t: 'f64', s: 'f64', gap_index: 'i32', lower: 'f64', upper: 'f64', width: 'f64', count_below: 'i32' },
      'Aggregated gaps per time, ascending in position',
    ),
    phases: table(
      { score: 'utf8', method: 'utf8', t: 'f64', s: 'f64', phase: 'utf8', dim_estimate: 'f64', n_gaps: 'i32' },
      'Phase label and dimension estimate per time',
    ),
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
