// Stage `phase-times`: measured vs predicted opening, peak and closing of every gap, in s and in t
// (science.md §8). Measured gaps are matched to theory gaps by position (theory/phase-times.ts).

import { param } from '../core/params.ts';
import { defineStage, table, tableInput } from '../core/stage.ts';
import { GAPS, PHASE_TIMES, THEORY_GAPS } from '../artifacts/schemas.ts';

export default defineStage({
  name: 'phase-times',
  description: 'Opening, peak and closing of each gap: measured (per score) vs random-matrix theory',
  module: import.meta.url,
  params: {
    method: param.choice(['any', 'exact', 'alg1', 'alg2', 'montecarlo'] as const, {
      default: 'any',
      help: 'Jacobian method used per score (any: exact, else montecarlo, alg2, alg1)',
    }),
  },
  inputs: {
    gaps: tableInput(GAPS, 'Measured gaps (gaps stage)'),
    theory_gaps: tableInput(THEORY_GAPS, 'Predicted gaps (theory stage)'),
  },
  outputs: {
    phase_times: table(
      PHASE_TIMES,
      'Per gap and source (theory | trained | analytic | empirical); s_close 0 = still open at the end, NaN = never seen',
    ),
  },
  resources: { cpu: 1, memoryMiB: 200 },
  async run(ctx) {
    const { phaseTimes } = await import('../theory/phase-times.ts');
    const g = await ctx.read.table('gaps');
    const tg = await ctx.read.table('theory_gaps');
    const theory = Array.from({ length: tg.numRows }, (_, i) => ({
      gapIndex: tg.columns.gap_index[i],
      kind: tg.columns.kind[i],
      lowerEdge: tg.columns.lower_edge[i],
      upperEdge: tg.columns.upper_edge[i],
      sMax: tg.columns.s_max[i],
      sOpen: tg.columns.s_open[i],
      sClose: tg.columns.s_close[i],
      tOpen: tg.columns.t_open[i],
      tMax: tg.columns.t_max[i],
      tClose: tg.columns.t_close[i],
    }));
    const measured = Array.from({ length: g.numRows }, (_, i) => ({
      score: g.columns.score[i],
      method: g.columns.method[i],
      t: g.columns.t[i],
      s: g.columns.s[i],
      lower: g.columns.lower[i],
      upper: g.columns.upper[i],
      width: g.columns.width[i],
    }));
    const rows = phaseTimes(theory, measured, ctx.params.method);
    await ctx.write.table('phase_times', {
      gap: rows.map((r) => r.gap),
      source: rows.map((r) => r.source),
      s_open: Float64Array.from(rows.map((r) => r.sOpen)),
      s_max: Float64Array.from(rows.map((r) => r.sMax)),
      s_close: Float64Array.from(rows.map((r) => r.sClose)),
      t_open: Float64Array.from(rows.map((r) => r.tOpen)),
      t_max: Float64Array.from(rows.map((r) => r.tMax)),
      t_close: Float64Array.from(rows.map((r) => r.tClose)),
    });
    ctx.progress(1);
  },
});
