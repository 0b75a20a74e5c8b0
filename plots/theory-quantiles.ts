// The theoretical quantile function of the rescaled spectrum: an atom at −1 (the normal directions) plus
// the continuous density of theory_density. Figure 4 draws it next to a trained model's sorted spectrum:
// the k-th smallest of d eigenvalues sits near Q((k + ½)/d).

/** ∫ρ over the grid by the trapezoid rule (negative densities count as 0). */
export function densityMass(x: ArrayLike<number>, density: ArrayLike<number>): number {
  let m = 0;
  for (let i = 1; i < x.length; i++) m += 0.5 * (x[i] - x[i - 1]) * (Math.max(0, density[i]) + Math.max(0, density[i - 1]));
  return m;
}

/**
 * Quantiles of the distribution with density `density` on the ascending grid `x` (the continuous part)
 * plus an atom at `atom` (−1: the normal directions). The continuous part gets weight `continuousMass`
 * (α, per-d normalisation) and the atom 1 − α; without it, α is the grid's own ∫ρ (trapezoid rule),
 * capped at 1. A grid too coarse for a narrow bulk loses mass, so callers with several s pass the
 * best-resolved mass. Returns Q(p) for each level p ∈ [0, 1].
 */
export function theoryQuantiles(
  x: ArrayLike<number>,
  density: ArrayLike<number>,
  levels: number[],
  continuousMass?: number,
  atom = -1,
): number[] {
  const n = x.length;
  if (n !== density.length) throw new Error(`x and density differ in length: ${n} vs ${density.length}`);
  if (n < 2) throw new Error(`theory density needs at least 2 grid points, got ${n}`);
  const cum = new Float64Array(n);
  for (let i = 1; i < n; i++) {
    const dx = x[i] - x[i - 1];
    if (!(dx > 0)) throw new Error(`theory density grid must be strictly ascending (x[${i - 1}] = ${x[i - 1]}, x[${i}] = ${x[i]})`);
    cum[i] = cum[i - 1] + 0.5 * dx * (Math.max(0, density[i]) + Math.max(0, density[i - 1]));
  }
  const mass = cum[n - 1];
  if (continuousMass !== undefined && !(continuousMass >= 0 && continuousMass <= 1)) {
    throw new Error(`continuous mass α must be in [0, 1], got ${continuousMass}`);
  }
  const continuous = continuousMass ?? Math.min(1, mass);
  const atomWeight = 1 - continuous;
  return levels.map((p) => {
    if (!(p >= 0 && p <= 1)) throw new Error(`quantile level must be in [0, 1], got ${p}`);
    if (p <= atomWeight || mass === 0) return atom;
    // Mass below x[i] (continuous part, rescaled to `continuous`), searched by bisection.
    const target = ((p - atomWeight) / continuous) * mass;
    let lo = 0;
    let hi = n - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (cum[mid] < target) lo = mid;
      else hi = mid;
    }
    const span = cum[hi] - cum[lo];
    return span > 0 ? x[lo] + ((target - cum[lo]) / span) * (x[hi] - x[lo]) : x[hi];
  });
}
