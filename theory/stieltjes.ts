// Stieltjes transform of the spectrum of C = F diag(v) Fᵀ, normalised per d (science.md §7):
//   g(z) = (1/d) tr (C − z)⁻¹  solves  g = 1 / ( −z + α Σ_k f_k σ_k² / (1 + σ_k² g) ),
// equivalently z = z(g) with the explicit inverse z(g) = −1/g + α Σ_k f_k σ_k²/(1 + σ_k² g).
// The physical root is the one with Im g > 0 for Im z > 0 (g is a Stieltjes transform). On the real
// axis we solve z(g) = λ by Newton's method, continued from a neighbouring λ when one is known and
// otherwise from a large imaginary part η brought down to 0 (η-continuation), which never leaves the
// physical branch because for Im z > 0 the root in the upper half-plane is unique.

import type { VarianceProfile } from './profile.ts';

/** A complex number as a plain pair, so the hot loops allocate nothing else. */
export interface Complex {
  re: number;
  im: number;
}

/** z(g) = −1/g + α Σ f σ²/(1 + σ² g) and z'(g) = 1/g² − α Σ f σ⁴/(1 + σ² g)² at complex g. */
function inverseStieltjes(p: VarianceProfile, gr: number, gi: number): { z: Complex; dz: Complex } {
  // 1/g
  const gg = gr * gr + gi * gi;
  const ir = gr / gg;
  const ii = -gi / gg;
  let zr = -ir;
  let zi = -ii;
  // 1/g² = (1/g)²
  let dr = ir * ir - ii * ii;
  let di = 2 * ir * ii;
  for (let k = 0; k < p.variances.length; k++) {
    const s2 = p.variances[k];
    const c = p.alpha * p.fractions[k] * s2;
    // w = 1/(1 + σ² g)
    const ar = 1 + s2 * gr;
    const ai = s2 * gi;
    const aa = ar * ar + ai * ai;
    const wr = ar / aa;
    const wi = -ai / aa;
    zr += c * wr;
    zi += c * wi;
    // σ² w²
    dr -= c * s2 * (wr * wr - wi * wi);
    di -= c * s2 * 2 * wr * wi;
  }
  return { z: { re: zr, im: zi }, dz: { re: dr, im: di } };
}

/** z'(g) at real g (the sign tells whether z(g) is increasing there: real g with z' > 0 map outside the support). */
export function inverseStieltjesSlope(p: VarianceProfile, g: number): number {
  let d = 1 / (g * g);
  for (let k = 0; k < p.variances.length; k++) {
    const s2 = p.variances[k];
    const w = s2 / (1 + s2 * g);
    d -= p.alpha * p.fractions[k] * w * w;
  }
  return d;
}

/** z(g) at real g. */
export function inverseStieltjesReal(p: VarianceProfile, g: number): number {
  let z = -1 / g;
  for (let k = 0; k < p.variances.length; k++) {
    const s2 = p.variances[k];
    z += (p.alpha * p.fractions[k] * s2) / (1 + s2 * g);
  }
  return z;
}

/** Newton's method for z(g) = zr + i zi from (g0r, g0i); undefined when it does not converge. */
function newtonStieltjes(
  p: VarianceProfile,
  zr: number,
  zi: number,
  g0r: number,
  g0i: number,
  maxIterations = 80,
): Complex | undefined {
  let gr = g0r;
  let gi = g0i;
  for (let it = 0; it < maxIterations; it++) {
    const { z, dz } = inverseStieltjes(p, gr, gi);
    const fr = z.re - zr;
    const fi = z.im - zi;
    const dd = dz.re * dz.re + dz.im * dz.im;
    if (!(dd > 0) || !Number.isFinite(dd)) return undefined;
    // step = f / z'
    const sr = (fr * dz.re + fi * dz.im) / dd;
    const si = (fi * dz.re - fr * dz.im) / dd;
    // Damp steps that would jump across the poles −1/σ²: never move more than the distance to g = 0 scale.
    const mag = Math.hypot(gr, gi);
    const step = Math.hypot(sr, si);
    const damp = step > 0.5 * mag && mag > 0 ? (0.5 * mag) / step : 1;
    gr -= damp * sr;
    gi -= damp * si;
    if (!Number.isFinite(gr) || !Number.isFinite(gi)) return undefined;
    if (damp === 1 && step <= 1e-14 * (mag + 1e-300)) return { re: gr, im: gi };
  }
  const { z } = inverseStieltjes(p, gr, gi);
  const residual = Math.hypot(z.re - zr, z.im - zi);
  return residual <= 1e-10 * (Math.hypot(zr, zi) + 1e-300) ? { re: gr, im: gi } : undefined;
}

/** Scale of the spectrum: the largest eigenvalue of C is at most about α Σ f σ² (1 + 1/√α)²; this is a safe upper bound. */
function spectralScale(p: VarianceProfile): number {
  let mean = 0;
  let max = 0;
  for (let k = 0; k < p.variances.length; k++) {
    mean += p.fractions[k] * p.variances[k];
    max = Math.max(max, p.variances[k]);
  }
  return Math.max(max * (1 + Math.sqrt(p.alpha)) ** 2, mean);
}

/**
 * One damped step of the fixed point g ← 1/(−z + α Σ f σ²/(1 + σ² g)) at z = zr + i·eta: the average of
 * g = gr + i·gi and its image. A contraction for large eta; the plain iteration the benchmark compares with.
 */
export function dampedFixedPointStep(p: VarianceProfile, zr: number, eta: number, gr: number, gi: number): [number, number] {
  let dr = -zr;
  let di = -eta;
  for (let k = 0; k < p.variances.length; k++) {
    const s2 = p.variances[k];
    const c = p.alpha * p.fractions[k] * s2;
    const ar = 1 + s2 * gr;
    const ai = s2 * gi;
    const aa = ar * ar + ai * ai;
    dr += (c * ar) / aa;
    di -= (c * ai) / aa;
  }
  const dd = dr * dr + di * di;
  return [0.5 * gr + (0.5 * dr) / dd, 0.5 * gi - (0.5 * di) / dd];
}

/**
 * g(z) for Im z ≥ 0 on the physical branch, by η-continuation: a damped fixed point at a large imaginary
 * part (where the map is a contraction), then Newton while η shrinks geometrically to the requested
 * value. Robust everywhere, including next to the bulk edges; about a hundred Newton steps.
 */
export function stieltjesByContinuation(p: VarianceProfile, zr: number, zi = 0): Complex {
  const scale = spectralScale(p) + Math.abs(zr);
  let eta = Math.max(10 * scale, zi);
  // The damped fixed point first (dampedFixedPointStep).
  let gr = -zr / (zr * zr + eta * eta);
  let gi = eta / (zr * zr + eta * eta);
  for (let it = 0; it < 500; it++) {
    const [nr, ni] = dampedFixedPointStep(p, zr, eta, gr, gi);
    const change = Math.hypot(nr - gr, ni - gi);
    gr = nr;
    gi = ni;
    if (change <= 1e-13 * Math.hypot(gr, gi)) break;
  }
  const target = zi;
  const floor = 1e-16 * scale;
  while (eta > Math.max(target, floor)) {
    eta = Math.max(eta / 3, target);
    const next = newtonStieltjes(p, zr, eta, gr, gi);
    if (next && next.im > 0) {
      gr = next.re;
      gi = next.im;
    }
    if (eta === target) break;
  }
  if (target === 0 || eta !== target) {
    const last = newtonStieltjes(p, zr, target, gr, gi);
    if (last) {
      gr = last.re;
      gi = Math.abs(last.im);
    }
  }
  return { re: gr, im: gi };
}

/**
 * g(λ + i0) at real λ. With `start` (the root at a nearby λ) a Newton step from it is tried first
 * (continuation in λ); a root on the wrong branch (real with z'(g) < 0, i.e. inside the support) falls
 * back to η-continuation.
 */
export function stieltjesOnReal(p: VarianceProfile, lambda: number, start?: Complex): Complex {
  if (start && start.im > 0) {
    const g = newtonStieltjes(p, lambda, 0, start.re, start.im, 40);
    if (g && Math.abs(g.im) > 1e-9 * Math.abs(g.re)) return { re: g.re, im: Math.abs(g.im) };
  }
  return stieltjesByContinuation(p, lambda, 0);
}
