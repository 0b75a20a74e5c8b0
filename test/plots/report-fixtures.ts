// Real figures rendered from the synthetic tables, shared by the report tests: PNGs for most figures,
// one as SVG (the report takes either), and one left out (a node that was not run).
import type { Lineage } from '../../core/stage.ts';
import { renderFigure } from '../../plots/render.ts';
import { figure2Spec } from '../../plots/figure2.ts';
import { figure3Spec } from '../../plots/figure3.ts';
import { phaseDiagramSpec } from '../../plots/phase-diagram.ts';
import { collapseSpec } from '../../plots/collapse-plot.ts';
import { DEFAULT_STYLE } from '../../plots/theme.ts';
import * as syn from './synthetic.ts';

export interface RenderedFigures {
  /** Report input name → bytes (PNG, or SVG text encoded). */
  files: Record<string, Uint8Array>;
  /** Figure nodes left out. */
  missing: string[];
}

export async function renderSampleFigures(): Promise<RenderedFigures> {
  const sValues = [1, 0.1, 0.01];
  const times = syn.analysisTimes(12);
  const style = DEFAULT_STYLE;
  const fig2 = figure2Spec(
    { montecarlo: syn.montecarloTable(sValues, 20, 1), density: syn.densityTable(sValues, 200), curves: syn.curvesTable(0.1, 40) },
    { sValues, bins: 30, style },
  );
  const fig3 = figure3Spec(
    { left: syn.spectraTable({ score: 'trained', method: 'exact', pointKind: 'trajectory', times, points: 2, noise: 0.01, seed: 1 }) },
    { value: 'sv', xAxis: 's', selection: {}, ranks: [], maxRanks: 40, style },
  );
  const phase = phaseDiagramSpec(syn.edgesTable(), { sMin: 1e-4, sMax: 2500, sPoints: 40, deltaMin: 0.01, deltaMax: 0.95, deltaPoints: 20, style });
  const collapse = collapseSpec(syn.collapseTable(), { threshold: 0.5, style });
  const [a, b, c, d] = await Promise.all([fig2, fig3, phase, collapse].map((s) => renderFigure(s, { scale: 1 })));
  return {
    files: {
      figure2: a.png,
      figure3: b.png,
      phase_diagram: new TextEncoder().encode(c.svg),
      collapse_plot: d.png,
    },
    missing: ['figure4', 'figure5', 'image-dimension', 'gap-widths', 'dimension', 'methods', 'loss'],
  };
}

export const sampleLineage: Lineage = {
  nodes: [
    {
      stage: 'theory',
      node: 'theory',
      experiment: 'fig2',
      key: 'a1b2c3d4e5f6'.repeat(5) + 'abcd',
      params: { alpha: 0.5, f: 0.75, sigma1_sq: 1, sigma2_sq: 0.01 },
      environment: { backend: 'cpu', precision: 'float64' },
      durationMs: 1234,
      createdAt: '2026-11-23T14:00:00.000Z',
    },
    {
      stage: 'train',
      node: 'train',
      experiment: 'fig3-left',
      key: 'ffeeddccbbaa'.repeat(5) + '0123',
      params: { steps: 2000, lr: 1e-4, batch: 128 },
      environment: { backend: 'wasm', precision: 'float32' },
      durationMs: 3_600_000,
      createdAt: '2026-11-23T14:10:00.000Z',
    },
  ],
};
