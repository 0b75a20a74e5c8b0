// Measured vs predicted opening, peak and closing of every gap (science.md §8, phase-time table).
// Measured gaps are matched to theory gaps by position: at its s, a theory gap with edges (B, A) in C
// units sits at [−s/(s + B), −s/(s + A)] in s·J; a measured gap belongs to the theory gap it overlaps
// most (no overlap: unmatched, e.g. a finite-d spacing inside a bulk). Per theory gap and source:
// s_open = the largest s where it is seen, s_close = the smallest (0 when still open at the series'
// smallest s, like the theory's manifold gap), s_max = where its measured width is largest.

import { gapIntervalAt } from './gap-theory.ts';

interface TheoryGapRow {
  gapIndex: number;
  kind: string;
  lowerEdge: number;
  upperEdge: number;
  sMax: number;
  sOpen: number;
  sClose: number;
  tOpen: number;
  tMax: number;
  tClose: number;
}

interface MeasuredGapRow {
  score: string;
  method: string;
  t: number;
  s: number;
  lower: number;
  upper: number;
  width: number;
}

interface PhaseTimeRow {
  gap: string;
  source: string;
  sOpen: number;
  sMax: number;
  sClose: number;
  tOpen: number;
  tMax: number;
  tClose: number;
}

function gapLabel(g: { kind: string; gapIndex: number }): string {
  return g.kind === 'manifold' ? 'manifold' : `intermediate-${g.gapIndex}`;
}

/** Index of the theory gap a measured gap overlaps most at its s, or −1. */
function matchTheoryGap(theory: TheoryGapRow[], m: { s: number; lower: number; upper: number }): number {
  let best = -1;
  let bestOverlap = 0;
  theory.forEach((g, i) => {
    const iv = gapIntervalAt(g, m.s);
    const overlap = Math.min(iv.upper, m.upper) - Math.max(iv.lower, m.lower);
    if (overlap > bestOverlap) {
      bestOverlap = overlap;
      best = i;
    }
  });
  return best;
}

/** Method preference when a score was measured several ways: the exact Jacobian first. */
const METHOD_PREFERENCE = ['exact', 'montecarlo', 'alg2', 'alg1'];

export function phaseTimes(theory: TheoryGapRow[], measured: MeasuredGapRow[], method: string): PhaseTimeRow[] {
  const rows: PhaseTimeRow[] = theory.map((g) => ({
    gap: gapLabel(g),
    source: 'theory',
    sOpen: g.sOpen,
    sMax: g.sMax,
    sClose: g.sClose,
    tOpen: g.tOpen,
    tMax: g.tMax,
    tClose: g.tClose,
  }));
  const scores = [...new Set(measured.map((r) => r.score))].sort();
  for (const score of scores) {
    const methods = new Set(measured.filter((r) => r.score === score).map((r) => r.method));
    const chosen =
      method !== 'any' ? (methods.has(method) ? method : undefined) : (METHOD_PREFERENCE.find((m) => methods.has(m)) ?? [...methods].sort()[0]);
    if (chosen === undefined) continue;
    const series = measured.filter((r) => r.score === score && r.method === chosen);
    const smallestS = Math.min(...series.map((r) => r.s));
    theory.forEach((g, gi) => {
      // Widest matched gap per s.
      const byS = new Map<number, MeasuredGapRow>();
      for (const r of series) {
        if (matchTheoryGap(theory, r) !== gi) continue;
        const prev = byS.get(r.s);
        if (!prev || r.width > prev.width) byS.set(r.s, r);
      }
      const seen = [...byS.values()].sort((a, b) => b.s - a.s);
      if (seen.length === 0) {
        rows.push({ gap: gapLabel(g), source: score, sOpen: NaN, sMax: NaN, sClose: NaN, tOpen: NaN, tMax: NaN, tClose: NaN });
        return;
      }
      const first = seen[0];
      const last = seen[seen.length - 1];
      const peak = seen.reduce((a, b) => (b.width > a.width ? b : a));
      const stillOpen = last.s <= smallestS;
      rows.push({
        gap: gapLabel(g),
        source: score,
        sOpen: first.s,
        sMax: peak.s,
        sClose: stillOpen ? 0 : last.s,
        tOpen: first.t,
        tMax: peak.t,
        tClose: stillOpen ? NaN : last.t,
      });
    });
  }
  return rows;
}
