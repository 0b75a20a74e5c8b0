// The residual MLP score network of science.md §5, described without any tensor library: its
// hyper-parameters, the ordered list of its parameter tensors, their initialisation, and the two fixed
// pre-processing steps (input scaling and the sinusoidal time embedding) that the tfjs trainer and the
// float64 evaluator (mlp-score.ts) must compute identically.

import type { Rng } from './random.ts';

export interface MlpArchitecture {
  /** Ambient dimension d (input and output width). */
  d: number;
  /** Hidden width H (paper: 128). */
  hidden: number;
  /** Number of residual blocks B (paper: 2). */
  blocks: number;
  /** Width E of the sinusoidal time embedding and of the time MLP (authors' code: 512; CPU default 128). */
  timeEmbed: number;
  /**
   * How time enters. 'project' (the paper's network): embedding → Linear(E,E) → SiLU → Linear(E,E) → SiLU,
   * then a Linear(E,H) projection added inside every block. 'concat': the embedding is concatenated to the
   * input of the first Linear and there is no time MLP (the benchmark's reference model).
   */
  timeMode: 'project' | 'concat';
  /**
   * The data's per-coordinate RMS σ_data when the network is preconditioned as in EDM (Karras et al. 2022),
   * absent for the plain ε-prediction network: see preconditioning().
   */
  sigmaData?: number;
  /**
   * Scale the raw network by the RMS of its input: F(x) = r·G(u/r), u = cIn·x, r = inputRms(u). F is then
   * exactly homogeneous of degree 1 along rays when G ignores r, as the exact denoiser of Gaussian data is
   * (it is linear). Without it the pre-norm residual MLP, whose head begins with a LayerNorm, is nearly
   * homogeneous of degree 0 in x (measured: ⟨∂F/∂log|x|, F⟩/|F|² = 0.68–0.85 instead of 1 on fig3-left after
   * 20 000 steps), a mismatch built into the architecture. Its measured cost is small: median s·J error
   * 10.9 % without, 10.6 % with (fig3-left, 20 000 steps).
   */
  rmsScaling?: boolean;
}

/** One training batch of n rows, as every gradient path takes it (train-mlp.ts drawBatch makes it). */
export interface Batch {
  /** Network input rows (n × inputWidth): c_in·x (over its RMS under rmsScaling), then the embedding in 'concat' mode. */
  xIn: Float32Array;
  /** Time embeddings (n × E) in 'project' mode, else null. */
  emb: Float32Array | null;
  /** What the raw network F should output: (ξ − skip·x)/out (plain ε-prediction: ξ itself). */
  target: Float32Array;
  /**
   * Per-output loss weights (n × d), or null for unit weight: the loss is (1/(n·d)) Σ w |F − target|². The
   * image network's per-pixel c_out makes its mean |ε̂ − ξ|² such a weighted loss on F (images/train-score-net.ts).
   */
  weight: Float32Array | null;
}

interface ParamShape {
  name: string;
  shape: number[];
  /** 'weight' (Linear matrix, in × out), 'bias', 'gain' (LayerNorm scale) or 'shift' (LayerNorm offset). */
  role: 'weight' | 'bias' | 'gain' | 'shift';
}

export function checkArchitecture(a: MlpArchitecture): void {
  const int = (name: string, v: number, min: number): void => {
    if (!(Number.isInteger(v) && v >= min)) throw new Error(`${name} must be an integer ≥ ${min}, got ${v}`);
  };
  int('d', a.d, 1);
  int('hidden', a.hidden, 1);
  int('blocks', a.blocks, 0);
  int('time_embed', a.timeEmbed, 2);
  if (a.timeEmbed % 2 !== 0) throw new Error(`time_embed must be even (sin and cos halves), got ${a.timeEmbed}`);
  if (a.timeMode !== 'project' && a.timeMode !== 'concat') {
    throw new Error(`timeMode must be 'project' or 'concat', got '${String(a.timeMode)}'`);
  }
  if (a.rmsScaling !== undefined && typeof a.rmsScaling !== 'boolean') {
    throw new Error(`rmsScaling must be true or false when given, got ${String(a.rmsScaling)}`);
  }
  if (a.sigmaData !== undefined && !(a.sigmaData > 0 && Number.isFinite(a.sigmaData))) {
    throw new Error(`sigmaData must be a positive number when given, got ${a.sigmaData}`);
  }
}

/** Width of the first Linear's input. */
export function inputWidth(a: MlpArchitecture): number {
  return a.timeMode === 'concat' ? a.d + a.timeEmbed : a.d;
}

/** Every parameter tensor, in the fixed order used by training, checkpoints and the weights file. */
export function parameterShapes(a: MlpArchitecture): ParamShape[] {
  const { d, hidden: H, timeEmbed: E } = a;
  const out: ParamShape[] = [];
  const linear = (name: string, i: number, o: number): void => {
    out.push({ name: `${name}.W`, shape: [i, o], role: 'weight' }, { name: `${name}.b`, shape: [o], role: 'bias' });
  };
  const norm = (name: string, w: number): void => {
    out.push({ name: `${name}.g`, shape: [w], role: 'gain' }, { name: `${name}.b`, shape: [w], role: 'shift' });
  };
  linear('in', inputWidth(a), H);
  if (a.timeMode === 'project') {
    linear('time1', E, E);
    linear('time2', E, E);
  }
  for (let k = 0; k < a.blocks; k++) {
    norm(`block${k}.norm1`, H);
    linear(`block${k}.lin1`, H, H);
    if (a.timeMode === 'project') linear(`block${k}.time`, E, H);
    norm(`block${k}.norm2`, H);
    linear(`block${k}.lin2`, H, H);
  }
  norm('head.norm', H);
  linear('head.out', H, d);
  return out;
}

export function parameterCount(a: MlpArchitecture): number {
  return parameterShapes(a).reduce((n, p) => n + p.shape.reduce((x, y) => x * y, 1), 0);
}

/** LeCun-normal Linear weights (variance 1/fan_in), zero biases, unit LayerNorm gains. */
export function initialParameters(a: MlpArchitecture, rng: Rng): Float32Array[] {
  return parameterShapes(a).map((p) => {
    const size = p.shape.reduce((x, y) => x * y, 1);
    const v = new Float32Array(size);
    if (p.role === 'gain') v.fill(1);
    if (p.role === 'weight') {
      const std = 1 / Math.sqrt(p.shape[0]);
      for (let i = 0; i < size; i++) v[i] = std * rng.normal();
    }
    return v;
  });
}

/**
 * How the raw network F meets the noisy sample x at noise level σ:
 *   ε̂(x, σ) = skip·x + out·F(cIn·x, σ),   score = −ε̂/σ,
 * and training minimises the mean of |F − (ξ − skip·x)/out|² for x = x₀ + σξ.
 * - plain ε-prediction (no sigmaData): cIn = 1/√(1 + σ²), skip = 0, out = 1. At large σ the network itself
 *   must reproduce ε̂ ≈ x/σ, so its errors land undamped on s·J ≈ −1 (the trivial phase) and it stops
 *   contracting for |x| beyond the training range (trajectories that stall far from the data).
 * - EDM preconditioning with σ_d = sigmaData: the denoiser D = c_skip·x + c_out·F with c_skip = σ_d²/(σ²+σ_d²),
 *   c_out = σσ_d/√(σ²+σ_d²), c_in = 1/√(σ²+σ_d²), written in ε = (x − D)/σ form: skip = σ/(σ² + σ_d²),
 *   out = σ_d/√(σ² + σ_d²) (sign folded into F). The skip alone is the exact score of N(0, σ_d² I), right at
 *   large σ for any x; F only corrects it, with unit-variance targets at every σ (the loss weighting is
 *   TrainConfig.weighting's choice, train-mlp.ts).
 */
interface Preconditioning {
  cIn: number;
  skip: number;
  out: number;
}

/** The plain network's input scale c_in(σ) = 1/√(1 + σ²): keeps its input O(1) at every noise level. */
export function inputScale(sigma: number): number {
  return 1 / Math.sqrt(1 + sigma * sigma);
}

export function preconditioning(a: MlpArchitecture, sigma: number): Preconditioning {
  const sd = a.sigmaData;
  if (sd === undefined) return { cIn: inputScale(sigma), skip: 0, out: 1 };
  const v = sigma * sigma + sd * sd;
  return { cIn: 1 / Math.sqrt(v), skip: sigma / v, out: sd / Math.sqrt(v) };
}

/** r = √(mean_j u_j² + RMS_FLOOR) over u[offset .. offset + d): the scale of rmsScaling. */
export function inputRms(u: ArrayLike<number>, offset: number, d: number): number {
  let sum = 0;
  for (let j = 0; j < d; j++) sum += u[offset + j] * u[offset + j];
  return Math.sqrt(sum / d + RMS_FLOOR);
}

/** Keeps r > 0 at x = 0; far below any noised sample's RMS (≥ c_in·σ_min ≈ 0.01). */
const RMS_FLOOR = 1e-10;

/** LayerNorm's variance floor. */
export const LAYER_NORM_EPS = 1e-5;

/** Frequencies ω_k of the embedding, computed once per width. */
const frequencyCache = new Map<number, Float64Array>();
function frequencies(half: number): Float64Array {
  let f = frequencyCache.get(half);
  if (f === undefined) {
    f = Float64Array.from({ length: half }, (_, k) => (half === 1 ? 1 : Math.pow(100, k / (half - 1))));
    frequencyCache.set(half, f);
  }
  return f;
}

/**
 * Sinusoidal embedding of the noise level: c = log(σ)/4 (σ ∈ [0.01, 50] maps to c ∈ [−1.15, 0.98]),
 * features [sin(c ω_k)]_k ++ [cos(c ω_k)]_k with E/2 frequencies ω_k geometric from 1 to 100, so the
 * slowest feature is nearly linear in log σ and the fastest resolves changes of a few percent in σ.
 * Writes E values at out[offset ..].
 */
export function timeEmbedding(sigma: number, E: number, out: Float32Array | Float64Array, offset = 0): void {
  const half = E / 2;
  const c = Math.log(sigma) / 4;
  const omega = frequencies(half);
  for (let k = 0; k < half; k++) {
    out[offset + k] = Math.sin(c * omega[k]);
    out[offset + half + k] = Math.cos(c * omega[k]);
  }
}
