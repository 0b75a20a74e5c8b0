// The trained score network evaluated in float64 (no tfjs): a ScoreModel for the sampling
// and spectra stages. score(x, t) = −ε̂(x, σ(t))/σ(t), ε̂ = skip·x + out·F(cIn·x) (preconditioning()). The Jacobian is exact, by forward-mode
// differentiation: the d tangent directions e_1..e_d are pushed through every layer together as a
// d × width matrix, so each Linear costs one (d × in)·(in × out) product, cheaper than d reverse passes.
// The layers that scale with d·H² run on the WebAssembly SIMD kernels (kernels/score-f64.ts, also float64);
// test/reference/mlp-layers-f64.ts is the plain-JS statement of the same layers the tests swap in.

import {
  inputRms,
  preconditioning,
  inputWidth,
  parameterShapes,
  timeFeatures,
  timeFeatureWidth,
  type MlpArchitecture,
} from './mlp-architecture.ts';
import type { ScoreModel } from './score-model.ts';
import { VeSde } from './sde.ts';
import { decodeWeights, type TrainedWeights } from './mlp-weights.ts';
import { ScoreKernels } from './kernels/score-f64.ts';

/** What computes the network's layers in float64: kernels/score-f64.ts (ScoreKernels) in production. */
export interface MlpLayersF64 {
  /** Per-block time projections Linear_τ(τ(σ)) (null in 'concat' mode), added to each block's first Linear. */
  setTimeProjections(proj: Float64Array[] | null): void;
  /** F for n prepared input rows; writes n × d values into `out`. */
  forward(rows: Float64Array, n: number, out: Float64Array): void;
  /** T[j·d + i] = ∂F_i/∂x_j at one prepared row whose first d entries are c·x (may be a view valid until the next call). */
  tangents(row: Float64Array, c: number): Float64Array;
}

interface Linear {
  W: Float64Array;
  b: Float64Array;
  rows: number;
  cols: number;
}

/** out = x·W + b for one row x, b first then the terms in order (the time MLP's few E × E products; the d·H² work runs in the layers). */
function linearRow(x: Float64Array, L: Linear): Float64Array {
  const { W, b, rows: k, cols: m } = L;
  const out = Float64Array.from(b);
  for (let p = 0; p < k; p++) {
    const xp = x[p], w = p * m;
    for (let j = 0; j < m; j++) out[j] += xp * W[w + j];
  }
  return out;
}

function siluInPlace(x: Float64Array): Float64Array {
  for (let i = 0; i < x.length; i++) x[i] = x[i] * (1 / (1 + Math.exp(-x[i])));
  return x;
}

export class TrainedMlpScore implements ScoreModel {
  readonly kind = 'trained' as const;
  readonly d: number;
  readonly arch: MlpArchitecture;
  readonly sde: VeSde;
  /** The time MLP and each block's time projection ('project' mode), which the layers take as a bias. */
  private readonly time: { time1: Linear; time2: Linear; blocks: Linear[] } | null;
  /** Every parameter in float64, parameterShapes order (owned: the caller's arrays may change later). */
  private readonly params: Float64Array[];
  /** The layers' copy of the weights, made on first use; and the σ its time projections are set for. */
  private layers: MlpLayersF64 | undefined;
  private layersSigma = NaN;
  /** timeProjections of the last σ asked (spectra evaluate many points at one time). */
  private projCache: { sigma: number; proj: Float64Array[] | null } | undefined;

  /** `makeLayers` builds what runs the layers: the kernels, or a reference in the tests. */
  constructor(
    w: TrainedWeights,
    private readonly makeLayers: (arch: MlpArchitecture, params: Float64Array[]) => MlpLayersF64 = (a, p) => new ScoreKernels(a, p),
  ) {
    this.arch = w.arch;
    this.d = w.arch.d;
    this.sde = new VeSde(w.sde);
    const p = w.params.map((a) => Float64Array.from(a));
    this.params = p;
    const { hidden: H, timeEmbed: E } = w.arch;
    const index = new Map(parameterShapes(w.arch).map((shape, k) => [shape.name, k]));
    const linear = (name: string, rows: number, cols: number): Linear => ({ W: p[index.get(`${name}.W`)!], b: p[index.get(`${name}.b`)!], rows, cols });
    this.time =
      w.arch.timeMode === 'project'
        ? {
            time1: linear('time1', timeFeatureWidth(w.arch), E),
            time2: linear('time2', E, E),
            blocks: Array.from({ length: w.arch.blocks }, (_, k) => linear(`block${k}.time`, E, H)),
          }
        : null;
  }

  /** Per-block time projections Linear_τ(τ(σ)) (constant in x), or null in 'concat' mode. */
  private timeProjections(sigma: number): Float64Array[] | null {
    if (this.projCache?.sigma !== sigma) this.projCache = { sigma, proj: this.computeTimeProjections(sigma) };
    return this.projCache.proj;
  }

  private computeTimeProjections(sigma: number): Float64Array[] | null {
    if (this.time === null) return null;
    const emb = new Float64Array(timeFeatureWidth(this.arch));
    timeFeatures(this.arch, sigma, emb);
    const tau = siluInPlace(linearRow(siluInPlace(linearRow(emb, this.time.time1)), this.time.time2));
    return this.time.blocks.map((L) => linearRow(tau, L));
  }

  /**
   * Network input rows: c_in(σ)·x (divided by its RMS r under rmsScaling), followed by the time features
   * in 'concat' mode; and the r of each row (1 without rmsScaling).
   */
  private inputRows(xs: Float64Array, n: number, sigma: number): { rows: Float64Array; r: Float64Array } {
    const { d } = this.arch;
    const width = inputWidth(this.arch);
    const c = preconditioning(this.arch, sigma).cIn;
    const rows = new Float64Array(n * width);
    const r = new Float64Array(n).fill(1);
    const emb = new Float64Array(timeFeatureWidth(this.arch));
    if (this.arch.timeMode === 'concat') timeFeatures(this.arch, sigma, emb);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < d; j++) rows[i * width + j] = c * xs[i * d + j];
      if (this.arch.rmsScaling) {
        r[i] = inputRms(rows, i * width, d);
        for (let j = 0; j < d; j++) rows[i * width + j] /= r[i];
      }
      if (this.arch.timeMode === 'concat') rows.set(emb, i * width + d);
    }
    return { rows, r };
  }

  /** The raw network's output on prepared input rows (n × d). */
  private network(rows: Float64Array, n: number, sigma: number): Float64Array {
    const out = new Float64Array(n * this.arch.d);
    this.layersAt(sigma).forward(rows, n, out);
    return out;
  }

  /** The layers with their time projections set for σ. */
  private layersAt(sigma: number): MlpLayersF64 {
    this.layers ??= this.makeLayers(this.arch, this.params);
    if (this.layersSigma !== sigma) {
      this.layers.setTimeProjections(this.timeProjections(sigma));
      this.layersSigma = sigma;
    }
    return this.layers;
  }

  /** ε̂(x, σ) at n points (n × d). */
  predictNoise(xs: Float64Array, n: number, sigma: number): Float64Array {
    const { d } = this.arch;
    if (xs.length !== n * d) throw new Error(`score: xs has ${xs.length} values, expected n·d = ${n}·${d}`);
    const { rows, r } = this.inputRows(xs, n, sigma);
    const eps = this.network(rows, n, sigma);
    const { skip, out } = preconditioning(this.arch, sigma);
    for (let i = 0; i < n; i++) {
      const scale = out * r[i]; // F = r·G
      for (let j = 0; j < d; j++) eps[i * d + j] = skip * xs[i * d + j] + scale * eps[i * d + j];
    }
    return eps;
  }

  score(xs: Float64Array, n: number, t: number): Float64Array {
    const sigma = this.sde.sigma(t);
    const eps = this.predictNoise(xs, n, sigma);
    for (let i = 0; i < eps.length; i++) eps[i] = -eps[i] / sigma;
    return eps;
  }

  jacobian(x: Float64Array, t: number): Float64Array {
    const { d } = this.arch;
    if (x.length !== d) throw new Error(`jacobian: x has ${x.length} values, expected d = ${d}`);
    const sigma = this.sde.sigma(t);
    const { cIn: c, skip, out } = preconditioning(this.arch, sigma);
    const { rows } = this.inputRows(x, 1, sigma);
    // Tout[j·d + i] = ∂F_i/∂x_j.
    let Tout: Float64Array;
    if (this.arch.rmsScaling) {
      // F = r·G(v), v = u/r, u = c·x: ∂F/∂u = ∂G/∂v + (G − (∂G/∂v)·v) vᵀ/d (r drops out), ∂F/∂x = c·∂F/∂u.
      const G = this.network(rows, 1, sigma);
      Tout = Float64Array.from(this.networkTangents(rows, sigma, 1)); // a copy: the kernels return a view
      const radial = new Float64Array(d); // G − (∂G/∂v)·v
      for (let i = 0; i < d; i++) {
        let dv = 0;
        for (let j = 0; j < d; j++) dv += Tout[j * d + i] * rows[j];
        radial[i] = G[i] - dv;
      }
      for (let j = 0; j < d; j++) {
        const vj = rows[j] / d;
        for (let i = 0; i < d; i++) Tout[j * d + i] = c * (Tout[j * d + i] + radial[i] * vj);
      }
    } else {
      Tout = this.networkTangents(rows, sigma, c);
    }
    // ∂ε̂_i/∂x_j = skip·δ_ij + out·Tout[j][i]; J[i][j] = ∂s_i/∂x_j = −∂ε̂_i/∂x_j / σ.
    const J = new Float64Array(d * d);
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < d; j++) J[i * d + j] = (-out * Tout[j * d + i]) / sigma;
      J[i * d + i] -= skip / sigma;
    }
    return J;
  }

  /** ∂(raw network)/∂x at one prepared input row whose first d entries are c·x: Tout[j·d + i] = ∂out_i/∂x_j. */
  private networkTangents(rows: Float64Array, sigma: number, c: number): Float64Array {
    return this.layersAt(sigma).tangents(rows, c);
  }
}

/** A ScoreModel from the bytes of a `train` stage's weights file. */
export function loadTrainedScore(bytes: Uint8Array): ScoreModel {
  return new TrainedMlpScore(decodeWeights(bytes));
}
