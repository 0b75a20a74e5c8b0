// Stage `gap-widths`: width of every spectral gap of s·J vs s — theory curves with the measured gaps as
// points and the resolution Δ. Spec in plots/gap-widths.ts.
import { param } from '../core/params.ts';
import { defineStage, tableInput } from '../core/stage.ts';
import { figureOutputs, type FigureEntry, styleOf, styleParams, writeFigure } from '../plots/figure-stage.ts';
import { GAPS, THEORY_CURVES, THEORY_GAPS } from '../artifacts/schemas.ts';

const stage = defineStage({
  name: 'gap-widths',
  description: 'Gap width vs s: random-matrix theory curves and gaps detected in measured spectra',
  module: import.meta.url,
  params: {
    delta: param.number({ default: 0.1, min: 0, max: 1, help: 'Resolution Δ drawn as a dashed rule (0: none)' }),
    ...styleParams({ width: 300, height: 220 }),
  },
  inputs: {
    theory_curves: tableInput(THEORY_CURVES, 'Gap width vs s per gap (theory.theory_curves)'),
    theory_gaps: tableInput(
      THEORY_GAPS,
      'Kind and edges of each theory gap: legend, and matching measured gaps to theory gaps (theory.theory_gaps)',
      true,
    ),
    gaps: tableInput(GAPS, 'Gaps detected in measured spectra (gaps.gaps)', true),
  },
  outputs: figureOutputs('gap-widths', 'Gap widths vs s'),
  resources: { cpu: 1, memoryMiB: 300 },
  async run(ctx) {
    const { gapWidthsSpec } = await import('../plots/gap-widths.ts');
    let theoryGaps;
    if (ctx.read.has('theory_gaps')) {
      const g = (await ctx.read.table('theory_gaps')).columns;
      theoryGaps = Array.from(g.gap_index, (index, i) => ({ index, kind: g.kind[i], lowerEdge: g.lower_edge[i], upperEdge: g.upper_edge[i] }));
    }
    const spec = gapWidthsSpec(
      {
        curves: await ctx.read.table('theory_curves'),
        gaps: ctx.read.has('gaps') ? await ctx.read.table('gaps') : undefined,
        theoryGaps,
      },
      { delta: ctx.params.delta, style: styleOf(ctx.params) },
    );
    await writeFigure(ctx, spec, ctx.params.scale);
  },
});
export default stage;

export const figure: FigureEntry<typeof stage> = {
  stage,
  title: 'Gap widths vs s',
  caption:
    'Theory widths of the manifold and intermediate gaps against s, with the gaps detected in measured spectra; a gap is visible while wider than the resolution Δ.',
  sources: { theory_curves: 'fig3-left/theory.theory_curves', theory_gaps: 'fig3-left/theory.theory_gaps', gaps: 'fig3-left/gaps-trained.gaps' },
};
