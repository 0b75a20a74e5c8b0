// The theory, montecarlo and gaps stages run through a fake context on the fig3-left setting
// (d = 100, m = 40, f = 0.75, σ₁² = 1, σ₂² = 0.01).
import { describe, expect, it } from 'vitest';
import theoryStage from '../../stages/theory.ts';
import montecarloStage from '../../stages/montecarlo.ts';
import gapsStage from '../../stages/gaps.ts';
import phaseTimesStage from '../../stages/phase-times.ts';
import { runStage, writtenTable } from '../support/stage-context.ts';

const profileTable = {
  numRows: 2,
  columns: {
    group: Int32Array.from([0, 1]),
    fraction: Float64Array.from([0.75, 0.25]),
    variance: Float64Array.from([1, 0.01]),
    alpha: Float64Array.from([0.4, 0.4]),
    d: Int32Array.from([100, 100]),
    m: Int32Array.from([40, 40]),
  },
};

type Cols = Record<string, ArrayLike<unknown>>;

describe('theory stage', () => {
  it('writes edges, density, gaps and curves consistent with each other', async () => {
    const run = await runStage(theoryStage, { s_points: 30 }, { tables: { profile: profileTable } });
    expect(writtenTable(run, 'theory_edges').numRows).toBe(2);
    const gaps = writtenTable(run, 'theory_gaps').columns as Cols;
    expect(Array.from(gaps.kind as string[])).toEqual(['manifold', 'intermediate']);
    const curvesTable = writtenTable(run, 'theory_curves');
    expect(curvesTable.numRows).toBe(30 * 3);
    const curves = curvesTable.columns as Cols;
    const dims = Array.from(curves.dimension as Float64Array).filter((_, i) => (curves.gap_index as Int32Array)[i] === -1);
    // Dimension drop: 0 at the largest s, m = 40 at the smallest, never above m.
    expect(dims[0]).toBeCloseTo(0, 6);
    expect(dims[dims.length - 1]).toBeCloseTo(40, 6);
    expect(Math.max(...dims)).toBeLessThanOrEqual(40 + 1e-9);
    const densityTable = writtenTable(run, 'theory_density');
    expect(densityTable.numRows).toBeGreaterThan(33 * 2 * 200);
    const density = densityTable.columns as Cols;
    expect(Array.from(density.x as Float64Array).every((x) => x >= -1 && x <= 0)).toBe(true);
  });
});

describe('montecarlo → gaps on the fig3-left setting', () => {
  it('dimension estimate 40 in consolidation and 30 at the theory s_max', async () => {
    const theory = await runStage(theoryStage, { s_points: 100 }, { tables: { profile: profileTable } });
    const tg = writtenTable(theory, 'theory_gaps').columns as Cols;
    const sMax = (tg.s_max as Float64Array)[1];
    const sConsolidation = (tg.s_close as Float64Array)[1];

    const mc = await runStage(montecarloStage, { draws: 20, s_points: 100, seed: 7 }, { tables: { profile: profileTable } });
    expect(writtenTable(mc, 'spectra').numRows).toBe(100 * 20 * 100);

    const g = await runStage(gapsStage, {}, { tables: { spectra: writtenTable(mc, 'spectra') } });
    const ph = writtenTable(g, 'phases').columns as Cols;
    const s = ph.s as Float64Array;
    const dim = ph.dim_estimate as Float64Array;
    const phase = ph.phase as string[];
    const nearest = (target: number) => {
      let best = 0;
      for (let i = 0; i < s.length; i++) if (Math.abs(Math.log(s[i] / target)) < Math.abs(Math.log(s[best] / target))) best = i;
      return best;
    };
    const atMax = nearest(sMax);
    expect(dim[atMax]).toBe(30);
    expect(phase[atMax]).toBe('coverage');
    // Well inside consolidation (s below the theory's closing of the intermediate gap).
    for (let i = 0; i < s.length; i++) {
      if (s[i] < sConsolidation / 3) {
        expect(dim[i]).toBe(40);
        expect(phase[i]).toBe('consolidation');
      }
    }
    // The largest s: trivial, no gap.
    expect(phase[0]).toBe('trivial');

    // Phase times: measured opening/peak/closing within 3 grid steps (factor 1.19 each) of the theory.
    const pt = await runStage(phaseTimesStage, {}, {
      tables: { gaps: writtenTable(g, 'gaps'), theory_gaps: writtenTable(theory, 'theory_gaps') },
    });
    const rows = writtenTable(pt, 'phase_times').columns as Cols;
    const find = (gap: string, source: string, col: string) => {
      const i = (rows.gap as string[]).findIndex((x, k) => x === gap && (rows.source as string[])[k] === source);
      return (rows[col] as Float64Array)[i];
    };
    const factor = 1.19 ** 3;
    for (const [gap, cols] of [
      ['intermediate-1', ['s_open', 's_max', 's_close']],
      ['manifold', ['s_open']],
    ] as const) {
      for (const col of cols) {
        const ratio = find(gap, 'analytic', col) / find(gap, 'theory', col);
        expect(ratio).toBeGreaterThan(1 / factor);
        expect(ratio).toBeLessThan(factor);
      }
    }
    expect(find('manifold', 'analytic', 's_close')).toBe(0);
  });
});

describe('loading scaling 1/m', () => {
  it('montecarlo draws and theory edges agree when both use scaling 1/m (C grows by d/m)', async () => {
    const profile = { alpha: 0.4, fractions: [1], variances: [1], d: 500 };
    const th = await runStage(theoryStage, { ...profile, s_points: 2, scaling: '1/m' });
    const upper = writtenTable(th, 'theory_edges').columns.upper as Float64Array;
    expect(upper[0]).toBeCloseTo((1 + Math.sqrt(0.4)) ** 2 / 0.4, 9);
    const mc = await runStage(montecarloStage, { ...profile, draws: 1, s_points: 1, scaling: '1/m' });
    const sp = writtenTable(mc, 'spectra').columns as Cols;
    const eig = sp.eig as Float64Array;
    const s = (sp.s as Float64Array)[0];
    // Largest eigenvalue of C from the largest μ = −s/(s + λ).
    const mu = eig[eig.length - 1];
    const lambdaMax = (-s * (1 + mu)) / mu;
    expect(Math.abs(lambdaMax - upper[0]) / upper[0]).toBeLessThan(0.05);
  });
});
