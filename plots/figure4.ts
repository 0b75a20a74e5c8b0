// Figure 4 of the paper: the trained model's sorted spectrum against the theoretical quantile curve at a
// few times (t ≈ 0.45, 0.3, 0.11). Theory and measurement are compared at the same noise variance s.
import type { Table } from '../core/table.ts';
import type { SpectraSchema, TheoryDensitySchema } from '../artifacts/schemas.ts';
import { distinctNumbers, nearest, range, selectSpectra, summariseByTimeAndRank, type SpectraSelection } from './spectra-summary.ts';
import { densityMass, theoryQuantiles } from './theory-quantiles.ts';
import { AXIS, formatNumber, topLevelFigure, type FigureStyle, type VegaLiteSpec } from './theme.ts';

interface Figure4Input {
  spectra: Table<SpectraSchema>;
  density: Table<TheoryDensitySchema>;
}

interface Figure4Options {
  /** Requested times; each snaps to the nearest time of the spectra table. */
  times: number[];
  selection: SpectraSelection;
  style: FigureStyle;
  /** Points of the theory quantile curve. */
  curvePoints?: number;
  /**
   * α = m/d, the weight of the continuous part (the atom at −1 has 1 − α). Undefined: the largest ∫ρ over
   * the s values of theory_density (a grid too coarse for a narrow bulk only ever loses mass).
   */
  alpha?: number;
}

const THEORY = 'theory quantile Q((rank + ½)/d)';

export function figure4Spec(input: Figure4Input, options: Figure4Options): VegaLiteSpec {
  if (options.times.length === 0) throw new Error('figure4 needs at least one time (times is empty)');
  const sel = selectSpectra(input.spectra, options.selection);
  const MEASURED = `${sel.score} score (mean over points, 10–90% band)`;
  const spectraTimes = distinctNumbers(input.spectra.columns.t, sel.rows);
  const dc = input.density.columns;
  const densityS = distinctNumbers(dc.s);
  if (densityS.length === 0) throw new Error('figure4: theory_density is empty');
  const curvePoints = options.curvePoints ?? 400;
  const densityRowsAt = (s: number) =>
    range(input.density.numRows)
      .filter((i) => dc.s[i] === s)
      .sort((a, b) => dc.x[a] - dc.x[b]);
  const alpha =
    options.alpha ??
    Math.min(
      1,
      Math.max(
        ...densityS.map((s) => {
          const rows = densityRowsAt(s);
          return densityMass(rows.map((i) => dc.x[i]), rows.map((i) => dc.density[i]));
        }),
      ),
    );

  const panels = options.times.map((requested) => {
    const t = nearest(spectraTimes, requested);
    const rows = sel.rows.filter((i) => input.spectra.columns.t[i] === t);
    const summary = summariseByTimeAndRank(input.spectra, rows, 'eig');
    const s = summary[0].s;
    const d = summary.reduce((m, r) => Math.max(m, r.rank + 1), 0);
    const sTheory = nearest(densityS, s, true);
    const theoryRows = densityRowsAt(sTheory);
    const levels = range(curvePoints + 1).map((k) => k / curvePoints);
    const q = theoryQuantiles(
      theoryRows.map((i) => dc.x[i]),
      theoryRows.map((i) => dc.density[i]),
      levels,
      alpha,
    );
    const measured = summary.map((r) => ({ p: (r.rank + 0.5) / d, mean: r.mean, lo: r.lo, hi: r.hi }));
    const theory = levels.map((p, k) => ({ p, q: q[k] }));
    const mismatch = Math.abs(Math.log(sTheory / s)) > 0.05 ? `; theory at s = ${formatNumber(sTheory)}` : '';
    const x = { field: 'p', type: 'quantitative', scale: { domain: [0, 1], nice: false }, title: AXIS.quantileLevel };
    return {
      width: options.style.width,
      height: options.style.height,
      title: { text: `t = ${formatNumber(t)}  (s = ${formatNumber(s)})`, subtitle: `${sel.score}, ${sel.method}, ${summary[0].points} points, d = ${d}${mismatch}` },
      layer: [
        {
          data: { values: measured },
          mark: { type: 'area', opacity: 0.25 },
          encoding: { x, y: { field: 'lo', type: 'quantitative', title: AXIS.eig }, y2: { field: 'hi' }, color: { datum: MEASURED } },
        },
        {
          data: { values: measured },
          mark: { type: 'point', filled: true, size: 14 },
          encoding: { x, y: { field: 'mean', type: 'quantitative' }, color: { datum: MEASURED } },
        },
        {
          data: { values: theory },
          mark: { type: 'line', strokeWidth: 2, interpolate: 'linear' },
          encoding: { x, y: { field: 'q', type: 'quantitative' }, color: { datum: THEORY } },
        },
      ],
    };
  });
  return topLevelFigure(
    { hconcat: panels, resolve: { scale: { color: 'shared' } } },
    options.style,
    `Sorted spectrum of sym(s·J): ${sel.score} score vs random-matrix theory`,
    `the k-th smallest of d eigenvalues against the theoretical quantile: atom at −1 of weight 1 − α, α = ${formatNumber(alpha)}, plus the bulk density`,
  );
}
