// Adam and the exponential moving average of the weights, on plain float32 arrays.
// The optimiser state lives outside tfjs on purpose: a checkpoint is then just these arrays, and an
// update is bit-identical whatever the backend that produced the gradients (only the gradients differ).
// The update runs in the WebAssembly kernel (kernels/adam.ts) where available, else in the JS loop below;
// both give the same bits, so a checkpoint resumes identically on either.

import { kernelAdamEma, type AdamScalars } from './kernels/adam.ts';
import { kernelsEnabled } from './kernels/mlp-kernels.ts';

export interface AdamConfig {
  lr: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

export const ADAM_DEFAULTS: Omit<AdamConfig, 'lr'> = { beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };

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
 * EMA decay used after update number `step` (1-based): min(ema, (1 + step)/(10 + step)). The warm-up
 * lets short CPU profiles average over the recent past instead of staying glued to the random
 * initialisation (at 0.9999 the EMA needs ~10⁴ steps to forget it); for long runs it equals `ema`.
 */
export function emaDecay(ema: number, step: number): number {
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

/** One Adam update of `state.params` with `grads`, then the EMA update. */
export function adamStep(state: OptimizerState, grads: Float32Array[], cfg: AdamConfig, ema: number): void {
  if (!kernelsEnabled()) return adamStepJs(state, grads, cfg, ema);
  if (grads.length !== state.params.length) throw new Error(`adamStep: ${grads.length} gradients for ${state.params.length} parameters`);
  const t = state.step + 1;
  kernelAdamEma(state, grads, adamScalars(cfg, ema, t));
  state.step = t;
}

/** adamStep in plain JavaScript: the reference the kernel reproduces bit for bit, and the fallback. */
export function adamStepJs(state: OptimizerState, grads: Float32Array[], cfg: AdamConfig, ema: number): void {
  const t = state.step + 1;
  const c1 = 1 - Math.pow(cfg.beta1, t);
  const c2 = 1 - Math.pow(cfg.beta2, t);
  const { beta1: b1, beta2: b2, epsilon: e } = cfg;
  const lrHat = cfg.lr / c1;
  const decay = emaDecay(ema, t);
  for (let k = 0; k < state.params.length; k++) {
    const p = state.params[k], g = grads[k], m = state.m[k], v = state.v[k], a = state.ema[k];
    if (g.length !== p.length) throw new Error(`adamStep: gradient ${k} has ${g.length} values, parameter ${p.length}`);
    for (let i = 0; i < p.length; i++) {
      const gi = g[i];
      const mi = (m[i] = b1 * m[i] + (1 - b1) * gi);
      const vi = (v[i] = b2 * v[i] + (1 - b2) * gi * gi);
      const pi = (p[i] = p[i] - (lrHat * mi) / (Math.sqrt(vi / c2) + e));
      a[i] = decay * a[i] + (1 - decay) * pi;
    }
  }
  state.step = t;
}
