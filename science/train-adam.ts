// Adam and the exponential moving average of the weights: the one definition of the update rule, its
// hyper-parameters and the EMA warm-up, for every score network and compute target. The optimiser state
// lives in plain float32 arrays on purpose: a checkpoint is then just these arrays, and an update is
// bit-identical whatever produced the gradients. The update itself runs in the WebAssembly kernel
// (kernels/adam.ts, or resident in kernel memory: kernels/resident-training.ts); test/reference/adam.ts
// is the plain-JS statement of the same rule that the kernel is tested against bit for bit.

import { kernelAdamEma, type AdamScalars } from './kernels/adam.ts';

interface AdamConfig {
  lr: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

/** Adam's β1, β2 and ε (Kingma & Ba's values, which the paper keeps); the learning rate is a stage parameter. */
export const ADAM_HYPERPARAMETERS: Omit<AdamConfig, 'lr'> = { beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };

export interface OptimizerState {
  /** Steps taken so far (Adam's bias correction uses step + 1 for the next update). */
  step: number;
  params: Float32Array[];
  /** First and second moment estimates, one array per parameter. */
  m: Float32Array[];
  v: Float32Array[];
  /** EMA of the parameters: what is saved and analysed. */
  ema: Float32Array[];
}

export function initialOptimizerState(params: Float32Array[]): OptimizerState {
  return {
    step: 0,
    params,
    m: params.map((p) => new Float32Array(p.length)),
    v: params.map((p) => new Float32Array(p.length)),
    ema: params.map((p) => Float32Array.from(p)),
  };
}

/**
 * EMA decay used after update number `step` (1-based): min(ema, (1 + step)/(10 + step)), as TF's
 * ExponentialMovingAverage with num_updates. The warm-up lets short CPU profiles average over the recent
 * past instead of staying glued to the random initialisation (at 0.9999 the EMA needs ~10⁴ steps to
 * forget it); for long runs it equals `ema`.
 */
function emaDecay(ema: number, step: number): number {
  return Math.min(ema, (1 + step) / (10 + step));
}

/** The scalars of update number t (1-based) as the kernel takes them: bias-corrected lr, 1 − β2^t, EMA decay. */
export function adamScalars(cfg: AdamConfig, ema: number, t: number): AdamScalars {
  return {
    b1: cfg.beta1,
    b2: cfg.beta2,
    lrHat: cfg.lr / (1 - Math.pow(cfg.beta1, t)),
    c2: 1 - Math.pow(cfg.beta2, t),
    eps: cfg.epsilon,
    decay: emaDecay(ema, t),
  };
}

/** One Adam update of `state.params` with `grads`, then the EMA update, with the scalars of adamScalars. */
export function adamStep(state: OptimizerState, grads: Float32Array[], scalars: AdamScalars): void {
  if (grads.length !== state.params.length) throw new Error(`adamStep: ${grads.length} gradients for ${state.params.length} parameters`);
  kernelAdamEma(state, grads, scalars);
}
