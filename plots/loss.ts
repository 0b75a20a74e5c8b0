// Beyond the paper: denoising-score-matching loss along training for every trained model bound: the raw
// per-step loss (thinned for the SVG) as faint points and the smoothed loss as a line, on a log axis.
import type { Table } from '../core/table.ts';
import type { LossSchema } from '../artifacts/schemas.ts';
import { evenlySpacedIndices } from './spectra-summary.ts';
import { AXIS, decadeAxis, decadeDomain, placeholderFigure, topLevelFigure, type FigureStyle, type VegaLiteSpec } from './theme.ts';

interface LossRun {
  /** Model name for the legend: 'fig3-left', 'mnist', ... */
  name: string;
  table: Table<LossSchema>;
}

interface LossOptions {
  /** Most raw-loss points drawn per run. */
  maxPoints: number;
  style: FigureStyle;
}

const TITLE = 'Training loss';

export function lossSpec(runs: LossRun[], options: LossOptions): VegaLiteSpec {
  const present = runs.filter((r) => r.table.numRows > 0);
  if (present.length === 0) return placeholderFigure(TITLE, 'not run: no loss table was bound', options.style);
  const raw: VegaLiteSpec[] = [];
  const smooth: VegaLiteSpec[] = [];
  // Runs logged at only a few steps: their smoothed values as visible points (a line needs two).
  const sparse: VegaLiteSpec[] = [];
  let lo = Infinity;
  let hi = -Infinity;
  for (const run of present) {
    const c = run.table.columns;
    for (const i of evenlySpacedIndices(run.table.numRows, options.maxPoints)) {
      if (c.loss[i] > 0) {
        raw.push({ step: c.step[i], loss: c.loss[i], run: run.name });
        lo = Math.min(lo, c.loss[i]);
        hi = Math.max(hi, c.loss[i]);
      }
      if (c.loss_smoothed[i] > 0) {
        smooth.push({ step: c.step[i], loss: c.loss_smoothed[i], run: run.name });
        if (run.table.numRows < 20) sparse.push({ step: c.step[i], loss: c.loss_smoothed[i], run: run.name });
      }
    }
  }
  const [ylo, yhi] = Number.isFinite(lo) ? decadeDomain(lo, hi) : [1e-3, 10];
  const y = { field: 'loss', type: 'quantitative', scale: { type: 'log', domain: [ylo, yhi] }, axis: decadeAxis(ylo, yhi, AXIS.loss, options.style.height) };
  const x = { field: 'step', type: 'quantitative', title: AXIS.step };
  const color = { field: 'run', type: 'nominal', title: 'model', legend: { symbolType: 'stroke', symbolStrokeWidth: 3 } };
  return topLevelFigure(
    {
      width: options.style.width * 2,
      height: Math.round(options.style.height * 1.2),
      layer: [
        { data: { values: raw }, mark: { type: 'point', size: 10, opacity: 0.3, filled: true }, encoding: { x, y, color } },
        { data: { values: smooth }, mark: { type: 'line', strokeWidth: 2 }, encoding: { x, y, color, order: { field: 'step', type: 'quantitative' } } },
        { data: { values: sparse }, mark: { type: 'point', filled: true, size: 50 }, encoding: { x, y, color } },
      ],
    },
    options.style,
    TITLE,
    'points: per-step loss (thinned); lines: smoothed loss',
  );
}
