// Beyond the paper (George, Veiga, Macris): collapse of the empirical-score generation onto training
// points. Times are on the pipeline's VE clock (the collapse stage converts t_C from OU time). Left: fraction of trajectories collapsed vs time for each training-set size n, with the theory
// collapse time t_C(n) as a rule. Right: t_C vs n, theory against the time where half the trajectories
// have collapsed.
import type { Table } from '../core/table.ts';
import type { CollapseSchema } from '../artifacts/schemas.ts';
import { range } from './spectra-summary.ts';
import { AXIS, decadeAxis, decadeDomain, formatNumber, topLevelFigure, type FigureStyle, type VegaLiteSpec } from './theme.ts';

interface CollapseOptions {
  /** Fraction that defines the measured collapse time (½: half of the trajectories collapsed). */
  threshold: number;
  style: FigureStyle;
}

interface CollapseSeries {
  n: number;
  d: number;
  tcTheory: number;
  /** Time where the fraction collapsed crosses the threshold (linear interpolation), NaN if it never does. */
  tcMeasured: number;
  points: Array<{ t: number; fraction: number }>;
}

/** Groups the collapse table by (n, d), sorted by t, with the measured crossing time. */
function collapseSeries(table: Table<CollapseSchema>, threshold: number): CollapseSeries[] {
  if (!(threshold > 0 && threshold < 1)) throw new Error(`collapse threshold must be in (0, 1), got ${threshold}`);
  const c = table.columns;
  const groups = new Map<string, CollapseSeries>();
  for (const i of range(table.numRows)) {
    const key = `${c.n[i]}|${c.d[i]}`;
    const g = groups.get(key) ?? { n: c.n[i], d: c.d[i], tcTheory: c.t_c_theory[i], tcMeasured: NaN, points: [] };
    g.points.push({ t: c.t[i], fraction: c.fraction[i] });
    groups.set(key, g);
  }
  const out = [...groups.values()];
  for (const g of out) {
    g.points.sort((a, b) => a.t - b.t);
    g.tcMeasured = crossingTime(g.points, threshold);
  }
  return out.sort((a, b) => a.d - b.d || a.n - b.n);
}

/** Largest t at which the fraction (sorted by t) crosses `threshold`, by linear interpolation. */
export function crossingTime(points: Array<{ t: number; fraction: number }>, threshold: number): number {
  for (let k = points.length - 1; k > 0; k--) {
    const a = points[k - 1];
    const b = points[k];
    if ((a.fraction - threshold) * (b.fraction - threshold) <= 0 && a.fraction !== b.fraction) {
      return a.t + ((threshold - a.fraction) / (b.fraction - a.fraction)) * (b.t - a.t);
    }
  }
  return NaN;
}

export function collapseSpec(table: Table<CollapseSchema>, options: CollapseOptions): VegaLiteSpec {
  const series = collapseSeries(table, options.threshold);
  if (series.length === 0) throw new Error('collapse-plot: the collapse table is empty');
  const label = (g: CollapseSeries) => (series.some((h) => h.d !== g.d) ? `n = ${g.n}, d = ${g.d}` : `n = ${g.n}`);
  const curves = series.flatMap((g) => g.points.map((p) => ({ ...p, series: label(g), order: g.n })));
  const rules = series.filter((g) => Number.isFinite(g.tcTheory)).map((g) => ({ tc: g.tcTheory, series: label(g) }));
  const color = { field: 'series', type: 'nominal', title: 'training set', sort: series.map(label) };
  const left: VegaLiteSpec = {
    width: Math.round(options.style.width * 1.4),
    height: options.style.height,
    title: { text: 'Collapse onto training points', subtitle: 'dashed: theory t_C(n) (d → ∞; finite d shifts it)' },
    layer: [
      {
        data: { values: curves },
        mark: { type: 'line', point: { size: 14 }, strokeWidth: 1.5 },
        encoding: {
          x: { field: 't', type: 'quantitative', title: AXIS.t },
          y: { field: 'fraction', type: 'quantitative', scale: { domain: [0, 1] }, title: AXIS.collapseFraction },
          color,
          order: { field: 't', type: 'quantitative' },
        },
      },
      { data: { values: rules }, mark: { type: 'rule', strokeDash: [5, 4] }, encoding: { x: { field: 'tc', type: 'quantitative' }, color } },
    ],
  };
  const ns = series.map((g) => g.n);
  const [nlo, nhi] = decadeDomain(Math.min(...ns), Math.max(...ns));
  const xN = { field: 'n', type: 'quantitative', scale: { type: 'log', domain: [nlo, nhi] }, axis: decadeAxis(nlo, nhi, AXIS.n, Math.round(options.style.width * 1.2)) };
  const byN = series.map((g) => ({ n: g.n, d: `d = ${g.d}`, theory: g.tcTheory, measured: g.tcMeasured }));
  const right: VegaLiteSpec = {
    width: Math.round(options.style.width * 1.2),
    height: options.style.height,
    title: { text: 'Collapse time vs n', subtitle: `line: theory t_C; points: measured (fraction = ${formatNumber(options.threshold)})` },
    layer: [
      {
        data: { values: byN.filter((r) => Number.isFinite(r.theory)) },
        mark: { type: 'line', strokeWidth: 2, color: '#333333' },
        encoding: { x: xN, y: { field: 'theory', type: 'quantitative', title: 'collapse time t_C (VE clock)' }, detail: { field: 'd' }, order: { field: 'n', type: 'quantitative' } },
      },
      {
        data: { values: byN.filter((r) => Number.isFinite(r.measured)) },
        mark: { type: 'point', filled: true, size: 50, color: '#e15759' },
        encoding: { x: xN, y: { field: 'measured', type: 'quantitative' }, shape: { field: 'd', type: 'nominal', title: 'dimension' } },
      },
    ],
  };
  return topLevelFigure({ hconcat: [left, right], resolve: { scale: { color: 'independent' } } }, options.style, 'Memorisation: collapse of the empirical score', `threshold ${formatNumber(options.threshold)} of trajectories ending on a training point`);
}
