// WebGPU against wasm in one run: the adapter, the parity figures (test/gpu/parity-cases.ts), then times of
// - the MLP training step (paper architecture: hidden 128, 2 blocks, d = 100, batch 128) at E = 128 and 512:
//   loss, gradients and Adam on the backend, only the loss read back;
// - the U-Net training step at the paper profile's widths and batch (config/profiles.ts, 28 × 28 images);
// - the Jacobian ∂F/∂u per point of the MLP at d = 100 and d = 784 (one batched reverse pass) and of the
//   U-Net at d = 784 (forward mode, the spectra stage's path).
// The first call of each row compiles its shaders (webgpu) or warms the caches; the median of the rest is shown.
// Then, with --train-steps N, N consecutive Adam steps of that U-Net on webgpu: steps/s and the projected
// time per model at the paper profile's train-images.steps.
// Run: npx tsx bench/gpu.ts [--quick] [--reps 3] [--no-wasm] [--no-times] [--train-steps N] [--json FILE]
//   --quick: small sizes (U-Net 8/16/16 at batch 8, its Jacobian on 14 × 14 images) and one timed
//   repetition: lavapipe computes on the CPU, so on it this is a correctness run.
import { writeFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { PROFILES } from '../config/profiles.ts';
import { unetForward, unetParameterShapes, type UnetArchitecture } from '../images/unet.ts';
import { parameterShapes, type MlpArchitecture } from '../science/mlp-architecture.ts';
import { denoisingLoss } from '../science/mlp.ts';
import { initBackend, webgpuAdapter } from '../science/tf-backend.ts';
import { compareBackends, mlpArch, mlpInputs, mlpJacobian, parityCases, unetArch, unetInputs, unetJacobian } from '../test/gpu/parity-cases.ts';

const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(name);
const option = (name: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const quick = flag('--quick');
const reps = Number(option('--reps') ?? (quick ? 1 : 3));
const backends = flag('--no-wasm') ? ['webgpu'] : ['wasm', 'webgpu'];

const paperImages = (PROFILES.paper['train-images'] ?? {}) as { widths?: number[]; batch?: number; steps?: number };
const trainSteps = Number(option('--train-steps') ?? 0);
const unetWidths = quick ? [8, 16, 16] : (paperImages.widths ?? [32, 64, 64]);
const unetBatch = quick ? 8 : (paperImages.batch ?? 128);
const mlpBatch = quick ? 32 : 128;

async function median(run: () => Promise<void>): Promise<number> {
  await run(); // shader compilation, allocation
  const times: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    await run();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

/** One Adam step of the MLP on the active backend; only the loss comes back to the CPU. */
function mlpTrainer(arch: MlpArchitecture) {
  const inputs = mlpInputs(arch, mlpBatch, 3);
  const shapes = parameterShapes(arch);
  const vars = inputs.params.map((p, i) => tf.variable(tf.tensor(p, shapes[i].shape)));
  const B = inputs.B;
  const xIn = tf.tensor2d(inputs.batch.xIn, [B, arch.d]);
  const emb = tf.tensor2d(inputs.batch.emb!, [B, arch.timeEmbed]);
  const target = tf.tensor2d(inputs.batch.target, [B, arch.d]);
  const opt = tf.train.adam(1e-4);
  return {
    step: async () => {
      const loss = opt.minimize(() => denoisingLoss(arch, vars, xIn, emb, target), true, vars)!;
      await loss.data();
      loss.dispose();
    },
    dispose: () => {
      opt.dispose();
      tf.dispose([...vars, xIn, emb, target]);
    },
  };
}

/** One Adam step of the U-Net on mean |F − target|² (the training loss of images/train-score-net.ts is this after preconditioning). */
function unetTrainer(arch: UnetArchitecture, batch: number) {
  const inputs = unetInputs(arch, batch, 5);
  const shapes = unetParameterShapes(arch);
  const [, H, W] = arch.shape;
  const vars = inputs.params.map((p, i) => tf.variable(tf.tensor(p, shapes[i].shape)));
  const x = tf.tensor4d(inputs.x, [batch, H, W, 1]);
  const target = tf.tensor4d(inputs.target, [batch, H, W, 1]);
  const emb = tf.tensor2d(inputs.emb, [batch, arch.timeEmbed]);
  const opt = tf.train.adam(2e-4);
  return {
    step: async () => {
      const loss = opt.minimize(() => tf.mean(tf.squaredDifference(unetForward(arch, vars, { p: x }, emb).p, target)) as tf.Scalar, true, vars)!;
      await loss.data();
      loss.dispose();
    },
    dispose: () => {
      opt.dispose();
      tf.dispose([...vars, x, target, emb]);
    },
  };
}

interface Row {
  what: string;
  ms: Record<string, number>;
}

async function timings(): Promise<Row[]> {
  const rows: Row[] = [];
  const add = async (what: string, make: () => { run: () => Promise<void>; dispose?: () => void }) => {
    const row: Row = { what, ms: {} };
    for (const b of backends) {
      await tf.setBackend(b);
      const m = make();
      row.ms[b] = await median(m.run);
      m.dispose?.();
      console.log(`  ${what} on ${b}: ${row.ms[b].toFixed(1)} ms`);
    }
    rows.push(row);
  };
  for (const E of quick ? [128] : [128, 512]) {
    const arch = mlpArch(100, E);
    await add(`MLP step, d = 100, E = ${E}, batch ${mlpBatch}`, () => {
      const t = mlpTrainer(arch);
      return { run: t.step, dispose: t.dispose };
    });
  }
  const u = unetArch(28, unetWidths, 64);
  await add(`U-Net step, widths ${unetWidths.join('/')}, batch ${unetBatch}`, () => {
    const t = unetTrainer(u, unetBatch);
    return { run: t.step, dispose: t.dispose };
  });
  for (const d of quick ? [100] : [100, 784]) {
    const arch = mlpArch(d, 128);
    const inputs = mlpInputs(arch, 1, 9);
    await add(`MLP Jacobian per point, d = ${d}`, () => ({ run: async () => void (await mlpJacobian(arch, inputs)) }));
  }
  const side = quick ? 14 : 28;
  const uj = unetArch(side, unetWidths, 64);
  const ujInputs = unetInputs(uj, 1, 13);
  await add(`U-Net Jacobian per point, d = ${side * side}, widths ${unetWidths.join('/')}`, () => ({ run: async () => void (await unetJacobian(uj, ujInputs)) }));
  return rows;
}

const startedAt = performance.now();
await initBackend('webgpu', (line) => console.log(line));
await initBackend('wasm');
const adapter = webgpuAdapter!;
console.log(`adapter: ${adapter.adapter.name} (${adapter.adapter.software ? 'software, computes on the CPU' : 'hardware'})${adapter.adapter.description ? `, ${adapter.adapter.description}` : ''}`);

console.log('\nparity, webgpu against wasm (largest error over the quantity\'s largest entry; gradients over the whole gradient\'s):');
const parity = await compareBackends(parityCases());
const perCase = new Map<string, { worst: number; value: string; ok: boolean }>();
for (const r of parity) {
  const w = perCase.get(r.case);
  const ok = r.error <= r.tolerance && (w?.ok ?? true);
  if (!w || r.error > w.worst) perCase.set(r.case, { worst: r.error, value: r.value, ok });
  else w.ok = ok;
}
for (const [c, w] of perCase) console.log(`  ${w.ok ? 'ok  ' : 'FAIL'} ${c}: worst ${w.value} ${w.worst.toExponential(2)}`);

const rows: Row[] = [];
if (!flag('--no-times')) {
  console.log(`\ntimes (median of ${reps} after one warm-up; wasm: one thread, SIMD):`);
  rows.push(...(await timings()));
  console.log('\n| what | ' + backends.join(' ms | ') + ' ms |' + (backends.length === 2 ? ' webgpu / wasm |' : ''));
  console.log('| --- | ' + backends.map(() => '---').join(' | ') + ' |' + (backends.length === 2 ? ' --- |' : ''));
  for (const r of rows) {
    const cells = backends.map((b) => r.ms[b].toFixed(1));
    console.log(`| ${r.what} | ${cells.join(' | ')} |${backends.length === 2 ? ` ${(r.ms.webgpu / r.ms.wasm).toFixed(2)} |` : ''}`);
  }
}
let training: { steps: number; seconds: number; stepsPerSecond: number; paperSteps: number; projectedHours: number } | undefined;
if (trainSteps > 0) {
  await tf.setBackend('webgpu');
  const t = unetTrainer(unetArch(28, unetWidths, 64), unetBatch);
  await t.step(); // shaders
  const t0 = performance.now();
  for (let s = 0; s < trainSteps; s++) await t.step();
  const seconds = (performance.now() - t0) / 1000;
  t.dispose();
  const paperSteps = paperImages.steps ?? 100_000;
  training = { steps: trainSteps, seconds, stepsPerSecond: trainSteps / seconds, paperSteps, projectedHours: paperSteps / (trainSteps / seconds) / 3600 };
  console.log(
    `\nU-Net training on webgpu (widths ${unetWidths.join('/')}, batch ${unetBatch}): ${trainSteps} steps in ${seconds.toFixed(1)} s = ${training.stepsPerSecond.toFixed(2)} steps/s; ` +
      `the paper profile's ${paperSteps} steps: ${training.projectedHours.toFixed(1)} h per model`,
  );
}
const allOk = [...perCase.values()].every((w) => w.ok);
const json = option('--json');
if (json) writeFileSync(json, JSON.stringify({ adapter: adapter.adapter, parity, rows, training, quick, reps, seconds: (performance.now() - startedAt) / 1000 }, null, 2));
console.log(`\nparity ${allOk ? 'ok' : 'FAILED'}; ${((performance.now() - startedAt) / 1000).toFixed(0)} s in all`);
// Dawn keeps the process alive while its instance exists.
process.exit(allOk ? 0 : 1);
