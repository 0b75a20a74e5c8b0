// Every figure stage on synthetic tables from closed forms: the spec compiles with vega-lite, renders
// to an SVG that carries the axis titles of the quantities drawn, and a PNG is written; optional inputs
// left out give a figure that says "not run" instead of failing.
import { describe, expect, it } from 'vitest';
import type { Table } from '../../core/table.ts';
import type { StageDefinition } from '../../core/stage.ts';
import figure2 from '../../stages/figure2.ts';
import figure3 from '../../stages/figure3.ts';
import figure4 from '../../stages/figure4.ts';
import figure5 from '../../stages/figure5.ts';
import imageDimension from '../../stages/image-dimension.ts';
import gapWidths from '../../stages/gap-widths.ts';
import phaseDiagram from '../../stages/phase-diagram.ts';
import dimension from '../../stages/dimension.ts';
import methods from '../../stages/methods.ts';
import loss from '../../stages/loss.ts';
import collapse from '../../stages/collapse-plot.ts';
import haarStack from '../../stages/haar-stack.ts';
import { AXIS } from '../../plots/theme.ts';
import { renderSvg } from '../../plots/render.ts';
import { FIGURES } from '../../stages/report.ts';
import { defaultParams, runStage } from '../support/stage-context.ts';
import * as syn from '../fixtures/plots/synthetic.ts';

const times = syn.analysisTimes(16);
const trained = (seed: number, method = 'exact') =>
  syn.spectraTable({ score: 'trained', method, pointKind: 'trajectory', times, points: 2, noise: 0.01, seed });
const sValues = [1, 0.1, 0.01, 0.001];
const exact = (score: string, seed: number) => syn.spectraTable({ score, method: 'exact', pointKind: 'noised', times, points: 1, noise: 0, seed });
/** Dimensions per source along t: the empirical score at 0 below t = 0.3, the Gaussian model counting 30 directions. */
const imageDimensions = (): Table => {
  const rows = ['trained', 'empirical', 'gaussian'].flatMap((source) => times.map((t) => ({ source, t, dim: source === 'empirical' ? (t < 0.3 ? 0 : 3) : source === 'gaussian' ? 30 * (1 - t) : 12 })));
  return {
    numRows: rows.length,
    columns: {
      source: rows.map((r) => r.source),
      t: Float64Array.from(rows, (r) => r.t),
      s: Float64Array.from(rows, (r) => syn.sde.variance(r.t)),
      phase: rows.map((r) => (r.dim > 0 ? 'consolidation' : 'trivial')),
      dim_gaps: Float64Array.from(rows, (r) => r.dim),
      dim_detached: Float64Array.from(rows, (r) => 2 * r.dim),
    },
  };
};
const intrinsic = (): Table => ({
  numRows: 2,
  columns: { method: ['mle', 'twonn'], k: Int32Array.from([10, 2]), estimate: Float64Array.from([11.5, 13.1]) },
});
const fig4Times = [0.45, 0.3, 0.11];

interface Case {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  stage: StageDefinition<any, any, any>;
  inputs: () => Record<string, Table>;
  params?: Record<string, unknown>;
  titles: string[];
}

const cases: Case[] = [
  {
    stage: figure2,
    inputs: () => ({
      montecarlo: syn.montecarloTable(sValues, 20, 1),
      theory_density: syn.densityTable(sValues, 200),
      theory_curves: syn.curvesTable(0.1, 40),
      phases: syn.phasesTable(times, 0.1, 2, 'analytic', 'montecarlo'),
    }),
    titles: [AXIS.eig, AXIS.density, AXIS.s, AXIS.dimension, 's = 0.01'],
  },
  { stage: figure3, inputs: () => ({ left: trained(1), centre: trained(2), right: trained(3) }), titles: [AXIS.sv, AXIS.s, 'centre: σ₁² = 0.01'] },
  { stage: figure3, inputs: () => ({ left: trained(1) }), params: { x_axis: 't', value: 'eig' }, titles: [AXIS.eig, AXIS.t] },
  {
    stage: figure4,
    inputs: () => ({
      spectra: syn.spectraTable({ score: 'trained', method: 'exact', pointKind: 'trajectory', times: fig4Times, points: 3, noise: 0.01, seed: 4 }),
      theory_density: syn.densityTable(fig4Times.map((t) => syn.sde.variance(t)), 400),
    }),
    titles: [AXIS.eig, AXIS.quantileLevel, 't = 0.3'],
  },
  { stage: figure5, inputs: () => ({ mnist: trained(5) }), titles: [AXIS.sv, AXIS.s, 'MNIST'] },
  { stage: figure5, inputs: () => ({}), titles: ['not run'] },
  {
    stage: figure5,
    inputs: () => ({ mnist: trained(5), mnist_empirical: exact('empirical', 6), mnist_gaussian: exact('gaussian', 7), fashion_mnist_gaussian: exact('gaussian', 8) }),
    titles: ['MNIST: trained network', 'MNIST: empirical score (training set)', 'MNIST: Gaussian model (data covariance)', 'Fashion-MNIST: Gaussian model', 'gaussian score, exact, noised points'],
  },
  {
    stage: imageDimension,
    inputs: () => ({ mnist: imageDimensions(), mnist_intrinsic: intrinsic(), fashion_mnist: imageDimensions() }),
    titles: [AXIS.t, AXIS.dimensionEstimate, 'MNIST', 'Fashion-MNIST', 'TwoNN 13.1', 'MLE (k = 10) 11.5', 'gap detection', 'eigenvalues > −1 + Δ', 'empirical'],
  },
  { stage: imageDimension, inputs: () => ({}), titles: ['not run'] },
  {
    stage: gapWidths,
    inputs: () => ({
      theory_curves: syn.curvesTable(0.1, 60),
      gaps: syn.gapsTable(times, 3),
      theory_gaps: syn.theoryGapsTable(),
    }),
    titles: [AXIS.gapWidth, AXIS.s, 'Δ = 0.1', 'gap 1 (intermediate)'],
  },
  { stage: phaseDiagram, inputs: () => ({ theory_edges: syn.edgesTable() }), params: { s_points: 40, delta_points: 20 }, titles: [AXIS.s, AXIS.delta, 'coverage'] },
  { stage: dimension, inputs: () => ({ phases: syn.phasesTable(times, 0.1, 6), theory_curves: syn.curvesTable(0.1, 40) }), titles: [AXIS.t, AXIS.dimensionEstimate, 'consolidation'] },
  { stage: methods, inputs: () => ({ jacobian_error: syn.jacobianErrorTable(times), spectra: trained(7, 'alg2') }), titles: [AXIS.relError, AXIS.s, AXIS.sv] },
  { stage: methods, inputs: () => ({}), titles: ['not run'] },
  { stage: loss, inputs: () => ({ left: syn.lossTable(500, 1), mnist: syn.lossTable(300, 2) }), titles: [AXIS.loss, AXIS.step, 'fig3-left', 'mnist'] },
  { stage: collapse, inputs: () => ({ collapse: syn.collapseTable() }), titles: [AXIS.t, AXIS.collapseFraction, AXIS.n, 't_C (VE clock)'] },
  { stage: haarStack, inputs: () => ({}), titles: ['not run'] },
];

/** vega writes text as SVG <text> content with XML escapes. */
const xmlText = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

describe('figure stages', () => {
  for (const c of cases) {
    it(`${c.stage.name} (${Object.keys(c.inputs()).join(', ') || 'no inputs'}) writes svg, png and a vega-lite spec`, async () => {
      const overrides = { ...c.params, scale: 1 };
      expect(c.stage.check?.(defaultParams(c.stage.params, overrides) as never)).toBeUndefined();
      const run = await runStage(c.stage, overrides, { tables: c.inputs() });
      const svg = run.text('svg');
      const png = run.files.get('png')!;
      const spec = JSON.parse(run.text('spec'));
      expect(svg.startsWith('<svg')).toBe(true);
      for (const title of c.titles) expect(svg, `missing text "${title}"`).toContain(xmlText(title));
      expect(Array.from(png.subarray(0, 8))).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
      expect(spec.$schema).toMatch(/vega-lite/);
      expect(spec.config.font).toBe('DejaVu Sans');
      // Every output is published under figures/<node name>.
      for (const [name, out] of Object.entries(c.stage.outputs)) {
        const ext = name === 'spec' ? 'vl.json' : name;
        expect((out as { publish?: string }).publish).toBe(`figures/${c.stage.name}.${ext}`);
      }
      expect(run.logs.filter((l) => l.startsWith('warn'))).toEqual([]);
      if (c.stage === figure2) {
        // The published vega-lite spec is complete: re-rendered on its own it gives the same SVG.
        expect((await renderSvg(spec)).svg).toBe(svg);
      }
    });
  }

  it('names a missing required selection clearly', async () => {
    await expect(runStage(figure3, { method: 'alg1' }, { tables: { left: trained(1) } })).rejects.toThrow(/method 'alg1' is not in the table; present: exact/);
  });

  it('cover every figure of the report', () => {
    for (const f of FIGURES) expect(cases.some((c) => c.stage === f.stage), f.stage.name).toBe(true);
  });

  it('rejects bad parameters by name before any work', () => {
    expect(figure2.check?.(defaultParams(figure2.params, { s_values: [0.1, -1] }) as never)).toMatch(/s_values/);
    expect(phaseDiagram.check?.(defaultParams(phaseDiagram.params, { s_min: 10, s_max: 1 }) as never)).toMatch(/s_min/);
  });
});
