// The Haar-stack figure's data: per (method, t) the mean over points of the normalised singular values,
// exact divided by its largest, the stack with its largest dropped first.
import { describe, expect, it } from 'vitest';
import { haarStackSpec, normalisedSpectra } from '../../plots/haar-stack.ts';
import { SpectraRows } from '../../science/jacobian-spectra.ts';

function table() {
  const rows = new SpectraRows();
  const label = (point: number) => ({ score: 'trained', pointKind: 'clean', t: 0.3, s: 0.02, point });
  const nan = new Float64Array(3).fill(NaN);
  rows.add(label(0), 'exact', { eig: Float64Array.from([-1, -0.5, -0.25]), sv: Float64Array.from([1, 0.5, 0.25]) });
  rows.add(label(1), 'exact', { eig: Float64Array.from([-1, -0.5, -0.25]), sv: Float64Array.from([2, 1, 0.5]) });
  rows.add(label(0), 'haar-stack', { eig: nan, sv: Float64Array.from([9, 0.8, 0.4]) });
  rows.add(label(1), 'haar-stack', { eig: nan, sv: Float64Array.from([7, 0.6, 0.15]) });
  const columns = rows.columns();
  return { numRows: columns.score.length, columns };
}

describe('Haar-stack figure', () => {
  it('normalises exact by its largest and the stack after dropping its largest, averaged over points', () => {
    const r = normalisedSpectra(table(), 0.3);
    const get = (method: string) => r.filter((x) => x.method === method).sort((a, b) => a.rank - b.rank).map((x) => x.value);
    expect(get('exact')).toEqual([1, 0.5, 0.25]);
    // point 0: [0.8, 0.4] / 0.8 = [1, 0.5]; point 1: [0.6, 0.15] / 0.6 = [1, 0.25]; mean [1, 0.375].
    expect(get('haar-stack')).toEqual([1, 0.375]);
  });

  it('draws one panel per requested time, and a placeholder without haar-stack rows', () => {
    const spec = haarStackSpec(table(), { at: [0.8, 0.3], style: { width: 200, height: 200, fontSize: 12 } });
    expect((spec.hconcat as unknown[]).length).toBe(1); // both snap to t = 0.3
    const none = haarStackSpec(undefined, { at: [0.3], style: { width: 200, height: 200, fontSize: 12 } });
    expect(JSON.stringify(none)).toMatch(/not run/);
  });
});
