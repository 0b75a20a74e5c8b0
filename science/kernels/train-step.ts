// Loss and gradients of the residual MLP with the WebAssembly SIMD kernels: the explicit
// back-propagation of test/reference/mlp-backprop.ts, in float32, but every product and element-wise pass runs in the
// kernel module on matrices that live in its memory. Per step: parameters and the batch are copied in
// (memcpy speed), about forty kernel calls, the gradients copied out into one fresh array. No tfjs, so
// the backend does not matter; the result is bit-reproducible (plain IEEE float32 in wasm, no FMA).

import { inputWidth, parameterShapes, timeFeatureWidth, type Batch, type MlpArchitecture } from '../mlp-architecture.ts';
import { KernelInstance } from './mlp-kernels.ts';

const size = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);

/** Byte addresses of one Linear's weight, bias and their gradients. */
interface LinearAt {
  W: number;
  b: number;
  dW: number;
  db: number;
}

/** Byte addresses of one LayerNorm's gain, shift and their gradients. */
interface NormAt {
  g: number;
  b: number;
  dg: number;
  db: number;
}

/** Activations saved by one LayerNorm → SiLU for its backward pass. */
interface NormAct {
  xhat: number;
  rstd: number;
  sig: number;
  out: number;
}

/**
 * Memory layout of one (architecture, batch size): parameters, gradients, batch, activations. Parameters
 * and gradients are each one contiguous span with the same layout (padding between tensors stays zero),
 * so element-wise passes over all of them (Adam) are one call.
 */
export class StepPlan {
  readonly mem = new KernelInstance();
  readonly param: number[];
  readonly grad: number[];
  readonly paramBegin: number;
  readonly gradBegin: number;
  readonly gradEnd: number;
  readonly index: Map<string, number>;
  readonly xIn: number;
  readonly emb: number;
  readonly target: number;
  readonly h: number;
  readonly z: number;
  readonly t: number;
  readonly dz: number;
  readonly out: number;
  readonly dOut: number;
  readonly scratch: number;
  /** Per-output loss weights (n × d) of a weighted batch, else 0. */
  readonly weight: number;
  readonly blocks: Array<{ na1: NormAct; na2: NormAct }>;
  readonly head: NormAct;
  /** Time MLP ('project' only): pre-activations, sigmoids, outputs, and gradient buffers. */
  readonly tau: { e1: number; s1: number; a1: number; e2: number; s2: number; a2: number; dTau: number; de: number; tE: number } | null;
  /** Every layer's parameter addresses, looked up once (a step then builds no names and allocates nothing). */
  readonly at: {
    input: LinearAt;
    time1: LinearAt;
    time2: LinearAt;
    blocks: Array<{ norm1: NormAt; lin1: LinearAt; time: LinearAt; norm2: NormAt; lin2: LinearAt }>;
    headNorm: NormAt;
    headOut: LinearAt;
  };

  constructor(
    readonly arch: MlpArchitecture,
    readonly n: number,
    weighted = false,
  ) {
    const { d, hidden: H, timeEmbed: E } = arch;
    const m = this.mem;
    const shapes = parameterShapes(arch);
    this.index = new Map(shapes.map((s, i) => [s.name, i]));
    this.paramBegin = m.alloc(0);
    this.param = shapes.map((s) => m.allocF32(size(s.shape)));
    this.gradBegin = m.alloc(0);
    this.grad = shapes.map((s) => m.allocF32(size(s.shape)));
    this.gradEnd = m.alloc(0);
    this.xIn = m.allocF32(n * inputWidth(arch));
    this.emb = m.allocF32(arch.timeMode === 'project' ? n * timeFeatureWidth(arch) : 0);
    this.target = m.allocF32(n * d);
    const normAct = (): NormAct => ({ xhat: m.allocF32(n * H), rstd: m.allocF32(n), sig: m.allocF32(n * H), out: m.allocF32(n * H) });
    this.h = m.allocF32(n * H);
    this.z = m.allocF32(n * H);
    this.t = m.allocF32(n * H);
    this.dz = m.allocF32(n * H);
    this.out = m.allocF32(n * d);
    this.dOut = m.allocF32(n * d);
    this.scratch = m.allocF32(H);
    this.blocks = Array.from({ length: arch.blocks }, () => ({ na1: normAct(), na2: normAct() }));
    this.head = normAct();
    const nE = (): number => m.allocF32(n * E);
    this.tau =
      arch.timeMode === 'project'
        ? { e1: nE(), s1: nE(), a1: nE(), e2: nE(), s2: nE(), a2: nE(), dTau: nE(), de: nE(), tE: nE() }
        : null;
    // Absent layers ('concat' has no time MLP) get address 0; the step never reads them.
    const has = (name: string): boolean => this.index.has(name);
    const linear = (name: string): LinearAt =>
      has(`${name}.W`) ? { W: this.P(`${name}.W`), b: this.P(`${name}.b`), dW: this.G(`${name}.W`), db: this.G(`${name}.b`) } : { W: 0, b: 0, dW: 0, db: 0 };
    const norm = (name: string): NormAt => ({ g: this.P(`${name}.g`), b: this.P(`${name}.b`), dg: this.G(`${name}.g`), db: this.G(`${name}.b`) });
    this.at = {
      input: linear('in'),
      time1: linear('time1'),
      time2: linear('time2'),
      blocks: Array.from({ length: arch.blocks }, (_, b) => ({
        norm1: norm(`block${b}.norm1`),
        lin1: linear(`block${b}.lin1`),
        time: linear(`block${b}.time`),
        norm2: norm(`block${b}.norm2`),
        lin2: linear(`block${b}.lin2`),
      })),
      headNorm: norm('head.norm'),
      headOut: linear('head.out'),
    };
    // Last, so an unweighted plan's layout is that of a plan without the option.
    this.weight = weighted ? m.allocF32(n * d) : 0;
  }

  P(name: string): number {
    return this.param[this.index.get(name)!];
  }
  G(name: string): number {
    return this.grad[this.index.get(name)!];
  }
}

// A few plans stay compiled (the bench and tests alternate architectures); each owns its instance's memory.
const plans = new Map<string, StepPlan>();
const MAX_PLANS = 4;

function planFor(arch: MlpArchitecture, n: number, weighted: boolean): StepPlan {
  const key = JSON.stringify([arch.d, arch.hidden, arch.blocks, arch.timeEmbed, arch.timeMode, n, weighted, timeFeatureWidth(arch)]);
  let plan = plans.get(key);
  if (plan === undefined) {
    plan = new StepPlan(arch, n, weighted);
    if (plans.size >= MAX_PLANS) plans.delete(plans.keys().next().value!);
    plans.set(key, plan);
  }
  return plan;
}

/** Loss (1/(n·d)) Σ w |F − target|² (w = 1 for an unweighted batch) and its gradient for every parameter (parameterShapes order), in float32. */
export function kernelLossAndGradients(arch: MlpArchitecture, params: Float32Array[], batch: Batch): { loss: number; grads: Float32Array[] } {
  const { d } = arch;
  const F = timeFeatureWidth(arch);
  const n = batch.target.length / d;
  const win = inputWidth(arch);
  if (!Number.isInteger(n) || batch.xIn.length !== n * win) throw new Error(`kernel step: batch of ${batch.xIn.length} inputs and ${batch.target.length} targets does not fit d = ${d}, input width ${win}`);
  const plan = planFor(arch, n, batch.weight !== null);
  const shapes = parameterShapes(arch);
  if (params.length !== shapes.length) throw new Error(`kernel step: ${params.length} parameter tensors, expected ${shapes.length}`);

  // ---- copy in
  const f32 = plan.mem.f32;
  shapes.forEach((s, i) => {
    if (params[i].length !== size(s.shape)) throw new Error(`kernel step: parameter ${s.name} has ${params[i].length} values, expected ${size(s.shape)}`);
    f32.set(params[i], plan.param[i] / 4);
  });
  f32.set(batch.xIn, plan.xIn / 4);
  f32.set(batch.target, plan.target / 4);
  if (batch.weight) {
    if (batch.weight.length !== n * d) throw new Error(`kernel step: ${batch.weight.length} loss weights, expected n × d = ${n} × ${d}`);
    f32.set(batch.weight, plan.weight / 4);
  }
  if (plan.tau) {
    if (!batch.emb || batch.emb.length !== n * F) throw new Error(`kernel step: 'project' needs an n × ${F} time embedding`);
    f32.set(batch.emb, plan.emb / 4);
  }
  const loss = kernelBackprop(plan);

  // ---- copy out: one allocation for all gradients, one view per parameter
  const all = plan.mem.f32.slice(plan.gradBegin / 4, plan.gradEnd / 4);
  const grads = shapes.map((s, i) => {
    const at = (plan.grad[i] - plan.gradBegin) / 4;
    return all.subarray(at, at + size(s.shape));
  });
  return { loss, grads };
}

/**
 * Forward and backward pass on what is in the plan's memory (parameters, batch): returns the loss and
 * leaves every gradient in its region of the plan. No allocation, no copies.
 */
export function kernelBackprop(plan: StepPlan): number {
  const { arch, n, tau, at } = plan;
  const { d, hidden: H, timeEmbed: E } = arch;
  const F = timeFeatureWidth(arch);
  const win = inputWidth(arch);
  const { k } = plan.mem;
  const { h, z, t, dz, out, dOut, head } = plan;
  // sgemm(transA, transB, M, N, K, A, lda, B, ldb, C, ldc, bias, accumulate): C = op(A)·op(B) [+ bias] [+ C].

  // ---- forward
  k.sgemm(0, 0, n, H, win, plan.xIn, win, at.input.W, H, h, H, at.input.b, 0);
  if (tau) {
    k.sgemm(0, 0, n, E, F, plan.emb, F, at.time1.W, E, tau.e1, E, at.time1.b, 0);
    k.silu_forward(tau.e1, n * E, tau.s1, tau.a1);
    k.sgemm(0, 0, n, E, E, tau.a1, E, at.time2.W, E, tau.e2, E, at.time2.b, 0);
    k.silu_forward(tau.e2, n * E, tau.s2, tau.a2);
  }
  for (let b = 0; b < arch.blocks; b++) {
    const { na1, na2 } = plan.blocks[b];
    const L = at.blocks[b];
    normForward(plan, h, L.norm1, na1);
    k.sgemm(0, 0, n, H, H, na1.out, H, L.lin1.W, H, z, H, L.lin1.b, 0);
    if (tau) k.sgemm(0, 0, n, H, E, tau.a2, E, L.time.W, H, z, H, L.time.b, 1);
    normForward(plan, z, L.norm2, na2);
    k.sgemm(0, 0, n, H, H, na2.out, H, L.lin2.W, H, h, H, L.lin2.b, 1); // residual: h += …
  }
  normForward(plan, h, at.headNorm, head);
  k.sgemm(0, 0, n, d, H, head.out, H, at.headOut.W, d, out, d, at.headOut.b, 0);

  // ---- loss
  const loss = plan.weight ? weightedSquaredError(plan) : k.squared_error(out, plan.target, n * d, 2 / (n * d), dOut) / (n * d);

  // ---- backward (dW = Aᵀ·dY with transA; dX = dY·Wᵀ with transB)
  k.sgemm(1, 0, H, d, n, head.out, H, dOut, d, at.headOut.dW, d, 0, 0);
  k.column_sums(dOut, n, d, at.headOut.db);
  k.sgemm(0, 1, n, H, d, dOut, d, at.headOut.W, d, t, H, 0, 0);
  normBackward(plan, t, at.headNorm, head, h, 0); // h now holds dL/dh
  for (let b = arch.blocks - 1; b >= 0; b--) {
    const { na1, na2 } = plan.blocks[b];
    const L = at.blocks[b];
    k.sgemm(1, 0, H, H, n, na2.out, H, h, H, L.lin2.dW, H, 0, 0);
    k.column_sums(h, n, H, L.lin2.db);
    k.sgemm(0, 1, n, H, H, h, H, L.lin2.W, H, t, H, 0, 0);
    normBackward(plan, t, L.norm2, na2, dz, 0);
    k.sgemm(1, 0, H, H, n, na1.out, H, dz, H, L.lin1.dW, H, 0, 0);
    k.column_sums(dz, n, H, L.lin1.db);
    if (tau) {
      k.sgemm(1, 0, E, H, n, tau.a2, E, dz, H, L.time.dW, H, 0, 0);
      k.column_sums(dz, n, H, L.time.db);
      k.sgemm(0, 1, n, E, H, dz, H, L.time.W, H, tau.dTau, E, 0, b === arch.blocks - 1 ? 0 : 1);
    }
    k.sgemm(0, 1, n, H, H, dz, H, L.lin1.W, H, t, H, 0, 0);
    normBackward(plan, t, L.norm1, na1, h, 1); // the residual path: dh += back through the block
  }
  k.sgemm(1, 0, win, H, n, plan.xIn, win, h, H, at.input.dW, H, 0, 0);
  k.column_sums(h, n, H, at.input.db);
  if (tau) {
    if (arch.blocks === 0) plan.mem.f32.fill(0, tau.dTau / 4, tau.dTau / 4 + n * E);
    k.silu_backward(tau.dTau, tau.e2, tau.s2, n * E, tau.de);
    k.sgemm(1, 0, E, E, n, tau.a1, E, tau.de, E, at.time2.dW, E, 0, 0);
    k.column_sums(tau.de, n, E, at.time2.db);
    k.sgemm(0, 1, n, E, E, tau.de, E, at.time2.W, E, tau.tE, E, 0, 0);
    k.silu_backward(tau.tE, tau.e1, tau.s1, n * E, tau.de);
    k.sgemm(1, 0, F, E, n, plan.emb, F, tau.de, E, at.time1.dW, E, 0, 0);
    k.column_sums(tau.de, n, E, at.time1.db);
  }
  return loss;
}

/**
 * (1/(n·d)) Σ w (F − target)² and its gradient 2w(F − target)/(n·d) into dOut, over the plan's regions. In JS:
 * the kernels' squared_error has no weights, and this pass is O(n·d) beside the O(n·d·H) products.
 */
function weightedSquaredError(plan: StepPlan): number {
  const f32 = plan.mem.f32;
  const len = plan.n * plan.arch.d;
  const o = plan.out / 4, t = plan.target / 4, w = plan.weight / 4, g = plan.dOut / 4;
  const scale = 2 / len;
  let sum = 0;
  for (let i = 0; i < len; i++) {
    const we = f32[w + i] * (f32[o + i] - f32[t + i]);
    sum += we * (f32[o + i] - f32[t + i]);
    f32[g + i] = scale * we;
  }
  return sum / len;
}

/** LayerNorm → SiLU forward of the n × H activations at x, saving what the backward pass needs in a. */
function normForward(plan: StepPlan, x: number, p: NormAt, a: NormAct): void {
  plan.mem.k.ln_silu_forward(x, plan.n, plan.arch.hidden, p.g, p.b, a.xhat, a.rstd, a.sig, a.out);
}

/** Its backward pass: dx (= or += with acc) from dy, accumulating the gain and shift gradients. */
function normBackward(plan: StepPlan, dy: number, p: NormAt, a: NormAct, dx: number, acc: number): void {
  plan.mem.k.ln_silu_backward(dy, a.xhat, a.rstd, a.sig, plan.n, plan.arch.hidden, p.g, p.b, dx, acc, p.dg, p.db, plan.scratch);
}
