// Classical intrinsic-dimension estimates of a point cloud, as an independent cross-check of the
// dimension read off the score Jacobian's final spectral gap.
//  - Levina & Bickel (2005) maximum likelihood on k nearest neighbours, with the per-point inverses
//    averaged as MacKay & Ghahramani (2005) suggest (averaging m̂(x_i) itself is biased upwards).
//  - TwoNN (Facco, d'Errico, Rodriguez & Laio 2017): the ratio μ = r₂/r₁ of the two nearest-neighbour
//    distances is Pareto, F(μ) = 1 − μ^(−m), whatever the local density; m is the slope of
//    −log(1 − F̂(μ)) against log μ through the origin, after discarding the largest 10 % of μ (outliers).
// Exact duplicates (distance 0) would make log ratios infinite: neighbours at distance 0 are skipped.

interface PointCloud {
  /** n × dim coordinates, row-major. */
  x: Float32Array | Float64Array;
  n: number;
  dim: number;
}

/**
 * Distances to the k nearest distinct neighbours of every point, ascending: n × k values.
 * Brute force O(n² dim) via |a−b|² = |a|² + |b|² − 2a·b, in float64.
 */
export function nearestNeighbourDistances(cloud: PointCloud, k: number): Float64Array {
  const { x, n, dim } = cloud;
  if (!(Number.isInteger(k) && k >= 1)) throw new Error(`k must be an integer ≥ 1, got ${k}`);
  if (n < k + 1) throw new Error(`k = ${k} neighbours need at least ${k + 1} points, got n = ${n}`);
  if (x.length !== n * dim) throw new Error(`point cloud has ${x.length} values, expected n × dim = ${n} × ${dim}`);
  const xs = Float64Array.from(x);
  const norms = new Float64Array(n);
  let maxNorm = 0;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let c = 0; c < dim; c++) s += xs[i * dim + c] * xs[i * dim + c];
    norms[i] = s;
    maxNorm = Math.max(maxNorm, s);
  }
  // Squared distances below this are rounding noise of the norm expansion: treat as duplicates.
  const zero = 1e-12 * Math.max(maxNorm, 1e-300);
  // best[i*k ..] holds point i's k smallest squared distances so far, ascending. Each pair is computed
  // once (j > i) and offered to both points' lists: half the O(n² dim) work.
  const best = new Float64Array(n * k).fill(Infinity);
  const offer = (i: number, d2: number): void => {
    const o = i * k;
    if (d2 >= best[o + k - 1]) return;
    let p = k - 1;
    while (p > 0 && best[o + p - 1] > d2) {
      best[o + p] = best[o + p - 1];
      p--;
    }
    best[o + p] = d2;
  };
  for (let i = 0; i < n; i++) {
    const ri = i * dim;
    for (let j = i + 1; j < n; j++) {
      const rj = j * dim;
      let dot = 0;
      for (let c = 0; c < dim; c++) dot += xs[ri + c] * xs[rj + c];
      const d2 = norms[i] + norms[j] - 2 * dot;
      if (d2 <= zero) continue;
      offer(i, d2);
      offer(j, d2);
    }
  }
  const out = new Float64Array(n * k);
  for (let a = 0; a < n * k; a++) out[a] = Math.sqrt(best[a]);
  return out;
}

/** Levina–Bickel MLE with k neighbours, MacKay–Ghahramani averaging: [ mean_i (1/(k−1)) Σ_{j<k} log(T_k/T_j) ]^(−1). */
export function levinaBickelMle(cloud: PointCloud, k: number, distances?: Float64Array, kStride = k): number {
  if (!(Number.isInteger(k) && k >= 2)) throw new Error(`k must be an integer ≥ 2 for the MLE, got ${k}`);
  const dist = distances ?? nearestNeighbourDistances(cloud, k);
  let total = 0;
  let count = 0;
  for (let i = 0; i < cloud.n; i++) {
    const tk = dist[i * kStride + k - 1];
    if (!Number.isFinite(tk)) continue;
    let s = 0;
    for (let j = 0; j < k - 1; j++) s += Math.log(tk / dist[i * kStride + j]);
    total += s / (k - 1);
    count++;
  }
  if (count === 0 || total <= 0) throw new Error('MLE intrinsic dimension: no point has k distinct neighbours');
  return count / total;
}

/** TwoNN with Facco et al.'s linear fit through the origin, discarding the largest `discard` fraction of μ. */
export function twoNn(cloud: PointCloud, discard: number, distances?: Float64Array, kStride = 2): number {
  if (!(discard >= 0 && discard < 1)) throw new Error(`discard must be in [0, 1), got ${discard}`);
  const dist = distances ?? nearestNeighbourDistances(cloud, 2);
  const logMu: number[] = [];
  for (let i = 0; i < cloud.n; i++) {
    const r1 = dist[i * kStride], r2 = dist[i * kStride + 1];
    if (Number.isFinite(r2) && r1 > 0) logMu.push(Math.log(r2 / r1));
  }
  const n = logMu.length;
  if (n < 3) throw new Error(`TwoNN needs at least 3 points with two distinct neighbours, got ${n}`);
  logMu.sort((a, b) => a - b);
  const kept = Math.max(2, Math.floor(n * (1 - discard)));
  // Empirical CDF F̂(μ_(i)) = i/n (1-based), so −log(1 − F̂) = −log(1 − i/n); slope through the origin.
  let sxy = 0, sxx = 0;
  for (let i = 0; i < kept; i++) {
    const y = -Math.log(1 - (i + 1) / n);
    sxy += logMu[i] * y;
    sxx += logMu[i] * logMu[i];
  }
  return sxy / sxx;
}

interface IntrinsicDimensionRow {
  method: 'mle' | 'twonn';
  k: number;
  estimate: number;
}

/** Every estimate the stage reports: MLE for each k, TwoNN (k = 2), sharing one neighbour search. */
export function intrinsicDimensionTable(cloud: PointCloud, ks: number[], twoNnDiscard: number): IntrinsicDimensionRow[] {
  for (const k of ks) if (!(Number.isInteger(k) && k >= 2)) throw new Error(`k: every MLE neighbour count must be an integer ≥ 2, got ${k}`);
  const kMax = Math.max(2, ...ks);
  const dist = nearestNeighbourDistances(cloud, kMax);
  const rows: IntrinsicDimensionRow[] = ks.map((k) => ({ method: 'mle', k, estimate: levinaBickelMle(cloud, k, dist, kMax) }));
  rows.push({ method: 'twonn', k: 2, estimate: twoNn(cloud, twoNnDiscard, dist, kMax) });
  return rows;
}
