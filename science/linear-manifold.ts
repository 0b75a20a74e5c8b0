// The linear-manifold data model of science.md §3.1: x = F z with F ∈ R^{d×m}, F_ij ~ N(0, 1/d)
// (or 1/m), z ~ N(0, diag(v)), and a variance profile v over the m latent columns.

import { matmulTransposeB } from '../linalg/matrix.ts';
import type { Rng } from './random.ts';
import { createRng } from './random.ts';

type VarianceProfile =
  | { kind: 'single'; variance: number }
  /** A fraction f of the columns has variance σ₁², the rest σ₂². */
  | { kind: 'double'; f: number; sigma1Sq: number; sigma2Sq: number }
  /** K groups (f_k, σ_k²); the fractions sum to 1. */
  | { kind: 'multi'; groups: ProfileGroup[] }
  /** `count` variances uniform in [1e-2, 1], each on a fraction 1/count of the columns. */
  | { kind: 'continuous'; count: number };

export interface ProfileGroup {
  fraction: number;
  variance: number;
}

type LoadingScaling = '1/d' | '1/m';

export interface LinearManifoldSpec {
  d: number;
  m: number;
  profile: VarianceProfile;
  scaling: LoadingScaling;
  seed: number;
}

interface LinearManifold {
  d: number;
  m: number;
  /** α = m/d. */
  alpha: number;
  /** Loadings F, d × m row-major. */
  F: Float64Array;
  /** Latent variance of each column of F (length m). */
  variances: Float64Array;
  /** The realised grouped profile {(f_k, σ_k²)}: fractions are column counts over m. */
  groups: ProfileGroup[];
}

/** Bounds of the continuous profile's variances (science.md §3.1). */
const CONTINUOUS_VARIANCE_RANGE = [1e-2, 1] as const;

/** Split m columns into integer counts proportional to `fractions` (largest remainder), summing to m. */
export function columnCounts(fractions: number[], m: number): number[] {
  const raw = fractions.map((f) => f * m);
  const counts = raw.map(Math.floor);
  let left = m - counts.reduce((a, b) => a + b, 0);
  const order = raw.map((r, i) => ({ i, rem: r - Math.floor(r) })).sort((a, b) => b.rem - a.rem || a.i - b.i);
  for (let k = 0; left > 0; k = (k + 1) % order.length, left--) counts[order[k].i]++;
  return counts;
}

/** The (fraction, variance) groups a profile asks for, before rounding to whole columns. */
function profileGroups(profile: VarianceProfile, rng: Rng): ProfileGroup[] {
  switch (profile.kind) {
    case 'single':
      checkVariance('sigma_sq', profile.variance);
      return [{ fraction: 1, variance: profile.variance }];
    case 'double':
      if (!(profile.f >= 0 && profile.f <= 1)) throw new Error(`f must lie in [0, 1], got ${profile.f}`);
      checkVariance('sigma1_sq', profile.sigma1Sq);
      checkVariance('sigma2_sq', profile.sigma2Sq);
      return [
        { fraction: profile.f, variance: profile.sigma1Sq },
        { fraction: 1 - profile.f, variance: profile.sigma2Sq },
      ];
    case 'multi': {
      if (profile.groups.length === 0) throw new Error('groups must hold at least one (fraction, variance) pair');
      let total = 0;
      profile.groups.forEach((g, k) => {
        if (!(g.fraction >= 0)) throw new Error(`groups: fraction ${k + 1} must be ≥ 0, got ${g.fraction}`);
        checkVariance(`groups: variance ${k + 1}`, g.variance);
        total += g.fraction;
      });
      if (Math.abs(total - 1) > 1e-9) {
        throw new Error(`groups: fractions must sum to 1, got ${total} (${profile.groups.map((g) => g.fraction).join(' + ')})`);
      }
      return profile.groups.map((g) => ({ ...g }));
    }
    case 'continuous': {
      const n = profile.count;
      if (!(Number.isInteger(n) && n >= 1)) throw new Error(`n_variances must be an integer ≥ 1, got ${n}`);
      const [lo, hi] = CONTINUOUS_VARIANCE_RANGE;
      return Array.from({ length: n }, () => ({ fraction: 1 / n, variance: lo + (hi - lo) * rng.uniform() }));
    }
  }
}

function checkVariance(name: string, v: number): void {
  if (!(Number.isFinite(v) && v > 0)) throw new Error(`${name} must be a positive variance, got ${v}`);
}

/** Column variances (length m, grouped: first group's columns first) and the realised groups. */
export function columnVariances(
  profile: VarianceProfile,
  m: number,
  rng: Rng,
): { variances: Float64Array; groups: ProfileGroup[] } {
  const wanted = profileGroups(profile, rng);
  const counts = columnCounts(
    wanted.map((g) => g.fraction),
    m,
  );
  const variances = new Float64Array(m);
  const groups: ProfileGroup[] = [];
  let c = 0;
  wanted.forEach((g, k) => {
    for (let i = 0; i < counts[k]; i++) variances[c++] = g.variance;
    if (counts[k] > 0) groups.push({ fraction: counts[k] / m, variance: g.variance });
  });
  return { variances, groups };
}

/** Loadings F (d × m) with independent N(0, 1/d) entries, or N(0, 1/m). */
export function drawLoadings(d: number, m: number, scaling: LoadingScaling, rng: Rng): Float64Array {
  const f = new Float64Array(d * m);
  rng.fillNormal(f);
  const sd = 1 / Math.sqrt(scaling === '1/d' ? d : m);
  for (let i = 0; i < f.length; i++) f[i] *= sd;
  return f;
}

/** Draw the data model. F and the profile depend on the seed only, never on how many samples are drawn. */
export function createLinearManifold(spec: LinearManifoldSpec): LinearManifold {
  const { d, m } = spec;
  if (!(Number.isInteger(d) && d >= 1)) throw new Error(`d must be an integer ≥ 1, got ${d}`);
  if (!(Number.isInteger(m) && m >= 1)) throw new Error(`m must be an integer ≥ 1, got ${m}`);
  if (m > d) throw new Error(`the manifold dimension m = ${m} must not exceed the ambient dimension d = ${d}`);
  if (spec.scaling !== '1/d' && spec.scaling !== '1/m') throw new Error(`scaling must be '1/d' or '1/m', got ${String(spec.scaling)}`);
  const rng = createRng(spec.seed);
  const F = drawLoadings(d, m, spec.scaling, rng.fork(1));
  const { variances, groups } = columnVariances(spec.profile, m, rng.fork(2));
  return { d, m, alpha: m / d, F, variances, groups };
}

/** n samples x = F z, z ~ N(0, diag(v)), as an n × d row-major array. */
export function sampleLinearManifold(model: LinearManifold, n: number, rng: Rng): Float64Array {
  if (!(Number.isInteger(n) && n >= 1)) throw new Error(`n_train must be an integer ≥ 1, got ${n}`);
  const { d, m, F, variances } = model;
  const sd = variances.map(Math.sqrt);
  const z = new Float64Array(n * m);
  rng.fillNormal(z);
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) z[i * m + j] *= sd[j];
  // X = Z Fᵀ: every entry a dot product of a row of Z and a row of F.
  return matmulTransposeB(z, F, n, m, d);
}

/** The data covariance C = F diag(v) Fᵀ (d × d). */
export function dataCovariance(F: Float64Array, variances: Float64Array, d: number, m: number): Float64Array {
  const fv = new Float64Array(d * m);
  for (let i = 0; i < d; i++) for (let j = 0; j < m; j++) fv[i * m + j] = F[i * m + j] * variances[j];
  return matmulTransposeB(fv, F, d, m, d);
}
