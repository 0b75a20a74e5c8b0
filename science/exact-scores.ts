// Scores that need no training (science.md §4), in float64:
// - analytic: the linear Gaussian model p_s = N(0, C + sI), C = F diag(v) Fᵀ, s(x) = −(C + sI)⁻¹ x;
// - empirical: the exact score of the training set's empirical distribution noised at variance s.

import { cholesky, forwardSubstitute } from '../linalg/cholesky.ts';
import { gramRows, matmul, matmulTransposeA, matmulTransposeB, transpose } from '../linalg/matrix.ts';
import { axpyKernel } from '../linalg/vector-kernels.ts';
import type { ScoreModel } from './score-model.ts';
import type { VeSde } from './sde.ts';

/**
 * The analytic score of the linear Gaussian model. With G = F diag(√v) (d × m, m ≤ d), Woodbury gives
 * (GGᵀ + sI)⁻¹ = (I − G K⁻¹ Gᵀ)/s with K = sI_m + GᵀG = L Lᵀ, so with H = G L⁻ᵀ (d × m) a score
 * costs O(dm) per point and the Jacobian −(I − HHᵀ)/s O(d²m/2); K stays well conditioned even where C
 * is singular (m < d).
 */
export function analyticScore(F: Float64Array, variances: Float64Array, d: number, m: number, sde: VeSde): ScoreModel {
  if (F.length !== d * m) throw new Error(`analyticScore: F must hold d × m = ${d * m} values, got ${F.length}`);
  if (variances.length !== m) throw new Error(`analyticScore: expected m = ${m} variances, got ${variances.length}`);
  if (m > d) throw new Error(`analyticScore: m = ${m} must not exceed d = ${d}`);
  const g = new Float64Array(d * m);
  for (let i = 0; i < d; i++) for (let j = 0; j < m; j++) g[i * m + j] = F[i * m + j] * Math.sqrt(variances[j]);
  const gtg = matmulTransposeA(g, g, d, m, m);
  const gt = transpose(g, d, m);
  // H for the last time asked (callers visit one time at a time).
  let cached: { t: number; s: number; h: Float64Array } | undefined;
  const atTime = (t: number) => {
    if (cached?.t === t) return cached;
    const s = sde.variance(t);
    const k = Float64Array.from(gtg);
    for (let j = 0; j < m; j++) k[j * m + j] += s;
    const l = cholesky(k, m);
    const ht = Float64Array.from(gt);
    forwardSubstitute(l, ht, m, d); // Hᵀ = L⁻¹ Gᵀ
    cached = { t, s, h: transpose(ht, m, d) };
    return cached;
  };
  return {
    kind: 'analytic',
    d,
    score(xs, n, t) {
      if (xs.length !== n * d) throw new Error(`analyticScore.score: expected n × d = ${n * d} values, got ${xs.length}`);
      const { s, h } = atTime(t);
      // s(x) = −(x − H Hᵀ x)/s, for all points at once: P = X H (n × m), out = −(X − P Hᵀ)/s.
      const p = matmul(xs, h, n, d, m);
      const proj = matmulTransposeB(p, h, n, m, d);
      const out = new Float64Array(n * d);
      const inv = 1 / s;
      for (let i = 0; i < out.length; i++) out[i] = (proj[i] - xs[i]) * inv;
      return out;
    },
    jacobian(x, t) {
      if (x.length !== d) throw new Error(`analyticScore.jacobian: expected a point of dimension d = ${d}, got ${x.length}`);
      const { s, h } = atTime(t);
      const proj = gramRows(h, d, m);
      const inv = 1 / s;
      for (let i = 0; i < proj.length; i++) proj[i] *= inv;
      for (let i = 0; i < d; i++) proj[i * d + i] -= inv;
      return proj;
    },
  };
}

/** Softmax weights w_μ ∝ exp(−|x − y_μ|²/2s) over the n training points (log-sum-exp). */
export function posteriorWeights(samples: Float64Array, n: number, d: number, x: Float64Array, xo: number, s: number): Float64Array {
  const w = new Float64Array(n);
  let max = -Infinity;
  const inv2s = 1 / (2 * s);
  for (let mu = 0; mu < n; mu++) {
    const ro = mu * d;
    let dist = 0;
    for (let k = 0; k < d; k++) {
      const diff = x[xo + k] - samples[ro + k];
      dist += diff * diff;
    }
    const lw = -dist * inv2s;
    w[mu] = lw;
    if (lw > max) max = lw;
  }
  let total = 0;
  for (let mu = 0; mu < n; mu++) {
    const e = Math.exp(w[mu] - max);
    w[mu] = e;
    total += e;
  }
  const inv = 1 / total;
  for (let mu = 0; mu < n; mu++) w[mu] *= inv;
  return w;
}

/** Points per batch of the empirical score: a chunk × n weight matrix (5 MB at n = 20 000). */
const EMPIRICAL_CHUNK = 32;

/** Turn row r of x·y products into softmax weights of −|x − y_μ|²/2s, in place (log-sum-exp). */
function softmaxRow(cross: Float64Array, o: number, n: number, xx: number, yy: Float64Array, s: number): void {
  const inv2s = 1 / (2 * s);
  let max = -Infinity;
  for (let mu = 0; mu < n; mu++) {
    const lw = -Math.max(0, xx + yy[mu] - 2 * cross[o + mu]) * inv2s;
    cross[o + mu] = lw;
    if (lw > max) max = lw;
  }
  let total = 0;
  for (let mu = 0; mu < n; mu++) {
    const e = Math.exp(cross[o + mu] - max);
    cross[o + mu] = e;
    total += e;
  }
  const inv = 1 / total;
  for (let mu = 0; mu < n; mu++) cross[o + mu] *= inv;
}

/** Normalised weights below this change a posterior mean or covariance by less than rounding (the largest is ≥ 1/n). */
const NEGLIGIBLE_WEIGHT = 1e-18;

/**
 * The empirical score of n training points y_μ (n × d): s_n(x) = (Σ_μ w_μ y_μ − x)/s, and its Jacobian
 * J_n = −I/s + Cov_w(y)/s² (the covariance of the training points under the posterior weights).
 */
export function empiricalScore(samples: Float64Array, n: number, d: number, sde: VeSde): ScoreModel {
  if (samples.length !== n * d) throw new Error(`empiricalScore: samples must hold n × d = ${n * d} values, got ${samples.length}`);
  if (!(n >= 1)) throw new Error(`empiricalScore: needs at least one training point, got n = ${n}`);
  const posteriorMean = (w: Float64Array, out: Float64Array, oo: number) => {
    for (let mu = 0; mu < n; mu++) if (w[mu] > NEGLIGIBLE_WEIGHT) axpyKernel(w[mu], samples, mu * d, out, oo, d);
  };
  const sampleNormSq = new Float64Array(n);
  for (let mu = 0; mu < n; mu++) {
    let v = 0;
    for (let k = 0; k < d; k++) v += samples[mu * d + k] ** 2;
    sampleNormSq[mu] = v;
  }
  return {
    kind: 'empirical',
    d,
    score(xs, count, t) {
      if (xs.length !== count * d) throw new Error(`empiricalScore.score: expected n × d = ${count * d} values, got ${xs.length}`);
      const s = sde.variance(t);
      const out = new Float64Array(count * d);
      // Batched as matrix products (the distances |x|² + |y|² − 2x·y, then W Y), in chunks of points
      // so the weight matrix stays small. The expansion's rounding, ε(|x|² + |y|²)/2s in a log-weight,
      // is far below what the softmax can resolve for data of unit scale.
      for (let p0 = 0; p0 < count; p0 += EMPIRICAL_CHUNK) {
        const rows = Math.min(count, p0 + EMPIRICAL_CHUNK) - p0;
        const chunk = xs.subarray(p0 * d, (p0 + rows) * d);
        const cross = matmulTransposeB(chunk, samples, rows, d, n);
        for (let r = 0; r < rows; r++) {
          let xx = 0;
          for (let k = 0; k < d; k++) xx += chunk[r * d + k] ** 2;
          softmaxRow(cross, r * n, n, xx, sampleNormSq, s);
        }
        const mean = matmul(cross, samples, rows, n, d);
        for (let i = 0; i < rows * d; i++) out[p0 * d + i] = (mean[i] - chunk[i]) / s;
      }
      return out;
    },
    jacobian(x, t) {
      if (x.length !== d) throw new Error(`empiricalScore.jacobian: expected a point of dimension d = ${d}, got ${x.length}`);
      const s = sde.variance(t);
      const w = posteriorWeights(samples, n, d, x, 0, s);
      const mean = new Float64Array(d);
      posteriorMean(w, mean, 0);
      // Centred covariance Σ w (y − ȳ)(y − ȳ)ᵀ = Z Zᵀ with Z (d × kept) = columns √w_μ (y_μ − ȳ) over the
      // points whose weight is not negligible: one symmetric product (SIMD for large n).
      const kept: number[] = [];
      for (let mu = 0; mu < n; mu++) if (w[mu] > NEGLIGIBLE_WEIGHT) kept.push(mu);
      const z = new Float64Array(d * kept.length);
      kept.forEach((mu, c) => {
        const sw = Math.sqrt(w[mu]);
        for (let k = 0; k < d; k++) z[k * kept.length + c] = sw * (samples[mu * d + k] - mean[k]);
      });
      const cov = gramRows(z, d, kept.length);
      const inv = 1 / s;
      const inv2 = inv * inv;
      for (let i = 0; i < cov.length; i++) cov[i] *= inv2;
      for (let i = 0; i < d; i++) cov[i * d + i] -= inv;
      return cov;
    },
  };
}
