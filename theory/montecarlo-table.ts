// The `spectra` table of the montecarlo stage: R draws of F (science/linear-manifold.ts), C's spectrum per
// draw, and s·J's spectrum at each s of the analysis grid.

import { covarianceEigenvalues, rescaledJacobianSpectrum } from './montecarlo.ts';
import { columnVariances, drawLoadings, type ProfileGroup } from '../science/linear-manifold.ts';
import { createRng } from '../science/random.ts';
import { VeSde, type VeSdeParams } from '../science/sde.ts';

interface MonteCarloOptions {
  groups: ProfileGroup[];
  d: number;
  m: number;
  draws: number;
  sde: VeSdeParams;
  sPoints: number;
  seed: number;
  /** Variance of the entries of F (data stage `scaling`). */
  scaling: '1/d' | '1/m';
  onDraw?: (draw: number) => void;
  signal?: AbortSignal;
}

export function monteCarloSpectra(o: MonteCarloOptions) {
  const { d, m, draws } = o;
  if (!(Number.isInteger(m) && m >= 1 && m <= d)) throw new Error(`montecarlo: need 1 ≤ m ≤ d, got m=${m}, d=${d}`);
  const grid = new VeSde(o.sde).analysisGrid(o.sPoints);
  const rng = createRng(o.seed);
  // Column variances are fixed by the profile (whole columns per group, as the data stage rounds them).
  const { variances } = columnVariances({ kind: 'multi', groups: o.groups }, m, rng.fork(0));
  const n = grid.length * draws * d;
  const t = new Float64Array(n);
  const s = new Float64Array(n);
  const point = new Int32Array(n);
  const rank = new Int32Array(n);
  const eig = new Float64Array(n);
  const sv = new Float64Array(n);
  for (let r = 0; r < draws; r++) {
    if (o.signal?.aborted) throw new Error('montecarlo: interrupted');
    const F = drawLoadings(d, m, o.scaling, rng.fork(r + 1));
    const lambda = covarianceEigenvalues(F, variances, d, m);
    grid.forEach((g, k) => {
      const mu = rescaledJacobianSpectrum(lambda, g.s);
      const base = (k * draws + r) * d;
      for (let i = 0; i < d; i++) {
        t[base + i] = g.t;
        s[base + i] = g.s;
        point[base + i] = r;
        rank[base + i] = i;
        eig[base + i] = mu[i];
        sv[base + i] = Math.abs(mu[i]);
      }
    });
    o.onDraw?.(r);
  }
  return {
    score: new Array<string>(n).fill('analytic'),
    method: new Array<string>(n).fill('montecarlo'),
    point_kind: new Array<string>(n).fill('draw'),
    t,
    s,
    point,
    rank,
    eig,
    sv,
  };
}
