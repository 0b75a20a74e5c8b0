// Cost of the random-matrix theory. The density solver (Newton with continuation in λ from the middle of
// each bulk, η-continuation only as a fallback) is compared with the plain reference most codes use: the
// damped fixed point g ← 1/(−z + α Σ f σ²/(1 + σ² g)) at z = λ + iη with a small fixed η (1e-6 × scale),
// measured in the same run on the same nodes; the table also shows the reference's density error (its
// η smears the edges) against the Newton solution. Then the fit's loss evaluation and one full fit.
// Run: npx tsx bench/theory.ts        Targets: density of a 2-group profile ≤ 30 ms; one fit ≤ 3 s.

import { spectralDensity } from '../theory/density.ts';
import { dampedFixedPointStep } from '../theory/stieltjes.ts';
import { bulkEdges } from '../theory/edges.ts';
import { fitProfile, quantileLoss } from '../theory/fit.ts';
import { FULL_FIT, slicesAt } from '../theory/fit-tables.ts';
import { monteCarloSpectra } from '../theory/montecarlo-table.ts';
import type { VarianceProfile } from '../theory/profile.ts';
import { medianSpectrum, spectraSeries } from '../theory/spectra-table.ts';

function time(fn: () => unknown, budgetMs = 500, minReps = 3): number {
  fn();
  const times: number[] = [];
  const start = performance.now();
  while (times.length < minReps || performance.now() - start < budgetMs) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
    if (times.length >= 200) break;
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

/** Reference: damped fixed point at z = λ + iη, η fixed; returns the density and the iterations used. */
function fixedPointDensity(p: VarianceProfile, lambda: number, eta: number): { rho: number; iterations: number } {
  let gr = 0;
  let gi = 1 / eta;
  let it = 0;
  for (; it < 200000; it++) {
    const [nr, ni] = dampedFixedPointStep(p, lambda, eta, gr, gi);
    const change = Math.hypot(nr - gr, ni - gi);
    gr = nr;
    gi = ni;
    if (change <= 1e-12 * Math.hypot(gr, gi)) break;
  }
  return { rho: gi / Math.PI, iterations: it };
}

const profiles: Array<[string, VarianceProfile]> = [
  ['MP α=0.5', { alpha: 0.5, fractions: [1], variances: [1] }],
  ['fig2 (α=0.5, f=0.75)', { alpha: 0.5, fractions: [0.75, 0.25], variances: [1, 0.01] }],
  ['10 variances', { alpha: 0.4, fractions: Array(10).fill(0.1), variances: Array.from({ length: 10 }, (_, i) => 0.01 + 0.11 * i) }],
];

console.log('density on 256 nodes per bulk');
console.log('profile                 | edges ms | Newton+continuation ms | fixed point (η=1e-6) ms | fixed-point iters | max |Δρ|/max ρ');
for (const [name, p] of profiles) {
  const edgesMs = time(() => bulkEdges(p));
  const ms = time(() => spectralDensity(p, 256));
  const sd = spectralDensity(p, 256);
  const nodes = sd.bulks.flatMap((b) => Array.from(b.lambda));
  const ref = sd.bulks.flatMap((b) => Array.from(b.density));
  const scale = Math.max(...p.variances);
  let iters = 0;
  const refMs = time(() => {
    iters = 0;
    for (const l of nodes) iters += fixedPointDensity(p, l, 1e-6 * scale).iterations;
  }, 300, 1);
  let err = 0;
  for (let i = 0; i < nodes.length; i++) err = Math.max(err, Math.abs(fixedPointDensity(p, nodes[i], 1e-6 * scale).rho - ref[i]));
  console.log(
    `${name.padEnd(23)} | ${edgesMs.toFixed(2).padStart(8)} | ${ms.toFixed(2).padStart(22)} | ${refMs.toFixed(1).padStart(23)} | ${String(iters).padStart(17)} | ${(err / Math.max(...ref)).toExponential(2)}`,
  );
}

const sp = monteCarloSpectra({
  groups: [
    { fraction: 0.75, variance: 1 },
    { fraction: 0.25, variance: 0.01 },
  ],
  d: 100,
  m: 40,
  draws: 10,
  sde: { sigmaMin: 0.01, sigmaMax: 50, eps: 1e-5 },
  sPoints: 100,
  seed: 1,
  scaling: '1/d',
});
const ser = spectraSeries(sp, sp.t.length, 'eig', 'any')[0];
const targets = slicesAt(ser, [1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 1]).map((sl) => ({ s: sl.s, spectrum: medianSpectrum(sl.points) }));
const truth: VarianceProfile = { alpha: 0.4, fractions: [0.75, 0.25], variances: [1, 0.01] };
console.log('\nfit (d = 100, 7 values of s, fig3-left profile)');
console.log(`loss evaluation: ${time(() => quantileLoss(truth, targets, 100)).toFixed(2)} ms`);
let result = fitProfile(targets, { groups: 2, ...FULL_FIT });
const fitMs = time(() => (result = fitProfile(targets, { groups: 2, ...FULL_FIT })), 1000, 1);
console.log(`one fit: ${fitMs.toFixed(0)} ms → m = ${result.m.toFixed(2)}, f = ${JSON.stringify(result.profile.fractions.map((f) => +f.toFixed(3)))}, σ² = ${JSON.stringify(result.profile.variances.map((v) => +v.toPrecision(3)))}`);
