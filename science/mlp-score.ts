// The trained score network evaluated in float64 (no tfjs): a ScoreModel for the sampling
// and spectra stages. score(x, t) = −ε̂(x, σ(t))/σ(t), ε̂ = skip·x + out·F(cIn·x) (preconditioning()). The Jacobian is exact, by forward-mode
// differentiation: the d tangent directions e_1..e_d are pushed through every layer together as a
// d × width matrix, so each Linear costs one (d × in)·(in × out) product, cheaper than d reverse passes.
// The layers run on the WebAssembly SIMD kernels (kernels/score-f64.ts, also float64) where available; the
// plain JS loops below are the fallback and the reference the kernels are tested against.

import {
  inputRms,
  preconditioning,
  inputWidth,
  LAYER_NORM_EPS,
  timeEmbedding,
  type MlpArchitecture,
} from './mlp-architecture.ts';
import type { ScoreModel } from './score-model.ts';
import { VeSde } from './sde.ts';
import { decodeWeights, type TrainedWeights } from './mlp-weights.ts';
import { kernelsEnabled } from './kernels/mlp-kernels.ts';
import { ScoreKernels } from './kernels/score-f64.ts';

interface Linear {
  W: Float64Array;
  b: Float64Array;
  rows: number;
  cols: number;
}
interface Norm {
  g: Float64Array;
  b: Float64Array;
}
interface Block {
  norm1: Norm;
  lin1: Linear;
  time: Linear | null;
  norm2: Norm;
  lin2: Linear;
}

/**
 * out (n × W.cols) = A (n × W.rows) · W (+ bias when given). i-k-j order with a 2-row × 4-k register
 * block: each loaded W element feeds two output rows, which measured about 2× faster than one row at a time.
 */
function matmul(A: Float64Array, n: number, L: Linear, out: Float64Array, withBias: boolean): void {
  const { W, b, rows: k, cols: m } = L;
  for (let i = 0; i < n; i++) {
    const o = i * m;
    if (withBias) for (let j = 0; j < m; j++) out[o + j] = b[j];
    else out.fill(0, o, o + m);
  }
  let i = 0;
  for (; i + 1 < n; i += 2) {
    const o0 = i * m, o1 = o0 + m, a = i * k, c = a + k;
    let p = 0;
    for (; p + 3 < k; p += 4) {
      const a0 = A[a + p], a1 = A[a + p + 1], a2 = A[a + p + 2], a3 = A[a + p + 3];
      const c0 = A[c + p], c1 = A[c + p + 1], c2 = A[c + p + 2], c3 = A[c + p + 3];
      const w0 = p * m, w1 = w0 + m, w2 = w1 + m, w3 = w2 + m;
      for (let j = 0; j < m; j++) {
        const x0 = W[w0 + j], x1 = W[w1 + j], x2 = W[w2 + j], x3 = W[w3 + j];
        out[o0 + j] += a0 * x0 + a1 * x1 + a2 * x2 + a3 * x3;
        out[o1 + j] += c0 * x0 + c1 * x1 + c2 * x2 + c3 * x3;
      }
    }
    for (; p < k; p++) {
      const ap = A[a + p], cp = A[c + p], w = p * m;
      for (let j = 0; j < m; j++) {
        out[o0 + j] += ap * W[w + j];
        out[o1 + j] += cp * W[w + j];
      }
    }
  }
  for (; i < n; i++) {
    const o = i * m, a = i * k;
    for (let p = 0; p < k; p++) {
      const ap = A[a + p], w = p * m;
      for (let j = 0; j < m; j++) out[o + j] += ap * W[w + j];
    }
  }
}

/** Row-wise LayerNorm of n rows of width H; keeps x̂ and 1/√(var+eps) when asked (for tangents). */
function layerNormRows(x: Float64Array, n: number, H: number, N: Norm, out: Float64Array, xhat?: Float64Array, rstd?: Float64Array): void {
  for (let i = 0; i < n; i++) {
    const o = i * H;
    let mu = 0;
    for (let j = 0; j < H; j++) mu += x[o + j];
    mu /= H;
    let v = 0;
    for (let j = 0; j < H; j++) v += (x[o + j] - mu) ** 2;
    const r = 1 / Math.sqrt(v / H + LAYER_NORM_EPS);
    for (let j = 0; j < H; j++) {
      const xh = (x[o + j] - mu) * r;
      if (xhat) xhat[o + j] = xh;
      out[o + j] = xh * N.g[j] + N.b[j];
    }
    if (rstd) rstd[i] = r;
  }
}

const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

function siluInPlace(x: Float64Array, len: number): void {
  for (let i = 0; i < len; i++) x[i] = x[i] * sigmoid(x[i]);
}

/** Tangents through LayerNorm at one point (x̂, r): rows dy_j = g ⊙ r (dx_j − mean dx_j − x̂ mean(x̂ ⊙ dx_j)). */
function layerNormTangent(T: Float64Array, d: number, H: number, xhat: Float64Array, r: number, N: Norm, out: Float64Array): void {
  for (let j = 0; j < d; j++) {
    const o = j * H;
    let m1 = 0, m2 = 0;
    for (let k = 0; k < H; k++) {
      m1 += T[o + k];
      m2 += xhat[k] * T[o + k];
    }
    m1 /= H;
    m2 /= H;
    for (let k = 0; k < H; k++) out[o + k] = N.g[k] * r * (T[o + k] - m1 - xhat[k] * m2);
  }
}

/** SiLU at pre-activation z (one point) and its tangents: T rows scaled by silu'(z); z replaced by silu(z). */
function siluWithTangent(z: Float64Array, T: Float64Array, d: number, H: number): void {
  for (let k = 0; k < H; k++) {
    const s = sigmoid(z[k]);
    const slope = s * (1 + z[k] * (1 - s));
    z[k] = z[k] * s;
    for (let j = 0; j < d; j++) T[j * H + k] *= slope;
  }
}

export class TrainedMlpScore implements ScoreModel {
  readonly kind = 'trained' as const;
  readonly d: number;
  readonly arch: MlpArchitecture;
  readonly sde: VeSde;
  private readonly input: Linear;
  private readonly time1: Linear | null;
  private readonly time2: Linear | null;
  private readonly blocks: Block[];
  private readonly headNorm: Norm;
  private readonly out: Linear;
  /** Every parameter in float64, parameterShapes order (owned: the caller's arrays may change later). */
  private readonly params: Float64Array[];
  /** The kernel copy of the weights, made on first use; and the σ its time projections are set for. */
  private kernels: ScoreKernels | undefined;
  private kernelSigma = NaN;
  /** timeProjections of the last σ asked (spectra evaluate many points at one time). */
  private projCache: { sigma: number; proj: Float64Array[] | null } | undefined;

  constructor(w: TrainedWeights) {
    this.arch = w.arch;
    this.d = w.arch.d;
    this.sde = new VeSde(w.sde);
    const p = w.params.map((a) => Float64Array.from(a));
    this.params = p;
    let i = 0;
    const linear = (rows: number, cols: number): Linear => ({ W: p[i++], b: p[i++], rows, cols });
    const norm = (): Norm => ({ g: p[i++], b: p[i++] });
    const { d, hidden: H, timeEmbed: E } = w.arch;
    const project = w.arch.timeMode === 'project';
    this.input = linear(inputWidth(w.arch), H);
    this.time1 = project ? linear(E, E) : null;
    this.time2 = project ? linear(E, E) : null;
    this.blocks = [];
    for (let k = 0; k < w.arch.blocks; k++) {
      const norm1 = norm();
      const lin1 = linear(H, H);
      const time = project ? linear(E, H) : null;
      const norm2 = norm();
      const lin2 = linear(H, H);
      this.blocks.push({ norm1, lin1, time, norm2, lin2 });
    }
    this.headNorm = norm();
    this.out = linear(H, d);
  }

  /** Per-block time projections Linear_τ(τ(σ)) (constant in x), or null in 'concat' mode. */
  private timeProjections(sigma: number): Float64Array[] | null {
    if (this.projCache?.sigma !== sigma) this.projCache = { sigma, proj: this.computeTimeProjections(sigma) };
    return this.projCache.proj;
  }

  private computeTimeProjections(sigma: number): Float64Array[] | null {
    if (!this.time1 || !this.time2) return null;
    const E = this.arch.timeEmbed;
    const emb = new Float64Array(E);
    timeEmbedding(sigma, E, emb);
    const t1 = new Float64Array(E);
    matmul(emb, 1, this.time1, t1, true);
    siluInPlace(t1, E);
    const tau = new Float64Array(E);
    matmul(t1, 1, this.time2, tau, true);
    siluInPlace(tau, E);
    return this.blocks.map((b) => {
      const out = new Float64Array(this.arch.hidden);
      matmul(tau, 1, b.time!, out, true);
      return out;
    });
  }

  /**
   * Network input rows: c_in(σ)·x (divided by its RMS r under rmsScaling), followed by the time embedding
   * in 'concat' mode; and the r of each row (1 without rmsScaling).
   */
  private inputRows(xs: Float64Array, n: number, sigma: number): { rows: Float64Array; r: Float64Array } {
    const { d, timeEmbed: E } = this.arch;
    const width = inputWidth(this.arch);
    const c = preconditioning(this.arch, sigma).cIn;
    const rows = new Float64Array(n * width);
    const r = new Float64Array(n).fill(1);
    const emb = new Float64Array(E);
    if (this.arch.timeMode === 'concat') timeEmbedding(sigma, E, emb);
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
    const kernels = this.kernelsAt(sigma);
    if (!kernels) return this.networkJs(rows, n, sigma);
    const out = new Float64Array(n * this.arch.d);
    kernels.forward(rows, n, out);
    return out;
  }

  /** The kernels with their time projections set for σ, or undefined where the JS path runs. */
  private kernelsAt(sigma: number): ScoreKernels | undefined {
    if (!kernelsEnabled()) return undefined;
    this.kernels ??= new ScoreKernels(this.arch, this.params);
    if (this.kernelSigma !== sigma) {
      this.kernels.setTimeProjections(this.timeProjections(sigma));
      this.kernelSigma = sigma;
    }
    return this.kernels;
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

  /** The raw network on prepared input rows, in plain JS. */
  private networkJs(rows: Float64Array, n: number, sigma: number): Float64Array {
    const { d, hidden: H } = this.arch;
    const proj = this.timeProjections(sigma);
    const h = new Float64Array(n * H);
    matmul(rows, n, this.input, h, true);
    const u = new Float64Array(n * H);
    const a = new Float64Array(n * H);
    for (let k = 0; k < this.blocks.length; k++) {
      const B = this.blocks[k];
      layerNormRows(h, n, H, B.norm1, u);
      siluInPlace(u, n * H);
      matmul(u, n, B.lin1, a, true);
      if (proj) for (let i = 0; i < n; i++) for (let j = 0; j < H; j++) a[i * H + j] += proj[k][j];
      layerNormRows(a, n, H, B.norm2, u);
      siluInPlace(u, n * H);
      matmul(u, n, B.lin2, a, true);
      for (let i = 0; i < n * H; i++) h[i] += a[i];
    }
    layerNormRows(h, n, H, this.headNorm, u);
    siluInPlace(u, n * H);
    const eps = new Float64Array(n * d);
    matmul(u, n, this.out, eps, true);
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
    const kernels = this.kernelsAt(sigma);
    return kernels ? kernels.tangents(rows, c) : this.tangentsJs(rows, sigma, c);
  }

  /** networkTangents in plain JS. */
  private tangentsJs(rows: Float64Array, sigma: number, c: number): Float64Array {
    const { d, hidden: H } = this.arch;
    const proj = this.timeProjections(sigma);
    // Primal of one point, and tangents T (d × H): row j = ∂(activation)/∂x_j.
    const h = new Float64Array(H);
    matmul(rows, 1, this.input, h, true);
    const Th = new Float64Array(d * H);
    for (let i = 0; i < d * H; i++) Th[i] = c * this.input.W[i]; // the first d rows of W_in are ∂/∂x
    const u = new Float64Array(H), a = new Float64Array(H), xhat = new Float64Array(H), r = new Float64Array(1);
    const Tu = new Float64Array(d * H), Ta = new Float64Array(d * H);
    const normWithTangent = (z: Float64Array, Tz: Float64Array, N: Norm): void => {
      layerNormRows(z, 1, H, N, u, xhat, r);
      layerNormTangent(Tz, d, H, xhat, r[0], N, Tu);
      siluWithTangent(u, Tu, d, H);
    };
    for (let k = 0; k < this.blocks.length; k++) {
      const B = this.blocks[k];
      normWithTangent(h, Th, B.norm1);
      matmul(u, 1, B.lin1, a, true);
      matmul(Tu, d, B.lin1, Ta, false);
      if (proj) for (let j = 0; j < H; j++) a[j] += proj[k][j];
      normWithTangent(a, Ta, B.norm2);
      matmul(u, 1, B.lin2, a, true);
      matmul(Tu, d, B.lin2, Ta, false);
      for (let j = 0; j < H; j++) h[j] += a[j];
      for (let i = 0; i < d * H; i++) Th[i] += Ta[i];
    }
    normWithTangent(h, Th, this.headNorm);
    const Tout = new Float64Array(d * d);
    matmul(Tu, d, this.out, Tout, false);
    return Tout;
  }
}

/** A ScoreModel from the bytes of a `train` stage's weights file. */
export function loadTrainedScore(bytes: Uint8Array): ScoreModel {
  return new TrainedMlpScore(decodeWeights(bytes));
}
