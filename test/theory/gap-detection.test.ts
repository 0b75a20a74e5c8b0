// Gap detection on sorted spectra, aggregation over noisy points, and phase labels.
import { describe, expect, it } from 'vitest';
import { aggregateGaps, detectGaps, labelPhases } from '../../theory/gap-detection.ts';
import { createRng } from '../../science/random.ts';

/** A synthetic rescaled spectrum: `spike` values near −1, then bulks given as [count, lo, hi]. */
function spectrum(spike: number, bulks: Array<[number, number, number]>, jitter: number, seed: number): Float64Array {
  const rng = createRng(seed);
  const v: number[] = [];
  for (let i = 0; i < spike; i++) v.push(-1 + jitter * rng.uniform());
  for (const [n, lo, hi] of bulks) for (let i = 0; i < n; i++) v.push(lo + ((hi - lo) * (i + 0.5)) / n + jitter * (rng.uniform() - 0.5));
  return Float64Array.from(v).sort();
}

describe('detectGaps', () => {
  it('finds exactly the spacings wider than Δ, with ranks', () => {
    const g = detectGaps([-1, -1, -0.95, -0.5, -0.45, -0.1], 0.2);
    expect(g).toEqual([
      { lower: -0.95, upper: -0.5, width: expect.closeTo(0.45, 12), countBelow: 3 },
      { lower: -0.45, upper: -0.1, width: expect.closeTo(0.35, 12), countBelow: 5 },
    ]);
    expect(detectGaps([-1, -0.9, -0.8], 0.2)).toEqual([]);
  });
  it('rejects unsorted input and bad Δ', () => {
    expect(() => detectGaps([0, -1], 0.1)).toThrow(/ascending/);
    expect(() => detectGaps([0, 1], 0)).toThrow(/delta/);
  });
});

describe('aggregateGaps', () => {
  it('keeps gaps seen by at least min_fraction of the points, drops one-point outliers, medians the edges', () => {
    const points = Array.from({ length: 10 }, (_, k) => spectrum(60, [[10, -0.8, -0.6], [30, -0.3, -0.05]], 0.01, k));
    // One outlier point with an extra spurious gap inside the top bulk.
    const outlier = Float64Array.from(points[0]);
    for (let i = 90; i < 100; i++) outlier[i] += 0.3;
    outlier.sort();
    points[0] = outlier;
    const per = points.map((p) => detectGaps(p, 0.1));
    const agg = aggregateGaps(per, 0.5);
    expect(agg.map((g) => g.countBelow)).toEqual([60, 70]);
    expect(agg[0].support).toBe(1);
    expect(agg[0].lower).toBeGreaterThan(-1);
    expect(agg[0].upper).toBeCloseTo(-0.79, 1);
    expect(agg[1].lower).toBeCloseTo(-0.61, 1);
  });
  it('a gap present in under min_fraction of the points is dropped', () => {
    const withGap = detectGaps([-1, -0.5], 0.1);
    const without = detectGaps([-1, -0.95], 0.1);
    expect(aggregateGaps([withGap, without, without], 0.5)).toEqual([]);
    expect(aggregateGaps([withGap, withGap, without], 0.5)).toHaveLength(1);
  });
});

describe('labelPhases', () => {
  const gap = (countBelow: number) => ({ lower: 0, upper: 0.2, width: 0.2, countBelow, support: 1 });
  it('trivial → coverage → consolidation, dimension above the lowest gap', () => {
    const series = [
      { s: 100, gaps: [] },
      { s: 1, gaps: [gap(70)] },
      { s: 0.01, gaps: [gap(60), gap(70)] },
      { s: 0.001, gaps: [gap(61)] },
      { s: 0.0001, gaps: [gap(60)] },
    ];
    const ph = labelPhases(series, 100, 2);
    expect(ph.map((p) => p.phase)).toEqual(['trivial', 'coverage', 'coverage', 'consolidation', 'consolidation']);
    expect(ph.map((p) => p.dimEstimate)).toEqual([0, 30, 40, 39, 40]);
    expect(ph.map((p) => p.nGaps)).toEqual([0, 1, 2, 1, 1]);
  });
});
