// The trained image score network as a ScoreModel, evaluated in float64 (on the kernels): the residual
// MLP part F reuses science/mlp-score.ts (TrainedMlpScore, forward-mode exact Jacobian), and the
// per-pixel preconditioning of score-net.ts is applied around it:
//   ε̂ = c_skip ⊙ (x − μ) + c_out ⊙ F(u),  u = c_in ⊙ (x − μ)
//   ∂ε̂/∂x = diag(c_skip) + diag(c_out) · ∂F/∂u · diag(c_in),  s·J = −σ ∂ε̂/∂x.
// TrainedMlpScore evaluates F(inputScale(σ)·x′): we feed it x′ = u / inputScale(σ), so its
// Jacobian in x′ is ∂F/∂u · inputScale(σ).

import { inputScale } from '../science/mlp-architecture.ts';
import { TrainedMlpScore } from '../science/mlp-score.ts';
import type { ScoreModel } from '../science/score-model.ts';
import type { TrainedScoreNetwork } from '../science/score-network.ts';
import { VeSde } from '../science/sde.ts';
import { preconditioning, type ImageScoreNet } from './score-net.ts';

export class ImageScoreModel implements ScoreModel, TrainedScoreNetwork {
  readonly kind = 'trained' as const;
  readonly d: number;
  readonly sde: VeSde;
  private readonly mlp: TrainedMlpScore;

  constructor(readonly net: ImageScoreNet, params: Float32Array[], step = 0) {
    this.d = net.arch.d;
    this.sde = new VeSde(net.sde);
    this.mlp = new TrainedMlpScore({ arch: net.arch, sde: net.sde, step, params });
  }

  /** x′ rows fed to the MLP so that its internal input equals u = c_in ⊙ (x − μ). */
  private mlpInput(xs: Float64Array | Float32Array, n: number, cIn: Float64Array, sigma: number): Float64Array {
    const d = this.d;
    const k = 1 / inputScale(sigma);
    const out = new Float64Array(n * d);
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) out[i * d + j] = k * cIn[j] * (xs[i * d + j] - this.net.mean[j]);
    return out;
  }

  /** ε̂(x, σ) at n points (n × d). */
  epsilon(xs: Float64Array | Float32Array, n: number, sigma: number): Float64Array {
    const d = this.d;
    if (xs.length !== n * d) throw new Error(`epsilon: xs has ${xs.length} values, expected n·d = ${n}·${d}`);
    const { cIn, cSkip, cOut } = preconditioning(sigma, this.net.variance);
    const F = this.mlp.predictNoise(this.mlpInput(xs, n, cIn, sigma), n, sigma);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < d; j++) F[i * d + j] = cSkip[j] * (xs[i * d + j] - this.net.mean[j]) + cOut[j] * F[i * d + j];
    }
    return F;
  }

  score(xs: Float64Array, n: number, t: number): Float64Array {
    const sigma = this.sde.sigma(t);
    const eps = this.epsilon(xs, n, sigma);
    for (let i = 0; i < eps.length; i++) eps[i] = -eps[i] / sigma;
    return eps;
  }

  /** The rescaled Jacobian s·J = −σ ∂ε̂/∂x at one point (d × d, row-major, float64), exactly. */
  scaledJacobian(x: Float64Array | Float32Array, sigma: number): Float64Array {
    const d = this.d;
    if (x.length !== d) throw new Error(`scaledJacobian: x has ${x.length} values, expected d = ${d}`);
    const { cIn, cSkip, cOut } = preconditioning(sigma, this.net.variance);
    // TrainedMlpScore.jacobian returns −(∂F/∂x′)/σ at the time whose σ is ours.
    const t = this.sde.timeOfVariance(sigma * sigma);
    const Jm = this.mlp.jacobian(this.mlpInput(x, 1, cIn, sigma), t);
    const k = sigma / inputScale(sigma); // ∂F/∂u = −σ·Jm / inputScale(σ)
    const out = new Float64Array(d * d);
    for (let i = 0; i < d; i++) {
      const row = i * d;
      // s·J = −σ (diag(c_skip) + diag(c_out) ∂F/∂u diag(c_in)) = −σ diag(c_skip) + σ k c_out_i Jm_ij c_in_j
      const a = sigma * k * cOut[i];
      for (let j = 0; j < d; j++) out[row + j] = a * Jm[row + j] * cIn[j];
      out[row + i] -= sigma * cSkip[i];
    }
    return out;
  }

  /** Exact ∂s/∂x (the ScoreModel contract): s·J / σ². */
  jacobian(x: Float64Array, t: number): Float64Array {
    const sigma = this.sde.sigma(t);
    const sj = this.scaledJacobian(x, sigma);
    const s = sigma * sigma;
    for (let i = 0; i < sj.length; i++) sj[i] /= s;
    return sj;
  }
}
