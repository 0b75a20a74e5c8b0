// Beyond the paper: the exact Jacobian vs Algorithm 1 (one-sided differences) vs Algorithm 2 (central
// differences): relative Frobenius error along s (jacobian_error), and the spectra each method gives at
// one time (spectra), to show the bias of a large step h.
import type { Table } from '../core/table.ts';
import type { JacobianErrorSchema, SpectraSchema } from '../artifacts/schemas.ts';
import { distinct, distinctNumbers, nearest, range, summariseByTimeAndRank } from './spectra-summary.ts';
import { AXIS, decadeAxis, decadeDomain, formatNumber, placeholderFigure, topLevelFigure, type FigureStyle, type VegaLiteSpec } from './theme.ts';

interface MethodsInput {
  errors?: Table<JacobianErrorSchema>;
  spectra?: Table<SpectraSchema>;
}

interface MethodsOptions {
  /** Time of the spectra panel (snaps to the nearest time present). */
  t: number;
  style: FigureStyle;
}

const TITLE = 'Jacobian estimators: exact vs Algorithm 1 vs Algorithm 2';

export function methodsSpec(input: MethodsInput, options: MethodsOptions): VegaLiteSpec {
  const panels: VegaLiteSpec[] = [];
  if (input.errors && input.errors.numRows > 0) panels.push(errorPanel(input.errors, options.style));
  if (input.spectra && input.spectra.numRows > 0) panels.push(spectraPanel(input.spectra, options));
  if (panels.length === 0) return placeholderFigure(TITLE, 'not run: neither jacobian_error nor spectra was bound', options.style);
  return topLevelFigure({ hconcat: panels, resolve: { scale: { color: 'independent' } } }, options.style, TITLE, 'alg1: (s(x + h q) − s(x))/h; alg2: (s(x + h q) − s(x − h q))/(2h)');
}

function errorPanel(errors: Table<JacobianErrorSchema>, style: FigureStyle): VegaLiteSpec {
  const c = errors.columns;
  // Mean over evaluation points per (score, method, point kind, reference, s).
  type Group = { s: number; t: number; method: string; reference: string; pointKind: string; series: string; sum: number; n: number };
  const groups = new Map<string, Group>();
  for (let i = 0; i < errors.numRows; i++) {
    const series = `${c.method[i]} vs ${c.reference[i]} (${c.score[i]}, ${c.point_kind[i]})`;
    const key = `${series}|${c.s[i]}`;
    const g = groups.get(key) ?? { s: c.s[i], t: c.t[i], method: c.method[i], reference: c.reference[i], pointKind: c.point_kind[i], series, sum: 0, n: 0 };
    g.sum += c.rel_frobenius[i];
    g.n++;
    groups.set(key, g);
  }
  const values = [...groups.values()]
    .map((g) => ({ s: g.s, t: g.t, comparison: `${g.method} vs ${g.reference}`, point_kind: g.pointKind, series: g.series, error: g.sum / g.n }))
    .filter((v) => v.s > 0 && v.error > 0);
  const ss = values.map((v) => v.s);
  const es = values.map((v) => v.error);
  const [lo, hi] = ss.length > 0 ? decadeDomain(Math.min(...ss), Math.max(...ss)) : [1e-4, 1e4];
  const [elo, ehi] = es.length > 0 ? decadeDomain(Math.min(...es), Math.max(...es)) : [1e-8, 1];
  return {
    width: Math.round(style.width * 1.4),
    height: style.height,
    title: { text: 'Error against the reference Jacobian', subtitle: '‖s·J_method − s·J_ref‖_F / ‖s·J_ref‖_F, mean over points' },
    data: { values },
    mark: { type: 'line', point: true, strokeWidth: 1.5 },
    encoding: {
      x: { field: 's', type: 'quantitative', scale: { type: 'log', domain: [lo, hi] }, axis: decadeAxis(lo, hi, AXIS.s, Math.round(style.width * 1.4)) },
      y: { field: 'error', type: 'quantitative', scale: { type: 'log', domain: [elo, ehi] }, axis: decadeAxis(elo, ehi, AXIS.relError, style.height) },
      // One colour per (method, reference) pair and one marker per kind of point: otherwise two
      // references and two point kinds would draw four indistinguishable lines of one colour.
      color: { field: 'comparison', type: 'nominal', title: 'method vs reference' },
      shape: { field: 'point_kind', type: 'nominal', title: 'points' },
      detail: { field: 'series', type: 'nominal' },
      order: { field: 's', type: 'quantitative' },
    },
  };
}

function spectraPanel(spectra: Table<SpectraSchema>, options: MethodsOptions): VegaLiteSpec {
  const c = spectra.columns;
  const all = range(spectra.numRows);
  const t = nearest(distinctNumbers(c.t), options.t);
  const atT = all.filter((i) => c.t[i] === t);
  const values: VegaLiteSpec[] = [];
  let s = NaN;
  for (const method of distinct(atT.map((i) => c.method[i]))) {
    const rows = atT.filter((i) => c.method[i] === method);
    for (const r of summariseByTimeAndRank(spectra, rows, 'sv')) {
      values.push({ rank: r.rank, sv: r.mean, method });
      s = r.s;
    }
  }
  return {
    width: Math.round(options.style.width * 1.4),
    height: options.style.height,
    title: { text: `Singular values at t = ${formatNumber(t)} (s = ${formatNumber(s)})`, subtitle: 'mean over evaluation points, by method' },
    data: { values },
    mark: { type: 'line', point: { size: 14 }, strokeWidth: 1.5 },
    encoding: {
      x: { field: 'rank', type: 'quantitative', title: 'rank (0 = largest)' },
      y: { field: 'sv', type: 'quantitative', title: AXIS.sv },
      color: { field: 'method', type: 'nominal', title: 'method' },
      order: { field: 'rank', type: 'quantitative' },
    },
  };
}
