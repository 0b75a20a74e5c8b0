// The reductions behind the figures, against closed forms: histogram densities, the theoretical quantile
// function, the (s, Δ) phase map of science.md §7, the collapse crossing time, rank selection.
import { describe, expect, it } from 'vitest';
import { chooseRanks, histogramDensity, nearest, quantileOfSorted, selectSpectra } from '../../plots/spectra-summary.ts';
import { densityMass, theoryQuantiles } from '../../plots/theory-quantiles.ts';
import { gapWidthsAt, phaseAt, phaseGrid } from '../../plots/phase-map.ts';
import { crossingTime } from '../../plots/collapse-plot.ts';
import { matchTheoryGap } from '../../plots/gap-widths.ts';
import { createRng } from '../../science/random.ts';
import { spectraTable, analysisTimes, exactDensity, BANDS, M, D } from '../fixtures/plots/synthetic.ts';

describe('histogramDensity', () => {
  it('normalises against the total, so values left out (the atom) still count', () => {
    const rng = createRng(1);
    const n = 200_000;
    const kept = Array.from({ length: n / 2 }, () => -rng.uniform()); // uniform on (−1, 0]
    const bins = histogramDensity(kept, 20, -1, 0, n);
    // Half of all values are uniform on an interval of length 1: density 0.5 in every bin (±4σ).
    for (const b of bins) expect(Math.abs(b.density - 0.5)).toBeLessThan(4 * Math.sqrt(0.5 * 20 / n) + 1e-3);
    const mass = bins.reduce((m, b) => m + b.density * (b.x1 - b.x0), 0);
    expect(mass).toBeCloseTo(0.5, 10);
  });
  it('rejects bad bins and ranges by name', () => {
    expect(() => histogramDensity([0], 0, -1, 0)).toThrow(/bins/);
    expect(() => histogramDensity([0], 5, 0, 0)).toThrow(/lo < hi/);
  });
});

describe('theoryQuantiles', () => {
  // Atom at −1 of weight 1/2 plus a uniform density 1 on (−0.5, 0): Q(p) = −1 for p ≤ ½, else −0.5 + (p − ½).
  const x = Array.from({ length: 501 }, (_, i) => -0.5 + i / 1000);
  const rho = x.map(() => 1);
  it('matches the closed form of an atom plus a uniform bulk', () => {
    const levels = [0.1, 0.5, 0.6, 0.75, 0.99];
    const q = theoryQuantiles(x, rho, levels);
    expect(q[0]).toBe(-1);
    expect(q[1]).toBe(-1);
    expect(q[2]).toBeCloseTo(-0.4, 9);
    expect(q[3]).toBeCloseTo(-0.25, 9);
    expect(q[4]).toBeCloseTo(-0.01, 9);
    expect(densityMass(x, rho)).toBeCloseTo(0.5, 12);
  });
  it('renormalises a coarse density to the given continuous mass α', () => {
    // The same bulk with only 60% of its mass on the grid: with α = ½ the quantiles are unchanged.
    const q = theoryQuantiles(x, rho.map((r) => 0.6 * r), [0.75], 0.5);
    expect(q[0]).toBeCloseTo(-0.25, 9);
  });
  it('follows the exact density of −s/(s + λ) for λ uniform on two bands', () => {
    // Quantile of level α·(1 − w_high/2) + (1 − α) lies in the middle of the high band's image.
    const s = 0.1;
    const grid = Array.from({ length: 20001 }, (_, i) => -1 + (i + 0.5) / 20001);
    const alpha = M / D;
    const high = BANDS[1];
    const p = 1 - alpha + alpha * (BANDS[0].weight + high.weight / 2);
    const lambdaMid = (high.lower + high.upper) / 2;
    const [q] = theoryQuantiles(grid, grid.map((mu) => exactDensity(mu, s)), [p], alpha);
    expect(q).toBeCloseTo(-s / (s + lambdaMid), 3);
  });
  it('rejects a non-ascending grid and levels outside [0, 1]', () => {
    expect(() => theoryQuantiles([0, 0], [1, 1], [0.5])).toThrow(/ascending/);
    expect(() => theoryQuantiles(x, rho, [1.5])).toThrow(/level/);
  });
});

describe('phase map (science.md §7 worked example: bulks [0.00199, 0.01795] ∪ [0.3076, 2.0964])', () => {
  const edges = [
    { lower: 0.00199, upper: 0.01795 },
    { lower: 0.3076, upper: 2.0964 },
  ];
  const A = 0.3076;
  const B = 0.01795;
  it('intermediate gap peaks at √(AB) ≈ 0.0743 with height (√A − √B)/(√A + √B) ≈ 0.611', () => {
    const sMax = Math.sqrt(A * B);
    expect(sMax).toBeCloseTo(0.0743, 3);
    const h = gapWidthsAt(edges, sMax).intermediate[0];
    expect(h).toBeCloseTo((Math.sqrt(A) - Math.sqrt(B)) / (Math.sqrt(A) + Math.sqrt(B)), 12);
    expect(h).toBeCloseTo(0.611, 3);
    expect(gapWidthsAt(edges, sMax * 1.1).intermediate[0]).toBeLessThan(h);
    expect(gapWidthsAt(edges, sMax / 1.1).intermediate[0]).toBeLessThan(h);
  });
  it('manifold gap is visible exactly for s < γ₋(1 − Δ)/Δ', () => {
    const delta = 0.3;
    const sOpen = (0.00199 * (1 - delta)) / delta;
    expect(phaseAt(edges, sOpen * 0.999, delta).manifoldVisible).toBe(true);
    expect(phaseAt(edges, sOpen * 1.001, delta).manifoldVisible).toBe(false);
  });
  it('goes trivial → coverage → consolidation as s decreases at small Δ', () => {
    const delta = 0.1;
    expect(phaseAt(edges, 100, delta).phase).toBe('trivial');
    expect(phaseAt(edges, Math.sqrt(A * B), delta).phase).toBe('coverage');
    expect(phaseAt(edges, 1e-4, delta).phase).toBe('consolidation');
    // Above the largest intermediate gap no Δ sees coverage.
    expect(phaseAt(edges, Math.sqrt(A * B), 0.62).phase).not.toBe('coverage');
  });
  it('grid covers the (s, Δ) rectangle and validates its parameters by name', () => {
    const cells = phaseGrid(edges, { sMin: 1e-4, sMax: 1e3, sPoints: 10, deltaMin: 0.05, deltaMax: 0.9, deltaPoints: 4 });
    expect(cells).toHaveLength(40);
    expect(cells[0].s0).toBeCloseTo(1e-4, 12);
    expect(cells.at(-1)!.s1).toBeCloseTo(1e3, 6);
    expect(() => phaseGrid(edges, { sMin: 1, sMax: 0.1, sPoints: 10, deltaMin: 0.05, deltaMax: 0.9, deltaPoints: 4 })).toThrow(/s_min/);
    expect(() => phaseAt(edges, 1, 1.5)).toThrow(/Δ/);
  });
});

describe('matching measured gaps to theory gaps', () => {
  // Bands [0.002, 0.018] and [0.3, 2.1]: manifold gap (0 ↔ 0.002), intermediate gap (0.018 ↔ 0.3).
  const theoryGaps = [
    { index: 0, kind: 'manifold', lowerEdge: 0, upperEdge: 0.002 },
    { index: 1, kind: 'intermediate', lowerEdge: 0.018, upperEdge: 0.3 },
  ];
  it('assigns a lone intermediate gap (a detector may call it gap 0) to the intermediate theory gap', () => {
    const s = 0.07;
    const lower = -s / (s + 0.018);
    const upper = -s / (s + 0.3);
    expect(matchTheoryGap(theoryGaps, s, lower, upper)?.index).toBe(1);
  });
  it('assigns a gap starting at the atom −1 to the manifold gap', () => {
    const s = 1e-4;
    expect(matchTheoryGap(theoryGaps, s, -1, -s / (s + 0.002))?.index).toBe(0);
  });
});

describe('spectra selection and reductions', () => {
  const table = spectraTable({ score: 'trained', method: 'alg2', pointKind: 'noised', times: analysisTimes(3), points: 2, noise: 0, seed: 1 });
  it('falls back to the methods and point kinds present, and names what is missing', () => {
    const sel = selectSpectra(table, {});
    expect(sel).toMatchObject({ score: 'trained', method: 'alg2', pointKind: 'noised' });
    expect(sel.rows).toHaveLength(table.numRows);
    expect(() => selectSpectra(table, { method: 'exact' })).toThrow(/method 'exact' is not in the table; present: alg2/);
  });
  it('chooses evenly spaced ranks including both ends, and validates explicit ranks against d', () => {
    expect(chooseRanks(784, [], 5)).toEqual([0, 196, 392, 587, 783]);
    expect(chooseRanks(10, [], 64)).toHaveLength(10);
    expect(() => chooseRanks(10, [3, 10], 5)).toThrow(/ranks must be integers in \[0, 9\]/);
  });
  it('nearest in log distance for s, linear for t; type-7 quantiles', () => {
    // 0.02 is 5× from 0.1 but 20× from 0.001; linearly 0.04 is nearer 0.001.
    expect(nearest([0.001, 0.1, 1], 0.02, true)).toBe(0.1);
    expect(nearest([0.001, 0.1, 1], 0.04)).toBe(0.001);
    expect(quantileOfSorted([0, 1, 2, 3, 4], 0.1)).toBeCloseTo(0.4, 12);
  });
  it('collapse crossing time interpolates the last crossing', () => {
    const pts = [0, 0.1, 0.2, 0.3].map((t) => ({ t, fraction: 1 - t / 0.3 }));
    expect(crossingTime(pts, 0.5)).toBeCloseTo(0.15, 12);
    expect(crossingTime(pts.map((p) => ({ ...p, fraction: 0.9 })), 0.5)).toBeNaN();
  });
});
