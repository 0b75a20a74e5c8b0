// Random-matrix theory against closed forms, the worked example of science.md §7 and Monte-Carlo.
import { describe, expect, it } from 'vitest';
import { densityAt, spectralCdf, spectralDensity, quantileAt } from '../../theory/density.ts';
import { bulkEdges, marchenkoPasturDensity, marchenkoPasturEdges } from '../../theory/edges.ts';
import { dimensionDrop, intermediateGapWidth, theoryGaps, theoryPhases } from '../../theory/gap-theory.ts';
import { covarianceEigenvalues } from '../../theory/montecarlo.ts';
import { rescaledDensity } from '../../theory/rescaled-spectrum.ts';
import { stieltjesByContinuation } from '../../theory/stieltjes.ts';
import type { VarianceProfile } from '../../theory/profile.ts';
import { createRng } from '../../science/random.ts';
import { VE_DEFAULTS, VeSde } from '../../science/sde.ts';

const sde = new VeSde(VE_DEFAULTS);

function drawF(d: number, m: number, seed: number): Float64Array {
  const F = new Float64Array(d * m);
  createRng(seed).fillNormal(F);
  for (let i = 0; i < F.length; i++) F[i] /= Math.sqrt(d);
  return F;
}

const worked: VarianceProfile = { alpha: 0.4, fractions: [0.5, 0.5], variances: [1, 0.01] };

describe('density of C', () => {
  const profiles: VarianceProfile[] = [
    { alpha: 0.3, fractions: [1], variances: [2] },
    worked,
    { alpha: 0.5, fractions: [0.75, 0.25], variances: [1, 0.01] },
    { alpha: 0.9, fractions: [0.2, 0.3, 0.5], variances: [3, 0.5, 0.02] },
    { alpha: 0.4, fractions: Array(10).fill(0.1), variances: Array.from({ length: 10 }, (_, i) => 0.01 + 0.11 * i) },
  ];
  it.each(profiles.map((p, i) => [i, p] as const))('non-zero part integrates to alpha (profile %i)', (_i, p) => {
    const sd = spectralDensity(p, 256);
    expect(Math.abs(sd.mass - p.alpha)).toBeLessThan(1e-3);
  });

  it('each separated bulk holds α × the fraction of its variance group (exact separation)', () => {
    const sd = spectralDensity({ alpha: 0.9, fractions: [0.2, 0.3, 0.5], variances: [3, 0.5, 0.02] }, 256);
    expect(sd.bulks.length).toBe(3);
    expect(sd.bulks.map((b) => b.mass / 0.9)).toEqual([expect.closeTo(0.5, 3), expect.closeTo(0.3, 3), expect.closeTo(0.2, 3)]);
  });

  it('single variance is Marchenko–Pastur: edges σ²(1 ± √α)² and the closed-form density', () => {
    for (const [v, a] of [
      [2, 0.3],
      [0.5, 0.8],
      [1, 1],
    ]) {
      const bulks = bulkEdges({ alpha: a, fractions: [1], variances: [v] });
      const mp = marchenkoPasturEdges(v, a);
      expect(bulks.length).toBe(1);
      expect(bulks[0].lower).toBeCloseTo(mp.lower, 9);
      expect(bulks[0].upper).toBeCloseTo(mp.upper, 9);
      // Pointwise density straight from the Stieltjes solver (no interpolation).
      for (let k = 1; k < 20; k++) {
        const l = mp.lower + ((mp.upper - mp.lower) * k) / 20;
        const rho = stieltjesByContinuation({ alpha: a, fractions: [1], variances: [v] }, l).im / Math.PI;
        expect(Math.abs(rho - marchenkoPasturDensity(l, v, a))).toBeLessThan(1e-9 * (1 + marchenkoPasturDensity(l, v, a)));
      }
    }
  });

  it('outside the bulks the density vanishes', () => {
    const sd = spectralDensity(worked, 256);
    expect(densityAt(sd, 0.1)).toBe(0);
    expect(stieltjesByContinuation(worked, 0.1).im).toBeLessThan(1e-12);
    expect(stieltjesByContinuation(worked, 3).im).toBeLessThan(1e-12);
  });
});

describe('worked example of science.md §7 (α = 0.4, f = 0.5, σ² = 1, 0.01)', () => {
  const bulks = bulkEdges(worked);
  it('bulk edges ≈ [0.00199, 0.01795] ∪ [0.3076, 2.0964]', () => {
    expect(bulks.length).toBe(2);
    expect(bulks[0].lower).toBeCloseTo(0.00199, 5);
    expect(bulks[0].upper).toBeCloseTo(0.01795, 5);
    expect(bulks[1].lower).toBeCloseTo(0.3076, 4);
    expect(bulks[1].upper).toBeCloseTo(2.0964, 4);
  });
  it('intermediate gap: s_max ≈ 0.0743, height ≈ 0.611, and G_I is largest there', () => {
    const gaps = theoryGaps(bulks, 0.1, sde);
    const gi = gaps.find((g) => g.kind === 'intermediate')!;
    expect(gi.sMax).toBeCloseTo(0.0743, 4);
    expect(gi.height).toBeCloseTo(0.611, 3);
    const w = (s: number) => intermediateGapWidth(gi.upperEdge, gi.lowerEdge, s);
    expect(w(gi.sMax)).toBeCloseTo(gi.height, 12);
    expect(w(gi.sMax * 1.01)).toBeLessThan(gi.height);
    expect(w(gi.sMax / 1.01)).toBeLessThan(gi.height);
    // The visibility window: width exactly Δ at both ends, product AB.
    expect(w(gi.sOpen)).toBeCloseTo(0.1, 10);
    expect(w(gi.sClose)).toBeCloseTo(0.1, 10);
    expect(gi.sOpen * gi.sClose).toBeCloseTo(gi.upperEdge * gi.lowerEdge, 12);
  });
  it('phases run trivial → coverage → consolidation and the dimension drops m → f·m → 0', () => {
    const gaps = theoryGaps(bulks, 0.1, sde);
    expect(theoryPhases(gaps, 0.1, sde).map((p) => p.phase)).toEqual(['trivial', 'coverage', 'consolidation']);
    const cdf = spectralCdf(spectralDensity(worked, 256));
    expect(dimensionDrop(cdf, 1e-5, 0.1, 100)).toBeCloseTo(40, 6);
    expect(dimensionDrop(cdf, 0.5, 0.1, 100)).toBeCloseTo(20, 2);
    expect(dimensionDrop(cdf, 1e3, 0.1, 100)).toBe(0);
  });
  it('rescaled density of s·J carries mass α in (−1, 0)', () => {
    const sd = spectralDensity(worked, 512);
    for (const s of [0.003, 0.07, 2]) {
      const pts = rescaledDensity(sd, s);
      let mass = 0;
      for (let i = 1; i < pts.length; i++) {
        if (pts[i].x > pts[i - 1].x) mass += 0.5 * (pts[i].density + pts[i - 1].density) * (pts[i].x - pts[i - 1].x);
      }
      expect(mass).toBeCloseTo(0.4, 2);
      expect(pts.every((p) => p.x > -1 && p.x < 0)).toBe(true);
    }
  });
});

describe('Monte-Carlo at d = 2000 (one draw)', () => {
  it('Marchenko–Pastur edges within 1%', () => {
    const d = 2000;
    const m = 600;
    const e = covarianceEigenvalues(drawF(d, m, 11), new Float64Array(m).fill(1.5), d, m);
    const mp = marchenkoPasturEdges(1.5, m / d);
    expect(e[d - m - 1]).toBe(0);
    const width = mp.upper - mp.lower;
    expect(Math.abs(e[d - m] - mp.lower) / width).toBeLessThan(0.01);
    expect(Math.abs(e[d - 1] - mp.upper) / width).toBeLessThan(0.01);
  });
  // Extreme eigenvalues sit O(d^(-2/3)) inside the edges (Tracy–Widom scale), which is a fraction of the
  // bulk's width, not of the edge's value: a lower edge near 0 can be off by several % of itself. So the
  // edges are compared within 1% of the width of their bulk, and the interiors through quantiles.
  it('worked-example edges within 3% of their bulk width (400 eigenvalues per bulk), interior quantiles within 1%', () => {
    const d = 2000;
    const m = 800;
    const v = new Float64Array(m).map((_, j) => (j < 400 ? 1 : 0.01));
    const e = covarianceEigenvalues(drawF(d, m, 5), v, d, m).subarray(d - m);
    const [low, high] = bulkEdges(worked);
    const wl = low.upper - low.lower;
    const wh = high.upper - high.lower;
    // Each bulk holds only 400 eigenvalues: its Tracy–Widom scale 400^(-2/3) ≈ 2% of the width.
    expect(Math.abs(e[0] - low.lower) / wl).toBeLessThan(0.03);
    expect(Math.abs(e[399] - low.upper) / wl).toBeLessThan(0.03);
    expect(Math.abs(e[400] - high.lower) / wh).toBeLessThan(0.03);
    expect(Math.abs(e[799] - high.upper) / wh).toBeLessThan(0.03);
    // Exact separation: 400 eigenvalues in each bulk, none in the gap.
    expect(e[399]).toBeLessThan(0.1);
    expect(e[400]).toBeGreaterThan(0.1);
    // Bulk interiors: the eigenvalue at rank r sits at the theory quantile of level (r + ½)/d.
    const cdf = spectralCdf(spectralDensity(worked, 512));
    for (const r of [40, 200, 360, 440, 600, 760]) {
      const q = quantileAt(cdf, (d - m + r + 0.5) / d);
      expect(Math.abs(e[r] / q - 1)).toBeLessThan(0.01);
    }
  });
});
