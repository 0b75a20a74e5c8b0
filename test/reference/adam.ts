// Adam + EMA in plain JavaScript: the statement of science/train-adam.ts's rule that the kernel
// (science/kernels/adam.ts, and the resident training) must reproduce bit for bit.
import type { AdamScalars } from '../../science/kernels/adam.ts';
import type { OptimizerState } from '../../science/train-adam.ts';

export function adamStepJs(state: OptimizerState, grads: Float32Array[], s: AdamScalars): void {
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
