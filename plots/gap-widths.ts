// Beyond the paper: width of every spectral gap of s·J against s, theory curves (theory_curves) with the
// widths the gap detector measured (gaps) as points, and the resolution Δ below which a gap is not seen.
import type { Table } from '../core/table.ts';
import type { GapsSchema, TheoryCurvesSchema } from '../artifacts/schemas.ts';
import { range } from './spectra-summary.ts';
import { AXIS, decadeAxis, decadeDomain, topLevelFigure, type FigureStyle, type VegaLiteSpec } from './theme.ts';

interface GapWidthsInput {
  curves: Table<TheoryCurvesSchema>;
  gaps?: Table<GapsSchema>;
  /** The theory's gaps (theory_gaps): kinds for the legend, and edges to match measured gaps to them. */
  theoryGaps?: TheoryGap[];
}

interface TheoryGap {
  index: number;
  kind: string;
  /** Edges in units of C's eigenvalues: the rescaled gap at s is [−s/(s + lower), −s/(s + upper)] (lower = 0: the atom). */
  lowerEdge: number;
  upperEdge: number;
}

/**
 * The theory gap a measured gap (rescaled edges lower < upper at noise variance s) is: the one whose
 * predicted interval at s has the nearest midpoint. Detectors number gaps by position among those they
 * see, so a lone intermediate gap may come out as "gap 0"; matching by position keeps the colours true.
 */
export function matchTheoryGap(gaps: TheoryGap[], s: number, lower: number, upper: number): TheoryGap | undefined {
  let best: TheoryGap | undefined;
  let bestDistance = Infinity;
  const mid = 0.5 * (lower + upper);
  for (const g of gaps) {
    const a = -s / (s + g.lowerEdge);
    const b = -s / (s + g.upperEdge);
    const distance = Math.abs(0.5 * (a + b) - mid);
    if (distance < bestDistance) {
      bestDistance = distance;
      best = g;
    }
  }
  return best;
}

interface GapWidthsOptions {
  /** Resolution Δ drawn as a dashed rule (0: no rule). */
  delta: number;
  style: FigureStyle;
}

export function gapWidthsSpec(input: GapWidthsInput, options: GapWidthsOptions): VegaLiteSpec {
  const c = input.curves.columns;
  const kinds = new Map((input.theoryGaps ?? []).map((g) => [g.index, g.kind]));
  const theory = range(input.curves.numRows)
    .filter((i) => c.gap_index[i] >= 0 && c.s[i] > 0 && Number.isFinite(c.width[i]))
    .map((i) => ({ s: c.s[i], width: c.width[i], gap: gapLabel(c.gap_index[i], kinds), source: 'theory' }));
  const measured = input.gaps
    ? range(input.gaps.numRows)
        .filter((i) => input.gaps!.columns.s[i] > 0)
        .map((i) => {
          const g = input.gaps!.columns;
          const matched = input.theoryGaps ? matchTheoryGap(input.theoryGaps, g.s[i], g.lower[i], g.upper[i]) : undefined;
          const gap = matched ? gapLabel(matched.index, kinds) : gapLabel(g.gap_index[i], kinds);
          return { s: g.s[i], width: g.width[i], gap, source: `${g.score[i]}, ${g.method[i]}` };
        })
    : [];
  const allS = [...theory, ...measured].map((p) => p.s);
  if (allS.length === 0) throw new Error('gap-widths: theory_curves has no gap rows (gap_index ≥ 0) and no gaps were bound');
  const [lo, hi] = decadeDomain(Math.min(...allS), Math.max(...allS));
  const x = { field: 's', type: 'quantitative', scale: { type: 'log', domain: [lo, hi] }, axis: decadeAxis(lo, hi, AXIS.s, options.style.width * 2) };
  const y = { field: 'width', type: 'quantitative', scale: { domain: [0, 1] }, title: AXIS.gapWidth };
  const color = { field: 'gap', type: 'nominal', title: 'gap' };
  const layers: VegaLiteSpec[] = [
    { data: { values: theory }, mark: { type: 'line', strokeWidth: 2 }, encoding: { x, y, color, detail: { field: 'gap' } } },
  ];
  if (measured.length > 0) {
    layers.push({
      data: { values: measured },
      mark: { type: 'point', filled: true, size: 30, opacity: 0.85 },
      encoding: { x, y, color, shape: { field: 'source', type: 'nominal', title: 'measured' } },
    });
  }
  if (options.delta > 0) {
    layers.push({
      data: { values: [{ delta: options.delta, label: `Δ = ${options.delta}` }] },
      layer: [
        { mark: { type: 'rule', strokeDash: [5, 4], color: '#555555' }, encoding: { y: { field: 'delta', type: 'quantitative' } } },
        {
          mark: { type: 'text', align: 'left', dx: 4, dy: -6, color: '#555555' },
          encoding: { y: { field: 'delta', type: 'quantitative' }, x: { value: 0 }, text: { field: 'label' } },
        },
      ],
    });
  }
  return topLevelFigure(
    { width: options.style.width * 2, height: Math.round(options.style.height * 1.3), layer: layers },
    options.style,
    'Spectral gaps of s·J vs noise variance',
    [
      'lines: random-matrix theory; points: gaps detected in measured spectra (matched to the theory gap at the same place)',
      'a gap is seen where its width exceeds Δ',
    ],
  );
}

/** 'gap 1 (intermediate)' when the kind is known, else 'gap 1'. */
function gapLabel(index: number, kinds?: Map<number, string>): string {
  const kind = kinds?.get(index);
  return kind ? `gap ${index} (${kind})` : `gap ${index}`;
}
