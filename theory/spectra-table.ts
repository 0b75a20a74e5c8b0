// Reading the common `spectra` table (docs/dag.md) back into sorted spectra: one slice per
// (score, method, t), holding each evaluation point's d eigenvalues ascending. Gap detection and the
// theory fit both work on these slices.
import type { SPECTRA } from '../artifacts/schemas.ts';
import type { Columns } from '../core/table.ts';

export type SpectraColumns = Columns<typeof SPECTRA>;

/** Which column to read: `eig` (eigenvalues of sym(s·J), spike at −1) or `sv` (singular values, read as −sv so the spike also sits at −1). */
type SpectrumQuantity = 'eig' | 'sv';

export interface SpectrumSlice {
  score: string;
  method: string;
  t: number;
  s: number;
  /** One ascending spectrum per evaluation point, each of length d. */
  points: Float64Array[];
}

export interface SpectraSeries {
  score: string;
  method: string;
  d: number;
  /** Slices in decreasing s (the order generation meets them). */
  slices: SpectrumSlice[];
}

/**
 * Group the table by (score, method), then by t, then by point; `pointKind` 'any' pools every kind.
 * Points missing ranks are rejected with a message naming them.
 */
export function spectraSeries(
  c: SpectraColumns,
  numRows: number,
  quantity: SpectrumQuantity,
  pointKind: string,
): SpectraSeries[] {
  const series = new Map<string, { score: string; method: string; byT: Map<number, { s: number; byPoint: Map<string, number[]> }> }>();
  let d = 0;
  for (let i = 0; i < numRows; i++) d = Math.max(d, c.rank[i] + 1);
  for (let i = 0; i < numRows; i++) {
    if (pointKind !== 'any' && c.point_kind[i] !== pointKind) continue;
    const key = `${c.score[i]}\u0000${c.method[i]}`;
    let ser = series.get(key);
    if (!ser) series.set(key, (ser = { score: c.score[i], method: c.method[i], byT: new Map() }));
    let slice = ser.byT.get(c.t[i]);
    if (!slice) ser.byT.set(c.t[i], (slice = { s: c.s[i], byPoint: new Map() }));
    const pointKey = `${c.point_kind[i]}\u0000${c.point[i]}`;
    let values = slice.byPoint.get(pointKey);
    if (!values) slice.byPoint.set(pointKey, (values = new Array<number>(d).fill(NaN)));
    values[c.rank[i]] = quantity === 'eig' ? c.eig[i] : -c.sv[i];
  }
  const out: SpectraSeries[] = [];
  for (const ser of series.values()) {
    // Methods with singular values only (haar-stack: eig is NaN throughout) have no eigenvalue series.
    const allNaN = [...ser.byT.values()].every((sl) => [...sl.byPoint.values()].every((v) => v.every((x) => Number.isNaN(x))));
    if (quantity === 'eig' && allNaN) continue;
    const slices: SpectrumSlice[] = [];
    for (const [t, slice] of ser.byT) {
      const points: Float64Array[] = [];
      for (const [pointKey, values] of slice.byPoint) {
        if (values.some((v) => Number.isNaN(v))) {
          throw new Error(
            `spectra table: point ${pointKey.replace('\u0000', ' ')} at t=${t} (${ser.score}/${ser.method}) lacks some of the ${d} ranks`,
          );
        }
        points.push(Float64Array.from(values).sort());
      }
      slices.push({ score: ser.score, method: ser.method, t, s: slice.s, points });
    }
    slices.sort((a, b) => b.s - a.s);
    out.push({ score: ser.score, method: ser.method, d, slices });
  }
  out.sort((a, b) => (a.score + a.method < b.score + b.method ? -1 : 1));
  return out;
}

/** Median of the values (NaN for none). */
export function median(values: ArrayLike<number>): number {
  const a = Array.from(values).sort((x, y) => x - y);
  const n = a.length;
  if (n === 0) return NaN;
  return n % 2 ? a[(n - 1) >> 1] : 0.5 * (a[n / 2 - 1] + a[n / 2]);
}

/** Per-rank median over the points of a slice: a robust representative spectrum (ascending). */
export function medianSpectrum(points: Float64Array[]): Float64Array {
  const d = points[0]?.length ?? 0;
  const out = new Float64Array(d);
  const column = new Float64Array(points.length);
  for (let r = 0; r < d; r++) {
    for (let p = 0; p < points.length; p++) column[p] = points[p][r];
    out[r] = median(column);
  }
  return out;
}
