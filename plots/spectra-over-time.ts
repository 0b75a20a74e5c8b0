// Ordered spectra of s·J along the generation time, one line per rank coloured by rank (Figures 3 and 5):
// the mean over evaluation points at each time of the grid. Gaps show as bands of time where the lines
// of neighbouring ranks separate.
import type { Table } from '../core/table.ts';
import type { SpectraSchema } from '../artifacts/schemas.ts';
import { chooseRanks, selectSpectra, summariseByTimeAndRank, type SpectraSelection } from './spectra-summary.ts';
import { AXIS, decadeAxis, decadeDomain, type FigureStyle, type VegaLiteSpec } from './theme.ts';

interface SpectraPanel {
  /** Panel title, e.g. 'left: σ₁² = 1, σ₂² = 0.01, f = 0.75'. */
  title: string;
  table: Table<SpectraSchema>;
}

export interface SpectraOverTimeOptions {
  /** Which spectrum: singular values of s·J (the paper's Figure 3) or eigenvalues of sym(s·J). */
  value: 'sv' | 'eig';
  /** x axis: s on a log axis, or t (linear, the VE time). */
  xAxis: 's' | 't';
  selection: SpectraSelection;
  /** Explicit ranks to draw; empty: `maxRanks` evenly spaced ranks. */
  ranks: number[];
  maxRanks: number;
  style: FigureStyle;
}

/** One panel (a vega-lite unit spec) of ordered spectra against time. */
export function spectraOverTimePanel(panel: SpectraPanel, options: SpectraOverTimeOptions): VegaLiteSpec {
  const sel = selectSpectra(panel.table, options.selection);
  const summary = summariseByTimeAndRank(panel.table, sel.rows, options.value);
  const d = summary.reduce((m, r) => Math.max(m, r.rank + 1), 0);
  const ranks = new Set(chooseRanks(d, options.ranks, options.maxRanks));
  const values = summary
    .filter((r) => ranks.has(r.rank))
    .map((r) => ({ t: r.t, s: r.s, rank: r.rank, value: r.mean }));
  const points = summary.length > 0 ? summary[0].points : 0;
  const x =
    options.xAxis === 's'
      ? (() => {
          const ss = values.map((v) => v.s).filter((s) => s > 0);
          const [lo, hi] = ss.length > 0 ? decadeDomain(Math.min(...ss), Math.max(...ss)) : [1e-4, 1e4];
          return { field: 's', type: 'quantitative', scale: { type: 'log', domain: [lo, hi] }, axis: decadeAxis(lo, hi, AXIS.s, options.style.width) };
        })()
      : { field: 't', type: 'quantitative', scale: { nice: false }, title: AXIS.t };
  return {
    width: options.style.width,
    height: options.style.height,
    title: {
      text: panel.title,
      subtitle: `${sel.score} score, ${sel.method}, ${sel.pointKind} points (mean of ${points}), d = ${d}`,
    },
    data: { values },
    mark: { type: 'line', strokeWidth: 1.2, clip: true },
    encoding: {
      x,
      y: { field: 'value', type: 'quantitative', title: options.value === 'sv' ? AXIS.sv : AXIS.eig },
      color: {
        field: 'rank',
        type: 'quantitative',
        scale: { scheme: 'viridis', domain: [0, Math.max(1, d - 1)] },
        legend: { title: options.value === 'sv' ? 'rank (0 = largest)' : 'rank (0 = smallest)', gradientLength: Math.min(160, options.style.height) },
      },
      detail: { field: 'rank', type: 'nominal' },
      order: { field: options.xAxis, type: 'quantitative' },
    },
  };
}
