// The residual MLP score network of science.md §5, described without any tensor library: its
// hyper-parameters, the ordered list of its parameter tensors, their initialisation, and the two fixed
// pre-processing steps (input scaling and the sinusoidal time features) that the tfjs trainer and the
// float64 evaluator (mlp-score.ts) must compute identically.

import type { Rng } from './random.ts';

/** The sinusoid of the noise level the network is fed (sinusoids()). */
type TimeFeatureKind = 'log-sigma' | 'sigma';

export interface MlpArchitecture {
  /** Ambient dimension d (input and output width). */
  d: number;
  /** Hidden width H (paper: 128). */
  hidden: number;
  /** Number of residual blocks B (paper: 2). */
  blocks: number;
  /** Width E of the time MLP, and of the sinusoidal features unless timeFeatureWidth says otherwise (authors' code: 512; CPU default 128). */
  timeEmbed: number;
  /**
   * How time enters. 'project' (the paper's network): features(σ) → Linear(F,E) → SiLU → Linear(E,E) → SiLU,
   * then a Linear(E,H) projection added inside every block. 'concat': the features are concatenated to the
   * input of the first Linear and there is no time MLP (the benchmark's reference model).
   */
  timeMode: 'project' | 'concat';
  /**
   * Which sinusoid of σ feeds the network (timeFeatures()): 'log-sigma' when absent; 'sigma' is the authors'
   * code's (their SinusoidalEmbedding of the noise level itself).
   */
  timeFeatures?: TimeFeatureKind;
  /** Width F of the sinusoidal features when it differs from E (the authors' code: 128 features into a 512-wide MLP). */
  timeFeatureWidth?: number;
  /**
   * 'none': the plain network (no sigmaData) sees the raw x, as in the authors' code; 'c_in' (or absent)
   * scales it by c_in(σ) = 1/√(1 + σ²) (inputScale). EDM's preconditioning has its own c_in.
   */
  inputScaling?: 'c_in' | 'none';
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
  /** Network input rows (n × inputWidth): c_in·x (over its RMS under rmsScaling), then the time features in 'concat' mode. */
  xIn: Float32Array;
  /** Time features (n × F, F = timeFeatureWidth) in 'project' mode, else null. */
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
  int('time_embed', a.timeEmbed, a.timeFeatureWidth === undefined ? 2 : 1);
  if (a.timeFeatureWidth === undefined && a.timeEmbed % 2 !== 0) throw new Error(`time_embed must be even (sin and cos halves), got ${a.timeEmbed}`);
  if (a.timeMode !== 'project' && a.timeMode !== 'concat') {
    throw new Error(`timeMode must be 'project' or 'concat', got '${String(a.timeMode)}'`);
  }
  if (a.rmsScaling !== undefined && typeof a.rmsScaling !== 'boolean') {
    throw new Error(`rmsScaling must be true or false when given, got ${String(a.rmsScaling)}`);
  }
  if (a.sigmaData !== undefined && !(a.sigmaData > 0 && Number.isFinite(a.sigmaData))) {
    throw new Error(`sigmaData must be a positive number when given, got ${a.sigmaData}`);
  }
  const problem = timeAndInputProblem({
    timeFeatures: a.timeFeatures ?? 'log-sigma',
    timeFeatureWidth: timeFeatureWidth(a),
    inputScaling: a.inputScaling ?? 'c_in',
    preconditioned: a.sigmaData !== undefined,
  });
  if (problem) throw new Error(problem);
}

/**
 * What is wrong with a choice of time features and input scaling, or undefined: shared by the train stage's
 * plan-time check and checkArchitecture, so both say the same thing.
 */
export function timeAndInputProblem(c: {
  timeFeatures: string;
  timeFeatureWidth: number;
  inputScaling: string;
  preconditioned: boolean;
}): string | undefined {
  if (c.timeFeatures !== 'log-sigma' && c.timeFeatures !== 'sigma') {
    return `time_features must be 'log-sigma' or 'sigma', got '${c.timeFeatures}'`;
  }
  // 'sigma' spaces its frequencies over half − 1 intervals: it needs two of them at least.
  const min = c.timeFeatures === 'sigma' ? 4 : 2;
  if (!(Number.isInteger(c.timeFeatureWidth) && c.timeFeatureWidth >= min && c.timeFeatureWidth % 2 === 0)) {
    return `time_features_width must be an even integer ≥ ${min} for time_features '${c.timeFeatures}' (sin and cos halves), got ${c.timeFeatureWidth}`;
  }
  if (c.inputScaling !== 'c_in' && c.inputScaling !== 'none') {
    return `input_scaling must be 'c_in' or 'none', got '${c.inputScaling}'`;
  }
  if (c.inputScaling === 'none' && c.preconditioned) {
    return "input_scaling 'none' needs preconditioning 'none' (the plain network); preconditioning 'edm' keeps EDM's own c_in, so use input_scaling 'c_in' with it";
  }
  return undefined;
}

/** Width F of the sinusoidal time features: timeFeatureWidth, else the time MLP's width E. */
export function timeFeatureWidth(a: MlpArchitecture): number {
  return a.timeFeatureWidth ?? a.timeEmbed;
}

/** Width of the first Linear's input. */
export function inputWidth(a: MlpArchitecture): number {
  return a.timeMode === 'concat' ? a.d + timeFeatureWidth(a) : a.d;
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
    linear('time1', timeFeatureWidth(a), E);
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

/**
 * How the parameters start. 'default': LeCun-normal Linear weights (variance 1/fan_in), zero biases.
 * 'pytorch': torch.nn.Linear's reset_parameters, as in the authors' code: kaiming_uniform with a = √5 gives
 * weights U(−1/√fan_in, 1/√fan_in), and the bias is U(−1/√fan_in, 1/√fan_in) too. Both: unit LayerNorm
 * gains, zero shifts. fan_in is a Linear's input width, the first axis of its in × out weight.
 */
export type Initialisation = 'default' | 'pytorch';

export function initialParameters(a: MlpArchitecture, rng: Rng, init: Initialisation = 'default'): Float32Array[] {
  if (init !== 'default' && init !== 'pytorch') throw new Error(`init must be 'default' or 'pytorch', got '${String(init)}'`);
  const shapes = parameterShapes(a);
  return shapes.map((p, k) => {
    const size = p.shape.reduce((x, y) => x * y, 1);
    const v = new Float32Array(size);
    if (p.role === 'gain') v.fill(1);
    if (init === 'default' && p.role === 'weight') {
      const std = 1 / Math.sqrt(p.shape[0]);
      for (let i = 0; i < size; i++) v[i] = std * rng.normal();
    }
    if (init === 'pytorch' && (p.role === 'weight' || p.role === 'bias')) {
      // A bias follows its weight in parameterShapes: its fan_in is that weight's input width.
      const bound = 1 / Math.sqrt((p.role === 'weight' ? p : shapes[k - 1]).shape[0]);
      for (let i = 0; i < size; i++) v[i] = bound * (2 * rng.uniform() - 1);
    }
    return v;
  });
}

/**
 * How the raw network F meets the noisy sample x at noise level σ:
 *   ε̂(x, σ) = skip·x + out·F(cIn·x, σ),   score = −ε̂/σ,
 * and training minimises the mean of |F − (ξ − skip·x)/out|² for x = x₀ + σξ.
 * - plain ε-prediction (no sigmaData): cIn = 1/√(1 + σ²) (1 under inputScaling 'none'), skip = 0, out = 1. At large σ the network itself
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
  if (sd === undefined) return { cIn: a.inputScaling === 'none' ? 1 : inputScale(sigma), skip: 0, out: 1 };
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

/** Frequencies ω_k of the two embeddings, computed once per kind and width. */
const frequencyCache = new Map<string, Float64Array>();

/**
 * The sinusoids' frequencies and argument for time features of `kind` and width F: the features are
 * [sin(c ω_k)]_k ++ [cos(c ω_k)]_k, k = 0 … F/2 − 1.
 * - 'log-sigma': c = log(σ)/4 (σ ∈ [0.01, 50] maps to c ∈ [−1.15, 0.98]), ω_k geometric from 1 to 100, so the
 *   slowest feature is nearly linear in log σ and the fastest resolves changes of a few percent in σ.
 * - 'sigma' (the authors' code's SinusoidalEmbedding applied to σ itself): c = σ, ω_k = exp(−k·ln(10⁴)/(F/2 − 1)),
 *   geometric from 1 down to 10⁻⁴; over σ ∈ [0.01, 50] the slow features are nearly linear in σ and the fast
 *   ones wrap many times at large σ.
 */
export function sinusoids(kind: TimeFeatureKind, F: number): { omega: Float64Array; argument: (sigma: number) => number } {
  const half = F / 2;
  const key = `${kind}:${half}`;
  let omega = frequencyCache.get(key);
  if (omega === undefined) {
    if (kind === 'sigma') {
      const step = Math.log(10000) / (half - 1);
      omega = Float64Array.from({ length: half }, (_, k) => Math.exp(-k * step));
    } else {
      omega = Float64Array.from({ length: half }, (_, k) => (half === 1 ? 1 : Math.pow(100, k / (half - 1))));
    }
    frequencyCache.set(key, omega);
  }
  return { omega, argument: kind === 'sigma' ? sigmaArgument : logSigmaArgument };
}

const logSigmaArgument = (sigma: number): number => Math.log(sigma) / 4;
const sigmaArgument = (sigma: number): number => sigma;

function writeSinusoids(kind: TimeFeatureKind, sigma: number, F: number, out: Float32Array | Float64Array, offset: number): void {
  const half = F / 2;
  const { omega, argument } = sinusoids(kind, F);
  const c = argument(sigma);
  for (let k = 0; k < half; k++) {
    out[offset + k] = Math.sin(c * omega[k]);
    out[offset + half + k] = Math.cos(c * omega[k]);
  }
}

/** The 'log-sigma' features of width E at out[offset ..] (sinusoids): the image networks' embedding. */
export function timeEmbedding(sigma: number, E: number, out: Float32Array | Float64Array, offset = 0): void {
  writeSinusoids('log-sigma', sigma, E, out, offset);
}

/** The architecture's time features at σ (sinusoids), F = timeFeatureWidth values at out[offset ..]. */
export function timeFeatures(a: MlpArchitecture, sigma: number, out: Float32Array | Float64Array, offset = 0): void {
  writeSinusoids(a.timeFeatures ?? 'log-sigma', sigma, timeFeatureWidth(a), out, offset);
}
