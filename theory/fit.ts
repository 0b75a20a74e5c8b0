// Theory fit (science.md §8): recover the data model — α = m/d and a K-group variance profile — from
// measured rescaled spectra at several s, by matching the theoretical quantile function of s·J to the
// measured sorted spectra. For a parameter vector θ the quantiles of C's spectrum at the rank levels
// (r + ½)/d are computed once (they do not depend on s) and mapped to μ = −s/(s + λ) for every s; the
// loss is the mean squared difference to the per-rank median of the measured spectra. Nelder–Mead runs
// on unconstrained coordinates: logit α, log σ_k², and K − 1 softmax logits of the fractions.

import { quantileAt, spectralCdf, spectralDensity, type SpectralCdf } from './density.ts';
import { detectGaps } from './gap-detection.ts';
import { nelderMead } from './nelder-mead.ts';
import type { VarianceProfile } from './profile.ts';
import { rankLevels } from './rescaled-spectrum.ts';

export interface FitTarget {
  s: number;
  /** A representative ascending spectrum of s·J at s (length d). */
  spectrum: Float64Array;
}

export interface FittedProfile {
  profile: VarianceProfile;
  /** α d: the fitted manifold dimension (not rounded). */
  m: number;
  loss: number;
  /** The optimiser's coordinates, to warm-start a refit (bootstrap). */
  coordinates: number[];
}

/** Density nodes per bulk inside the fit's loss: fewer than for plotting, ample for quantiles at d ≲ 1000 ranks. */
const FIT_NODES = 64;

function logistic(u: number): number {
  return 1 / (1 + Math.exp(-u));
}

function decode(x: number[], groups: number): VarianceProfile {
  const alpha = Math.min(1, logistic(x[0]));
  const variances = x.slice(1, 1 + groups).map(Math.exp);
  const logits = [0, ...x.slice(1 + groups)];
  const mx = Math.max(...logits);
  const ws = logits.map((l) => Math.exp(l - mx));
  const total = ws.reduce((a, b) => a + b, 0);
  return { alpha, variances, fractions: ws.map((w) => w / total) };
}

/** Quantiles of C's spectrum at the d rank levels, for a profile. */
function covarianceQuantiles(cdf: SpectralCdf, d: number): Float64Array {
  const levels = rankLevels(d);
  const out = new Float64Array(d);
  for (let r = 0; r < d; r++) out[r] = quantileAt(cdf, levels[r]);
  return out;
}

/** Mean squared difference between the theoretical s·J quantiles and the targets. */
export function quantileLoss(profile: VarianceProfile, targets: FitTarget[], d: number): number {
  const lambda = covarianceQuantiles(spectralCdf(spectralDensity(profile, FIT_NODES)), d);
  let sum = 0;
  for (const { s, spectrum } of targets) {
    for (let r = 0; r < d; r++) {
      const diff = -s / (s + lambda[r]) - spectrum[r];
      sum += diff * diff;
    }
  }
  return sum / (targets.length * d);
}

/**
 * Starting point from the data: m from the lowest gap (Δ = 0.1) at the smallest s, C's eigenvalues
 * λ = −s(1 + μ)/μ read at the s where each rank is best resolved (μ nearest −½), and K variances at
 * evenly spaced quantiles of the top m of them.
 */
function initialCoordinates(targets: FitTarget[], d: number, groups: number): number[] {
  const smallest = targets.reduce((a, b) => (b.s < a.s ? b : a));
  const gaps = detectGaps(smallest.spectrum, 0.1);
  const m0 = gaps.length > 0 ? d - gaps[0].countBelow : Math.round(d / 2);
  const alpha0 = Math.min(0.98, Math.max(0.02, m0 / d));
  const lambda: number[] = [];
  for (let r = 0; r < d; r++) {
    let best: FitTarget | undefined;
    for (const t of targets) if (!best || Math.abs(t.spectrum[r] + 0.5) < Math.abs(best.spectrum[r] + 0.5)) best = t;
    const mu = Math.min(-1e-12, Math.max(-1 + 1e-12, best!.spectrum[r]));
    lambda.push((-best!.s * (1 + mu)) / mu);
  }
  const top = lambda.sort((a, b) => a - b).slice(d - Math.max(1, m0));
  const variances = Array.from({ length: groups }, (_, k) => Math.max(1e-8, top[Math.floor(((k + 0.5) / groups) * top.length)]));
  return [Math.log(alpha0 / (1 - alpha0)), ...variances.map(Math.log), ...new Array<number>(groups - 1).fill(0)];
}

interface FitOptions {
  groups: number;
  /** Warm start (bootstrap refits start from the full-data optimum); without it, a start read off the spectra. */
  start?: number[];
  /** One Nelder–Mead round per entry, each restarting from the best so far with a fresh simplex of this step. */
  steps: number[];
  /** Function evaluations per round. */
  maxEvaluations: number;
}

export function fitProfile(targets: FitTarget[], o: FitOptions): FittedProfile {
  if (targets.length === 0) throw new Error('fitProfile needs at least one spectrum to fit');
  if (!(Number.isInteger(o.groups) && o.groups >= 1)) throw new Error(`groups must be an integer ≥ 1, got ${o.groups}`);
  const d = targets[0].spectrum.length;
  const objective = (x: number[]) => {
    try {
      return quantileLoss(decode(x, o.groups), targets, d);
    } catch {
      return Infinity;
    }
  };
  let x = o.start ?? initialCoordinates(targets, d, o.groups);
  let value = Infinity;
  if (o.steps.length === 0) throw new Error('fitProfile needs at least one Nelder–Mead round (steps)');
  for (const step of o.steps) {
    const r = nelderMead(objective, x, { step, maxEvaluations: o.maxEvaluations, tolerance: 1e-14 });
    x = r.x;
    value = r.value;
  }
  const profile = decode(x, o.groups);
  return { profile, m: profile.alpha * d, loss: value, coordinates: x };
}

/**
 * W1 between a measured spectrum (all points pooled) and the theory at s, in quantile form
 * ∫₀¹ |F⁻¹(q) − G⁻¹(q)| dq, evaluated at the pooled sample's midpoint levels.
 */
export function wasserstein1(points: Float64Array[], cdf: SpectralCdf, s: number): number {
  const pooled = Float64Array.from(points.flatMap((p) => Array.from(p))).sort();
  const n = pooled.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += Math.abs(pooled[i] - -s / (s + quantileAt(cdf, (i + 0.5) / n)));
  return sum / n;
}

/** Percentile interval of bootstrap values (linear interpolation between order statistics). */
export function percentileInterval(values: number[], level: number): { lo: number; hi: number } {
  const a = [...values].filter(Number.isFinite).sort((x, y) => x - y);
  if (a.length === 0) return { lo: NaN, hi: NaN };
  const at = (q: number) => {
    const pos = q * (a.length - 1);
    const i = Math.floor(pos);
    return a[i] + (a[Math.min(i + 1, a.length - 1)] - a[i]) * (pos - i);
  };
  return { lo: at((1 - level) / 2), hi: at((1 + level) / 2) };
}

