// The `gaps` and `phases` tables (docs/dag.md) from measured spectra: per (score, method, t), gaps
// aggregated over evaluation points, then phase labels along each time series.

import { aggregateGaps, detectGaps, labelPhases, type AggregatedGap } from './gap-detection.ts';
import type { SpectraSeries } from './spectra-table.ts';

interface GapTableOptions {
  delta: number;
  minFraction: number;
}

interface MeasuredGapSeries {
  score: string;
  method: string;
  d: number;
  slices: Array<{ t: number; s: number; gaps: AggregatedGap[] }>;
}

/** Aggregated gaps of every slice of every series. */
export function measureGaps(series: SpectraSeries[], o: GapTableOptions): MeasuredGapSeries[] {
  return series.map((ser) => ({
    score: ser.score,
    method: ser.method,
    d: ser.d,
    slices: ser.slices.map((slice) => ({
      t: slice.t,
      s: slice.s,
      gaps: aggregateGaps(
        slice.points.map((pt) => detectGaps(pt, o.delta)),
        o.minFraction,
      ),
    })),
  }));
}

export function gapTables(measured: MeasuredGapSeries[], rankTolerance: number) {
  const g = { score: [] as string[], method: [] as string[], t: [] as number[], s: [] as number[], gap_index: [] as number[], lower: [] as number[], upper: [] as number[], width: [] as number[], count_below: [] as number[] };
  const ph = { score: [] as string[], method: [] as string[], t: [] as number[], s: [] as number[], phase: [] as string[], dim_estimate: [] as number[], n_gaps: [] as number[] };
  for (const ser of measured) {
    const phases = labelPhases(ser.slices, ser.d, rankTolerance);
    ser.slices.forEach((slice, k) => {
      slice.gaps.forEach((gap, j) => {
        g.score.push(ser.score);
        g.method.push(ser.method);
        g.t.push(slice.t);
        g.s.push(slice.s);
        g.gap_index.push(j);
        g.lower.push(gap.lower);
        g.upper.push(gap.upper);
        g.width.push(gap.width);
        g.count_below.push(gap.countBelow);
      });
      ph.score.push(ser.score);
      ph.method.push(ser.method);
      ph.t.push(slice.t);
      ph.s.push(slice.s);
      ph.phase.push(phases[k].phase);
      ph.dim_estimate.push(phases[k].dimEstimate);
      ph.n_gaps.push(phases[k].nGaps);
    });
  }
  return {
    gaps: {
      score: g.score,
      method: g.method,
      t: Float64Array.from(g.t),
      s: Float64Array.from(g.s),
      gap_index: Int32Array.from(g.gap_index),
      lower: Float64Array.from(g.lower),
      upper: Float64Array.from(g.upper),
      width: Float64Array.from(g.width),
      count_below: Int32Array.from(g.count_below),
    },
    phases: {
      score: ph.score,
      method: ph.method,
      t: Float64Array.from(ph.t),
      s: Float64Array.from(ph.s),
      phase: ph.phase,
      dim_estimate: Float64Array.from(ph.dim_estimate),
      n_gaps: Int32Array.from(ph.n_gaps),
    },
  };
}
