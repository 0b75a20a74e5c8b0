// The exact empirical score of a set of training images (science.md §4), as a source of s·J for the image
// spectra: J_n = −I/s + Cov_w(y)/s², so s·J = −I + Cov_w(y)/s. At small s the posterior weights w sit on
// one training image (memorisation): Cov_w → 0 and every eigenvalue goes to −1. Float64 throughout: at
// small s the covariance is a difference of nearly equal terms. A ScaledJacobianSource (spectra.ts) that answers synchronously.

import { empiricalScore } from '../science/exact-scores.ts';
import type { VeSde } from '../science/sde.ts';

export function empiricalImageScore(
  images: Float32Array | Float64Array,
  n: number,
  d: number,
  sde: VeSde,
): { d: number; sde: VeSde; scaledJacobian(x: Float64Array, sigma: number): Float64Array } {
  const model = empiricalScore(Float64Array.from(images), n, d, sde);
  return {
    d,
    sde,
    scaledJacobian(x, sigma) {
      const s = sigma * sigma;
      const sj = model.jacobian(x, sde.timeOfVariance(s));
      for (let i = 0; i < sj.length; i++) sj[i] *= s;
      return sj;
    },
  };
}
