// The computations that webgpu must reproduce from wasm, run on whichever tfjs backend is active: one MLP
// training step (loss and every gradient of science/mlp.ts's denoising loss on a batch that train-loop.ts
// draws), a batch of raw network outputs (the score before preconditioning), the U-Net's forward-mode
// Jacobian (images/unet.ts's tangents: the path of the exact s·J), and a U-Net forward and backward.
// Every value is read with `await data()`: on webgpu in Node dataSync() throws (it needs OffscreenCanvas).
// Used by test/gpu/webgpu.test.ts and bench/gpu.ts.
import * as tf from '@tensorflow/tfjs-core';
import { initialParameters, parameterShapes, timeEmbedding, type MlpArchitecture } from '../../science/mlp-architecture.ts';
import { denoisingLoss, mlpForward } from '../../science/mlp.ts';
import { createRng } from '../../science/random.ts';
import { VE_DEFAULTS } from '../../science/sde.ts';
import { drawBatch, type TrainConfig } from '../../science/train-mlp.ts';
import { unetForward, unetInitialParameters, unetParameterShapes, type UnetArchitecture } from '../../images/unet.ts';

interface Values {
  [name: string]: Float32Array;
}

const maxAbs = (v: Float32Array) => v.reduce((m, x) => Math.max(m, Math.abs(x)), 0);

/**
 * Largest |a − b| over `scale` (default: the largest |b|), the error relative to the quantity's size.
 * Gradients are measured against the whole gradient's largest entry: some are zero in exact arithmetic (a
 * bias feeding a GroupNorm with one channel per group), so their own size is rounding noise.
 */
export function relativeError(a: Float32Array, b: Float32Array, scale = maxAbs(b)): number {
  if (a.length !== b.length) throw new Error(`relativeError: lengths ${a.length} and ${b.length}`);
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff = Math.max(diff, Math.abs(a[i] - b[i]));
  return scale === 0 ? diff : diff / scale;
}

async function read(ts: tf.Tensor[]): Promise<Float32Array[]> {
  const out = await Promise.all(ts.map((t) => t.data() as Promise<Float32Array>));
  tf.dispose(ts);
  return out.map((v) => Float32Array.from(v));
}

export const mlpArch = (d: number, timeEmbed: number): MlpArchitecture => ({ d, hidden: 128, blocks: 2, timeEmbed, timeMode: 'project' });

export function mlpInputs(arch: MlpArchitecture, batch: number, seed: number) {
  const rng = createRng(seed);
  const n = 4 * batch;
  const data = Float64Array.from({ length: n * arch.d }, () => rng.normal());
  const config: TrainConfig = { arch, sde: VE_DEFAULTS, steps: 1, batch, lr: 1e-3, ema: 0.999, weighting: 'epsilon', seed, checkpointEvery: 1, logEvery: 1 };
  return { params: initialParameters(arch, createRng(seed + 1)), batch: drawBatch(data, n, config, 0), B: batch };
}

/** One training step's loss and gradients (science/train-tfjs.ts's step without the update). */
async function mlpStep(arch: MlpArchitecture, inputs: ReturnType<typeof mlpInputs>): Promise<Values> {
  const shapes = parameterShapes(arch);
  const { batch, B } = inputs;
  const { value, grads } = tf.tidy(() => {
    const ps = inputs.params.map((p, i) => tf.tensor(p, shapes[i].shape));
    const xIn = tf.tensor2d(batch.xIn, [B, arch.d]);
    const emb = tf.tensor2d(batch.emb!, [B, arch.timeEmbed]);
    const target = tf.tensor2d(batch.target, [B, arch.d]);
    return tf.valueAndGrads((...p: tf.Tensor[]) => denoisingLoss(arch, p, xIn, emb, target))(ps);
  });
  const [loss, ...g] = await read([value, ...grads]);
  const out: Values = { loss };
  g.forEach((v, i) => (out[`grad ${shapes[i].name}`] = v));
  return out;
}

/** The raw network output F for the batch: what the score is made of. */
async function mlpScores(arch: MlpArchitecture, inputs: ReturnType<typeof mlpInputs>): Promise<Values> {
  const shapes = parameterShapes(arch);
  const { batch, B } = inputs;
  const F = tf.tidy(() => {
    const ps = inputs.params.map((p, i) => tf.tensor(p, shapes[i].shape));
    return mlpForward(arch, ps, tf.tensor2d(batch.xIn, [B, arch.d]), tf.tensor2d(batch.emb!, [B, arch.timeEmbed]));
  });
  const [scores] = await read([F]);
  return { scores };
}

/**
 * ∂F/∂u of the MLP at the batch's first row, by reverse mode: the point repeated d times, one backward pass
 * seeded with the identity (row i of the input gradient of Σ_i F_i(row i) is ∂F_i/∂u). The float32 reference
 * of bench/images.ts, written with mlpForward only, so it runs on any backend.
 */
export async function mlpJacobian(arch: MlpArchitecture, inputs: ReturnType<typeof mlpInputs>): Promise<Values> {
  const shapes = parameterShapes(arch);
  const { d, timeEmbed: E } = arch;
  const J = tf.tidy(() => {
    const ps = inputs.params.map((p, i) => tf.tensor(p, shapes[i].shape));
    const x = tf.tile(tf.tensor2d(inputs.batch.xIn.subarray(0, d), [1, d]), [d, 1]) as tf.Tensor2D;
    const emb = tf.tile(tf.tensor2d(inputs.batch.emb!.subarray(0, E), [1, E]), [d, 1]) as tf.Tensor2D;
    const eye = tf.eye(d);
    return tf.grad((u: tf.Tensor) => tf.sum(tf.mul(mlpForward(arch, ps, u as tf.Tensor2D, emb), eye)))(x);
  });
  const [jacobian] = await read([J]);
  return { jacobian };
}

export const unetArch = (side: number, widths: number[], timeEmbed = 16): UnetArchitecture => ({ kind: 'unet', d: side * side, shape: [1, side, side], widths, timeEmbed });

export function unetInputs(arch: UnetArchitecture, batch: number, seed: number) {
  const params = unetInitialParameters(arch, createRng(seed));
  // The zero-initialised output and time projections would make F vanish: perturb every parameter.
  const rng = createRng(seed + 1);
  for (const p of params) for (let i = 0; i < p.length; i++) p[i] += 0.05 * rng.normal();
  const x = Float32Array.from({ length: batch * arch.d }, () => rng.normal());
  const target = Float32Array.from({ length: batch * arch.d }, () => rng.normal());
  const emb = new Float32Array(batch * arch.timeEmbed);
  for (let b = 0; b < batch; b++) timeEmbedding(0.01 + 2 * rng.uniform(), arch.timeEmbed, emb, b * arch.timeEmbed);
  return { params, x, target, emb, B: batch };
}

function unetTensors(arch: UnetArchitecture, inputs: ReturnType<typeof unetInputs>) {
  const shapes = unetParameterShapes(arch);
  const [, H, W] = arch.shape;
  return {
    ps: inputs.params.map((p, i) => tf.tensor(p, shapes[i].shape)),
    x: tf.tensor4d(inputs.x, [inputs.B, H, W, 1]),
    target: tf.tensor4d(inputs.target, [inputs.B, H, W, 1]),
    emb: tf.tensor2d(inputs.emb, [inputs.B, arch.timeEmbed]),
  };
}

/** U-Net forward output, loss and every parameter gradient of mean |F − target|². */
async function unetStep(arch: UnetArchitecture, inputs: ReturnType<typeof unetInputs>): Promise<Values> {
  const shapes = unetParameterShapes(arch);
  const { F, value, grads } = tf.tidy(() => {
    const { ps, x, target, emb } = unetTensors(arch, inputs);
    const F = unetForward(arch, ps, { p: x }, emb).p;
    const { value, grads } = tf.valueAndGrads((...p: tf.Tensor[]) => tf.mean(tf.squaredDifference(unetForward(arch, p, { p: x }, emb).p, target)) as tf.Scalar)(ps);
    return { F, value, grads };
  });
  const [forward, loss, ...g] = await read([F, value, ...grads]);
  const out: Values = { forward, loss };
  g.forEach((v, i) => (out[`grad ${shapes[i].name}`] = v));
  return out;
}

/** ∂F/∂u of the U-Net at the first image: the d one-hot tangents through the network at once. */
export async function unetJacobian(arch: UnetArchitecture, inputs: ReturnType<typeof unetInputs>): Promise<Values> {
  const [, H, W] = arch.shape;
  const J = tf.tidy(() => {
    const { ps, x, emb } = unetTensors(arch, inputs);
    const p = tf.slice(x, [0, 0, 0, 0], [1, H, W, 1]);
    const t = tf.reshape(tf.eye(arch.d), [arch.d, H, W, 1]) as tf.Tensor4D;
    return unetForward(arch, ps, { p, t }, tf.slice(emb, [0, 0], [1, arch.timeEmbed])).t!;
  });
  const [jacobian] = await read([J]);
  return { jacobian };
}

/** Tolerances on relativeError (float32 arithmetic in a different order: sums over ~10³ terms). */
const TOLERANCE = { loss: 1e-5, gradient: 1e-4, scores: 1e-5, jacobian: 1e-4, forward: 1e-5 } as const;

export function toleranceOf(name: string): number {
  if (name === 'loss') return TOLERANCE.loss;
  if (name.startsWith('grad')) return TOLERANCE.gradient;
  if (name === 'scores') return TOLERANCE.scores;
  if (name === 'jacobian') return TOLERANCE.jacobian;
  return TOLERANCE.forward;
}

interface ParityCase {
  name: string;
  run: () => Promise<Values>;
}

/** The cases at test sizes (or the benchmark's, by the arguments). */
export function parityCases(sizes = { d: 100, E: 128, batch: 64, side: 8, widths: [8, 16], unetBatch: 4 }): ParityCase[] {
  const arch = mlpArch(sizes.d, sizes.E);
  const mlp = mlpInputs(arch, sizes.batch, 7);
  const u = unetArch(sizes.side, sizes.widths);
  const unet = unetInputs(u, sizes.unetBatch, 11);
  return [
    { name: `MLP training step (d = ${sizes.d}, E = ${sizes.E}, batch ${sizes.batch})`, run: () => mlpStep(arch, mlp) },
    { name: `MLP scores (batch ${sizes.batch})`, run: () => mlpScores(arch, mlp) },
    { name: `MLP Jacobian (d = ${sizes.d})`, run: () => mlpJacobian(arch, mlp) },
    { name: `U-Net Jacobian (${sizes.side}×${sizes.side}, widths ${sizes.widths.join('/')})`, run: () => unetJacobian(u, unet) },
    { name: `U-Net forward and backward (batch ${sizes.unetBatch})`, run: () => unetStep(u, unet) },
  ];
}

/** Run `cases` on both backends (they must be registered) and compare each value, worst first. */
export async function compareBackends(cases: ParityCase[], reference = 'wasm', candidate = 'webgpu') {
  const rows: Array<{ case: string; value: string; error: number; tolerance: number }> = [];
  for (const c of cases) {
    await tf.setBackend(reference);
    const ref = await c.run();
    await tf.setBackend(candidate);
    const got = await c.run();
    const gradScale = Math.max(0, ...Object.entries(ref).filter(([k]) => k.startsWith('grad')).map(([, v]) => maxAbs(v)));
    for (const [value, v] of Object.entries(ref)) {
      rows.push({ case: c.name, value, error: relativeError(got[value], v, value.startsWith('grad') ? gradScale : undefined), tolerance: toleranceOf(value) });
    }
  }
  await tf.setBackend(reference);
  return rows;
}
