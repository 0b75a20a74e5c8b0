// Denoising score-matching training of the residual MLP (science.md §5) with resumable checkpoints.
//
// Step k (1-based) draws its batch from its own generator createRng(seed).fork(k): data indices, times
// t ~ U(eps, 1) and noises ξ. The random stream of a step is therefore a function of (seed, step) alone, so
// "RNG state" in a checkpoint is just the step counter, and a resumed run replays exactly the batches an
// uninterrupted one would have drawn. Gradients come from the WebAssembly SIMD kernels (science/kernels/) on
// the wasm and cpu backends, from tfjs autodiff on GPU/native ones (GradientPath); Adam and the EMA update
// float32 arrays outside tfjs (train-adam.ts), which with the kernels stay resident in wasm memory for the
// whole run (kernels/resident-training.ts). Same seed + same path ⇒ bit-identical weights.

import * as tf from '@tensorflow/tfjs-core';
import {
  checkArchitecture,
  type Batch,
  initialParameters,
  inputRms,
  preconditioning,
  inputWidth,
  parameterShapes,
  timeEmbedding,
  type MlpArchitecture,
} from './mlp-architecture.ts';
import { denoisingLoss } from './mlp.ts';
import { backpropLossAndGradients } from './mlp-backprop.ts';
import { kernelsEnabled } from './kernels/mlp-kernels.ts';
import { ResidentTraining } from './kernels/resident-training.ts';
import { kernelLossAndGradients } from './kernels/train-step.ts';
import type { TrainedWeights } from './mlp-weights.ts';
import { createRng } from './random.ts';
import { VeSde, type VeSdeParams } from './sde.ts';
import { ADAM_DEFAULTS, adamScalars, adamStep, initialOptimizerState, type OptimizerState } from './train-adam.ts';
import {
  encodeCheckpoint,
  readCheckpoint,
  writeCheckpointAtomically,
  type Checkpoint,
  type LossRow,
} from './train-checkpoint.ts';

export interface TrainConfig {
  arch: MlpArchitecture;
  sde: VeSdeParams;
  steps: number;
  batch: number;
  lr: number;
  /** Target EMA decay (paper 0.9999), reached after the warm-up of train-adam.ts emaDecay. */
  ema: number;
  /**
   * Which loss is minimised. 'epsilon' (default): the paper's mean |ε̂ − ξ|² with t ~ U(eps, 1). For a
   * preconditioned network (ε̂ = skip·x + out·F) that is out²·|F − target|², realised by drawing t with
   * density ∝ out(σ(t))² (drawTime) and fitting F with unit weight. 'edm': unit weight on F with t ~ U(eps, 1),
   * EDM's weighting — with the paper's log-uniform σ most of the gradient then comes from σ ≫ σ_data,
   * whose unit-variance targets are mostly noise. The two coincide for the plain network (out = 1).
   */
  weighting?: 'epsilon' | 'edm';
  seed: number;
  /** Write a checkpoint every this many steps (and at the end) when a scratch directory is given. */
  checkpointEvery: number;
  /** One loss-table row per this many steps (default: steps/1000, at least 1). */
  logEvery?: number;
}

export interface TrainHooks {
  /** Where checkpoints go and a re-run resumes from (the engine's ctx.scratchDir). */
  scratchDir?: string;
  progress?(fraction: number, message: string): void;
  log?(line: string): void;
  signal?: AbortSignal;
  /** How gradients are computed (default 'auto'; see GradientPath). */
  gradients?: GradientPath;
}

export interface TrainResult {
  /** EMA weights: what the stage saves and the spectra analyse. */
  weights: TrainedWeights;
  /** The raw (non-averaged) parameters at the end, for tests. */
  rawParams: Float32Array[];
  lossRows: LossRow[];
  /** Step the run resumed from (0 for a fresh start). */
  resumedFrom: number;
}

export function checkTrainConfig(c: TrainConfig, n: number): void {
  checkArchitecture(c.arch);
  new VeSde(c.sde);
  const int = (name: string, v: number, min: number): void => {
    if (!(Number.isInteger(v) && v >= min)) throw new Error(`${name} must be an integer ≥ ${min}, got ${v}`);
  };
  int('steps', c.steps, 1);
  int('batch', c.batch, 1);
  int('checkpoint_every', c.checkpointEvery, 1);
  if (c.logEvery !== undefined) int('log_every', c.logEvery, 1);
  if (!(c.lr > 0 && Number.isFinite(c.lr))) throw new Error(`lr must be a positive number, got ${c.lr}`);
  if (!(c.ema >= 0 && c.ema < 1)) throw new Error(`ema must be in [0, 1), got ${c.ema}`);
  if (c.weighting !== undefined && c.weighting !== 'epsilon' && c.weighting !== 'edm') {
    throw new Error(`loss_weighting must be 'epsilon' or 'edm', got '${String(c.weighting)}'`);
  }
  if (!(c.sde.eps > 0 && c.sde.eps < 1)) throw new Error(`eps must be in (0, 1), got ${c.sde.eps}`);
  if (!(n >= 1)) throw new Error(`training needs at least one sample, got ${n}`);
}

export type { Batch };

/** One step's batch, drawn from the step's own generator. */
export function drawBatch(data: Float64Array, n: number, c: TrainConfig, step: number): Batch {
  const w = inputWidth(c.arch);
  const out: Batch = {
    xIn: new Float32Array(c.batch * w),
    emb: c.arch.timeMode === 'concat' ? null : new Float32Array(c.batch * c.arch.timeEmbed),
    target: new Float32Array(c.batch * c.arch.d),
  };
  batchDrawer(data, n, c)(step, out);
  return out;
}

/**
 * drawBatch writing into given arrays (the resident training's batch regions in wasm memory), with what
 * does not depend on the step computed once: fn(step, out) fills out.xIn, out.target and out.emb.
 */
export function batchDrawer(data: Float64Array, n: number, c: TrainConfig): (step: number, out: Batch) => void {
  const { d, timeEmbed: E } = c.arch;
  const sde = new VeSde(c.sde);
  const time = timeSampler(c);
  const B = c.batch;
  const w = inputWidth(c.arch);
  const concat = c.arch.timeMode === 'concat';
  const rmsScaling = c.arch.rmsScaling === true;
  const noise = new Float64Array(d); // one row's ξ, drawn in one tight loop (the same draws in the same order)
  return (step, { xIn, emb, target }) => {
    const rng = createRng(c.seed).fork(step);
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
      if (concat) timeEmbedding(sigma, E, xIn, i * w + d);
      else timeEmbedding(sigma, E, emb!, i * E);
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

/** drawTime with the configuration's constants computed once. */
function timeSampler(c: Pick<TrainConfig, 'arch' | 'sde' | 'weighting'>): (U: number) => number {
  const { eps } = c.sde;
  const sd = c.arch.sigmaData;
  if (sd === undefined || c.weighting === 'edm') return (U) => eps + (1 - eps) * U;
  const sde = new VeSde(c.sde);
  const logMin = Math.log(c.sde.sigmaMin), L = Math.log(c.sde.sigmaMax / c.sde.sigmaMin);
  const W = (u: number): number => -0.5 * Math.log1p(sd * sd * Math.exp(-2 * u));
  const w0 = W(Math.log(sde.sigma(eps))), w1 = W(Math.log(c.sde.sigmaMax));
  return (U) => {
    const w = w0 + U * (w1 - w0);
    const u = -0.5 * Math.log(Math.expm1(-2 * w) / (sd * sd));
    return Math.min(1, Math.max(eps, (u - logMin) / L));
  };
}

/**
 * How a step's gradients are computed. 'kernels': explicit back-propagation entirely in the WebAssembly SIMD
 * kernels (kernels/train-step.ts; no tfjs involved, fastest on CPUs). 'backprop': the same back-propagation
 * with products on the tfjs backend and element-wise work in JS (mlp-backprop.ts). 'custom': tfjs autodiff
 * through the custom-gradient layers (keeps everything on the device: for GPU/native backends). 'stock':
 * tfjs autodiff of the plain ops (reference). 'auto': kernels on the wasm and cpu backends when WebAssembly
 * SIMD is available (else backprop), custom otherwise.
 */
export type GradientPath = 'auto' | 'kernels' | 'backprop' | 'custom' | 'stock';

export function resolveGradientPath(path: GradientPath): Exclude<GradientPath, 'auto'> {
  if (path === 'kernels' && !kernelsEnabled()) {
    throw new Error("gradient path 'kernels' needs WebAssembly SIMD (unavailable here, or switched off by MLP_NO_KERNELS=1)");
  }
  if (path !== 'auto') return path;
  const backend = tf.getBackend();
  if (backend === 'wasm' || backend === 'cpu') return kernelsEnabled() ? 'kernels' : 'backprop';
  return 'custom';
}

/** Loss and gradients of one batch at `params` (on the active tfjs backend, except for 'kernels'). */
export function lossAndGradients(
  arch: MlpArchitecture,
  params: Float32Array[],
  batch: Batch,
  path: GradientPath = 'auto',
): { loss: number; grads: Float32Array[] } {
  const resolved = resolveGradientPath(path);
  if (resolved === 'kernels') return kernelLossAndGradients(arch, params, batch);
  if (resolved === 'backprop') return backpropLossAndGradients(arch, params, batch);
  const stock = resolved === 'stock';
  const shapes = parameterShapes(arch);
  const B = batch.target.length / arch.d;
  // tidy returns the tensors; their values are read outside it (tidy walks a returned container value by
  // value, ~1.5 µs per number: a quarter of a second per step for 159 000 gradients).
  const { value, grads } = tf.tidy(() => {
    const ps = params.map((p, i) => tf.tensor(p, shapes[i].shape));
    const xIn = tf.tensor2d(batch.xIn, [B, inputWidth(arch)]);
    const emb = batch.emb ? tf.tensor2d(batch.emb, [B, arch.timeEmbed]) : null;
    const target = tf.tensor2d(batch.target, [B, arch.d]);
    const f = (...p: tf.Tensor[]): tf.Scalar => denoisingLoss(arch, p, xIn, emb, target, { stock });
    return tf.valueAndGrads(f)(ps);
  });
  try {
    return { loss: value.dataSync()[0], grads: grads.map((g) => Float32Array.from(g.dataSync() as Float32Array)) };
  } finally {
    tf.dispose([value, ...grads]);
  }
}

/** The configuration a checkpoint must match to be resumed (everything but the checkpoint cadence). */
function checkpointConfig(c: TrainConfig, n: number): Record<string, unknown> {
  return { arch: c.arch, sde: c.sde, weighting: c.weighting ?? 'epsilon', steps: c.steps, batch: c.batch, lr: c.lr, ema: c.ema, seed: c.seed, logEvery: c.logEvery ?? null, n };
}

/**
 * Train on `data` (n × d, row-major). Resumes from the checkpoint in hooks.scratchDir when one matches.
 * The active tfjs backend must be initialised first (tf-backend.ts initBackend).
 */
export async function trainScoreNetwork(data: Float64Array, n: number, c: TrainConfig, hooks: TrainHooks = {}): Promise<TrainResult> {
  checkTrainConfig(c, n);
  if (data.length !== n * c.arch.d) throw new Error(`training data has ${data.length} values, expected n·d = ${n}·${c.arch.d}`);
  const shapes = parameterShapes(c.arch);
  const config = checkpointConfig(c, n);
  const log = hooks.log ?? (() => {});
  const logEvery = c.logEvery ?? Math.max(1, Math.floor(c.steps / 1000));

  let ck: Checkpoint | undefined =
    hooks.scratchDir !== undefined ? readCheckpoint(hooks.scratchDir, shapes, config, (l) => log(l)) : undefined;
  if (ck && ck.state.step > c.steps) ck = undefined;
  const state: OptimizerState = ck ? ck.state : initialOptimizerState(initialParameters(c.arch, createRng(c.seed).fork(0)));
  const lossRows: LossRow[] = ck ? ck.lossRows : [];
  const window = ck ? ck.window : { sum: 0, count: 0 };
  const smoother = ck ? ck.smoother : { value: 0, weight: 0 };
  const resumedFrom = state.step;
  if (resumedFrom > 0) log(`resuming training from checkpoint at step ${resumedFrom}`);

  const adam = { lr: c.lr, ...ADAM_DEFAULTS };
  const progressEvery = Math.max(1, Math.floor(c.steps / 200));
  const gradientPath = resolveGradientPath(hooks.gradients ?? 'auto');
  // With the kernels, parameters, moments and EMA stay in wasm memory between steps (resident-training.ts);
  // `state`'s arrays are brought up to date only for checkpoints and the result.
  const resident = gradientPath === 'kernels' ? new ResidentTraining(c.arch, c.batch) : undefined;
  resident?.load(state);
  const draw = batchDrawer(data, n, c);
  log(`gradients: ${gradientPath}${resident ? ' (state resident in wasm memory)' : ''} on the ${tf.getBackend()} backend`);
  const started = performance.now();
  while (state.step < c.steps) {
    if (hooks.signal?.aborted) throw new Error('training aborted');
    const next = state.step + 1;
    let loss: number;
    if (resident) {
      draw(next, resident.batch);
      loss = resident.step(adamScalars(adam, c.ema, next));
      state.step = next;
    } else {
      const batch = drawBatch(data, n, c, next);
      const step = lossAndGradients(c.arch, state.params, batch, gradientPath);
      loss = step.loss;
      if (Number.isFinite(loss)) adamStep(state, step.grads, adam, c.ema);
    }
    if (!Number.isFinite(loss)) throw new Error(`training diverged: loss ${loss} at step ${next} (try a smaller lr)`);
    window.sum += loss;
    window.count += 1;
    if (next % logEvery === 0 || next === c.steps) {
      const mean = window.sum / window.count;
      smoother.value = 0.9 * smoother.value + 0.1 * mean;
      smoother.weight = 0.9 * smoother.weight + 0.1;
      lossRows.push({ step: next, loss: mean, smoothed: smoother.value / smoother.weight });
      window.sum = 0;
      window.count = 0;
    }
    if (hooks.scratchDir !== undefined && (next % c.checkpointEvery === 0 || next === c.steps)) {
      resident?.store(state);
      writeCheckpointAtomically(
        hooks.scratchDir,
        encodeCheckpoint({ config, state, lossRows, window, smoother }, shapes),
      );
    }
    if (hooks.progress && (next % progressEvery === 0 || next === c.steps)) {
      const done = next - resumedFrom;
      const perStep = (performance.now() - started) / done;
      const last = lossRows.at(-1);
      hooks.progress(next / c.steps, `step ${next}/${c.steps}, ${perStep.toFixed(1)} ms/step${last ? `, loss ${last.smoothed.toFixed(4)}` : ''}`);
    }
    // Let the event loop breathe (abort signals, IPC progress) without slowing the loop measurably.
    if (next % 50 === 0) await new Promise<void>((r) => setImmediate(r));
  }
  resident?.store(state);
  return {
    weights: { arch: c.arch, sde: c.sde, step: state.step, params: state.ema },
    rawParams: state.params,
    lossRows,
    resumedFrom,
  };
}
