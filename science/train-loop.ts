// The one training loop of every score network (science.md §5: the linear model's MLP, the image MLP and
// U-Net), with resumable checkpoints.
//
// Batch schedule: the initial parameters come from createRng(seed).fork(0), and step k (1-based) draws its
// batch from its own generator createRng(seed).fork(k) (one generator reseeded in place per step: random.ts
// forksOf). A step's random stream is a function of (seed, k)
// alone, so the "RNG state" in a checkpoint is just the step counter and a resumed run replays exactly the
// batches an uninterrupted one would have drawn. Adam and the EMA (train-adam.ts) update float32 arrays with
// the same kernel on every target, and the checkpoint holds those arrays (train-checkpoint.ts): a run killed
// at any point and resumed ends with the bits of an uninterrupted one, for every network.

import { createRng, forksOf } from './random.ts';
import type { TrainableScoreNetwork } from './score-network.ts';
import { adamScalars, ADAM_HYPERPARAMETERS, checkUpdateChoices, initialOptimizerState, type OptimizerState, type UpdateChoices } from './train-adam.ts';
import { encodeCheckpoint, readCheckpoint, writeCheckpointAtomically, type Checkpoint, type LossRow } from './train-checkpoint.ts';

export const LR_SCHEDULES = ['constant', 'cosine'] as const;
export type LrSchedule = (typeof LR_SCHEDULES)[number];

/** The learning rate of update number k (1-based): constant, or cosine-annealed from lr at k = 1 towards 0 at k = steps + 1. */
export function learningRateAt(c: Pick<LoopConfig, 'lr' | 'lrSchedule' | 'steps'>, k: number): number {
  return c.lrSchedule === 'cosine' ? c.lr * 0.5 * (1 + Math.cos((Math.PI * (k - 1)) / c.steps)) : c.lr;
}

interface LoopConfig extends UpdateChoices {
  steps: number;
  lr: number;
  /** 'constant' when absent. */
  lrSchedule?: LrSchedule;
  /** Target EMA decay, reached after the warm-up of train-adam.ts emaDecay. */
  ema: number;
  seed: number;
  /** Write a checkpoint every this many steps and at the end (with a scratch directory); 0 = never. */
  checkpointEvery: number;
  /** One loss row per this many steps: the mean loss of the window, and its bias-corrected smoothed curve. */
  logEvery: number;
  /** Everything a checkpoint must match to be resumed: the network, its data, the configuration. */
  key: Record<string, unknown>;
}

export interface TrainHooks {
  /** Where checkpoints go and a re-run resumes from (the engine's ctx.scratchDir). */
  scratchDir?: string;
  progress?(fraction: number, message: string): void;
  log?(line: string): void;
  signal?: AbortSignal;
}

interface LoopResult {
  /** The final state: `ema` is what stages save and analyse, `params` the raw parameters. */
  state: OptimizerState;
  lossRows: LossRow[];
  /** Step the run resumed from (0 for a fresh start). */
  resumedFrom: number;
}

export function checkLoopConfig(c: LoopConfig): void {
  const int = (name: string, v: number, min: number): void => {
    if (!(Number.isInteger(v) && v >= min)) throw new Error(`${name} must be an integer ≥ ${min}, got ${v}`);
  };
  int('steps', c.steps, 1);
  int('checkpoint_every', c.checkpointEvery, 0);
  int('log_every', c.logEvery, 1);
  int('seed', c.seed, 0);
  if (!(c.lr > 0 && Number.isFinite(c.lr))) throw new Error(`lr must be a positive number, got ${c.lr}`);
  if (!(c.ema >= 0 && c.ema < 1)) throw new Error(`ema must be in [0, 1), got ${c.ema}`);
  checkUpdateChoices(c);
}

/** Train `network` from scratch, or from the checkpoint in hooks.scratchDir when one matches c.key. */
export async function trainLoop(network: TrainableScoreNetwork, c: LoopConfig, hooks: TrainHooks = {}): Promise<LoopResult> {
  checkLoopConfig(c);
  const { layout } = network;
  const log = hooks.log ?? (() => {});
  const checkpointing = hooks.scratchDir !== undefined && c.checkpointEvery > 0;
  let ck: Checkpoint | undefined = checkpointing ? readCheckpoint(hooks.scratchDir!, layout, c.key, (l) => log(l)) : undefined;
  if (ck && ck.state.step > c.steps) ck = undefined;
  const state = ck ? ck.state : initialOptimizerState(network.initialParameters(createRng(c.seed).fork(0)));
  const lossRows: LossRow[] = ck ? ck.lossRows : [];
  const window = ck ? ck.window : { sum: 0, count: 0 };
  const smoother = ck ? ck.smoother : { value: 0, weight: 0 };
  const resumedFrom = state.step;
  if (resumedFrom > 0) log(`resuming training from checkpoint at step ${resumedFrom}`);

  const adam = { lr: c.lr, ...ADAM_HYPERPARAMETERS };
  const cosine = c.lrSchedule === 'cosine';
  const progressEvery = Math.max(1, Math.floor(c.steps / 200));
  const stepRng = forksOf(c.seed);
  const stepper = await network.stepper();
  try {
    stepper.load(state);
    log(`training step: ${stepper.description}`);
    const started = performance.now();
    while (state.step < c.steps) {
      if (hooks.signal?.aborted) throw new Error('training aborted');
      const next = state.step + 1;
      if (cosine) adam.lr = learningRateAt(c, next);
      const stepped = stepper.step(stepRng(next), adamScalars(adam, c.ema, next, c), state);
      // Awaited only when asynchronous (tfjs): the kernels' step then costs no promise and no microtask.
      const loss = typeof stepped === 'number' ? stepped : await stepped;
      state.step = next;
      if (!Number.isFinite(loss)) throw new Error(`training diverged: loss ${loss} at step ${next} (try a smaller lr)`);
      window.sum += loss;
      window.count += 1;
      if (next % c.logEvery === 0 || next === c.steps) {
        const mean = window.sum / window.count;
        smoother.value = 0.9 * smoother.value + 0.1 * mean;
        smoother.weight = 0.9 * smoother.weight + 0.1;
        lossRows.push({ step: next, loss: mean, smoothed: smoother.value / smoother.weight });
        window.sum = 0;
        window.count = 0;
      }
      if (checkpointing && (next % c.checkpointEvery === 0 || next === c.steps)) {
        stepper.store(state);
        writeCheckpointAtomically(hooks.scratchDir!, encodeCheckpoint({ config: c.key, state, lossRows, window, smoother }, layout));
      }
      if (hooks.progress && (next % progressEvery === 0 || next === c.steps)) {
        const perStep = (performance.now() - started) / (next - resumedFrom);
        const last = lossRows.at(-1);
        hooks.progress(next / c.steps, `step ${next}/${c.steps}, ${perStep.toFixed(1)} ms/step${last ? `, loss ${last.smoothed.toFixed(4)}` : ''}`);
      }
      // Let the event loop breathe (abort signals, IPC progress) without slowing the loop measurably.
      if (next % 50 === 0) await new Promise<void>((r) => setImmediate(r));
    }
    stepper.store(state);
  } finally {
    stepper.dispose();
  }
  return { state, lossRows, resumedFrom };
}
