// The grouped variance profile {(f_k, σ_k²)} with α = m/d that the random-matrix theory takes as input
// (science.md §3.1 and §7): C = F diag(v) Fᵀ, F_ij ~ N(0, 1/d), a fraction f_k of the m latent columns
// with variance σ_k².

export interface VarianceProfile {
  /** α = m/d ∈ (0, 1]. */
  alpha: number;
  /** f_k, summing to 1. */
  fractions: number[];
  /** σ_k² > 0, one per fraction. */
  variances: number[];
}

/** Tolerance on Σ f_k = 1: loose enough for fractions written with a few digits (0.333, 0.333, 0.334). */
const FRACTION_SUM_TOLERANCE = 1e-6;

/** An error message naming what is wrong, or undefined when the profile is usable. */
export function profileProblem(p: VarianceProfile): string | undefined {
  if (!(Number.isFinite(p.alpha) && p.alpha > 0 && p.alpha <= 1)) {
    return `alpha must be in (0, 1] (alpha = m/d with m ≤ d), got ${p.alpha}`;
  }
  if (p.fractions.length === 0) return 'the variance profile needs at least one group, got none';
  if (p.fractions.length !== p.variances.length) {
    return `fractions and variances must have the same length, got ${p.fractions.length} fractions and ${p.variances.length} variances`;
  }
  for (let k = 0; k < p.fractions.length; k++) {
    const f = p.fractions[k];
    const v = p.variances[k];
    if (!(Number.isFinite(f) && f > 0 && f <= 1)) return `fraction ${k + 1} must be in (0, 1], got ${f}`;
    if (!(Number.isFinite(v) && v > 0)) return `variance ${k + 1} must be a finite number > 0, got ${v}`;
  }
  const sum = p.fractions.reduce((a, b) => a + b, 0);
  if (Math.abs(sum - 1) > FRACTION_SUM_TOLERANCE) {
    return `fractions must sum to 1, got ${p.fractions.join(', ')} (sum ${sum})`;
  }
  return undefined;
}

/** Throws with `profileProblem`'s message. */
export function checkProfile(p: VarianceProfile): VarianceProfile {
  const problem = profileProblem(p);
  if (problem) throw new Error(`invalid variance profile: ${problem}`);
  return p;
}

/**
 * Groups with equal variances merged and sorted by variance ascending: the theory only sees the
 * distribution of variances, and the edge finder needs distinct poles −1/σ_k².
 */
export function canonicalProfile(p: VarianceProfile): VarianceProfile {
  const byVariance = new Map<number, number>();
  for (let k = 0; k < p.variances.length; k++) {
    byVariance.set(p.variances[k], (byVariance.get(p.variances[k]) ?? 0) + p.fractions[k]);
  }
  const variances = [...byVariance.keys()].sort((a, b) => a - b);
  return { alpha: p.alpha, variances, fractions: variances.map((v) => byVariance.get(v)!) };
}

/** Rows of the data stage's `profile` table, as read back from its columns. */
interface ProfileRows {
  numRows: number;
  columns: {
    group: Int32Array;
    fraction: Float64Array;
    variance: Float64Array;
    alpha: Float64Array;
    d: Int32Array;
    m: Int32Array;
  };
}

/** The profile and the dimensions (d, m) held in a data stage's `profile` table. */
export function profileFromTable(t: ProfileRows): { profile: VarianceProfile; d: number; m: number } {
  if (t.numRows === 0) throw new Error('the profile table is empty: it needs one row per variance group');
  const order = Array.from({ length: t.numRows }, (_, i) => i).sort((i, j) => t.columns.group[i] - t.columns.group[j]);
  const profile: VarianceProfile = {
    alpha: t.columns.alpha[0],
    fractions: order.map((i) => t.columns.fraction[i]),
    variances: order.map((i) => t.columns.variance[i]),
  };
  return { profile: checkProfile(profile), d: t.columns.d[0], m: t.columns.m[0] };
}

/**
 * The profile the theory must use for loadings drawn with entries of variance 1/m instead of 1/d
 * (data stage `scaling`): C = F diag(v) Fᵀ grows by d/m = 1/α, which is the same as variances v/α.
 */
export function profileForScaling(p: VarianceProfile, scaling: '1/d' | '1/m'): VarianceProfile {
  return scaling === '1/d' ? p : { ...p, variances: p.variances.map((v) => v / p.alpha) };
}
