// Figure 2 of the paper: the random-matrix density of the rescaled Jacobian s·J against Monte-Carlo
// histograms (finite d, many draws of F) at several s, and the dimension-drop curve vs s.
import type { Table } from '../core/table.ts';
import type { PhasesSchema, SpectraSchema, TheoryCurvesSchema, TheoryDensitySchema } from '../artifacts/schemas.ts';
import { distinctNumbers, histogramDensity, nearest, range } from './spectra-summary.ts';
import { AXIS, decadeAxis, decadeDomain, formatNumber, topLevelFigure, type FigureStyle, type VegaLiteSpec } from './theme.ts';

interface Figure2Input {
  montecarlo: Table<SpectraSchema>;
  density: Table<TheoryDensitySchema>;
  curves: Table<TheoryCurvesSchema>;
  /** Gap detection on the Monte-Carlo spectra: its dimension estimate vs s joins the theory curve. */
  phases?: Table<PhasesSchema>;
}

interface Figure2Options {
  /** Noise variances of the histogram panels; each snaps to the nearest s present in the tables. */
  sValues: number[];
  bins: number;
  style: FigureStyle;
  /** Eigenvalues within this distance of −1 are the atom (normal directions), left out of the histogram. */
  atomTolerance?: number;
  /**
   * Resolution Δ of the Monte-Carlo count in the dimension-drop panel: eigenvalues of s·J above −1 + Δ,
   * the quantity the theory curve counts (the theory stage's Δ; 0.1 by default).
   */
  delta?: number;
}

const THEORY = 'theory (d → ∞)';
const MONTE_CARLO = 'Monte-Carlo (finite d)';
const GAP_DETECTION = 'gap detection on Monte-Carlo (phases)';

/**
 * Mean over draws, at each s of the Monte-Carlo table, of the count of eigenvalues of s·J above −1 + Δ:
 * the finite-d version of the theory's dimension-drop curve.
 */
export function monteCarloDimension(table: Table<SpectraSchema>, delta: number): Array<{ s: number; t: number; dimension: number }> {
  if (!(delta > 0 && delta < 1)) throw new Error(`resolution Δ must be in (0, 1), got ${delta}`);
  const c = table.columns;
  const bySpec = new Map<number, { t: number; detached: number; draws: Set<number> }>();
  for (let i = 0; i < table.numRows; i++) {
    const g = bySpec.get(c.s[i]) ?? { t: c.t[i], detached: 0, draws: new Set<number>() };
    g.draws.add(c.point[i]);
    if (c.eig[i] > -1 + delta) g.detached++;
    bySpec.set(c.s[i], g);
  }
  return [...bySpec.entries()]
    .map(([s, g]) => ({ s, t: g.t, dimension: g.detached / g.draws.size }))
    .sort((a, b) => a.s - b.s);
}

export function figure2Spec(input: Figure2Input, options: Figure2Options): VegaLiteSpec {
  if (options.sValues.length === 0) throw new Error('figure2 needs at least one s value (s_values is empty)');
  const atomTolerance = options.atomTolerance ?? 1e-6;
  const { style } = options;
  const mc = input.montecarlo.columns;
  const density = input.density.columns;
  const densityS = distinctNumbers(density.s);
  const mcS = distinctNumbers(mc.s);
  if (densityS.length === 0) throw new Error('figure2: theory_density is empty');
  if (mcS.length === 0) throw new Error('figure2: Monte-Carlo spectra are empty');

  const panels = options.sValues.map((requested) => {
    // The measurement's s first, then the theory at that s (theory grids are usually as fine or finer).
    const sMc = nearest(mcS, requested, true);
    const sTheory = nearest(densityS, sMc, true);
    const theoryRows = range(input.density.numRows)
      .filter((i) => density.s[i] === sTheory)
      .sort((a, b) => density.x[a] - density.x[b]);
    let tMc = NaN;
    const eigs: number[] = [];
    let total = 0;
    for (let i = 0; i < input.montecarlo.numRows; i++) {
      if (mc.s[i] !== sMc) continue;
      tMc = mc.t[i];
      total++;
      if (Math.abs(mc.eig[i] + 1) > atomTolerance) eigs.push(mc.eig[i]);
    }
    const atomFraction = total > 0 ? 1 - eigs.length / total : 0;
    const bins = histogramDensity(eigs, options.bins, -1, 0, total);
    const histMax = Math.max(0, ...bins.map((b) => b.density));
    const theory = theoryRows.map((i) => ({ x: density.x[i], density: density.density[i] }));
    const theoryMax = Math.max(0, ...theory.map((p) => p.density));
    // Edge singularities of the density would flatten the histogram: clip the axis a little above it.
    const yMax = histMax > 0 && theoryMax > 3 * histMax ? 1.6 * histMax : 1.1 * Math.max(histMax, theoryMax, 1e-9);
    const subtitle = [`atom at −1: ${(100 * atomFraction).toFixed(0)}% (not drawn)`];
    if (Math.abs(Math.log(sMc / sTheory)) > 0.01) subtitle.push(`theory at s = ${formatNumber(sTheory)}`);
    const yScale = { domain: [0, yMax], nice: false };
    return {
      width: style.width,
      height: style.height,
      title: { text: `s = ${formatNumber(sMc)}  (t = ${formatNumber(tMc)})`, subtitle },
      layer: [
        {
          data: { values: bins.map((b) => ({ x0: b.x0, x1: b.x1, density: Math.min(b.density, yMax) })) },
          mark: { type: 'rect', opacity: 0.55 },
          encoding: {
            x: { field: 'x0', type: 'quantitative', scale: { domain: [-1, 0], nice: false }, title: AXIS.eig },
            x2: { field: 'x1' },
            y: { field: 'density', type: 'quantitative', scale: yScale, title: AXIS.density },
            color: { datum: MONTE_CARLO },
          },
        },
        {
          data: { values: theory },
          mark: { type: 'line', strokeWidth: 2, clip: true },
          encoding: {
            x: { field: 'x', type: 'quantitative' },
            y: { field: 'density', type: 'quantitative', scale: yScale },
            color: { datum: THEORY },
          },
        },
      ],
    };
  });

  const dimension = dimensionDropPanel(input, style, options.delta ?? 0.1);
  return topLevelFigure(
    {
      vconcat: [{ hconcat: panels }, dimension],
      resolve: { scale: { color: 'shared' } },
    },
    style,
    'Spectrum of the rescaled Jacobian s·J: theory vs Monte-Carlo',
    'histograms over draws of F; the atom at −1 (normal directions) is left out of the histograms and the density',
  );
}

function dimensionDropPanel(input: Figure2Input, style: FigureStyle, delta: number): VegaLiteSpec {
  const c = input.curves.columns;
  const theory = range(input.curves.numRows)
    .filter((i) => c.gap_index[i] === -1 && c.s[i] > 0)
    .map((i) => ({ s: c.s[i], t: c.t[i], dimension: c.dimension[i] }))
    .sort((a, b) => a.s - b.s);
  const counted = monteCarloDimension(input.montecarlo, delta).filter((p) => p.s > 0);
  const measured = input.phases
    ? range(input.phases.numRows)
        .filter((i) => input.phases!.columns.s[i] > 0)
        .map((i) => ({ s: input.phases!.columns.s[i], dimension: input.phases!.columns.dim_estimate[i] }))
    : [];
  const allS = [...theory.map((p) => p.s), ...counted.map((p) => p.s), ...measured.map((p) => p.s)];
  const [lo, hi] = allS.length > 0 ? decadeDomain(Math.min(...allS), Math.max(...allS)) : [1e-4, 1e4];
  const xScale = { type: 'log', domain: [lo, hi] };
  const width = Math.max(style.width * 2, 360);
  const layers: VegaLiteSpec[] = [
    {
      data: { values: theory },
      mark: { type: 'line', strokeWidth: 2 },
      encoding: {
        x: { field: 's', type: 'quantitative', scale: xScale, axis: decadeAxis(lo, hi, AXIS.s, width) },
        y: { field: 'dimension', type: 'quantitative', title: AXIS.dimension },
        color: { datum: THEORY },
      },
    },
  ];
  layers.push({
    data: { values: counted },
    mark: { type: 'point', filled: true, size: 30, opacity: 0.85 },
    encoding: {
      x: { field: 's', type: 'quantitative', scale: xScale },
      y: { field: 'dimension', type: 'quantitative' },
      color: { datum: MONTE_CARLO },
    },
  });
  if (measured.length > 0) {
    layers.push({
      data: { values: measured },
      mark: { type: 'point', shape: 'diamond', filled: false, size: 40, strokeWidth: 1.5 },
      encoding: {
        x: { field: 's', type: 'quantitative', scale: xScale },
        y: { field: 'dimension', type: 'quantitative' },
        color: { datum: GAP_DETECTION },
      },
    });
  }
  return {
    width,
    height: style.height,
    title: {
      text: 'Dimension drop',
      subtitle: `eigenvalues of s·J above −1 + Δ (Δ = ${formatNumber(delta)}); Monte-Carlo: mean over draws${measured.length > 0 ? '; diamonds: dimension from gap detection' : ''}`,
    },
    layer: layers,
  };
}
