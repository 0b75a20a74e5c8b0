// Adam or RAdam + EMA over all parameter tensors in one kernel call (mlp-kernels.c adam_ema, radam_ema), for
// optimiser state kept in the caller's Float32Arrays (checkpoints are those arrays): each call copies
// parameters, moments, EMA and gradients into one instance's memory back to back, updates them, and copies
// them back. (The training loop keeps its state resident in the kernels' memory instead:
// resident-training.ts, through the same optimizerKernel.) The copies run at memcpy speed, the update itself
// at two float64 lanes per instruction.
// Bit-identical to the plain-JS statements of the rules, test/reference/adam.ts (same float64 expressions,
// same float32 roundings).

import { KernelInstance } from './mlp-kernels.ts';

let instance: KernelInstance | undefined;

interface AdamArrays {
  params: Float32Array[];
  m: Float32Array[];
  v: Float32Array[];
  ema: Float32Array[];
}

/**
 * The scalars of one update (train-adam.ts adamScalars). 'adam': β1, β2, lr/(1 − β1^t), 1 − β2^t, ε, EMA
 * decay. 'radam': β1, β2, lr, c1 = 1 − β1^t, √(1 − β2^t), the rectification r_t (0 while ρ_t ≤ 5: the
 * un-adapted momentum step), ε, EMA decay.
 */
export type AdamScalars =
  | { rule: 'adam'; b1: number; b2: number; lrHat: number; c2: number; eps: number; decay: number }
  | { rule: 'radam'; b1: number; b2: number; lr: number; c1: number; sqrtC2: number; rect: number; eps: number; decay: number };

/** The kernels' optimiser entry points (mlp-kernels.ts KernelInstance's exports). */
type OptimizerKernels = Pick<KernelInstance['k'], 'adam_ema' | 'radam_ema'>;

/** One update of `len` floats at byte addresses p, m, v, ema (updated) and g of the kernels' memory. */
export function optimizerKernel(k: OptimizerKernels, p: number, m: number, v: number, ema: number, g: number, len: number, s: AdamScalars): void {
  if (s.rule === 'radam') k.radam_ema(p, m, v, ema, g, len, s.b1, s.b2, s.lr, s.c1, s.sqrtC2, s.rect, s.eps, s.decay);
  else k.adam_ema(p, m, v, ema, g, len, s.b1, s.b2, s.lrHat, s.c2, s.eps, s.decay);
}

/** One update with the scalars train-adam.ts derives for step t (adamScalars). */
export function kernelAdamEma(s: AdamArrays, grads: Float32Array[], scalars: AdamScalars): void {
  instance ??= new KernelInstance();
  const mem = instance;
  mem.reset();
  let total = 0;
  for (const p of s.params) total += p.length;
  // Five regions of `total` floats; tensor k sits at the same element offset in each.
  const at = [mem.allocF32(total), mem.allocF32(total), mem.allocF32(total), mem.allocF32(total), mem.allocF32(total)];
  const [P, M, V, A, G] = at.map((a) => a / 4);
  const lists = [s.params, s.m, s.v, s.ema, grads];
  const f32 = mem.f32;
  let o = 0;
  for (let k = 0; k < s.params.length; k++) {
    const len = s.params[k].length;
    lists.forEach((list, r) => {
      if (list[k].length !== len) throw new Error(`adamStep: tensor ${k} has ${list[k].length} values in one array, ${len} in the parameters`);
      f32.set(list[k], [P, M, V, A, G][r] + o);
    });
    o += len;
  }
  optimizerKernel(mem.k, at[0], at[1], at[2], at[3], at[4], total, scalars);
  o = 0;
  for (let k = 0; k < s.params.length; k++) {
    const len = s.params[k].length;
    s.params[k].set(f32.subarray(P + o, P + o + len));
    s.m[k].set(f32.subarray(M + o, M + o + len));
    s.v[k].set(f32.subarray(V + o, V + o + len));
    s.ema[k].set(f32.subarray(A + o, A + o + len));
    o += len;
  }
}
