// Stage `gap-widths`: width of every spectral gap of s·J vs s — theory curves with the measured gaps as
// points and the resolution Δ. Spec in plots/gap-widths.ts.
import { defineStage, param, tableInput } from '../engine/stage.ts';
import { figureOutputs, styleOf, styleParams, writeFigure } from '../plots/figure-stage.ts';
import { GAPS, THEORY_CURVES } from '../plots/schemas.ts';

export default defineStage({
  name: 'gap-widths',
  description: 'Gap width vs s: random-matrix theory curves and gaps detected in measured spectra',
  module: import.meta.url,
  params: {
    delta: param.number({ default: 0.1, min: 0, max: 1, help: 'Resolution Δ drawn as a dashed rule (0: none)' }),
    ...styleParams({ width: 300, height: 220 }),
  },
  inputs: {
    theory_curves: tableInput(THEORY_CURVES, 'Gap width vs s per gap (theory.theory_curves)'),
    theory_gaps: tableInput({ gap_index: 'i32', kind: 'utf8' }, 'Kind of each gap, for the legend (theory.theory_gaps)', true),
    gaps: tableInput(GAPS, 'Gaps detected in measured spectra (gaps.gaps)', true),
  },
  outputs: figureOutputs('gap-widths', 'Gap widths vs s'),
  resources: { cpu: 1, memoryMiB: 300 },
  async run(ctx) {
    const { gapWidthsSpec } = await import('../plots/gap-widths.ts');
    let kinds: Map<number, string> | undefined;
    if (ctx.read.has('theory_gaps')) {
      const g = await ctx.read.table('theory_gaps');
      kinds = new Map(Array.from({ length: g.numRows }, (_, i) => [g.columns.gap_index[i], g.columns.kind[i]] as const));
    }
    const spec = gapWidthsSpec(
      {
        curves: await ctx.read.table('theory_curves'),
        gaps: ctx.read.has('gaps') ? await ctx.read.table('gaps') : undefined,
        kinds,
      },
      { delta: ctx.params.delta, style: styleOf(ctx.params) },
    );
    await writeFigure(ctx, spec, ctx.params.scale);
  },
});
