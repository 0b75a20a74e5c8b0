// Denoising score-matching training of the residual MLP (science.md §5) on vector data (the linear-manifold
// experiments): the configuration, the batch of one step and the network handed to the one training loop
// (train-loop.ts). Same seed + same implementation (score-network.ts scoreNetworkFor) ⇒ bit-identical weights.

import {
  checkArchitecture,
  type Batch,
  initialParameters,
  inputRms,
  preconditioning,
  inputWidth,
  parameterShapes,
  timeFeatures,
  timeFeatureWidth,
  type Initialisation,
  type MlpArchitecture,
} from './mlp-architecture.ts';
import type { TrainedWeights } from './mlp-weights.ts';
import { createRng, type Rng } from './random.ts';
import type { ScoreNetworkImplementation, TrainableScoreNetwork } from './score-network.ts';
import { VeSde, type VeSdeParams } from './sde.ts';
import type { LossRow } from './train-checkpoint.ts';
import { checkLoopConfig, trainLoop, type LrSchedule, type TrainHooks } from './train-loop.ts';
import type { UpdateChoices } from './train-adam.ts';

type LossWeighting = 'epsilon' | 'edm';

export interface TrainConfig extends UpdateChoices {
  arch: MlpArchitecture;
  sde: VeSdeParams;
  steps: number;
  batch: number;
  lr: number;
  lrSchedule?: LrSchedule;
  /** Target EMA decay (paper 0.9999), reached after the warm-up of train-adam.ts emaDecay. */
  ema: number;
  /**
   * Which loss is minimised. 'epsilon': the paper's mean |ε̂ − ξ|² with t ~ U(eps, 1). For a
   * preconditioned network (ε̂ = skip·x + out·F) that is out²·|F − target|², realised by drawing t with
   * density ∝ out(σ(t))² (drawTime) and fitting F with unit weight. 'edm': unit weight on F with t ~ U(eps, 1),
   * EDM's weighting — with the paper's log-uniform σ most of the gradient then comes from σ ≫ σ_data,
   * whose unit-variance targets are mostly noise. The two coincide for the plain network (out = 1).
   */
  weighting: LossWeighting;
  seed: number;
  /** Write a checkpoint every this many steps (and at the end) when a scratch directory is given. */
  checkpointEvery: number;
  /** One loss-table row per this many steps. */
  logEvery: number;
  /** How the parameters start (mlp-architecture.ts initialParameters; default 'default'). */
  init?: Initialisation;
}

interface TrainResult {
  /** EMA weights: what the stage saves and the spectra analyse. */
  weights: TrainedWeights;
  /** The raw (non-averaged) parameters at the end, for tests. */
  rawParams: Float32Array[];
  lossRows: LossRow[];
  /** Step the run resumed from (0 for a fresh start). */
  resumedFrom: number;
}

function checkTrainConfig(c: TrainConfig, n: number): void {
  checkArchitecture(c.arch);
  new VeSde(c.sde);
  checkLoopConfig({ ...c, key: {} });
  if (!(Number.isInteger(c.batch) && c.batch >= 1)) throw new Error(`batch must be an integer ≥ 1, got ${c.batch}`);
  if (c.weighting !== 'epsilon' && c.weighting !== 'edm') {
    throw new Error(`loss_weighting must be 'epsilon' or 'edm', got '${String(c.weighting)}'`);
  }
  if (!(c.sde.eps > 0 && c.sde.eps < 1)) throw new Error(`eps must be in (0, 1), got ${c.sde.eps}`);
  if (!(n >= 1)) throw new Error(`training needs at least one sample, got ${n}`);
}

export type { Batch };

/** One step's batch, drawn from the step's own generator createRng(seed).fork(step) (train-loop.ts). */
export function drawBatch(data: Float64Array, n: number, c: TrainConfig, step: number): Batch {
  const w = inputWidth(c.arch);
  const out: Batch = {
    xIn: new Float32Array(c.batch * w),
    emb: c.arch.timeMode === 'concat' ? null : new Float32Array(c.batch * timeFeatureWidth(c.arch)),
    target: new Float32Array(c.batch * c.arch.d),
    weight: null,
  };
  batchDrawer(data, n, c)(createRng(c.seed).fork(step), out);
  return out;
}

/**
 * drawBatch writing into given arrays, with what does not depend on the step computed once: fn(rng, out)
 * fills out.xIn, out.target and out.emb. The tfjs path's drawer; the kernel path draws the same bits in wasm
 * memory (kernels/batch-draw.ts).
 */
export function batchDrawer(data: Float64Array, n: number, c: TrainConfig): (rng: Rng, out: Batch) => void {
  const { d } = c.arch;
  const F = timeFeatureWidth(c.arch);
  const sde = new VeSde(c.sde);
  const time = timeSampler(c);
  const B = c.batch;
  const w = inputWidth(c.arch);
  const concat = c.arch.timeMode === 'concat';
  const rmsScaling = c.arch.rmsScaling === true;
  const noise = new Float64Array(d); // one row's ξ, drawn in one tight loop (the same draws in the same order)
  return (rng, { xIn, emb, target }) => {
    for (let i = 0; i < B; i++) {
      const row = rng.int(n) * d;
      const t = time(rng.uniform());
      const sigma = sde.sigma(t);
      const { cIn, skip, out } = preconditioning(c.arch, sigma);
      rng.fillNormal(noise);
      for (let j = 0; j < d; j++) {
        const xi = noise[j];
        const x = data[row + j] + sigma * xi;
        target[i * d + j] = (xi - skip * x) / out;
        xIn[i * w + j] = cIn * x;
      }
      if (rmsScaling) {
        // F = r·G(u/r): G sees u/r and learns target/r (r depends on x alone, so the minimiser is unchanged).
        const r = inputRms(xIn, i * w, d);
        for (let j = 0; j < d; j++) {
          xIn[i * w + j] /= r;
          target[i * d + j] /= r;
        }
      }
      if (concat) timeFeatures(c.arch, sigma, xIn, i * w + d);
      else timeFeatures(c.arch, sigma, emb!, i * F);
    }
  };
}

/**
 * The time of one sample from a uniform U: t ~ U(eps, 1), or for 'epsilon' weighting of a network with
 * σ_data, t with density ∝ out(σ(t))² = σ_d²/(σ² + σ_d²). In u = ln σ that density has the antiderivative
 * W(u) = −½ ln(1 + σ_d² e^{−2u}), inverted in closed form.
 */
export function drawTime(U: number, c: Pick<TrainConfig, 'arch' | 'sde' | 'weighting'>): number {
  return timeSampler(c)(U);
}

/**
 * drawTime's law with the configuration's constants computed once: 'uniform' t = eps + (1 − eps)·U, or
 * 'out-squared' w = w0 + U·(w1 − w0), t = (W⁻¹(w) − logMin)/L clamped to [eps, 1]. The JS sampler and the
 * kernels' drawer (kernels/batch-draw.ts) both read these.
 */
export type TimeLaw =
  | { kind: 'uniform'; eps: number }
  | { kind: 'out-squared'; eps: number; sd: number; logMin: number; L: number; w0: number; w1: number };

export function timeLaw(c: Pick<TrainConfig, 'arch' | 'sde' | 'weighting'>): TimeLaw {
  const { eps } = c.sde;
  const sd = c.arch.sigmaData;
  if (sd === undefined || c.weighting === 'edm') return { kind: 'uniform', eps };
  const sde = new VeSde(c.sde);
  const logMin = Math.log(c.sde.sigmaMin), L = Math.log(c.sde.sigmaMax / c.sde.sigmaMin);
  const W = (u: number): number => -0.5 * Math.log1p(sd * sd * Math.exp(-2 * u));
  return { kind: 'out-squared', eps, sd, logMin, L, w0: W(Math.log(sde.sigma(eps))), w1: W(Math.log(c.sde.sigmaMax)) };
}

/** drawTime with the configuration's constants computed once. */
function timeSampler(c: Pick<TrainConfig, 'arch' | 'sde' | 'weighting'>): (U: number) => number {
  const law = timeLaw(c);
  if (law.kind === 'uniform') {
    const { eps } = law;
    return (U) => eps + (1 - eps) * U;
  }
  const { eps, sd, logMin, L, w0, w1 } = law;
  return (U) => {
    const w = w0 + U * (w1 - w0);
    const u = -0.5 * Math.log(Math.expm1(-2 * w) / (sd * sd));
    return Math.min(1, Math.max(eps, (u - logMin) / L));
  };
}

/** The MLP on `data` (n × d) as the training loop takes it, computed by `implementation`. */
function mlpTrainable(data: Float64Array, n: number, c: TrainConfig, implementation: ScoreNetworkImplementation): TrainableScoreNetwork {
  const layout = parameterShapes(c.arch);
  return {
    layout,
    initialParameters: (rng) => initialParameters(c.arch, rng, c.init),
    async stepper() {
      if (implementation === 'kernels') {
        // The batch drawn in the kernels, bit-identical to batchDrawer's (test/science/batch-draw.test.ts).
        const [{ ResidentTraining }, { mlpKernelBatches }] = await Promise.all([import('./kernels/resident-training.ts'), import('./kernels/batch-draw.ts')]);
        return new ResidentTraining(c.arch, c.batch, mlpKernelBatches(data, n, c, timeLaw(c)), false);
      }
      const draw = batchDrawer(data, n, c);
      const [{ tfjsStepper }, { batchLoss }] = await Promise.all([import('./train-tfjs.ts'), import('./mlp.ts')]);
      const fresh = (rng: Rng): Batch => {
        const b: Batch = {
          xIn: new Float32Array(c.batch * inputWidth(c.arch)),
          emb: c.arch.timeMode === 'concat' ? null : new Float32Array(c.batch * timeFeatureWidth(c.arch)),
          target: new Float32Array(c.batch * c.arch.d),
          weight: null,
        };
        draw(rng, b);
        return b;
      };
      return tfjsStepper('the MLP', layout, fresh, (p, b) => batchLoss(c.arch, p, b));
    },
  };
}

/**
 * Train on `data` (n × d, row-major) with `implementation` (score-network.ts scoreNetworkFor of the active
 * backend). Resumes from the checkpoint in hooks.scratchDir when one matches.
 */
export async function trainScoreNetwork(
  data: Float64Array,
  n: number,
  c: TrainConfig,
  implementation: ScoreNetworkImplementation,
  hooks: TrainHooks = {},
): Promise<TrainResult> {
  checkTrainConfig(c, n);
  if (data.length !== n * c.arch.d) throw new Error(`training data has ${data.length} values, expected n·d = ${n}·${c.arch.d}`);
  // The configuration a checkpoint must match to be resumed (everything but the checkpoint cadence).
  const key = { arch: c.arch, sde: c.sde, weighting: c.weighting, steps: c.steps, batch: c.batch, lr: c.lr, lrSchedule: c.lrSchedule === 'cosine' ? c.lrSchedule : undefined, ema: c.ema, seed: c.seed, logEvery: c.logEvery, n, implementation, optimizer: c.optimizer, emaWarmup: c.emaWarmup, init: c.init };
  const r = await trainLoop(mlpTrainable(data, n, c, implementation), { ...c, key }, hooks);
  return {
    weights: { arch: c.arch, sde: c.sde, step: r.state.step, params: r.state.ema },
    rawParams: r.state.params,
    lossRows: r.lossRows,
    resumedFrom: r.resumedFrom,
  };
}
