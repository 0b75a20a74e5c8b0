// The training loop's state resident in the kernels' memory: parameters, Adam moments and EMA live next to
// the gradients and the batch of one step plan for the whole run, so a step is the batch written straight
// into that memory, the forward/backward kernels and one adam_ema call over all tensors: no copies in or
// out and no typed arrays allocated per step. State crosses to JS arrays only to be checkpointed or
// returned (store) and once at the start (load). Same kernels, same order, same bits as a step through
// kernelLossAndGradients + kernelAdamEma. This is the MLP's training step on the CPU (score-network.ts).

import { inputWidth, parameterShapes, timeFeatureWidth, type Batch, type MlpArchitecture } from '../mlp-architecture.ts';
import type { Rng } from '../random.ts';
import type { TrainingStepper } from '../score-network.ts';
import { optimizerKernel, type AdamScalars } from './adam.ts';
import { kernelBackprop, StepPlan } from './train-step.ts';

/** The optimiser state as train-adam.ts keeps it (one Float32Array per parameter tensor, four groups). */
interface ResidentState {
  params: Float32Array[];
  m: Float32Array[];
  v: Float32Array[];
  ema: Float32Array[];
}

const GROUPS = ['params', 'm', 'v', 'ema'] as const;

/** A batch drawn in the kernels' memory: attach(plan) allocates what it needs there and returns step k's draw, from its generator, into the plan's batch regions. */
export interface KernelBatchSource {
  attach(plan: StepPlan): (rng: Rng) => void;
}

export class ResidentTraining implements TrainingStepper {
  readonly description = 'WebAssembly SIMD kernels, state resident in wasm memory';
  private readonly plan: StepPlan;
  /** Byte address of each group's span; every span has the layout of the plan's parameter span. */
  private readonly spans: Record<(typeof GROUPS)[number], number>;
  private readonly spanFloats: number;
  /** Where the next batch goes: views of the plan's batch regions (fixed: the memory no longer grows). */
  readonly batch: Batch;

  /** Step k's batch from its generator into the plan's batch regions. */
  private readonly draw: (rng: Rng) => void;

  /** `draw(rng, out)` writes step k's batch, from its generator, into the arrays of `out`; or a source that draws in the kernels. */
  constructor(
    readonly arch: MlpArchitecture,
    batchSize: number,
    draw: ((rng: Rng, out: Batch) => void) | KernelBatchSource,
    weighted: boolean,
  ) {
    this.plan = new StepPlan(arch, batchSize, weighted);
    const mem = this.plan.mem;
    const bytes = this.plan.gradBegin - this.plan.paramBegin;
    this.spanFloats = bytes / 4;
    this.spans = { params: this.plan.paramBegin, m: mem.alloc(bytes), v: mem.alloc(bytes), ema: mem.alloc(bytes) };
    this.draw = typeof draw === 'function' ? (rng) => draw(rng, this.batch) : draw.attach(this.plan);
    // The last allocation is done: views taken now stay valid for the life of the instance.
    const f32 = mem.f32;
    const view = (at: number, len: number): Float32Array => f32.subarray(at / 4, at / 4 + len);
    const { d } = arch;
    this.batch = {
      xIn: view(this.plan.xIn, batchSize * inputWidth(arch)),
      emb: this.plan.tau ? view(this.plan.emb, batchSize * timeFeatureWidth(arch)) : null,
      target: view(this.plan.target, batchSize * d),
      weight: weighted ? view(this.plan.weight, batchSize * d) : null,
    };
  }

  /** Copy `state` in (at the start, or after a resume). */
  load(state: ResidentState): void {
    this.each(state, (tensor, at) => this.plan.mem.f32.set(tensor, at));
  }

  /** Copy the resident state out into `state`'s arrays (for a checkpoint, or at the end). */
  store(state: ResidentState): void {
    this.each(state, (tensor, at) => tensor.set(this.plan.mem.f32.subarray(at, at + tensor.length)));
  }

  /** One step: the batch drawn into memory, gradients, then Adam + EMA in place. Returns the loss. */
  step(rng: Rng, s: AdamScalars): number {
    this.draw(rng);
    const loss = kernelBackprop(this.plan);
    const { params, m, v, ema } = this.spans;
    optimizerKernel(this.plan.mem.k, params, m, v, ema, this.plan.gradBegin, this.spanFloats, s);
    return loss;
  }

  dispose(): void {}

  /** fn(tensor, float index in memory) for every tensor of every group. */
  private each(state: ResidentState, fn: (tensor: Float32Array, at: number) => void): void {
    const shapes = parameterShapes(this.arch);
    for (const g of GROUPS) {
      const tensors = state[g];
      if (tensors.length !== shapes.length) throw new Error(`resident training: ${tensors.length} ${g} tensors, expected ${shapes.length}`);
      tensors.forEach((tensor, i) => {
        const len = shapes[i].shape.reduce((a, b) => a * b, 1);
        if (tensor.length !== len) throw new Error(`resident training: ${g}/${shapes[i].name} has ${tensor.length} values, expected ${len}`);
        fn(tensor, (this.spans[g] + this.plan.param[i] - this.plan.paramBegin) / 4);
      });
    }
  }
}
