// Benchmark of the score-network training step and of the trained score's Jacobian.
//   npx tsx bench/train.ts [--backend wasm|cpu|auto] [--reps 30]
// Rows: the reference model (input 100 + 32-dim time embedding → 128, 2 residual blocks of 128, → 100;
// ≈ 70 MFLOP per step at batch 128) with tfjs's stock autodiff (tf.matMul gradients: the reference,
// measured in the same run), our custom-gradient layers, the explicit backprop (tfjs products, JS
// element-wise) and the WebAssembly SIMD kernels (science/kernels/); the paper's architecture (time MLP and
// per-block projections) at E = 128 and 512; Adam + EMA in JS and in wasm; the whole loop step (batch
// drawing + gradients + Adam/EMA) as the stage runs it now and as it ran before the kernels; and the
// forward-mode Jacobian per point at d = 100 (float64, JS and kernels). Goals: ≤ 6 ms/step for the
// reference model, ≤ 2 ms per Jacobian.

import { spawnSync } from 'node:child_process';
import * as tf from '@tensorflow/tfjs-core';
import { initialParameters, parameterCount, type MlpArchitecture } from '../science/mlp-architecture.ts';
import { TrainedMlpScore } from '../science/mlp-score.ts';
import { setKernelsEnabled } from '../science/kernels/mlp-kernels.ts';
import { createRng } from '../science/random.ts';
import { initBackend, type BackendChoice } from '../science/tf-backend.ts';
import { ADAM_DEFAULTS, adamStep, adamStepJs, initialOptimizerState } from '../science/train-adam.ts';
import trainStage from '../stages/train.ts';
import { drawBatch, lossAndGradients, trainScoreNetwork, type GradientPath, type TrainConfig } from '../science/train-loop.ts';

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const backend = await initBackend(arg('backend', 'auto') as BackendChoice);
const reps = Number(arg('reps', '30'));
const d = 100, batch = 128, n = 2000;
const data = new Float64Array(n * d);
createRng(1).fillNormal(data);

const reference: MlpArchitecture = { d, hidden: 128, blocks: 2, timeEmbed: 32, timeMode: 'concat' };
const paper128: MlpArchitecture = { d, hidden: 128, blocks: 2, timeEmbed: 128, timeMode: 'project' };
const paper512: MlpArchitecture = { ...paper128, timeEmbed: 512 };

const config = (arch: MlpArchitecture): TrainConfig => ({
  arch, sde: { sigmaMin: 0.01, sigmaMax: 50, eps: 1e-5 }, steps: reps, batch, lr: 1e-4, ema: 0.9999, seed: 0, checkpointEvery: 1e9,
});

/** Matmul FLOPs of one training step (forward + two backward products per Linear). */
function stepFlops(a: MlpArchitecture): number {
  const linear = (i: number, o: number): number => 3 * 2 * batch * i * o;
  let f = linear(a.timeMode === 'concat' ? a.d + a.timeEmbed : a.d, a.hidden) + linear(a.hidden, a.d);
  f += a.blocks * 2 * linear(a.hidden, a.hidden);
  if (a.timeMode === 'project') f += 2 * linear(a.timeEmbed, a.timeEmbed) + a.blocks * linear(a.timeEmbed, a.hidden);
  return f;
}

interface Timing {
  /** Median wall-clock milliseconds per run. */
  wall: number;
  /** Median CPU milliseconds (user + system) per run: less sensitive than wall time to other processes
   * competing for the cores, which on a shared machine can inflate wall time several-fold. */
  cpu: number;
}

/** Medians over `reps` runs after 3 warm-ups. */
function time(fn: () => void): Timing {
  for (let i = 0; i < 3; i++) fn();
  const wall: number[] = [], cpu: number[] = [];
  for (let i = 0; i < reps; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    fn();
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  const median = (v: number[]): number => v.sort((x, y) => x - y)[Math.floor(v.length / 2)];
  return { wall: median(wall), cpu: median(cpu) };
}

interface Row {
  what: string;
  ms: Timing;
  note: string;
}
const rows: Row[] = [];

function gradientRow(label: string, arch: MlpArchitecture, path: GradientPath): number {
  const params = initialParameters(arch, createRng(2));
  const b = drawBatch(data, n, config(arch), 1);
  const ms = time(() => lossAndGradients(arch, params, b, path));
  const gflops = stepFlops(arch) / ms.cpu / 1e6;
  rows.push({ what: label, ms, note: `${(stepFlops(arch) / 1e6).toFixed(0)} MFLOP, ${gflops.toFixed(1)} GFLOP/s (CPU time)` });
  return ms.cpu;
}

// Lower bound for any path that runs its products on the backend: only the 17 plain products of a
// reference-model step (with the upload of the left operand and the read-back of the result).
{
  const B = batch, H = 128, w = d + 32;
  const shapes: Array<[number, number, number]> = [
    [B, w, H], [B, H, H], [B, H, H], [B, H, H], [B, H, H], [B, H, d], // forward
    [H, B, d], [B, d, H], // head: dW, dx
    [H, B, H], [B, H, H], [H, B, H], [B, H, H], [H, B, H], [B, H, H], [H, B, H], [B, H, H], // 4 hidden Linears
    [w, B, H], // input layer: dW only
  ];
  const operands = shapes.map(([r, k, c]) => ({
    a: new Float32Array(r * k).fill(0.01),
    b: tf.tensor2d(new Float32Array(k * c).fill(0.02), [k, c]),
    r,
    k,
  }));
  const ms = time(() => {
    for (const o of operands) {
      const a = tf.tensor2d(o.a, [o.r, o.k]);
      const y = tf.matMul(a, o.b);
      y.dataSync();
      a.dispose();
      y.dispose();
    }
  });
  rows.push({ what: 'floor: the 17 plain matMuls of a reference step', ms, note: 'no element-wise work at all' });
}

const stockMs = gradientRow('reference model, stock tfjs autodiff (reference)', reference, 'stock');
const customMs = gradientRow('reference model, custom-gradient layers (autodiff)', reference, 'custom');
const backpropMs = gradientRow('reference model, explicit backprop (JS elementwise)', reference, 'backprop');
const kernelsMs = gradientRow('reference model, wasm SIMD kernels', reference, 'kernels');
gradientRow('paper arch E=128, custom-gradient layers (autodiff)', paper128, 'custom');
gradientRow('paper arch E=128, explicit backprop', paper128, 'backprop');
const paper128KernelMs = gradientRow('paper arch E=128, wasm SIMD kernels', paper128, 'kernels');
gradientRow('paper arch E=512, explicit backprop', paper512, 'backprop');
const paper512KernelMs = gradientRow('paper arch E=512, wasm SIMD kernels', paper512, 'kernels');

// The parts of a loop step outside tfjs.
{
  const cfg = config(paper128);
  rows.push({ what: 'batch drawing (JS, paper arch E=128)', ms: time(() => drawBatch(data, n, cfg, 1)), note: `${batch}×${d} normals` });
  const state = initialOptimizerState(initialParameters(paper128, createRng(3)));
  const grads = state.params.map((p) => new Float32Array(p.length).fill(1e-3));
  const note = `${parameterCount(paper128)} parameters`;
  const adam = { lr: 1e-4, ...ADAM_DEFAULTS };
  rows.push({ what: 'Adam + EMA update (JS, paper arch E=128)', ms: time(() => adamStepJs(state, grads, adam, 0.9999)), note });
  rows.push({ what: 'Adam + EMA update (wasm, paper arch E=128)', ms: time(() => adamStep(state, grads, adam, 0.9999)), note: `${note}, incl. copies in/out` });
}

// Whole loop steps, as the stage runs them ('auto': kernels and wasm Adam), and as it ran before the kernels
// (kernels switched off: explicit backprop and the JS Adam).
const loopMs: Record<string, number> = {};
for (const [label, arch] of [['reference model', reference], ['paper arch E=128', paper128]] as const) {
  for (const kernels of [true, false]) {
    setKernelsEnabled(kernels);
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await trainScoreNetwork(data, n, config(arch));
    const c = process.cpuUsage(c0);
    setKernelsEnabled(true);
    const ms = { wall: (performance.now() - t0) / reps, cpu: (c.user + c.system) / 1000 / reps };
    const how = kernels ? 'kernels' : 'before: backprop + JS Adam';
    loopMs[`${label}, ${how}`] = ms.cpu;
    rows.push({ what: `training loop step, ${label} (${how})`, ms, note: 'mean incl. batch, gradients, Adam, EMA' });
  }
}

// Jacobian of the trained score (float64, forward mode) at d = 100: the wasm kernels and the JS reference.
let jacobianMs = NaN;
{
  const model = new TrainedMlpScore({ arch: paper128, sde: config(paper128).sde, step: 0, params: initialParameters(paper128, createRng(4)) });
  const x = data.slice(0, d);
  const xs = data.slice(0, 128 * d);
  const jac = time(() => model.jacobian(x, 0.3));
  jacobianMs = jac.cpu;
  rows.push({ what: 'Jacobian per point, d=100, paper arch E=128 (wasm f64)', ms: jac, note: 'target ≤ 2 ms' });
  rows.push({ what: 'score of 128 points, d=100 (wasm f64)', ms: time(() => model.score(xs, 128, 0.3)), note: '' });
  setKernelsEnabled(false);
  rows.push({ what: 'Jacobian per point, d=100, paper arch E=128 (JS f64)', ms: time(() => model.jacobian(x, 0.3)), note: 'before' });
  rows.push({ what: 'score of 128 points, d=100 (JS f64)', ms: time(() => model.score(xs, 128, 0.3)), note: 'before' });
  setKernelsEnabled(true);
}

// Optional outside reference, measured in the same run when python3 with numpy is present (the product
// never needs it): the same reference-model training step (forward, backward, LayerNorm, SiLU) in numpy.
const NUMPY_STEP = `
import numpy as np, time, resource
rng = np.random.default_rng(0)
B, d, E, H, NB = 128, 100, 32, 128, 2
f32 = np.float32
def lin(i, o): return [rng.standard_normal((i, o)).astype(f32) / np.sqrt(i), np.zeros(o, f32)]
P = {'in': lin(d + E, H), 'out': lin(H, d)}
for k in range(NB): P[f'l1{k}'] = lin(H, H); P[f'l2{k}'] = lin(H, H)
x = rng.standard_normal((B, d + E)).astype(f32); eps = rng.standard_normal((B, d)).astype(f32)
def normact(h):
    mu = h.mean(1, keepdims=True); xc = h - mu; r = 1 / np.sqrt((xc * xc).mean(1, keepdims=True) + 1e-5)
    xh = xc * r; s = 1 / (1 + np.exp(-xh)); return xh * s, (xh, r, s)
def normact_back(dy, c):
    xh, r, s = c; dp = dy * s * (1 + xh * (1 - s))
    return r * (dp - dp.mean(1, keepdims=True) - xh * (dp * xh).mean(1, keepdims=True))
def step():
    h = x @ P['in'][0] + P['in'][1]; cache = []
    for k in range(NB):
        a1, c1 = normact(h); z1 = a1 @ P[f'l1{k}'][0] + P[f'l1{k}'][1]
        a2, c2 = normact(z1); z2 = a2 @ P[f'l2{k}'][0] + P[f'l2{k}'][1]
        cache.append((a1, c1, a2, c2)); h = h + z2
    ah, ch = normact(h); out = ah @ P['out'][0] + P['out'][1]
    dout = 2 * (out - eps) / out.size; g = {'out': (ah.T @ dout, dout.sum(0))}
    dh = normact_back(dout @ P['out'][0].T, ch)
    for k in reversed(range(NB)):
        a1, c1, a2, c2 = cache[k]
        g[f'l2{k}'] = (a2.T @ dh, dh.sum(0)); dz1 = normact_back(dh @ P[f'l2{k}'][0].T, c2)
        g[f'l1{k}'] = (a1.T @ dz1, dz1.sum(0)); dh = dh + normact_back(dz1 @ P[f'l1{k}'][0].T, c1)
    g['in'] = (x.T @ dh, dh.sum(0)); return g
for _ in range(5): step()
cpu, wall = [], []
for _ in range(${reps}):
    c0 = time.process_time(); t0 = time.perf_counter(); step(); wall.append(time.perf_counter() - t0); cpu.append(time.process_time() - c0)
print(sorted(cpu)[len(cpu) // 2] * 1e3, sorted(wall)[len(wall) // 2] * 1e3)
`;
{
  // One BLAS thread, like the single-threaded wasm backend it is compared with.
  const env = { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
  const py = spawnSync('python3', ['-c', NUMPY_STEP], { encoding: 'utf8', env });
  const [cpu, wall] = (py.stdout ?? '').trim().split(/\s+/).map(Number);
  if (py.status === 0 && Number.isFinite(cpu)) {
    rows.push({ what: 'reference model, numpy (1 BLAS thread), outside reference', ms: { cpu, wall }, note: 'optional; not used by the product' });
  } else {
    rows.push({ what: 'reference model, numpy', ms: { cpu: NaN, wall: NaN }, note: 'skipped: python3 with numpy not available' });
  }
}

console.log(`backend: ${backend}; median of ${reps} runs; batch ${batch}; ms = CPU time (wall-clock in brackets)`);
const w = Math.max(...rows.map((r) => r.what.length));
console.log(`${'what'.padEnd(w)}  ${'cpu ms'.padStart(8)}  ${'(wall)'.padStart(9)}  note`);
for (const r of rows) {
  console.log(`${r.what.padEnd(w)}  ${r.ms.cpu.toFixed(2).padStart(8)}  ${`(${r.ms.wall.toFixed(2)})`.padStart(9)}  ${r.note}`);
}
const best = Math.min(customMs, backpropMs, kernelsMs);
console.log(
  `\nreference model vs stock autodiff: custom-gradient ${(stockMs / customMs).toFixed(2)}× faster, explicit backprop ${(stockMs / backpropMs).toFixed(2)}×, wasm kernels ${(stockMs / kernelsMs).toFixed(2)}× (${(backpropMs / kernelsMs).toFixed(2)}× the explicit backprop)`,
);
console.log(`goal ≤ 6 ms/step (reference model): ${best <= 6 ? 'met' : 'not met'} (${best.toFixed(2)} ms CPU time)`);
const numpy = rows.find((r) => r.what.startsWith('reference model, numpy'));
if (numpy && Number.isFinite(numpy.ms.cpu)) {
  console.log(`same run, CPU time, relative to numpy: explicit backprop ${(backpropMs / numpy.ms.cpu).toFixed(2)}, wasm kernels ${(kernelsMs / numpy.ms.cpu).toFixed(2)}`);
}
console.log(`goal ≤ 2 ms per Jacobian (d = 100, float64): ${jacobianMs <= 2 ? 'met' : 'not met'} (${jacobianMs.toFixed(2)} ms CPU time)`);
// CPU ms are the wall time on an idle core. The paper profile's network has E = 512: its loop step is the
// E = 128 loop step with the E = 512 gradients in place of the E = 128 ones.
const quickSteps = trainStage.params.steps.default;
for (const how of ['kernels', 'before: backprop + JS Adam']) {
  const quick = loopMs[`paper arch E=128, ${how}`];
  console.log(`quick profile (train.steps = ${quickSteps}, paper arch E=128, ${how}): ≈ ${((quickSteps * quick) / 60000).toFixed(1)} min per model`);
}
const paperStep = loopMs['paper arch E=128, kernels'] - paper128KernelMs + paper512KernelMs;
console.log(`paper profile (2 000 000 steps, E=512, kernels): ≈ ${paperStep.toFixed(1)} ms a step, ${((2e6 * paperStep) / 3.6e6).toFixed(1)} h per model`);
