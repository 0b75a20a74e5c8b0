// Beyond the paper: the phase diagram over (s, Δ) computed from the theory's bulk edges: which phase an
// observer with resolution Δ sees at noise variance s. Merges grid cells of equal phase along s into
// runs, so the SVG holds a few hundred rectangles rather than one per cell.
import type { Table } from '../core/table.ts';
import type { TheoryEdgesSchema } from '../artifacts/schemas.ts';
import { phaseGrid, type PhaseCell } from './phase-map.ts';
import { range } from './spectra-summary.ts';
import { AXIS, decadeAxis, topLevelFigure, type FigureStyle, type VegaLiteSpec } from './theme.ts';

interface PhaseDiagramOptions {
  sMin: number;
  sMax: number;
  sPoints: number;
  deltaMin: number;
  deltaMax: number;
  deltaPoints: number;
  style: FigureStyle;
}

export const PHASE_COLOURS = { trivial: '#bab0ac', coverage: '#f28e2b', consolidation: '#4e79a7' } as const;

export function phaseDiagramSpec(edgesTable: Table<TheoryEdgesSchema>, options: PhaseDiagramOptions): VegaLiteSpec {
  const e = edgesTable.columns;
  const edges = range(edgesTable.numRows).map((i) => ({ lower: e.lower[i], upper: e.upper[i] }));
  // Rows drawn a little taller than they are (overlapping the row above) so anti-aliasing leaves no
  // white seams between them; the top row keeps its edge.
  const rowHeight = (options.deltaMax - options.deltaMin) / options.deltaPoints;
  const cells = mergeRuns(phaseGrid(edges, options)).map((c) => ({
    ...c,
    delta1_drawn: Math.min(options.deltaMax, c.delta1 + 0.4 * rowHeight),
  }));
  const domain = ['trivial', 'coverage', 'consolidation'];
  return topLevelFigure(
    {
      width: options.style.width * 2,
      height: Math.round(options.style.height * 1.3),
      data: { values: cells },
      mark: { type: 'rect' },
      encoding: {
        x: {
          field: 's0',
          type: 'quantitative',
          scale: { type: 'log', domain: [options.sMin, options.sMax], nice: false },
          axis: decadeAxis(options.sMin, options.sMax, AXIS.s, options.style.width * 2),
        },
        x2: { field: 's1' },
        y: { field: 'delta0', type: 'quantitative', scale: { domain: [options.deltaMin, options.deltaMax], nice: false }, title: AXIS.delta },
        y2: { field: 'delta1_drawn' },
        color: {
          field: 'phase',
          type: 'nominal',
          scale: { domain, range: domain.map((p) => PHASE_COLOURS[p as keyof typeof PHASE_COLOURS]) },
          title: 'phase',
        },
      },
    },
    options.style,
    'Phase diagram of generation over noise variance and resolution',
    [
      `from the bulk edges of the data covariance spectrum (${edges.length} bulk${edges.length === 1 ? '' : 's'})`,
      'trivial: no gap wider than Δ; coverage: an intermediate gap; consolidation: only the manifold gap',
    ],
  );
}

/** Joins neighbouring cells of one Δ row with the same phase (cells arrive s-major). */
function mergeRuns(cells: PhaseCell[]): PhaseCell[] {
  const rows = new Map<number, PhaseCell[]>();
  for (const c of cells) {
    const row = rows.get(c.delta0) ?? [];
    row.push({ ...c });
    rows.set(c.delta0, row);
  }
  const out: PhaseCell[] = [];
  for (const row of rows.values()) {
    row.sort((a, b) => a.s0 - b.s0);
    let run = row[0];
    for (let k = 1; k < row.length; k++) {
      if (row[k].phase === run.phase) run.s1 = row[k].s1;
      else {
        out.push(run);
        run = row[k];
      }
    }
    out.push(run);
  }
  return out;
}
