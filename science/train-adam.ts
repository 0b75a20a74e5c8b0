// Adam (or RAdam) and the exponential moving average of the weights: the one definition of the update
// rules, their hyper-parameters and the EMA warm-up, for every score network and compute target. The optimiser state
// lives in plain float32 arrays on purpose: a checkpoint is then just these arrays, and an update is
// bit-identical whatever produced the gradients. The update itself runs in the WebAssembly kernel
// (kernels/adam.ts, or resident in kernel memory: kernels/resident-training.ts); test/reference/adam.ts
// is the plain-JS statement of the same rules that the kernel is tested against bit for bit.

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
 * forget it); for long runs it equals `ema`. Without warm-up (the authors' code) it is `ema` from step 1.
 */
function emaDecay(ema: number, step: number, warmup: boolean): number {
  return warmup ? Math.min(ema, (1 + step) / (10 + step)) : ema;
}

/**
 * The update rule. 'adam': Kingma & Ba's, ε added to √v̂. 'radam': Liu et al. (2020)'s rectified Adam as
 * torch.optim.RAdam computes it (the authors' code's optimiser): with ρ∞ = 2/(1 − β2) − 1 and
 * ρ_t = ρ∞ − 2t·β2^t/(1 − β2^t), the step is lr·m̂·r_t·√(1 − β2^t)/(√v + ε) once ρ_t > 5 (from t = 6 at
 * β2 = 0.999), r_t = √((ρ_t − 4)(ρ_t − 2)ρ∞ / ((ρ∞ − 4)(ρ∞ − 2)ρ_t)); before, when the variance estimate
 * is too young to trust, the plain momentum step lr·m̂.
 */
type OptimizerRule = 'adam' | 'radam';

/** How updates are made beyond Adam's hyper-parameters (both defaults: today's behaviour). */
export interface UpdateChoices {
  /** The rule (default 'adam'). */
  optimizer?: OptimizerRule;
  /** Warm the EMA up as emaDecay says (default true); false: the decay is `ema` from step 1 (the authors' code). */
  emaWarmup?: boolean;
}

export function checkUpdateChoices(c: UpdateChoices): void {
  if (c.optimizer !== undefined && c.optimizer !== 'adam' && c.optimizer !== 'radam') {
    throw new Error(`optimizer must be 'adam' or 'radam', got '${String(c.optimizer)}'`);
  }
  if (c.emaWarmup !== undefined && typeof c.emaWarmup !== 'boolean') throw new Error(`ema_warmup must be true or false, got ${String(c.emaWarmup)}`);
}

/** The scalars of update number t (1-based) as the kernel takes them (kernels/adam.ts AdamScalars). */
export function adamScalars(cfg: AdamConfig, ema: number, t: number, choices: UpdateChoices = {}): AdamScalars {
  const decay = emaDecay(ema, t, choices.emaWarmup ?? true);
  const { beta1: b1, beta2: b2, epsilon: eps, lr } = cfg;
  if ((choices.optimizer ?? 'adam') === 'adam') {
    return { rule: 'adam', b1, b2, lrHat: lr / (1 - Math.pow(b1, t)), c2: 1 - Math.pow(b2, t), eps, decay };
  }
  const c2 = 1 - Math.pow(b2, t);
  const rhoInf = 2 / (1 - b2) - 1;
  const rho = rhoInf - (2 * t * Math.pow(b2, t)) / c2;
  const rect = rho > 5 ? Math.sqrt(((rho - 4) * (rho - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rho)) : 0;
  return { rule: 'radam', b1, b2, lr, c1: 1 - Math.pow(b1, t), sqrtC2: Math.sqrt(c2), rect, eps, decay };
}

/** One Adam (or RAdam) update of `state.params` with `grads`, then the EMA update, with the scalars of adamScalars. */
export function adamStep(state: OptimizerState, grads: Float32Array[], scalars: AdamScalars): void {
  if (grads.length !== state.params.length) throw new Error(`adamStep: ${grads.length} gradients for ${state.params.length} parameters`);
  kernelAdamEma(state, grads, scalars);
}
