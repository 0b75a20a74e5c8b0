// How the U-Net's spectrum at the smallest t changes with training cost on CPU (issue 15, item 3): the
// existing U-Net (images/unet.ts) trained on the quick profile's MNIST subset for increasing step counts,
// each from scratch with the same seed, and at t = t_min the eigenvalues of sym(s·J) at the same noised
// images: how many sit above −0.5 (tangent-like), how many below −1.1 (impossible for an exact score,
// whose s·J ≥ −1), and the widest spacing — a final gap needs one wider than Δ = 0.1 that separates a
// block at −1 from one near 0. CPU time per training comes from process.cpuUsage (the machine is shared).
// Run: npx tsx bench/unet-budget.ts [--steps 100,400] [--widths 8,16,16] [--batch 32] [--points 2]

import { loadImages } from '../images/dataset.ts';
import { trainImageScoreNet } from '../images/train-score-net.ts';
import { UnetScoreModel } from '../images/unet-score.ts';
import type { ImageScoreNet } from '../images/score-net.ts';
import type { UnetArchitecture } from '../images/unet.ts';
import { symmetricEigenvalues, symmetricPart } from '../linalg/index.ts';
import { createRng } from '../science/random.ts';
import { VE_DEFAULTS, VeSde } from '../science/sde.ts';
import { initBackend } from '../science/tf-backend.ts';
import { detectGaps } from '../theory/gap-detection.ts';

function argList(name: string, fallback: string): number[] {
  const i = process.argv.indexOf(name);
  return (i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback).split(',').map(Number);
}

const cpuMs = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};

await initBackend('wasm');
const budgets = argList('--steps', '100,400');
const widths = argList('--widths', '8,16,16');
const [batch] = argList('--batch', '32');
const [points] = argList('--points', '2');
const d = 784;
// The quick profile's images node: 2000 MNIST digits, seed 0.
const set = loadImages({ dataset: 'mnist', n: 2000, classes: [], seed: 0 });
const sde = new VeSde(VE_DEFAULTS);
const t = VE_DEFAULTS.eps;
const sigma = sde.sigma(t);
const rng = createRng(7);
const xs = Array.from({ length: points }, (_, p) => Float64Array.from(set.x.subarray(p * d, (p + 1) * d), (v) => v + sigma * rng.normal()));

console.log(`U-Net ${widths.join('/')}, batch ${batch}, lr 2e-3, ema 0.999, MNIST n = ${set.n}; spectra at t = ${t} (s = ${sde.variance(t).toExponential(1)}) at ${points} noised images`);
console.log('| steps | CPU s training | s / step (wall) | final loss | eig > −0.5 | eig < −1.1 | min eig | max eig | widest spacing (at) | gaps > 0.1 |');
console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |');
for (const steps of budgets) {
  const c0 = cpuMs();
  const w0 = performance.now();
  const result = await trainImageScoreNet(set.x, set.n, d, {
    arch: { kind: 'unet', widths, timeEmbed: 64 },
    sde: VE_DEFAULTS,
    conditioning: 'pixel',
    steps,
    batch,
    lr: 2e-3,
    ema: 0.999,
    seed: 0,
    logEvery: Math.max(1, Math.floor(steps / 10)),
    checkpointEvery: 0,
  }, 'tfjs');
  const cpu = (cpuMs() - c0) / 1000;
  const wallPerStep = (performance.now() - w0) / 1000 / steps;
  const model = new UnetScoreModel(result.net as ImageScoreNet<UnetArchitecture>, result.params);
  const stats: Array<{ above: number; below: number; min: number; max: number; widest: string; gaps: string }> = [];
  for (const x of xs) {
    const eig = symmetricEigenvalues(symmetricPart(await model.scaledJacobian(x, sigma), d), d);
    let widest = 0;
    let at = 0;
    for (let i = 0; i + 1 < d; i++) if (eig[i + 1] - eig[i] > widest) [widest, at] = [eig[i + 1] - eig[i], i + 1];
    stats.push({
      above: eig.filter((v) => v > -0.5).length,
      below: eig.filter((v) => v < -1.1).length,
      min: eig[0],
      max: eig[d - 1],
      widest: `${widest.toFixed(3)} (rank ${at}, ${eig[at - 1].toFixed(2)} → ${eig[at].toFixed(2)})`,
      gaps: detectGaps(eig, 0.1).map((g) => `${g.countBelow}`).join(' ') || 'none',
    });
  }
  model.dispose();
  const col = (f: (s: (typeof stats)[number]) => string | number) => stats.map(f).join(' / ');
  const loss = result.lossRows.at(-1)?.loss ?? NaN;
  console.log(
    `| ${steps} | ${cpu.toFixed(0)} | ${wallPerStep.toFixed(2)} | ${loss.toFixed(3)} | ${col((s) => s.above)} | ${col((s) => s.below)} | ${col((s) => s.min.toFixed(2))} | ${col((s) => s.max.toFixed(2))} | ${col((s) => s.widest)} | ${col((s) => s.gaps)} |`,
  );
}
