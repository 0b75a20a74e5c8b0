// Density, cumulative mass and quantile function of C's non-zero spectrum on each bulk. Nodes are placed
// at λ = a + (b − a)(1 − cos θ)/2 with θ at the midpoints of N equal steps: the square-root edges become
// smooth in θ (ρ dλ ∝ sin²θ near both ends), so the midpoint rule in θ integrates to near machine
// precision with a few hundred nodes, and the nodes crowd where the density changes fastest.

import { bulkEdges, type Bulk } from './edges.ts';
import { canonicalProfile, checkProfile, type VarianceProfile } from './profile.ts';
import { stieltjesOnReal, type Complex } from './stieltjes.ts';

interface BulkDensity extends Bulk {
  /** Node positions, ascending, strictly inside (lower, upper). */
  lambda: Float64Array;
  /** ρ_C at the nodes. */
  density: Float64Array;
  /** Quadrature weight of each node: ∫ φ ρ dλ ≈ Σ φ(λ_j) ρ_j w_j. */
  weight: Float64Array;
  /** Mass of the bulk (per d). */
  mass: number;
}

export interface SpectralDensity {
  profile: VarianceProfile;
  bulks: BulkDensity[];
  /** Total non-zero mass: α in the limit, up to quadrature error. */
  mass: number;
}

/** Density of C's non-zero eigenvalues on every bulk, `nodesPerBulk` nodes each. */
export function spectralDensity(profile: VarianceProfile, nodesPerBulk: number): SpectralDensity {
  const p = canonicalProfile(checkProfile(profile));
  if (!(Number.isInteger(nodesPerBulk) && nodesPerBulk >= 4)) {
    throw new Error(`nodesPerBulk must be an integer ≥ 4, got ${nodesPerBulk}`);
  }
  const bulks: BulkDensity[] = [];
  let total = 0;
  for (const b of bulkEdges(p)) {
    const n = nodesPerBulk;
    const lambda = new Float64Array(n);
    const density = new Float64Array(n);
    const weight = new Float64Array(n);
    const half = 0.5 * (b.upper - b.lower);
    for (let j = 0; j < n; j++) {
      const theta = (Math.PI * (j + 0.5)) / n;
      lambda[j] = b.lower + half * (1 - Math.cos(theta));
      weight[j] = half * Math.sin(theta) * (Math.PI / n);
    }
    // Continuation in λ from the middle of the bulk outwards: each root starts Newton for the next.
    const mid = n >> 1;
    let g: Complex | undefined;
    for (let j = mid; j < n; j++) {
      g = stieltjesOnReal(p, lambda[j], g);
      density[j] = g.im / Math.PI;
    }
    g = undefined;
    for (let j = mid; j >= 0; j--) {
      g = stieltjesOnReal(p, lambda[j], g);
      density[j] = g.im / Math.PI;
    }
    let mass = 0;
    for (let j = 0; j < n; j++) mass += density[j] * weight[j];
    total += mass;
    bulks.push({ lower: b.lower, upper: b.upper, lambda, density, weight, mass });
  }
  return { profile: p, bulks, mass: total };
}

/** ρ_C at any λ by linear interpolation of the node values (0 outside the bulks; for plotting and checks). */
export function densityAt(sd: SpectralDensity, lambda: number): number {
  for (const b of sd.bulks) {
    if (lambda <= b.lower || lambda >= b.upper) continue;
    const x = b.lambda;
    const n = x.length;
    if (lambda <= x[0]) return (b.density[0] * (lambda - b.lower)) / (x[0] - b.lower);
    if (lambda >= x[n - 1]) return (b.density[n - 1] * (b.upper - lambda)) / (b.upper - x[n - 1]);
    let lo = 0;
    let hi = n - 1;
    while (hi - lo > 1) {
      const m = (lo + hi) >> 1;
      if (x[m] <= lambda) lo = m;
      else hi = m;
    }
    const u = (lambda - x[lo]) / (x[hi] - x[lo]);
    return b.density[lo] * (1 - u) + b.density[hi] * u;
  }
  return 0;
}

/**
 * Cumulative distribution of all d eigenvalues of C (per d, the atom of weight 1 − α at 0 included), as
 * monotone knots (λ, F) from which both the CDF and the quantile function are read by linear
 * interpolation. Bulk masses are rescaled so that the total is exactly 1: quadrature error then cannot
 * push a quantile past the top edge.
 */
export interface SpectralCdf {
  lambda: Float64Array;
  cumulative: Float64Array;
  alpha: number;
}

export function spectralCdf(sd: SpectralDensity): SpectralCdf {
  const alpha = sd.profile.alpha;
  const knotsL: number[] = [0];
  const knotsF: number[] = [1 - alpha];
  const rescale = sd.mass > 0 ? alpha / sd.mass : 0;
  let acc = 1 - alpha;
  for (const b of sd.bulks) {
    knotsL.push(b.lower);
    knotsF.push(acc);
    // Knot at each node boundary: cumulative mass up to the midpoint between nodes.
    const n = b.lambda.length;
    for (let j = 0; j < n; j++) {
      acc += b.density[j] * b.weight[j] * rescale;
      const right = j + 1 < n ? 0.5 * (b.lambda[j] + b.lambda[j + 1]) : b.upper;
      knotsL.push(right);
      knotsF.push(acc);
    }
  }
  knotsF[knotsF.length - 1] = 1;
  return { lambda: Float64Array.from(knotsL), cumulative: Float64Array.from(knotsF), alpha };
}

/** Fraction of the d eigenvalues of C that are ≤ λ (λ ≥ 0; the atom at 0 counts). */
export function cdfAt(c: SpectralCdf, lambda: number): number {
  const x = c.lambda;
  const n = x.length;
  if (lambda < 0) return 0;
  if (lambda >= x[n - 1]) return 1;
  let lo = 0;
  let hi = n - 1;
  while (hi - lo > 1) {
    const m = (lo + hi) >> 1;
    if (x[m] <= lambda) lo = m;
    else hi = m;
  }
  const span = x[hi] - x[lo];
  const u = span > 0 ? (lambda - x[lo]) / span : 1;
  return c.cumulative[lo] * (1 - u) + c.cumulative[hi] * u;
}

/** Quantile of C's spectrum at level q ∈ [0, 1]: 0 below 1 − α (the atom), then inside the bulks. */
export function quantileAt(c: SpectralCdf, q: number): number {
  const f = c.cumulative;
  const n = f.length;
  if (q <= f[0]) return 0;
  if (q >= f[n - 1]) return c.lambda[n - 1];
  let lo = 0;
  let hi = n - 1;
  while (hi - lo > 1) {
    const m = (lo + hi) >> 1;
    if (f[m] < q) lo = m;
    else hi = m;
  }
  const span = f[hi] - f[lo];
  const u = span > 0 ? (q - f[lo]) / span : 0;
  return c.lambda[lo] * (1 - u) + c.lambda[hi] * u;
}
