// Spectral gaps of s·J for the linear Gaussian model (science.md §7), with a resolution Δ ∈ (0, 1):
// - manifold gap, between the spike at −1 and the lowest bulk's lower edge γ₋:
//   G_M(s) = γ₋/(s + γ₋), increasing as s falls, visible for s < γ₋(1 − Δ)/Δ, never closing;
// - intermediate gap between a high bulk (lower edge A) and the bulk below it (upper edge B < A):
//   G_I(s) = s(A − B)/((s + A)(s + B)), largest at s_max = √(AB) with height (√A − √B)/(√A + √B),
//   visible on (s₋, s₊) with s₋ s₊ = AB when the height exceeds Δ.
// Generation runs from large s to small s, so a gap *opens* at the larger end of its window (s_open) and
// *closes* at the smaller (s_close). Gap indices count upwards from −1: 0 is the manifold gap, j ≥ 1 the
// gap above bulk j − 1 of C (bulks ascending).

import { cdfAt, type SpectralCdf } from './density.ts';
import type { Bulk } from './edges.ts';
import { VeSde } from '../science/sde.ts';

type GapKind = 'manifold' | 'intermediate';

export interface TheoryGap {
  gapIndex: number;
  kind: GapKind;
  /**
   * Edges in C's eigenvalue units: the gap at s spans [−s/(s + lowerEdge), −s/(s + upperEdge)] in s·J.
   * For the manifold gap lowerEdge = 0 (the atom) and upperEdge = γ₋.
   */
  lowerEdge: number;
  upperEdge: number;
  /** Where the width is largest (0 for the manifold gap: it grows until s = 0). */
  sMax: number;
  /** Largest width (1 for the manifold gap, reached as s → 0). */
  height: number;
  /** Visibility window for the resolution Δ; NaN when the gap never exceeds Δ; sClose = 0 for the manifold gap. */
  sOpen: number;
  sClose: number;
  /** The same as VE SDE times (NaN where s is 0 or NaN; may lie outside [ε, 1] when s does). */
  tOpen: number;
  tMax: number;
  tClose: number;
}

function checkResolution(delta: number): void {
  if (!(Number.isFinite(delta) && delta > 0 && delta < 1)) {
    throw new Error(`resolution delta must be in (0, 1) (a gap width in units of the rescaled spectrum), got ${delta}`);
  }
}

/** G_M(s) = γ₋/(s + γ₋). */
function manifoldGapWidth(lowestEdge: number, s: number): number {
  return lowestEdge / (s + lowestEdge);
}

/** G_I(s) = s(A − B)/((s + A)(s + B)). */
export function intermediateGapWidth(upperBulkLower: number, lowerBulkUpper: number, s: number): number {
  const a = upperBulkLower;
  const b = lowerBulkUpper;
  return (s * (a - b)) / ((s + a) * (s + b));
}

/** s_max = √(AB) and height (√A − √B)/(√A + √B) of an intermediate gap. */
function intermediateGapPeak(a: number, b: number): { sMax: number; height: number } {
  const ra = Math.sqrt(a);
  const rb = Math.sqrt(b);
  return { sMax: ra * rb, height: (ra - rb) / (ra + rb) };
}

/**
 * The window (s₋, s₊) where G_I(s) > Δ: roots of Δ s² + (Δ(A + B) − (A − B)) s + Δ AB = 0, product AB.
 * Undefined when the height does not exceed Δ.
 */
function intermediateGapWindow(a: number, b: number, delta: number): { sOpen: number; sClose: number } | undefined {
  checkResolution(delta);
  const bq = delta * (a + b) - (a - b);
  const disc = bq * bq - 4 * delta * delta * a * b;
  if (!(bq < 0 && disc > 0)) return undefined;
  // The larger root without cancellation; the smaller from the product AB.
  const sOpen = (-bq + Math.sqrt(disc)) / (2 * delta);
  return { sOpen, sClose: (a * b) / sOpen };
}

/** s below which the manifold gap exceeds Δ: γ₋(1 − Δ)/Δ. */
function manifoldGapOpening(lowestEdge: number, delta: number): number {
  checkResolution(delta);
  return (lowestEdge * (1 - delta)) / delta;
}

function timeOf(sde: VeSde, s: number): number {
  return s > 0 ? sde.timeOfVariance(s) : NaN;
}

/** Every gap of the profile's s·J spectrum (manifold gap first), for resolution Δ. */
export function theoryGaps(bulks: Bulk[], delta: number, sde: VeSde): TheoryGap[] {
  checkResolution(delta);
  if (bulks.length === 0) throw new Error('theoryGaps needs at least one bulk');
  const gaps: TheoryGap[] = [];
  const gamma = bulks[0].lower;
  if (gamma > 0) {
    const sOpen = manifoldGapOpening(gamma, delta);
    gaps.push({
      gapIndex: 0,
      kind: 'manifold',
      lowerEdge: 0,
      upperEdge: gamma,
      sMax: 0,
      height: 1,
      sOpen,
      sClose: 0,
      tOpen: timeOf(sde, sOpen),
      tMax: NaN,
      tClose: NaN,
    });
  }
  for (let j = 1; j < bulks.length; j++) {
    const a = bulks[j].lower;
    const b = bulks[j - 1].upper;
    const { sMax, height } = intermediateGapPeak(a, b);
    const w = intermediateGapWindow(a, b, delta);
    const sOpen = w ? w.sOpen : NaN;
    const sClose = w ? w.sClose : NaN;
    gaps.push({
      gapIndex: j,
      kind: 'intermediate',
      lowerEdge: b,
      upperEdge: a,
      sMax,
      height,
      sOpen,
      sClose,
      tOpen: timeOf(sde, sOpen),
      tMax: timeOf(sde, sMax),
      tClose: timeOf(sde, sClose),
    });
  }
  return gaps;
}

/** Width of a theory gap at s (the s·J distance between the two edges it separates). */
export function gapWidthAt(gap: TheoryGap, s: number): number {
  return gap.kind === 'manifold' ? manifoldGapWidth(gap.upperEdge, s) : intermediateGapWidth(gap.upperEdge, gap.lowerEdge, s);
}

/** Where the gap sits in s·J at s: [−s/(s + lowerEdge), −s/(s + upperEdge)]. */
export function gapIntervalAt(gap: { lowerEdge: number; upperEdge: number }, s: number): { lower: number; upper: number } {
  return { lower: -s / (s + gap.lowerEdge), upper: -s / (s + gap.upperEdge) };
}

/**
 * The dimension-drop curve (Figure 2): expected number of eigenvalues of s·J separated from the spike
 * at −1 by more than Δ, i.e. μ > −1 + Δ ⇔ λ > sΔ/(1 − Δ): d × (mass of C's spectrum above that λ).
 */
export function dimensionDrop(cdf: SpectralCdf, s: number, delta: number, d: number): number {
  checkResolution(delta);
  return d * (1 - cdfAt(cdf, (s * delta) / (1 - delta)));
}

type Phase = 'trivial' | 'coverage' | 'consolidation';

/** Phase at s: trivial with no gap visible, consolidation when only the manifold gap is, coverage otherwise. */
function phaseAt(gaps: TheoryGap[], s: number, delta: number): Phase {
  let manifold = false;
  let intermediate = false;
  for (const g of gaps) {
    if (!(gapWidthAt(g, s) > delta)) continue;
    if (g.kind === 'manifold') manifold = true;
    else intermediate = true;
  }
  return intermediate ? 'coverage' : manifold ? 'consolidation' : 'trivial';
}

interface PhaseInterval {
  phase: Phase;
  /** The phase holds for sTo < s < sFrom (sFrom = ∞ for the first, sTo = 0 for the last). */
  sFrom: number;
  sTo: number;
  tFrom: number;
  tTo: number;
}

/** The phases in the order generation meets them (s decreasing), with their boundaries. */
export function theoryPhases(gaps: TheoryGap[], delta: number, sde: VeSde): PhaseInterval[] {
  const events = new Set<number>();
  for (const g of gaps) {
    if (g.sOpen > 0) events.add(g.sOpen);
    if (g.sClose > 0) events.add(g.sClose);
  }
  const bounds = [Infinity, ...[...events].sort((a, b) => b - a), 0];
  const out: PhaseInterval[] = [];
  for (let i = 0; i + 1 < bounds.length; i++) {
    const hi = bounds[i];
    const lo = bounds[i + 1];
    // Probe the phase strictly inside the interval.
    const probe = hi === Infinity ? lo * 2 + 1 : lo === 0 ? hi / 2 : Math.sqrt(hi * lo);
    const phase = phaseAt(gaps, probe, delta);
    const last = out[out.length - 1];
    if (last && last.phase === phase) {
      last.sTo = lo;
      last.tTo = timeOf(sde, lo);
    } else {
      out.push({ phase, sFrom: hi, sTo: lo, tFrom: hi === Infinity ? Infinity : timeOf(sde, hi), tTo: timeOf(sde, lo) });
    }
  }
  return out;
}
