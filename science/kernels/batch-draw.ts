// The vector-data MLP's training batch drawn in the kernels (mlp-kernels.c draw_mlp_batch), straight into a
// step plan's batch regions: the bits of train-mlp.ts batchDrawer (test/science/batch-draw.test.ts), without its
// JS work per value and with nothing allocated per step (speed: bench/train.ts). The step's generator hands its
// state to the kernel and takes it back, so the stream continues exactly as if JS had drawn.

import { inputWidth, sinusoids, timeFeatureWidth } from '../mlp-architecture.ts';
import type { Rng, RngState } from '../random.ts';
import type { TimeLaw, TrainConfig } from '../train-mlp.ts';
import type { KernelBatchSource } from './resident-training.ts';
import type { StepPlan } from './train-step.ts';

/** Batches of c.batch rows from `data` (n × d, row-major), drawn in the memory of the plan they attach to. */
export function mlpKernelBatches(data: Float64Array, n: number, c: Pick<TrainConfig, 'arch' | 'batch' | 'sde'>, time: TimeLaw): KernelBatchSource {
  const { d } = c.arch;
  const F = timeFeatureWidth(c.arch);
  const features = c.arch.timeFeatures ?? 'log-sigma';
  if (data.length !== n * d) throw new Error(`batch drawer: ${data.length} data values, expected n·d = ${n}·${d}`);
  return {
    attach(plan: StepPlan): (rng: Rng) => void {
      if (plan.arch !== c.arch || plan.n !== c.batch) throw new Error('batch drawer: the plan is not for this configuration');
      const mem = plan.mem;
      const dataAt = mem.allocF64(n * d);
      const { omega } = sinusoids(features, F);
      const omegaAt = mem.allocF64(omega.length);
      const noiseAt = mem.allocF64(2 * d); // a row's noise and its slack
      const stateAt = mem.alloc(32);
      const f64 = mem.f64;
      f64.set(data, dataAt / 8);
      f64.set(omega, omegaAt / 8);
      // Views of random.ts RngState in wasm memory; the caller allocates nothing after attach (resident-training.ts).
      const state: RngState = { words: new Int32Array(mem.k.memory.buffer, stateAt, 4), spare: new Float64Array(mem.k.memory.buffer, stateAt + 16, 2) };
      const law = time.kind === 'uniform' ? { id: 0, sd: 0, logMin: 0, L: 0, w0: 0, w1: 0 } : { id: 1, ...time };
      const sd = c.arch.sigmaData;
      const edm = sd === undefined ? 0 : 1;
      if (law.id === 1 && law.sd !== sd) throw new Error('batch drawer: the time law belongs to another σ_data');
      const { sigmaMin, sigmaMax } = c.sde;
      const raw = c.arch.inputScaling === 'none' ? 1 : 0;
      const rms = c.arch.rmsScaling === true ? 1 : 0;
      const concat = c.arch.timeMode === 'concat' ? 1 : 0;
      const w = inputWidth(c.arch);
      const B = c.batch;
      const k = mem.k;
      return (rng) => {
        rng.saveState(state);
        k.draw_mlp_batch(
          stateAt, dataAt, n, d, B, law.id, time.eps, law.w0, law.w1, law.logMin, law.L, sigmaMin, sigmaMax, edm, sd ?? 0, raw, rms, F,
          features === 'sigma' ? 1 : 0, concat, omegaAt, plan.xIn, w, plan.emb, plan.target, noiseAt,
        );
        rng.loadState(state);
      };
    },
  };
}
