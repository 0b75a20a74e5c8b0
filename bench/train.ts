// Benchmark of the score-network training step and of the trained score's Jacobian.
//   npx tsx bench/train.ts [--backend wasm|cpu|auto] [--reps 30]
// Rows: the reference model (input 100 + 32-dim time embedding → 128, 2 residual blocks of 128, → 100;
// ≈ 70 MFLOP per step at batch 128) with the tfjs implementation (custom-gradient layers, science/mlp.ts:
// the GPU path, here on the CPU backend), the explicit backprop reference (test/reference/: tfjs products, JS
// element-wise) and the WebAssembly SIMD kernels (science/kernels/, the CPU path); the paper's architecture
// (time MLP and per-block projections) at E = 128 and 512; the batch drawn in JS (the tfjs path) and in wasm
// (the kernel path, the same bits); Adam + EMA in JS (reference) and in wasm; the bare
// kernel gradient step and the whole loop step (batch drawing + gradients + Adam/EMA, state resident in wasm
// memory); the forward-mode Jacobian per point at d = 100 (float64, kernels and the JS reference layers); and, when a Python imports them (bench/peers.ts), numpy and PyTorch CPU with the ratio of ours to
// each. Goals: ≤ 6 ms/step for the reference model, the loop ≤ 1.3× its gradient step, ≤ 2 ms per Jacobian.

import * as tf from '@tensorflow/tfjs-core';
import { initialParameters, parameterCount, parameterShapes, type Batch, type MlpArchitecture } from '../science/mlp-architecture.ts';
import { batchLoss } from '../science/mlp.ts';
import { TrainedMlpScore } from '../science/mlp-score.ts';
import { createRng, forksOf } from '../science/random.ts';
import { initBackend, type BackendChoice } from '../science/tf-backend.ts';
import { ADAM_HYPERPARAMETERS, adamScalars, adamStep, initialOptimizerState } from '../science/train-adam.ts';
import { ResidentTraining } from '../science/kernels/resident-training.ts';
import { kernelBackprop, kernelLossAndGradients, StepPlan } from '../science/kernels/train-step.ts';
import trainStage from '../stages/train.ts';
import { mlpKernelBatches } from '../science/kernels/batch-draw.ts';
import { batchDrawer, drawBatch, timeLaw, trainScoreNetwork, type TrainConfig } from '../science/train-mlp.ts';
import { adamStepJs } from '../test/reference/adam.ts';
import { backpropLossAndGradients } from '../test/reference/mlp-backprop.ts';
import { JsMlpLayers } from '../test/reference/mlp-layers-f64.ts';
import { interpreterFor, peerVersion, ratio, runPeer } from './peers.ts';

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
  arch, sde: { sigmaMin: 0.01, sigmaMax: 50, eps: 1e-5 }, steps: reps, batch, lr: 1e-4, ema: 0.9999, weighting: 'edm', seed: 0,
  checkpointEvery: 0, logEvery: 1000,
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
let torchMs: { refGrad?: number; refFull?: number; paperGrad?: number; paperFull?: number } = {};

/** The MLP's gradient computations: its two implementations and the reference. */
type GradientPath = 'tfjs' | 'backprop' | 'kernels';
const gradients: Record<GradientPath, (arch: MlpArchitecture, params: Float32Array[], b: Batch) => void> = {
  // train-tfjs.ts's computation, read back synchronously to keep the timing loop simple (wasm backend).
  tfjs: (arch, params, b) => {
    const shapes = parameterShapes(arch);
    const { value, grads } = tf.tidy(() => tf.valueAndGrads((...p: tf.Tensor[]) => batchLoss(arch, p, b))(params.map((p, i) => tf.tensor(p, shapes[i].shape))));
    value.dataSync();
    grads.forEach((g) => g.dataSync());
    tf.dispose([value, ...grads]);
  },
  backprop: backpropLossAndGradients,
  kernels: kernelLossAndGradients,
};

function gradientRow(label: string, arch: MlpArchitecture, path: GradientPath): number {
  const params = initialParameters(arch, createRng(2));
  const b = drawBatch(data, n, config(arch), 1);
  const ms = time(() => gradients[path](arch, params, b));
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

const customMs = gradientRow('reference model, tfjs custom-gradient layers (autodiff)', reference, 'tfjs');
const backpropMs = gradientRow('reference model, explicit backprop (JS elementwise, reference)', reference, 'backprop');
const kernelsMs = gradientRow('reference model, wasm SIMD kernels', reference, 'kernels');
gradientRow('paper arch E=128, tfjs custom-gradient layers (autodiff)', paper128, 'tfjs');
gradientRow('paper arch E=128, explicit backprop', paper128, 'backprop');
const paper128KernelMs = gradientRow('paper arch E=128, wasm SIMD kernels', paper128, 'kernels');
gradientRow('paper arch E=512, explicit backprop', paper512, 'backprop');
const paper512KernelMs = gradientRow('paper arch E=512, wasm SIMD kernels', paper512, 'kernels');

// The parts of a loop step outside tfjs.
{
  const cfg = config(paper128);
  const draw = batchDrawer(data, n, cfg);
  const into = drawBatch(data, n, cfg, 1);
  rows.push({ what: 'batch drawing (JS, paper arch E=128)', ms: time(() => draw(createRng(0).fork(1), into)), note: `${batch}×${d} normals, into reused memory (the tfjs path)` });
  const inKernels = mlpKernelBatches(data, n, cfg, timeLaw(cfg)).attach(new StepPlan(paper128, batch));
  const stepRng = forksOf(0);
  // Until V8 has compiled the kernel in its optimising tier (in the background: a few calls on a loaded machine).
  for (let i = 0; i < 50; i++) inKernels(stepRng(1));
  rows.push({ what: 'batch drawing (wasm, paper arch E=128)', ms: time(() => inKernels(stepRng(1))), note: 'the same bits, into the step plan (the kernel path)' });
  const state = initialOptimizerState(initialParameters(paper128, createRng(3)));
  const grads = state.params.map((p) => new Float32Array(p.length).fill(1e-3));
  const note = `${parameterCount(paper128)} parameters`;
  const scalars = adamScalars({ lr: 1e-4, ...ADAM_HYPERPARAMETERS }, 0.9999, 1);
  rows.push({ what: 'Adam + EMA update (JS reference, paper arch E=128)', ms: time(() => adamStepJs(state, grads, scalars)), note });
  rows.push({ what: 'Adam + EMA update (wasm, paper arch E=128)', ms: time(() => adamStep(state, grads, scalars)), note: `${note}, incl. copies in/out` });
}

// The loop against its yardstick, the bare kernel gradient step (forward + backward on what is already in
// wasm memory: no copies). Loop step = (T(3N) − T(N)) / 2N for N = reps steps, so the one-time set-up (plan,
// memory, JIT warm-up) cancels: a real run amortises it over tens of thousands of steps. On a shared machine
// both drift with the load, so the loop's step is also timed step by step in alternation with the bare step.
const bareMs: Record<string, number> = {};
const loopMs: Record<string, number> = {};
const loopRatio: Record<string, number> = {};
const pairedLoopMs: Record<string, number> = {};
const median = (v: number[]): number => [...v].sort((x, y) => x - y)[Math.floor(v.length / 2)];
async function loopSteps(arch: MlpArchitecture): Promise<Timing> {
  const run = async (steps: number): Promise<Timing> => {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await trainScoreNetwork(data, n, { ...config(arch), steps }, 'kernels');
    const c = process.cpuUsage(c0);
    return { wall: performance.now() - t0, cpu: (c.user + c.system) / 1000 };
  };
  await run(3); // warm-up
  const short = await run(reps);
  const long = await run(3 * reps);
  return { wall: (long.wall - short.wall) / (2 * reps), cpu: (long.cpu - short.cpu) / (2 * reps) };
}
for (const [label, arch] of [['reference model', reference], ['paper arch E=128', paper128]] as const) {
  const cfg = config(arch);
  const plan = new StepPlan(arch, batch);
  const params = initialParameters(arch, createRng(2));
  const b = drawBatch(data, n, cfg, 1);
  const f32 = plan.mem.f32;
  params.forEach((p, i) => f32.set(p, plan.param[i] / 4));
  f32.set(b.xIn, plan.xIn / 4);
  f32.set(b.target, plan.target / 4);
  if (b.emb) f32.set(b.emb, plan.emb / 4);
  // The loop's step, as trainScoreNetwork runs it (batch into wasm memory, gradients, Adam + EMA in place),
  // timed step by step in alternation with the bare step: each pair sees the same load.
  const resident = new ResidentTraining(arch, batch, mlpKernelBatches(data, n, cfg, timeLaw(cfg)), false);
  resident.load(initialOptimizerState(initialParameters(arch, createRng(2))));
  const adam = { lr: cfg.lr, ...ADAM_HYPERPARAMETERS };
  const cpuOf = (fn: () => void): number => {
    const c0 = process.cpuUsage();
    fn();
    const c = process.cpuUsage(c0);
    return (c.user + c.system) / 1000;
  };
  const stepRng = forksOf(cfg.seed);
  const bare: number[] = [], loop: number[] = [], ratios: number[] = [];
  for (let i = 1; i <= 5 * reps + 3; i++) {
    const tb = cpuOf(() => kernelBackprop(plan));
    const tl = cpuOf(() => resident.step(stepRng(i), adamScalars(adam, cfg.ema, i)));
    if (i <= 3) continue; // warm-up
    bare.push(tb);
    loop.push(tl);
    ratios.push(tl / tb);
  }
  bareMs[label] = median(bare);
  loopRatio[label] = median(ratios);
  pairedLoopMs[label] = median(loop);
  rows.push({ what: `${label}, kernel gradient step alone (data in wasm memory)`, ms: { cpu: bareMs[label], wall: NaN }, note: "the loop's yardstick" });
  rows.push({
    what: `${label}, loop step (batch + gradients + Adam/EMA, resident)`,
    ms: { cpu: median(loop), wall: NaN },
    note: `${loopRatio[label].toFixed(2)}× the bare step (goal ≤ 1.3): median of ${ratios.length} alternating pairs`,
  });
  // End to end through trainScoreNetwork, set-up cancelled.
  const end = await loopSteps(arch);
  loopMs[`${label}, kernels, resident state`] = end.cpu;
  rows.push({ what: `training loop step, ${label} (kernels, resident state)`, ms: end, note: 'trainScoreNetwork, (T(3N) − T(N)) / 2N' });
}

// Jacobian of the trained score (float64, forward mode) at d = 100: the wasm kernels and the JS reference.
let jacobianMs = NaN;
{
  const weights = { arch: paper128, sde: config(paper128).sde, step: 0, params: initialParameters(paper128, createRng(4)) };
  const model = new TrainedMlpScore(weights);
  const x = data.slice(0, d);
  const xs = data.slice(0, 128 * d);
  const jac = time(() => model.jacobian(x, 0.3));
  jacobianMs = jac.cpu;
  rows.push({ what: 'Jacobian per point, d=100, paper arch E=128 (wasm f64)', ms: jac, note: 'target ≤ 2 ms' });
  rows.push({ what: 'score of 128 points, d=100 (wasm f64)', ms: time(() => model.score(xs, 128, 0.3)), note: '' });
  const js = new TrainedMlpScore(weights, (a, p) => new JsMlpLayers(a, p));
  rows.push({ what: 'Jacobian per point, d=100, paper arch E=128 (JS f64 reference)', ms: time(() => js.jacobian(x, 0.3)), note: '' });
  rows.push({ what: 'score of 128 points, d=100 (JS f64 reference)', ms: time(() => js.score(xs, 128, 0.3)), note: '' });
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
  const out = runPeer('numpy', NUMPY_STEP);
  const [cpu, wall] = (out ?? '').trim().split(/\s+/).map(Number);
  if (out !== undefined && Number.isFinite(cpu)) {
    rows.push({ what: 'reference model, numpy (1 BLAS thread), outside reference', ms: { cpu, wall }, note: `numpy ${peerVersion('numpy')}; optional; not used by the product` });
  } else {
    rows.push({ what: 'reference model, numpy', ms: { cpu: NaN, wall: NaN }, note: 'skipped: python3 with numpy not available' });
  }
}

// PyTorch CPU (when a Python imports it: Debian's python3-torch), one thread, in the same run: the same two
// architectures' training step with autograd (forward, loss, backward), and with Adam + EMA on top.
const TORCH_STEP = `
import time, torch
torch.manual_seed(0)
B, d, H, NB = ${batch}, ${d}, 128, 2
F = torch.nn.functional
class Block(torch.nn.Module):
    def __init__(s, E, project):
        super().__init__()
        s.n1, s.l1, s.n2, s.l2 = torch.nn.LayerNorm(H), torch.nn.Linear(H, H), torch.nn.LayerNorm(H), torch.nn.Linear(H, H)
        s.tp = torch.nn.Linear(E, H) if project else None
    def forward(s, h, tau):
        z = s.l1(F.silu(s.n1(h)))
        if s.tp is not None: z = z + s.tp(tau)
        return h + s.l2(F.silu(s.n2(z)))
class Net(torch.nn.Module):
    def __init__(s, E, project):
        super().__init__()
        s.project = project
        s.inp = torch.nn.Linear(d if project else d + E, H)
        if project: s.t1, s.t2 = torch.nn.Linear(E, E), torch.nn.Linear(E, E)
        s.blocks = torch.nn.ModuleList([Block(E, project) for _ in range(NB)])
        s.hn, s.out = torch.nn.LayerNorm(H), torch.nn.Linear(H, d)
    def forward(s, x, emb):
        h = s.inp(x)
        tau = F.silu(s.t2(F.silu(s.t1(emb)))) if s.project else None
        for b in s.blocks: h = b(h, tau)
        return s.out(F.silu(s.hn(h)))
def med(f, reps=${reps}):
    for _ in range(3): f()
    cpu = []
    for _ in range(reps):
        c0 = time.process_time(); f(); cpu.append(time.process_time() - c0)
    return sorted(cpu)[len(cpu) // 2] * 1e3
out = []
for E, project in ((32, False), (128, True)):
    net = Net(E, project)
    x = torch.randn(B, d if project else d + E); emb = torch.randn(B, E); target = torch.randn(B, d)
    opt = torch.optim.Adam(net.parameters(), lr=1e-4)
    ema = [p.detach().clone() for p in net.parameters()]
    def grad():
        net.zero_grad(set_to_none=True)
        F.mse_loss(net(x, emb), target).backward()
    def full():
        grad(); opt.step()
        with torch.no_grad():
            for e, p in zip(ema, net.parameters()): e.mul_(0.999).add_(p, alpha=0.001)
    out += [med(grad), med(full)]
print(*out)
`;
{
  const version = peerVersion('torch');
  const out = version === null ? undefined : runPeer('torch', TORCH_STEP);
  const [refGrad, refFull, paperGrad, paperFull] = (out ?? '').trim().split(/\s+/).map(Number);
  const note = out === undefined ? 'skipped: no Python imports torch (apt-get install python3-torch)' : `torch ${version} (${interpreterFor('torch')}), 1 thread; optional`;
  rows.push({ what: 'reference model, PyTorch CPU autograd step', ms: { cpu: refGrad ?? NaN, wall: NaN }, note });
  rows.push({ what: 'reference model, PyTorch CPU step + Adam + EMA', ms: { cpu: refFull ?? NaN, wall: NaN }, note });
  rows.push({ what: 'paper arch E=128, PyTorch CPU autograd step', ms: { cpu: paperGrad ?? NaN, wall: NaN }, note });
  rows.push({ what: 'paper arch E=128, PyTorch CPU step + Adam + EMA', ms: { cpu: paperFull ?? NaN, wall: NaN }, note });
  torchMs = { refGrad, refFull, paperGrad, paperFull };
}

console.log(`backend: ${backend}; median of ${reps} runs; batch ${batch}; ms = CPU time (wall-clock in brackets)`);
const w = Math.max(...rows.map((r) => r.what.length));
console.log(`${'what'.padEnd(w)}  ${'cpu ms'.padStart(8)}  ${'(wall)'.padStart(9)}  note`);
for (const r of rows) {
  console.log(`${r.what.padEnd(w)}  ${r.ms.cpu.toFixed(2).padStart(8)}  ${`(${r.ms.wall.toFixed(2)})`.padStart(9)}  ${r.note}`);
}
const best = Math.min(customMs, backpropMs, kernelsMs);
console.log(`\nreference model: wasm kernels ${(customMs / kernelsMs).toFixed(2)}× faster than the tfjs layers on ${backend}, ${(backpropMs / kernelsMs).toFixed(2)}× the explicit backprop`);
console.log(`goal ≤ 6 ms/step (reference model): ${best <= 6 ? 'met' : 'not met'} (${best.toFixed(2)} ms CPU time)`);
const numpy = rows.find((r) => r.what.startsWith('reference model, numpy'));
if (numpy && Number.isFinite(numpy.ms.cpu)) {
  console.log(`same run, CPU time, ours / numpy (reference model gradient step): explicit backprop ${(backpropMs / numpy.ms.cpu).toFixed(2)}, wasm kernels ${(kernelsMs / numpy.ms.cpu).toFixed(2)}`);
}
const loopRef = loopMs['reference model, kernels, resident state'], loopPaper = loopMs['paper arch E=128, kernels, resident state'];
console.log(
  `same run, CPU time, ours / PyTorch CPU: gradient step ${ratio(kernelsMs, torchMs.refGrad)} (reference), ${ratio(paper128KernelMs, torchMs.paperGrad)} (paper E=128); ` +
    `training step with Adam + EMA ${ratio(loopRef, torchMs.refFull)} (reference), ${ratio(loopPaper, torchMs.paperFull)} (paper E=128)`,
);
for (const label of ['paper arch E=128', 'reference model']) {
  const r = loopRatio[label];
  console.log(
    `goal: training loop ≤ 1.3× its gradient step (${label}${label === 'paper arch E=128' ? ', the quick profile\'s network' : ''}): ${r <= 1.3 ? 'met' : 'not met'} ` +
      `(${r.toFixed(3)}×, median of alternating pairs: ${pairedLoopMs[label].toFixed(2)} ms vs ${bareMs[label].toFixed(2)} ms)`,
  );
}
console.log(`goal ≤ 2 ms per Jacobian (d = 100, float64): ${jacobianMs <= 2 ? 'met' : 'not met'} (${jacobianMs.toFixed(2)} ms CPU time)`);
// CPU ms are the wall time on an idle core. The paper profile's network has E = 512: its loop step is the
// E = 128 loop step with the E = 512 gradients in place of the E = 128 ones.
const quickSteps = trainStage.params.steps.default;
for (const how of ['kernels, resident state']) {
  const quick = loopMs[`paper arch E=128, ${how}`];
  console.log(`quick profile (train.steps = ${quickSteps}, paper arch E=128, ${how}): ≈ ${((quickSteps * quick) / 60000).toFixed(1)} min per model`);
}
const paperStep = loopMs['paper arch E=128, kernels, resident state'] - paper128KernelMs + paper512KernelMs;
console.log(`paper profile (2 000 000 steps, E=512, kernels): ≈ ${paperStep.toFixed(1)} ms a step, ${((2e6 * paperStep) / 3.6e6).toFixed(1)} h per model`);
