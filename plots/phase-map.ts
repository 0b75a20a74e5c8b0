// The phase of the generation at noise variance s as seen with resolution Δ, from the bulk edges of the
// data covariance's spectrum (science.md §7): the manifold gap γ₋/(s + γ₋) between the spike at −1 and
// the lowest bulk, and an intermediate gap s(A − B)/((s + A)(s + B)) between neighbouring bulks (A the
// lower edge of the higher bulk, B the upper edge of the lower one). A gap is visible when wider than Δ.

interface BulkEdges {
  lower: number;
  upper: number;
}

type Phase = 'trivial' | 'coverage' | 'consolidation';

interface PhasePoint {
  phase: Phase;
  manifoldVisible: boolean;
  intermediateVisible: number;
}

/** Widths of the manifold gap and of each intermediate gap (between bulk k and k + 1) at noise variance s. */
export function gapWidthsAt(edges: BulkEdges[], s: number): { manifold: number; intermediate: number[] } {
  if (edges.length === 0) throw new Error('phase map needs at least one bulk (theory_edges is empty)');
  if (!(s > 0)) throw new Error(`noise variance s must be > 0, got ${s}`);
  const sorted = [...edges].sort((a, b) => a.lower - b.lower);
  const gammaMinus = sorted[0].lower;
  const manifold = gammaMinus / (s + gammaMinus);
  const intermediate: number[] = [];
  for (let k = 0; k + 1 < sorted.length; k++) {
    const B = sorted[k].upper;
    const A = sorted[k + 1].lower;
    intermediate.push(A > B ? (s * (A - B)) / ((s + A) * (s + B)) : 0);
  }
  return { manifold, intermediate };
}

/**
 * Phase at (s, Δ): coverage while any intermediate gap is visible; consolidation when only the manifold
 * gap is; trivial when no gap is visible (at large s: all eigenvalues near −1).
 */
export function phaseAt(edges: BulkEdges[], s: number, delta: number): PhasePoint {
  if (!(delta > 0 && delta < 1)) throw new Error(`resolution Δ must be in (0, 1), got ${delta}`);
  const w = gapWidthsAt(edges, s);
  const manifoldVisible = w.manifold > delta;
  const intermediateVisible = w.intermediate.filter((g) => g > delta).length;
  const phase: Phase = intermediateVisible > 0 ? 'coverage' : manifoldVisible ? 'consolidation' : 'trivial';
  return { phase, manifoldVisible, intermediateVisible };
}

export interface PhaseCell {
  s0: number;
  s1: number;
  delta0: number;
  delta1: number;
  phase: Phase;
}

/** Phases on a grid: s log-spaced on [sMin, sMax], Δ evenly spaced on [deltaMin, deltaMax]; cell centres evaluated. */
export function phaseGrid(
  edges: BulkEdges[],
  grid: { sMin: number; sMax: number; sPoints: number; deltaMin: number; deltaMax: number; deltaPoints: number },
): PhaseCell[] {
  const { sMin, sMax, sPoints, deltaMin, deltaMax, deltaPoints } = grid;
  if (!(sMin > 0 && sMax > sMin)) throw new Error(`phase grid needs 0 < s_min < s_max, got s_min=${sMin}, s_max=${sMax}`);
  if (!(deltaMin > 0 && deltaMax < 1 && deltaMax > deltaMin)) {
    throw new Error(`phase grid needs 0 < delta_min < delta_max < 1, got delta_min=${deltaMin}, delta_max=${deltaMax}`);
  }
  for (const [name, v] of [['s_points', sPoints], ['delta_points', deltaPoints]] as const) {
    if (!(Number.isInteger(v) && v >= 2)) throw new Error(`${name} must be an integer ≥ 2, got ${v}`);
  }
  const ls0 = Math.log(sMin);
  const dls = (Math.log(sMax) - ls0) / sPoints;
  const dd = (deltaMax - deltaMin) / deltaPoints;
  const cells: PhaseCell[] = [];
  for (let i = 0; i < sPoints; i++) {
    const s0 = Math.exp(ls0 + i * dls);
    const s1 = Math.exp(ls0 + (i + 1) * dls);
    const sc = Math.sqrt(s0 * s1);
    for (let j = 0; j < deltaPoints; j++) {
      const delta0 = deltaMin + j * dd;
      const delta1 = delta0 + dd;
      cells.push({ s0, s1, delta0, delta1, phase: phaseAt(edges, sc, 0.5 * (delta0 + delta1)).phase });
    }
  }
  return cells;
}
