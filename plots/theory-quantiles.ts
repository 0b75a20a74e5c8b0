// The theoretical quantile function of the rescaled spectrum: an atom at −1 (the normal directions) plus
// the continuous density of theory_density. Figure 4 draws it next to a trained model's sorted spectrum:
// the k-th smallest of d eigenvalues sits near Q((k + ½)/d).

/**
 * Quantiles of the distribution with density `density` on the ascending grid `x` (continuous part, mass
 * m = ∫ρ by the trapezoid rule, taken as per-d normalised so that m = α) and an atom at `atom` with weight
 * 1 − m. Returns Q(p) for each level p ∈ [0, 1]. If the continuous mass exceeds 1 (a density normalised
 * to the continuous part alone) it is renormalised to 1 and the atom gets no weight.
 */
export function theoryQuantiles(x: ArrayLike<number>, density: ArrayLike<number>, levels: number[], atom = -1): number[] {
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
  const continuous = Math.min(1, mass);
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
