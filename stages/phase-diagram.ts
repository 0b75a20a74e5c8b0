// Stage `phase-diagram`: phases of generation over (s, Δ), computed from the theory's bulk edges.
// Numerics in plots/phase-map.ts, spec in plots/phase-diagram.ts.
import { param } from '../core/params.ts';
import { defineStage, tableInput } from '../core/stage.ts';
import { figureOutputs, type FigureEntry, styleOf, styleParams, writeFigure } from '../plots/figure-stage.ts';
import { THEORY_EDGES } from '../artifacts/schemas.ts';

const stage = defineStage({
  name: 'phase-diagram',
  description: 'Phase diagram over noise variance s and resolution Δ from the random-matrix bulk edges',
  module: import.meta.url,
  params: {
    s_min: param.number({ default: 1e-4, min: 0, help: 'Smallest s (σ_min² = 1e-4 by default)' }),
    s_max: param.number({ default: 2500, min: 0, help: 'Largest s (σ_max² = 2500 by default)' }),
    s_points: param.integer({ default: 160, min: 2, max: 5000, help: 'Grid cells along s (log-spaced)' }),
    delta_min: param.number({ default: 0.01, min: 0, max: 1, help: 'Smallest resolution Δ' }),
    delta_max: param.number({ default: 0.95, min: 0, max: 1, help: 'Largest resolution Δ' }),
    delta_points: param.integer({ default: 60, min: 2, max: 2000, help: 'Grid cells along Δ' }),
    ...styleParams({ width: 300, height: 220 }),
  },
  check(p) {
    if (!(p.s_min > 0 && p.s_max > p.s_min)) return `need 0 < s_min < s_max, got s_min=${p.s_min}, s_max=${p.s_max}`;
    if (!(p.delta_min > 0 && p.delta_max < 1 && p.delta_max > p.delta_min)) {
      return `need 0 < delta_min < delta_max < 1, got delta_min=${p.delta_min}, delta_max=${p.delta_max}`;
    }
    return undefined;
  },
  inputs: {
    theory_edges: tableInput(THEORY_EDGES, 'Bulk edges of the data covariance spectrum (theory.theory_edges)'),
  },
  outputs: figureOutputs('phase-diagram', 'Phase diagram over (s, Δ)'),
  resources: { cpu: 1, memoryMiB: 300 },
  async run(ctx) {
    const { phaseDiagramSpec } = await import('../plots/phase-diagram.ts');
    const p = ctx.params;
    const spec = phaseDiagramSpec(await ctx.read.table('theory_edges'), {
      sMin: p.s_min,
      sMax: p.s_max,
      sPoints: p.s_points,
      deltaMin: p.delta_min,
      deltaMax: p.delta_max,
      deltaPoints: p.delta_points,
      style: styleOf(p),
    });
    await writeFigure(ctx, spec, p.scale);
  },
});
export default stage;

export const figure: FigureEntry<typeof stage> = {
  stage,
  title: 'Phase diagram over (s, Δ)',
  caption:
    'Phase seen at noise variance s with resolution Δ, from the bulk edges of the data covariance: trivial (no gap), coverage (an intermediate gap), consolidation (only the manifold gap).',
  sources: { theory_edges: 'fig3-left/theory.theory_edges' },
};
