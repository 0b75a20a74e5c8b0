// Bulk edges of C's spectrum (science.md §7): the support's complement on the real line is the image of
// the real g where z(g) = −1/g + α Σ f σ²/(1 + σ² g) is increasing, so the edges are the values of z at
// its real critical points. Between the poles −1/σ_k² the slope z'(g) goes to −∞ at both ends; every
// stretch where it is positive is one gap [z(local min), z(local max)] between two bulks. Left of the
// most negative pole z rises from 0⁺ (g → −∞) to the lower edge of the lowest bulk; between the largest
// pole and 0 it falls to the upper edge of the top bulk and then rises to +∞.

import { canonicalProfile, checkProfile, type VarianceProfile } from './profile.ts';
import { inverseStieltjesReal, inverseStieltjesSlope } from './stieltjes.ts';

export interface Bulk {
  lower: number;
  upper: number;
}

/** Sample points per side of each interval between poles; log-spaced offsets resolve critical points near a pole. */
const SAMPLES_PER_SIDE = 600;
const SMALLEST_OFFSET = 1e-12;
/** SAMPLES_PER_SIDE offsets log-spaced from SMALLEST_OFFSET up to `span` times it. */
const logOffsets = (span: number): number[] =>
  Array.from({ length: SAMPLES_PER_SIDE }, (_, i) => SMALLEST_OFFSET * Math.pow(span, i / (SAMPLES_PER_SIDE - 1)));
// Computed once (the fit evaluates the edges at every Nelder–Mead step): fractions of an interval up to its
// middle (twoSidedGrid), and of the lowest pole up to 1e12 (bulkEdges).
const INTERVAL_OFFSETS = logOffsets(0.5 / SMALLEST_OFFSET);
const POLE_OFFSETS = logOffsets(1 / (SMALLEST_OFFSET * SMALLEST_OFFSET));

/** Root of the slope between a (slope sa) and b by bisection: 200 halvings reach double precision. */
function slopeRoot(p: VarianceProfile, a: number, b: number): number {
  let lo = a;
  let hi = b;
  const sLo = Math.sign(inverseStieltjesSlope(p, lo));
  for (let i = 0; i < 200; i++) {
    const mid = 0.5 * (lo + hi);
    if (mid === lo || mid === hi) break;
    if (Math.sign(inverseStieltjesSlope(p, mid)) === sLo) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}

/** Increasing stretches [gStart, gEnd] of z(g) on the open interval (left, right), found by sign changes on `grid`. */
function increasingStretches(p: VarianceProfile, grid: number[]): Array<{ start: number | undefined; end: number | undefined }> {
  const out: Array<{ start: number | undefined; end: number | undefined }> = [];
  let prevG = grid[0];
  let prevPositive = inverseStieltjesSlope(p, prevG) > 0;
  let open: number | undefined = prevPositive ? undefined : NaN;
  // `open` is NaN while z decreases; undefined means "increasing since the left end of the grid".
  for (let i = 1; i < grid.length; i++) {
    const g = grid[i];
    const positive = inverseStieltjesSlope(p, g) > 0;
    if (positive !== prevPositive) {
      const root = slopeRoot(p, prevG, g);
      if (positive) open = root;
      else {
        out.push({ start: open, end: root });
        open = NaN;
      }
    }
    prevG = g;
    prevPositive = positive;
  }
  if (prevPositive) out.push({ start: open, end: undefined });
  return out;
}

/** Points strictly inside (a, b) (finite), denser towards both ends. */
function twoSidedGrid(a: number, b: number): number[] {
  const w = b - a;
  const pts: number[] = [];
  for (let i = 0; i < SAMPLES_PER_SIDE; i++) pts.push(a + w * INTERVAL_OFFSETS[i]);
  for (let i = SAMPLES_PER_SIDE - 2; i >= 0; i--) pts.push(b - w * INTERVAL_OFFSETS[i]);
  return pts;
}

/**
 * The bulks of the non-zero spectrum of C, ascending, as [lower, upper] intervals (d → ∞, per-d
 * normalisation; an atom of weight 1 − α sits at 0 and is not a bulk).
 */
export function bulkEdges(profile: VarianceProfile): Bulk[] {
  const p = canonicalProfile(checkProfile(profile));
  const poles = p.variances.map((v) => -1 / v).sort((a, b) => a - b); // most negative first
  // Left of the most negative pole: g from −∞ (offsets up to 1e12 × |pole|) to the pole.
  const p0 = poles[0];
  const left: number[] = [];
  for (let i = SAMPLES_PER_SIDE - 1; i >= 0; i--) left.push(p0 * (1 + POLE_OFFSETS[i]));
  const gapsInC: Array<{ lo: number; hi: number }> = [];
  let lowest = 0; // α = 1: the lowest bulk reaches 0
  for (const s of increasingStretches(p, left)) {
    if (s.start === undefined && s.end !== undefined) lowest = inverseStieltjesReal(p, s.end);
  }
  for (let k = 0; k + 1 < poles.length; k++) {
    for (const s of increasingStretches(p, twoSidedGrid(poles[k], poles[k + 1]))) {
      if (s.start !== undefined && s.end !== undefined && !Number.isNaN(s.start)) {
        gapsInC.push({ lo: inverseStieltjesReal(p, s.start), hi: inverseStieltjesReal(p, s.end) });
      }
    }
  }
  let highest = NaN;
  for (const s of increasingStretches(p, twoSidedGrid(poles[poles.length - 1], 0))) {
    if (s.end === undefined && s.start !== undefined && !Number.isNaN(s.start)) highest = inverseStieltjesReal(p, s.start);
    else if (s.start !== undefined && s.end !== undefined && !Number.isNaN(s.start)) {
      gapsInC.push({ lo: inverseStieltjesReal(p, s.start), hi: inverseStieltjesReal(p, s.end) });
    }
  }
  if (!Number.isFinite(highest)) throw new Error(`bulkEdges: no upper edge found for profile ${JSON.stringify(profile)}`);
  gapsInC.sort((a, b) => a.lo - b.lo);
  const bulks: Bulk[] = [];
  let lower = lowest;
  for (const g of gapsInC) {
    bulks.push({ lower, upper: g.lo });
    lower = g.hi;
  }
  bulks.push({ lower, upper: highest });
  return bulks;
}

/** Marchenko–Pastur edges σ²(1 ± √α)² of a single-variance profile (closed form, for checks). */
export function marchenkoPasturEdges(variance: number, alpha: number): Bulk {
  const r = Math.sqrt(alpha);
  return { lower: variance * (1 - r) ** 2, upper: variance * (1 + r) ** 2 };
}

/**
 * Marchenko–Pastur density of the non-zero eigenvalues of σ² F Fᵀ per d (integrates to α):
 * ρ(λ) = √((b − λ)(λ − a)) / (2π σ² λ) on [a, b].
 */
export function marchenkoPasturDensity(lambda: number, variance: number, alpha: number): number {
  const { lower, upper } = marchenkoPasturEdges(variance, alpha);
  if (!(lambda > lower && lambda < upper)) return 0;
  return Math.sqrt((upper - lambda) * (lambda - lower)) / (2 * Math.PI * variance * lambda);
}
