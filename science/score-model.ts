// What every score source offers, so trajectories and spectra can be drawn for a trained network, the
// analytic Gaussian score and the empirical score of the training set with the same code.
// Points are float64, row-major (n × d); the Jacobian J[i * d + j] = ∂s_i/∂x_j.

export type ScoreKind = 'trained' | 'analytic' | 'empirical';

export interface ScoreModel {
  readonly kind: ScoreKind;
  /** Ambient dimension d. */
  readonly d: number;
  /** Score s(x, t) = ∇ log p_t(x) at n points (xs has n × d values); returns n × d values. */
  score(xs: Float64Array, n: number, t: number): Float64Array;
  /** Exact Jacobian ∂s/∂x (d × d, row-major) at one point x, time t. */
  jacobian(x: Float64Array, t: number): Float64Array;
}
