// Beyond the paper: the dimension the gap detector reads off the measured spectra (eigenvalues of s·J
// detached from the −1 spike) along generation time, per score and method, with the phase at each time,
// and the theory's dimension-drop curve when bound.
import type { Table } from '../core/table.ts';
import type { PhasesSchema, TheoryCurvesSchema } from '../artifacts/schemas.ts';
import { range } from './spectra-summary.ts';
import { PHASE_COLOURS } from './phase-diagram.ts';
import { AXIS, decadeAxis, decadeDomain, topLevelFigure, type FigureStyle, type VegaLiteSpec } from './theme.ts';

interface DimensionInput {
  phases: Table<PhasesSchema>;
  curves?: Table<TheoryCurvesSchema>;
}

interface DimensionOptions {
  xAxis: 's' | 't';
  style: FigureStyle;
}

export function dimensionSpec(input: DimensionInput, options: DimensionOptions): VegaLiteSpec {
  const p = input.phases.columns;
  const measured = range(input.phases.numRows).map((i) => ({
    t: p.t[i],
    s: p.s[i],
    dimension: p.dim_estimate[i],
    phase: p.phase[i],
    series: `${p.score[i]}, ${p.method[i]}`,
  }));
  const theory = input.curves
    ? range(input.curves.numRows)
        .filter((i) => input.curves!.columns.gap_index[i] === -1)
        .map((i) => ({ t: input.curves!.columns.t[i], s: input.curves!.columns.s[i], dimension: input.curves!.columns.dimension[i], series: 'theory' }))
    : [];
  const field = options.xAxis;
  let x: VegaLiteSpec;
  if (field === 's') {
    const ss = [...measured, ...theory].map((r) => r.s).filter((s) => s > 0);
    const [lo, hi] = ss.length > 0 ? decadeDomain(Math.min(...ss), Math.max(...ss)) : [1e-4, 1e4];
    x = { field: 's', type: 'quantitative', scale: { type: 'log', domain: [lo, hi] }, axis: decadeAxis(lo, hi, AXIS.s, options.style.width * 2) };
  } else {
    // Theory rows cover a wider s range than the VE time grid; keep the axis on the measured times.
    const ts = measured.map((r) => r.t);
    x = { field: 't', type: 'quantitative', scale: { domain: [Math.min(0, ...ts), Math.max(1, ...ts)], nice: false }, title: AXIS.t };
  }
  const y = { field: 'dimension', type: 'quantitative', title: AXIS.dimensionEstimate };
  const phaseDomain = Object.keys(PHASE_COLOURS);
  const layers: VegaLiteSpec[] = [];
  if (theory.length > 0) {
    layers.push({
      data: { values: theory },
      mark: { type: 'line', strokeWidth: 2, strokeDash: [6, 3], color: '#333333', clip: true },
      encoding: { x, y, order: { field, type: 'quantitative' } },
    });
  }
  layers.push(
    {
      data: { values: measured },
      mark: { type: 'line', strokeWidth: 1.5, clip: true },
      encoding: { x, y, strokeDash: { field: 'series', type: 'nominal', title: 'score, method' }, color: { value: '#777777' }, order: { field, type: 'quantitative' } },
    },
    {
      data: { values: measured },
      mark: { type: 'point', filled: true, size: 36, clip: true },
      encoding: {
        x,
        y,
        color: { field: 'phase', type: 'nominal', title: 'phase', scale: { domain: phaseDomain, range: phaseDomain.map((k) => PHASE_COLOURS[k as keyof typeof PHASE_COLOURS]) } },
        shape: { field: 'series', type: 'nominal', title: 'score, method' },
      },
    },
  );
  return topLevelFigure(
    { width: options.style.width * 2, height: Math.round(options.style.height * 1.2), layer: layers, resolve: { legend: { strokeDash: 'shared' } } },
    options.style,
    'Estimated manifold dimension along generation',
    theory.length > 0 ? 'points: gap detection on measured spectra, coloured by phase; dashed: theory dimension drop' : 'points: gap detection on measured spectra, coloured by phase',
  );
}
