// Adam + EMA and RAdam + EMA in plain JavaScript: the statements of science/train-adam.ts's rules that the
// kernel (science/kernels/adam.ts, and the resident training) must reproduce bit for bit.
import type { AdamScalars } from '../../science/kernels/adam.ts';
import type { OptimizerState } from '../../science/train-adam.ts';

export function adamStepJs(state: OptimizerState, grads: Float32Array[], s: AdamScalars): void {
  if (s.rule !== 'adam') throw new Error(`adamStepJs: scalars of rule '${s.rule}'`);
  const { b1, b2, lrHat, c2, eps: e, decay } = s;
  for (let k = 0; k < state.params.length; k++) {
    const p = state.params[k], g = grads[k], m = state.m[k], v = state.v[k], a = state.ema[k];
    if (g.length !== p.length) throw new Error(`adamStepJs: gradient ${k} has ${g.length} values, parameter ${p.length}`);
    for (let i = 0; i < p.length; i++) {
      const gi = g[i];
      const mi = (m[i] = b1 * m[i] + (1 - b1) * gi);
      const vi = (v[i] = b2 * v[i] + (1 - b2) * gi * gi);
      const pi = (p[i] = p[i] - (lrHat * mi) / (Math.sqrt(vi / c2) + e));
      a[i] = decay * a[i] + (1 - decay) * pi;
    }
  }
}

/**
 * Update number t (1-based) of torch.optim.RAdam (weight_decay 0, decoupled off), written from its
 * documented algorithm and _single_tensor_radam, then the EMA ema ← decay·ema + (1 − decay)·p. Everything
 * from the step count alone: the kernel's precomputed scalars are not used, so adamScalars is tested too.
 */
export function radamStepJs(
  state: OptimizerState,
  grads: Float32Array[],
  h: { lr: number; beta1: number; beta2: number; epsilon: number },
  t: number,
  decay: number,
): void {
  const { lr, beta1, beta2, epsilon } = h;
  const biasCorrection1 = 1 - beta1 ** t;
  const biasCorrection2 = 1 - beta2 ** t;
  const rhoInf = 2 / (1 - beta2) - 1;
  const rhoT = rhoInf - (2 * t * beta2 ** t) / biasCorrection2;
  const rect = Math.sqrt(((rhoT - 4) * (rhoT - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rhoT));
  for (let k = 0; k < state.params.length; k++) {
    const p = state.params[k], g = grads[k], m = state.m[k], v = state.v[k], a = state.ema[k];
    if (g.length !== p.length) throw new Error(`radamStepJs: gradient ${k} has ${g.length} values, parameter ${p.length}`);
    for (let i = 0; i < p.length; i++) {
      const gi = g[i];
      const mi = (m[i] = m[i] + (1 - beta1) * (gi - m[i])); // exp_avg.lerp_(grad, 1 − β1)
      const vi = (v[i] = v[i] * beta2 + (1 - beta2) * gi * gi); // exp_avg_sq.mul_(β2).addcmul_(grad, grad, 1 − β2)
      const biasCorrectedExpAvg = mi / biasCorrection1;
      // bias_correction2 ** 0.5 and the rectification's ** 0.5 are C pow, correctly rounded: √.
      const pi = (p[i] =
        rhoT > 5
          ? p[i] - biasCorrectedExpAvg * lr * (Math.sqrt(biasCorrection2) / (Math.sqrt(vi) + epsilon)) * rect
          : p[i] - biasCorrectedExpAvg * lr);
      a[i] = decay * a[i] + (1 - decay) * pi;
    }
  }
}
