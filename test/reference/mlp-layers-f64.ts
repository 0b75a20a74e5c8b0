// The trained MLP's layers in plain JavaScript float64 — forward pass and forward-mode tangents — the
// reference that science/kernels/score-f64.ts (ScoreKernels, the production implementation) is tested
// against. Swap it into TrainedMlpScore with `new TrainedMlpScore(weights, (a, p) => new JsMlpLayers(a, p))`.
import { inputWidth, LAYER_NORM_EPS, type MlpArchitecture } from '../../science/mlp-architecture.ts';
import type { MlpLayersF64 } from '../../science/mlp-score.ts';

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
  norm2: Norm;
  lin2: Linear;
}

/** out (n × W.cols) = A (n × W.rows) · W (+ bias when given). */
function matmul(A: Float64Array, n: number, L: Linear, out: Float64Array, withBias: boolean): void {
  const { W, b, rows: k, cols: m } = L;
  for (let i = 0; i < n; i++) {
    const o = i * m, a = i * k;
    if (withBias) for (let j = 0; j < m; j++) out[o + j] = b[j];
    else out.fill(0, o, o + m);
    for (let p = 0; p < k; p++) {
      const ap = A[a + p], w = p * m;
      for (let j = 0; j < m; j++) out[o + j] += ap * W[w + j];
    }
  }
}

const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

function siluInPlace(x: Float64Array, len: number): void {
  for (let i = 0; i < len; i++) x[i] = x[i] * sigmoid(x[i]);
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

export class JsMlpLayers implements MlpLayersF64 {
  private readonly input: Linear;
  private readonly blocks: Block[];
  private readonly headNorm: Norm;
  private readonly out: Linear;
  private proj: Float64Array[] | null = null;

  constructor(
    private readonly arch: MlpArchitecture,
    p: Float64Array[],
  ) {
    let i = 0;
    const linear = (rows: number, cols: number): Linear => ({ W: p[i++], b: p[i++], rows, cols });
    const norm = (): Norm => ({ g: p[i++], b: p[i++] });
    const { d, hidden: H, timeEmbed: E } = arch;
    const project = arch.timeMode === 'project';
    this.input = linear(inputWidth(arch), H);
    if (project) i += 4; // time1, time2: TrainedMlpScore computes the time projections
    this.blocks = [];
    for (let k = 0; k < arch.blocks; k++) {
      const norm1 = norm();
      const lin1 = linear(H, H);
      if (project) linear(E, H);
      const norm2 = norm();
      const lin2 = linear(H, H);
      this.blocks.push({ norm1, lin1, norm2, lin2 });
    }
    this.headNorm = norm();
    this.out = linear(H, d);
  }

  setTimeProjections(proj: Float64Array[] | null): void {
    this.proj = proj;
  }

  forward(rows: Float64Array, n: number, out: Float64Array): void {
    const { hidden: H } = this.arch;
    const proj = this.proj;
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
    matmul(u, n, this.out, out, true);
  }

  tangents(rows: Float64Array, c: number): Float64Array {
    const { d, hidden: H } = this.arch;
    const proj = this.proj;
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
