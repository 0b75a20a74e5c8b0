// The variance-exploding SDE of science.md §2: x_t = x_0 + σ(t) ξ with σ(t) = σ_min (σ_max/σ_min)^t.
// One small abstraction that training, sampling, spectra and theory share, so that all of them agree on
// what "time t" and "noise variance s = σ(t)²" mean. Theory depends on t only through s.

export interface VeSdeParams {
  /** σ at t = 0 (science.md default 0.01). */
  sigmaMin: number;
  /** σ at t = 1 (default 50). */
  sigmaMax: number;
  /** Smallest time used, to avoid t = 0 (default 1e-5). */
  eps: number;
}

export const VE_DEFAULTS: VeSdeParams = { sigmaMin: 0.01, sigmaMax: 50, eps: 1e-5 };

export class VeSde {
  constructor(readonly p: VeSdeParams) {
    if (!(p.sigmaMin > 0 && p.sigmaMax > p.sigmaMin)) {
      throw new Error(`VE SDE needs 0 < sigma_min < sigma_max, got sigma_min=${p.sigmaMin}, sigma_max=${p.sigmaMax}`);
    }
  }
  /** σ(t). */
  sigma(t: number): number {
    return this.p.sigmaMin * Math.pow(this.p.sigmaMax / this.p.sigmaMin, t);
  }
  /** Noise variance s(t) = σ(t)². */
  variance(t: number): number {
    const s = this.sigma(t);
    return s * s;
  }
  /** The time at which the noise variance equals s (inverse of `variance`). */
  timeOfVariance(s: number): number {
    return Math.log(Math.sqrt(s) / this.p.sigmaMin) / Math.log(this.p.sigmaMax / this.p.sigmaMin);
  }
  /** g(t)² = dσ²/dt = 2 σ² log(σ_max/σ_min): the diffusion coefficient squared. */
  diffusionSquared(t: number): number {
    return 2 * this.variance(t) * Math.log(this.p.sigmaMax / this.p.sigmaMin);
  }
  /**
   * The analysis time grid of science.md §6: `count` times, log-spaced in s between s(tMin) and s(tMax),
   * returned in decreasing t (the order generation visits them). Defaults cover the whole range [eps, 1].
   */
  analysisGrid(count: number, tMin = this.p.eps, tMax = 1): Array<{ t: number; s: number }> {
    if (!(Number.isInteger(count) && count >= 1)) throw new Error(`analysis grid size must be an integer ≥ 1, got ${count}`);
    // σ is exponential in t, so log-spaced s is evenly spaced t.
    const out: Array<{ t: number; s: number }> = [];
    for (let k = 0; k < count; k++) {
      const t = count === 1 ? tMax : tMax - ((tMax - tMin) * k) / (count - 1);
      out.push({ t, s: this.variance(t) });
    }
    return out;
  }
}
