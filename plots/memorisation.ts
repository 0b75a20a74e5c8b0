// Beyond the paper (geometric memorisation, the authors' companion study): the tangent count at the smallest s
// against the training-set size n, for the trained network and for the exact empirical score of the same
// samples, with m and the empirical score's rank bound min(n − 1, m) as references. Right: the
// George–Veiga–Macris collapse time t_C(n) against the empirical score's measured collapse bracket.
import type { Table } from '../core/table.ts';
import type { MEMORISATION } from '../theory/memorisation-table.ts';
import { range } from './spectra-summary.ts';
import { AXIS, decadeAxis, decadeDomain, formatNumber, placeholderFigure, topLevelFigure, type FigureStyle, type VegaLiteSpec } from './theme.ts';

interface MemorisationOptions {
  style: FigureStyle;
}

const TITLE = 'Geometric memorisation: tangent count vs training-set size';
const SCORES = ['trained network', 'empirical score'];
const COLORS = ['#4e79a7', '#e15759'];

export function memorisationSpec(table: Table<typeof MEMORISATION>, options: MemorisationOptions): VegaLiteSpec {
  const c = table.columns;
  const rows = range(table.numRows).sort((a, b) => c.n[a] - c.n[b]);
  if (rows.length === 0) return placeholderFigure(TITLE, 'not run: the memorisation table is empty', options.style);
  const counts = rows.flatMap((i) => [
    { n: c.n[i], score: SCORES[0], gaps: c.trained_dim[i] },
    { n: c.n[i], score: SCORES[1], gaps: c.empirical_dim[i] },
  ]);
  const ns = rows.map((i) => c.n[i]);
  const [nlo, nhi] = decadeDomain(Math.min(...ns), Math.max(...ns));
  const xN = (px: number) => ({ field: 'n', type: 'quantitative', scale: { type: 'log', domain: [nlo, nhi] }, axis: decadeAxis(nlo, nhi, AXIS.n, px) });
  const color = { field: 'score', type: 'nominal', title: 'score', scale: { domain: SCORES, range: COLORS } };
  const ms = [...new Set(rows.map((i) => c.m[i]))];
  const width = Math.round(options.style.width * 1.2);
  const left: VegaLiteSpec = {
    width,
    height: options.style.height,
    title: {
      text: `Tangent count at the smallest s (${formatNumber(c.s[rows[0]])})`,
      subtitle: 'eigenvalues above the lowest gap (gap detection); dashed: m; dotted: min(n − 1, m)',
    },
    layer: [
      {
        data: { values: ms.map((m) => ({ m })) },
        mark: { type: 'rule', strokeDash: [6, 4], color: '#555555' },
        encoding: { y: { field: 'm', type: 'quantitative' } },
      },
      {
        data: { values: rows.map((i) => ({ n: c.n[i], bound: c.rank_bound[i] })) },
        mark: { type: 'line', strokeDash: [2, 3], color: '#999999' },
        encoding: { x: xN(width), y: { field: 'bound', type: 'quantitative' }, order: { field: 'n', type: 'quantitative' } },
      },
      {
        data: { values: counts },
        mark: { type: 'line', point: { filled: true, size: 50 }, strokeWidth: 2 },
        encoding: { x: xN(width), y: { field: 'gaps', type: 'quantitative', title: 'tangent count at the smallest s' }, color, order: { field: 'n', type: 'quantitative' } },
      },
    ],
  };
  const collapse = rows.map((i) => ({ n: c.n[i], theory: c.t_c_theory[i], below: c.t_collapse_below[i], above: c.t_collapse_above[i] }));
  const bracketed = collapse.filter((r) => Number.isFinite(r.below) && Number.isFinite(r.above));
  const right: VegaLiteSpec = {
    width,
    height: options.style.height,
    title: { text: 'Collapse of the empirical score', subtitle: 'line: George–Veiga–Macris t_C(n), p = m, v = trace(C)/m; bars: measured bracket' },
    layer: [
      {
        data: { values: collapse.filter((r) => Number.isFinite(r.theory)) },
        mark: { type: 'line', point: { color: '#333333' }, strokeWidth: 2, color: '#333333' },
        encoding: { x: xN(width), y: { field: 'theory', type: 'quantitative', title: 'collapse time (VE clock)' }, order: { field: 'n', type: 'quantitative' } },
      },
      {
        data: { values: bracketed },
        mark: { type: 'rule', strokeWidth: 4, color: COLORS[1] },
        encoding: { x: xN(width), y: { field: 'below', type: 'quantitative' }, y2: { field: 'above' } },
      },
    ],
  };
  return topLevelFigure({ hconcat: [left, right] }, options.style, TITLE, 'the same nested training sets on one linear manifold; counts read where the empirical score memorises');
}
