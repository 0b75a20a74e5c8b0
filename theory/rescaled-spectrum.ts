// The spectrum of the rescaled Jacobian s·J = −s (C + sI)⁻¹ of the linear Gaussian model (science.md
// §4, §7): each eigenvalue λ of C maps to μ = −s/(s + λ) ∈ [−1, 0), increasing in λ. The d − m zero
// eigenvalues give the atom at μ = −1 of weight 1 − α (per d); the bulks of C map to bulks of s·J with
// density ρ_J(μ) = ρ_C(λ) |dλ/dμ| = ρ_C(λ) (s + λ)²/s, λ = −s(1 + μ)/μ.

import type { SpectralDensity } from './density.ts';

/** μ = −s/(s + λ). */
function rescaledEigenvalue(lambda: number, s: number): number {
  return -s / (s + lambda);
}

interface RescaledDensityPoint {
  x: number;
  density: number;
}

/**
 * The continuous part of the density of s·J's eigenvalues (integrates to α; the atom at −1 is
 * separate), sampled at the images of the bulk nodes, ascending in x, with zero-density points at
 * every bulk edge so a line plot drops to zero across gaps.
 */
export function rescaledDensity(sd: SpectralDensity, s: number): RescaledDensityPoint[] {
  if (!(s > 0)) throw new Error(`noise variance s must be > 0, got ${s}`);
  const out: RescaledDensityPoint[] = [];
  for (const b of sd.bulks) {
    out.push({ x: rescaledEigenvalue(b.lower, s), density: 0 });
    for (let j = 0; j < b.lambda.length; j++) {
      const l = b.lambda[j];
      out.push({ x: rescaledEigenvalue(l, s), density: (b.density[j] * (s + l) * (s + l)) / s });
    }
    out.push({ x: rescaledEigenvalue(b.upper, s), density: 0 });
  }
  return out;
}

/** Midpoint levels (r + ½)/d of the d ranks: the quantile levels a sorted spectrum of size d estimates. */
export function rankLevels(d: number): Float64Array {
  const q = new Float64Array(d);
  for (let r = 0; r < d; r++) q[r] = (r + 0.5) / d;
  return q;
}
