// Beyond the paper: the authors' Haar-stack estimator (science/haar-stack.ts) against the exact Jacobian
// on the same clean training points, at a few times of the authors' grid t = linspace(0.8, 1e-5, 100).
// Both are shown as the authors plot them: ordered singular values divided by the largest; for the stack
// the largest (the rank-one term s(x)/σ·1ᵀ) is dropped first.
import type { Table } from '../core/table.ts';
import type { SpectraSchema } from '../artifacts/schemas.ts';
import { dropLargestAndNormalise } from '../science/haar-stack.ts';
import { distinctNumbers, nearest, range } from './spectra-summary.ts';
import { decadeAxis, decadeDomain, formatNumber, placeholderFigure, topLevelFigure, type FigureStyle, type VegaLiteSpec } from './theme.ts';

interface HaarStackOptions {
  /** Times of the panels (each snaps to the nearest time present). */
  at: number[];
  style: FigureStyle;
}

const TITLE = "The authors' Haar-stack estimator vs the exact Jacobian";
const SERIES = { exact: 'exact: sv of s·J ÷ largest', 'haar-stack': 'haar-stack: largest dropped, ÷ largest left' } as const;

/** Normalised spectra per (method, t): the mean over points of each rank's normalised value. */
export function normalisedSpectra(spectra: Table<SpectraSchema>, t: number): { method: string; rank: number; value: number; s: number }[] {
  const c = spectra.columns;
  const byPoint = new Map<string, { method: string; s: number; sv: number[] }>();
  for (const i of range(spectra.numRows)) {
    if (c.t[i] !== t || !(c.method[i] in SERIES)) continue;
    const key = `${c.method[i]}|${c.point_kind[i]}|${c.point[i]}`;
    const e = byPoint.get(key) ?? { method: c.method[i], s: c.s[i], sv: [] };
    e.sv[c.rank[i]] = c.sv[i];
    byPoint.set(key, e);
  }
  const sums = new Map<string, { method: string; rank: number; sum: number; n: number; s: number }>();
  for (const e of byPoint.values()) {
    const sorted = Float64Array.from(e.sv).sort().reverse();
    const values = e.method === 'haar-stack' ? dropLargestAndNormalise(sorted) : sorted.map((v) => v / Math.max(sorted[0], 1e-300));
    values.forEach((v, rank) => {
      const key = `${e.method}|${rank}`;
      const g = sums.get(key) ?? { method: e.method, rank, sum: 0, n: 0, s: e.s };
      g.sum += v;
      g.n++;
      sums.set(key, g);
    });
  }
  return [...sums.values()].map((g) => ({ method: g.method, rank: g.rank, value: g.sum / g.n, s: g.s }));
}

export function haarStackSpec(spectra: Table<SpectraSchema> | undefined, options: HaarStackOptions): VegaLiteSpec {
  const present = spectra ? distinctNumbers(spectra.columns.t, range(spectra.numRows).filter((i) => spectra.columns.method[i] === 'haar-stack')) : [];
  if (!spectra || present.length === 0) return placeholderFigure(TITLE, 'not run: no haar-stack spectra were bound', options.style);
  const times = [...new Set(options.at.map((t) => nearest(present, t)))].sort((a, b) => b - a);
  const panels = times.map((t) => {
    const rows = normalisedSpectra(spectra, t).filter((r) => r.value > 0);
    const values = rows.map((r) => ({ rank: r.rank, value: r.value, series: SERIES[r.method as keyof typeof SERIES] }));
    const vs = values.map((v) => v.value);
    const [lo, hi] = decadeDomain(Math.min(...vs), Math.max(...vs));
    return {
      width: options.style.width,
      height: options.style.height,
      title: { text: `t = ${formatNumber(t)}`, subtitle: `s = ${formatNumber(rows[0]?.s ?? NaN)}` },
      data: { values },
      mark: { type: 'line', strokeWidth: 1.5 },
      encoding: {
        x: { field: 'rank', type: 'quantitative', title: 'rank (0 = largest)' },
        y: { field: 'value', type: 'quantitative', scale: { type: 'log', domain: [lo, hi] }, axis: decadeAxis(lo, hi, 'singular value ÷ largest', options.style.height) },
        color: { field: 'series', type: 'nominal', title: 'method' },
        order: { field: 'rank', type: 'quantitative' },
      },
    } satisfies VegaLiteSpec;
  });
  return topLevelFigure(
    { hconcat: panels, resolve: { scale: { y: 'independent' } } },
    options.style,
    TITLE,
    'Clean training points of fig3-left, trained score; the stack is [s(x + σqᵢ)/σ] over the rows qᵢ of a Haar matrix, s(x) not subtracted (mean over points)',
  );
}
