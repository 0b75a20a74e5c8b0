// Gap detection on measured rescaled spectra (science.md §8). On one sorted spectrum a gap is a spacing
// between consecutive eigenvalues larger than the resolution Δ. Trained networks give noisy spectra,
// so gaps are aggregated over the evaluation points at a time: gaps of different points that overlap
// (in eigenvalue position) are the same gap; it counts when at least `minFraction` of the points show
// it, and its edges and rank are the medians over those points. Position, not rank, identifies a gap,
// because the rank below a gap can shift by one between noisy points.

import { median } from './spectra-table.ts';

interface DetectedGap {
  lower: number;
  upper: number;
  width: number;
  /** Eigenvalues at or below `lower` (the rank of `upper`). */
  countBelow: number;
}

/** Every spacing larger than Δ in an ascending spectrum. */
export function detectGaps(sorted: ArrayLike<number>, delta: number): DetectedGap[] {
  if (!(delta > 0)) throw new Error(`gap resolution delta must be > 0, got ${delta}`);
  const out: DetectedGap[] = [];
  for (let i = 0; i + 1 < sorted.length; i++) {
    const w = sorted[i + 1] - sorted[i];
    if (w < 0) throw new Error(`detectGaps needs an ascending spectrum: value ${i + 1} (${sorted[i + 1]}) < value ${i} (${sorted[i]})`);
    if (w > delta) out.push({ lower: sorted[i], upper: sorted[i + 1], width: w, countBelow: i + 1 });
  }
  return out;
}

export interface AggregatedGap extends DetectedGap {
  /** Fraction of the points that show this gap. */
  support: number;
}

/** Gaps present in at least `minFraction` of the points, ascending; edges, widths and ranks are medians. */
export function aggregateGaps(perPoint: DetectedGap[][], minFraction: number): AggregatedGap[] {
  if (!(minFraction > 0 && minFraction <= 1)) throw new Error(`min_fraction must be in (0, 1], got ${minFraction}`);
  const all: Array<DetectedGap & { point: number }> = [];
  perPoint.forEach((gaps, point) => gaps.forEach((g) => all.push({ ...g, point })));
  all.sort((a, b) => a.lower - b.lower);
  const clusters: Array<typeof all> = [];
  let hi = -Infinity;
  for (const g of all) {
    if (clusters.length === 0 || g.lower >= hi) {
      clusters.push([g]);
      hi = g.upper;
    } else {
      clusters[clusters.length - 1].push(g);
      hi = Math.max(hi, g.upper);
    }
  }
  const out: AggregatedGap[] = [];
  for (const cluster of clusters) {
    // One gap per point: its widest in the cluster.
    const widest = new Map<number, DetectedGap>();
    for (const g of cluster) {
      const prev = widest.get(g.point);
      if (!prev || g.width > prev.width) widest.set(g.point, g);
    }
    const support = widest.size / perPoint.length;
    if (support < minFraction) continue;
    const gs = [...widest.values()];
    out.push({
      lower: median(gs.map((g) => g.lower)),
      upper: median(gs.map((g) => g.upper)),
      width: median(gs.map((g) => g.width)),
      countBelow: Math.round(median(gs.map((g) => g.countBelow))),
      support,
    });
  }
  return out;
}

type MeasuredPhase = 'trivial' | 'coverage' | 'consolidation';

interface PhaseEstimate {
  phase: MeasuredPhase;
  /** Eigenvalues above the lowest gap (the one nearest the spike at −1); 0 with no gap. */
  dimEstimate: number;
  nGaps: number;
}

/**
 * Phase labels for one time series of aggregated gaps (`series` in any order of s, each with its s).
 * The *final* gap is the lowest gap at the smallest s that shows any gap: the one consolidation keeps.
 * A time is trivial with no gap, consolidation when its only gap is the final one (rank within
 * `rankTolerance`), coverage otherwise.
 */
export function labelPhases(series: Array<{ s: number; gaps: AggregatedGap[] }>, d: number, rankTolerance: number): PhaseEstimate[] {
  let finalCount: number | undefined;
  let smallest = Infinity;
  for (const slice of series) {
    if (slice.gaps.length > 0 && slice.s < smallest) {
      smallest = slice.s;
      finalCount = Math.min(...slice.gaps.map((g) => g.countBelow));
    }
  }
  return series.map(({ gaps }) => {
    if (gaps.length === 0) return { phase: 'trivial', dimEstimate: 0, nGaps: 0 };
    const lowest = gaps.reduce((a, b) => (b.countBelow < a.countBelow ? b : a));
    const isFinal = finalCount !== undefined && Math.abs(lowest.countBelow - finalCount) <= rankTolerance;
    return {
      phase: gaps.length === 1 && isFinal ? 'consolidation' : 'coverage',
      dimEstimate: d - lowest.countBelow,
      nGaps: gaps.length,
    };
  });
}

/**
 * The dimension drop of one sorted spectrum (science.md §7): eigenvalues separated from the −1 spike by
 * more than Δ. Unlike the gap-based estimate it needs no gap, so it also counts a continuum.
 */
export function detachedCount(sorted: ArrayLike<number>, delta: number): number {
  if (!(delta > 0 && delta < 1)) throw new Error(`resolution delta must be in (0, 1), got ${delta}`);
  let count = 0;
  for (let i = sorted.length - 1; i >= 0 && sorted[i] > -1 + delta; i--) count++;
  return count;
}
