// Collapse of the exact empirical score onto its training points (science.md §9, George–Veiga–Macris).
//
// Theory: n = e^{α' d} training points on a linear manifold of dimension p = β d (unit variance along the
// manifold), Ornstein–Uhlenbeck forward process x_t = e^{−t} x_0 + √(1 − e^{−2t}) ξ: reverse trajectories
// are captured by single training points after the collapse time
//     t_C = ½ log(1 + (e^{2α'/β} − 1)⁻¹)          (OU time).
// The OU process is the VE process seen through x_OU = e^{−t} x_VE with s = e^{2t} − 1, and the empirical
// posterior (hence capture) depends on the noise only through s, so the collapse happens at the VE noise
// variance s_C = e^{2 t_C} − 1 = (e^{2α'/β} − 1)⁻¹ — i.e. where n = (1 + 1/s)^{p/2}, the volume ratio of the
// noised data to one noised training point. The pipeline reports it on its own VE clock.
//
// Finite-d caveat: the formula is a d → ∞ large-deviation result (n exponential in d). At the small d that
// an exact empirical score allows (d ≈ 8, n ≤ a few thousand), capture is a smooth crossover over a range
// of t rather than a sharp transition, its position depends on the capture threshold ε, and O(1/√d)
// fluctuations of ‖x‖² shift it; the measurement is therefore expected to follow the trend of t_C with n
// (later capture for larger n), not to match its value exactly.

import { haarOrthogonal } from '../linalg/haar.ts';
import { empiricalScore } from '../science/exact-scores.ts';
import type { Rng } from '../science/random.ts';
import { sampleTrajectories } from '../science/samplers.ts';
import type { VeSde } from '../science/sde.ts';

/** α' = log(n)/d. */
export function sampleExponent(n: number, d: number): number {
  return Math.log(n) / d;
}

/** t_C = ½ log(1 + (e^{2α'/β} − 1)⁻¹), Ornstein–Uhlenbeck time. */
export function collapseTimeOu(alphaPrime: number, beta: number): number {
  if (!(alphaPrime > 0)) throw new Error(`collapse time needs α' = log(n)/d > 0 (n ≥ 2), got ${alphaPrime}`);
  if (!(beta > 0 && beta <= 1)) throw new Error(`beta (manifold dimension / d) must be in (0, 1], got ${beta}`);
  return 0.5 * Math.log1p(1 / Math.expm1((2 * alphaPrime) / beta));
}

/** The VE noise variance of the collapse: s_C = e^{2 t_C} − 1 = (e^{2α'/β} − 1)⁻¹. */
export function collapseVariance(alphaPrime: number, beta: number): number {
  return Math.expm1(2 * collapseTimeOu(alphaPrime, beta));
}

/** n training points x = U z on a p-dimensional subspace (U: p orthonormal rows of a Haar matrix), z ~ N(0, I_p). */
export function manifoldTrainingSet(n: number, d: number, p: number, rng: Rng): Float64Array {
  if (!(Number.isInteger(p) && p >= 1 && p <= d)) throw new Error(`manifold dimension p must be an integer in [1, d=${d}], got ${p}`);
  const q = haarOrthogonal(d, rng.fork(1));
  const z = new Float64Array(n * p);
  rng.fork(2).fillNormal(z);
  const x = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < p; k++) {
      const zk = z[i * p + k];
      for (let j = 0; j < d; j++) x[i * d + j] += zk * q[k * d + j];
    }
  }
  return x;
}

interface CaptureCurve {
  /** Analysis grid, decreasing t. */
  grid: Array<{ t: number; s: number }>;
  /** Fraction of trajectories captured at each grid time. */
  fraction: Float64Array;
}

/** Distance from each training point to its nearest other training point (∞ when n = 1). */
export function nearestNeighbourDistances(samples: Float64Array, n: number, d: number): Float64Array {
  const out = new Float64Array(n).fill(Infinity);
  for (let a = 0; a < n; a++) {
    for (let b = a + 1; b < n; b++) {
      let dist = 0;
      for (let j = 0; j < d; j++) {
        const diff = samples[a * d + j] - samples[b * d + j];
        dist += diff * diff;
      }
      if (dist < out[a]) out[a] = dist;
      if (dist < out[b]) out[b] = dist;
    }
  }
  for (let a = 0; a < n; a++) out[a] = Math.sqrt(out[a]);
  return out;
}

/**
 * Reverse-SDE trajectories with the exact empirical score of `samples`; at each grid time a trajectory
 * is captured when its denoised state x̂₀ = x + s·score(x) (the posterior mean: where it would end if
 * denoised now) lies within ε × (that training point's nearest-neighbour distance) of a training point.
 * The radius follows the local spacing of the training set: a fixed radius would be met by chance by
 * the posterior mean of an uncommitted trajectory once n fills the manifold densely; x̂₀ within ε of the
 * spacing means the posterior weight of one point is about 1 − ε.
 */
export function captureCurve(
  samples: Float64Array,
  n: number,
  d: number,
  sde: VeSde,
  o: { trajectories: number; steps: number; gridSize: number; eps: number; rng: Rng; signal?: AbortSignal },
): CaptureCurve {
  if (!(o.eps > 0)) throw new Error(`eps_capture must be > 0, got ${o.eps}`);
  const model = empiricalScore(samples, n, d, sde);
  const run = sampleTrajectories(model, { sde, sampler: 'sde', steps: o.steps, trajectories: o.trajectories, gridSize: o.gridSize, rng: o.rng, signal: o.signal });
  const spacing = nearestNeighbourDistances(samples, n, d);
  const p = o.trajectories;
  const fraction = new Float64Array(run.grid.length);
  run.grid.forEach(({ t, s }, k) => {
    const x = run.states.subarray(k * p * d, (k + 1) * p * d);
    const score = model.score(Float64Array.from(x), p, t);
    let captured = 0;
    for (let a = 0; a < p; a++) {
      let nearest = Infinity;
      let which = 0;
      for (let mu = 0; mu < n; mu++) {
        let dist = 0;
        for (let j = 0; j < d; j++) {
          const diff = x[a * d + j] + s * score[a * d + j] - samples[mu * d + j];
          dist += diff * diff;
        }
        if (dist < nearest) {
          nearest = dist;
          which = mu;
        }
      }
      if (Math.sqrt(nearest) <= o.eps * spacing[which]) captured++;
    }
    fraction[k] = captured / p;
  });
  return { grid: run.grid, fraction };
}

/** The largest t (first in generation order) at which at least half of the trajectories are captured; NaN if never. */
export function measuredCollapseTime(curve: CaptureCurve): number {
  for (let k = 0; k < curve.grid.length; k++) if (curve.fraction[k] >= 0.5) return curve.grid[k].t;
  return NaN;
}

/**
 * The George–Veiga–Macris collapse variance for data that are not the unit-variance linear manifold of
 * the theorem: n points of intrinsic dimension p in R^d with variance v along each manifold direction.
 * The posterior depends on s only through s/v, so s_C = v (e^{2α'/β} − 1)⁻¹ = v/(n^{2/p} − 1), with
 * α' = log(n)/d, β = p/d. For images, p is an intrinsic-dimension estimate and v = trace(C)/p (all the
 * variance on the manifold): a d → ∞ result read at finite d, so its trend is what to compare.
 */
export function scaledCollapseVariance(n: number, d: number, p: number, v: number): number {
  if (!(p > 0 && p <= d)) throw new Error(`intrinsic dimension p must be in (0, d=${d}], got ${p}`);
  if (!(v > 0)) throw new Error(`variance per manifold direction must be > 0, got ${v}`);
  return v * collapseVariance(sampleExponent(n, d), p / d);
}

interface SpectralCollapse {
  /** The largest analysis time at which the dimension estimate is 0 at it and at every smaller time. */
  below: { t: number; s: number };
  /** The next analysis time, the first with a dimension estimate > 0. */
  above: { t: number; s: number };
}

/**
 * Collapse read off the spectra of an empirical score (memorisation: s·J = −I at small t, dimension 0):
 * scanning the analysis times upwards from the smallest, the bracket where the dimension estimate first
 * leaves 0. Undefined when it is not 0 at the smallest time (no collapse on the grid) or never leaves 0.
 */
export function spectralCollapse(slices: Array<{ t: number; s: number; dimension: number }>): SpectralCollapse | undefined {
  const up = [...slices].sort((a, b) => a.t - b.t);
  if (up.length === 0 || up[0].dimension !== 0) return undefined;
  for (let k = 1; k < up.length; k++) {
    if (up[k].dimension > 0) return { below: { t: up[k - 1].t, s: up[k - 1].s }, above: { t: up[k].t, s: up[k].s } };
  }
  return undefined;
}
