// The score network as every stage sees it, whichever network (the residual MLP of science.md §5, the
// image U-Net) and whichever compute target runs it:
//  - its parameters: one flat list of float32 tensors in a fixed layout (names and shapes), the order of
//    training state, checkpoints and weights files;
//  - training: initial parameters from the step-0 generator, and a stepper that takes one step's batch
//    generator and returns the loss after one Adam + EMA update (train-loop.ts runs every network with it);
//  - a trained network: ε̂ at a batch of points and the exact rescaled Jacobian s·J = −σ ∂ε̂/∂x at a point.
// Which implementation computes it on a given tfjs backend is decided in one place, scoreNetworkFor.

import type { AdamScalars } from './kernels/adam.ts';
import type { Rng } from './random.ts';
import type { OptimizerState } from './train-adam.ts';

/** A network's parameter tensors in order (names and shapes): the layout of its flat parameter list. */
export type ParameterLayout = ReadonlyArray<{ name: string; shape: number[] }>;

/** One compute target's training step. The state's arrays may lag behind the target's own copy until store(). */
export interface TrainingStepper {
  /** What runs the step, for the log. */
  readonly description: string;
  /** Take the state in (at the start, or after a resume). */
  load(state: OptimizerState): void;
  /** Draw the batch from `rng`, compute the gradient at the current parameters, update them (Adam + EMA). Returns the loss. */
  step(rng: Rng, scalars: AdamScalars, state: OptimizerState): number | Promise<number>;
  /** Bring the state's arrays up to date (for a checkpoint, or at the end). */
  store(state: OptimizerState): void;
  dispose(): void;
}

export interface TrainableScoreNetwork {
  readonly layout: ParameterLayout;
  initialParameters(rng: Rng): Float32Array[];
  stepper(): Promise<TrainingStepper>;
}

/** A trained network evaluated at noise level σ: points and matrices are row-major, d values a point. */
export interface TrainedScoreNetwork {
  readonly d: number;
  /** ε̂(x, σ) at n points (n × d); a tfjs implementation answers asynchronously (values read with `await data()`). */
  epsilon(xs: Float64Array | Float32Array, n: number, sigma: number): Float64Array | Promise<Float64Array>;
  /** The exact s·J = −σ ∂ε̂/∂x at one point (d × d). */
  scaledJacobian(x: Float64Array | Float32Array, sigma: number): Float64Array | Promise<Float64Array>;
}

type ScoreNetworkKind = 'mlp' | 'unet';

/**
 * 'kernels': the WebAssembly SIMD kernels (science/kernels/: float32 training step, float64 forward and
 * Jacobian), independent of tfjs. 'tfjs': the network written in tfjs ops on the active backend (science/mlp.ts,
 * images/unet.ts), which keeps the work on a GPU.
 */
export type ScoreNetworkImplementation = 'kernels' | 'tfjs';

/**
 * Which implementation trains `kind` on the tfjs backend `backend`: the kernels for the MLP on the CPU
 * backends (wasm, cpu), where they are the fastest; tfjs for a GPU or native backend, and for the U-Net,
 * which has no kernels. A trained MLP is evaluated (ε̂, s·J) on the float64 kernels whatever the backend:
 * exact to float64 rounding and cheap (d·H² per point); the U-Net on tfjs, in float32.
 */
export function scoreNetworkFor(kind: ScoreNetworkKind, backend: string): ScoreNetworkImplementation {
  if (kind !== 'mlp' && kind !== 'unet') throw new Error(`score network must be 'mlp' or 'unet', got '${String(kind)}'`);
  return kind === 'mlp' && (backend === 'wasm' || backend === 'cpu') ? 'kernels' : 'tfjs';
}
