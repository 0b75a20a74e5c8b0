// The `fit` and `wasserstein` tables of the fit stage (docs/dag.md): fit a K-group profile to measured
// spectra at a few s, bootstrap over evaluation points for the uncertainty, align the fitted groups with
// the truth (by variance rank; label switching makes the raw order meaningless), and W1 per time.

import { spectralCdf, spectralDensity } from './density.ts';
import { fitProfile, percentileInterval, wasserstein1, type FitTarget, type FittedProfile } from './fit.ts';
import type { VarianceProfile } from './profile.ts';
import { medianSpectrum, type SpectraSeries, type SpectrumSlice } from './spectra-table.ts';
import { createRng } from '../science/random.ts';

/** The full fit: a wide first simplex, then two restarts from its optimum with a narrower one. */
export const FULL_FIT = { steps: [1, 0.3, 0.3], maxEvaluations: 400 };
/** A bootstrap refit starts at the full fit's optimum: one narrow round. */
const BOOTSTRAP_REFIT = { steps: [0.2], maxEvaluations: 300 };
/** The bootstrap interval's coverage (the fit table's lo, hi). */
const INTERVAL = 0.95;
/** Density nodes per bulk of the theory W1 is measured against. */
const W1_NODES = 256;

interface FitTableOptions {
  groups: number;
  /** s values to fit at; each picks the nearest s of the series (log distance), duplicates dropped. */
  at: number[];
  bootstrap: number;
  seed: number;
  /** The truth (profile table), if known. */
  truth?: { profile: VarianceProfile; m: number };
  onProgress?: (fraction: number, message: string) => void;
}

/** The slices nearest (in log s) to each requested s, without duplicates, in decreasing s. */
export function slicesAt(series: SpectraSeries, at: number[]): SpectrumSlice[] {
  const chosen = new Set<SpectrumSlice>();
  for (const want of at) {
    if (!(want > 0)) throw new Error(`fit: every 'at' value must be an s > 0, got ${want}`);
    let best = series.slices[0];
    for (const sl of series.slices) if (Math.abs(Math.log(sl.s / want)) < Math.abs(Math.log(best.s / want))) best = sl;
    chosen.add(best);
  }
  return [...chosen].sort((a, b) => b.s - a.s);
}

/** Parameter names and values in a fixed order, groups aligned with the truth's order (else by variance, largest first). */
function namedParameters(f: FittedProfile, groups: number, truth?: VarianceProfile): Array<[string, number]> {
  const fittedOrder = f.profile.variances.map((_, k) => k).sort((a, b) => f.profile.variances[b] - f.profile.variances[a]);
  let slotOf: number[] = fittedOrder; // slot i of the output holds fitted group slotOf[i]
  if (truth && truth.variances.length === groups) {
    const truthOrder = truth.variances.map((_, k) => k).sort((a, b) => truth.variances[b] - truth.variances[a]);
    slotOf = new Array<number>(groups);
    truthOrder.forEach((tk, rank) => (slotOf[tk] = fittedOrder[rank]));
  }
  const out: Array<[string, number]> = [
    ['m', f.m],
    ['alpha', f.profile.alpha],
  ];
  if (groups === 2) out.push(['f', f.profile.fractions[slotOf[0]]]);
  else if (groups > 2) slotOf.forEach((k, i) => out.push([`f${i + 1}`, f.profile.fractions[k]]));
  slotOf.forEach((k, i) => out.push([`sigma${i + 1}sq`, f.profile.variances[k]]));
  return out;
}

function truthValues(truth: FitTableOptions['truth'], groups: number): Map<string, number> {
  const map = new Map<string, number>();
  if (!truth) return map;
  map.set('m', truth.m);
  map.set('alpha', truth.profile.alpha);
  if (truth.profile.variances.length !== groups) return map;
  if (groups === 2) map.set('f', truth.profile.fractions[0]);
  else if (groups > 2) truth.profile.fractions.forEach((f, i) => map.set(`f${i + 1}`, f));
  truth.profile.variances.forEach((v, i) => map.set(`sigma${i + 1}sq`, v));
  return map;
}

export function fitTables(fitSeries: SpectraSeries, allSeries: SpectraSeries[], o: FitTableOptions) {
  const slices = slicesAt(fitSeries, o.at);
  const targets: FitTarget[] = slices.map((sl) => ({ s: sl.s, spectrum: medianSpectrum(sl.points) }));
  const full = fitProfile(targets, { groups: o.groups, ...FULL_FIT });
  o.onProgress?.(0.1, `fitted at ${targets.length} s values: m = ${full.m.toFixed(2)}`);
  const named = namedParameters(full, o.groups, o.truth?.profile);
  const samples: number[][] = named.map(() => []);
  const rng = createRng(o.seed);
  for (let b = 0; b < o.bootstrap; b++) {
    const resampled: FitTarget[] = slices.map((sl) => {
      const pts = Array.from({ length: sl.points.length }, () => sl.points[rng.int(sl.points.length)]);
      return { s: sl.s, spectrum: medianSpectrum(pts) };
    });
    const refit = fitProfile(resampled, { groups: o.groups, start: full.coordinates, ...BOOTSTRAP_REFIT });
    namedParameters(refit, o.groups, o.truth?.profile).forEach(([, v], i) => samples[i].push(v));
    o.onProgress?.(0.1 + (0.8 * (b + 1)) / o.bootstrap, `bootstrap ${b + 1}/${o.bootstrap}`);
  }
  const truth = truthValues(o.truth, o.groups);
  const fit = {
    parameter: named.map(([n]) => n),
    truth: Float64Array.from(named.map(([n]) => truth.get(n) ?? NaN)),
    fitted: Float64Array.from(named.map(([, v]) => v)),
    lo: Float64Array.from(named.map(([, v], i) => (o.bootstrap > 0 ? percentileInterval(samples[i], INTERVAL).lo : v))),
    hi: Float64Array.from(named.map(([, v], i) => (o.bootstrap > 0 ? percentileInterval(samples[i], INTERVAL).hi : v))),
  };

  // W1 against the true profile's theory when known, otherwise against the fitted one.
  const reference = o.truth?.profile ?? full.profile;
  const cdf = spectralCdf(spectralDensity(reference, W1_NODES));
  const w = { score: [] as string[], method: [] as string[], t: [] as number[], s: [] as number[], w1: [] as number[] };
  for (const ser of allSeries) {
    for (const sl of ser.slices) {
      w.score.push(ser.score);
      w.method.push(ser.method);
      w.t.push(sl.t);
      w.s.push(sl.s);
      w.w1.push(wasserstein1(sl.points, cdf, sl.s));
    }
  }
  return {
    fitted: full,
    fit,
    wasserstein: { score: w.score, method: w.method, t: Float64Array.from(w.t), s: Float64Array.from(w.s), w1: Float64Array.from(w.w1) },
  };
}
