// What the figures draw, checked against closed forms before any rendering: Figure 2's Monte-Carlo
// histograms follow the exact density of −s/(s + λ), and Figure 4's theory curve is the quantile
// function of the atom at −1 plus that density.
import { describe, expect, it } from 'vitest';
import { figure2Spec, monteCarloDimension } from '../../plots/figure2.ts';
import { figure4Spec } from '../../plots/figure4.ts';
import { DEFAULT_STYLE } from '../../plots/theme.ts';
import * as syn from '../fixtures/plots/synthetic.ts';

type Layer = { data: { values: Array<Record<string, number>> } };
type Panel = { layer: Layer[]; title: { text: string; subtitle: string[] } };

describe('figure 2 data', () => {
  const sValues = [0.1, 0.01];
  const spec = figure2Spec(
    { montecarlo: syn.montecarloTable(sValues, 400, 11), density: syn.densityTable(sValues, 400), curves: syn.curvesTable(0.1, 30) },
    { sValues: [0.12, 0.009], bins: 25, style: DEFAULT_STYLE },
  ) as { vconcat: [{ hconcat: Panel[] }, unknown] };
  const panels = spec.vconcat[0].hconcat;

  it('snaps the requested s to the nearest s computed and leaves the atom at −1 out', () => {
    expect(panels[0].title.text).toMatch(/^s = 0\.1 /);
    expect(panels[1].title.text).toMatch(/^s = 0\.01 /);
    // d − m of d eigenvalues are exactly −1.
    expect(panels[0].title.subtitle[0]).toContain(`${(100 * (1 - syn.M / syn.D)).toFixed(0)}%`);
  });

  it('histogram mass per bin matches the integral of the exact density (Monte-Carlo error)', () => {
    for (const [k, s] of sValues.entries()) {
      const bins = panels[k].layer[0].data.values;
      for (const b of bins) {
        // ∫ρ over the bin by the midpoint rule on a fine grid.
        let exact = 0;
        const n = 400;
        for (let i = 0; i < n; i++) exact += (syn.exactDensity(b.x0 + ((i + 0.5) * (b.x1 - b.x0)) / n, s) * (b.x1 - b.x0)) / n;
        const measured = b.density * (b.x1 - b.x0);
        // 400 draws × d eigenvalues: binomial standard error of a fraction p is √(p(1 − p)/N) (draws are exchangeable).
        const N = 400 * syn.D;
        const se = Math.sqrt(Math.max(exact, 1 / N) / N);
        if (b.density < panels[k].layer[0].data.values.reduce((m, v) => Math.max(m, v.density), 0)) {
          expect(Math.abs(measured - exact), `bin [${b.x0}, ${b.x1}] at s=${s}`).toBeLessThan(6 * se + 2e-3);
        }
      }
    }
  });
});

describe('figure 2 Monte-Carlo dimension count', () => {
  it('averages over draws to the expected count M·Σ w·P(λ > sΔ/(1 − Δ)) of the two uniform bands', () => {
    const sValues = [1e-3, 0.02, 0.3, 3];
    const draws = 300;
    const counts = monteCarloDimension(syn.montecarloTable(sValues, draws, 5), 0.1);
    expect(counts.map((c) => c.s)).toEqual(sValues);
    for (const c of counts) {
      const exact = syn.exactDimension(c.s, 0.1);
      // Per draw the count is a sum of M independent Bernoulli variables: variance ≤ M/4.
      expect(Math.abs(c.dimension - exact), `s = ${c.s}`).toBeLessThan(5 * Math.sqrt(syn.M / 4 / draws) + 1e-9);
    }
    expect(() => monteCarloDimension(syn.montecarloTable([1], 1, 1), 1.5)).toThrow(/Δ/);
  });
});

describe('figure 4 data', () => {
  it('places the theory quantile curve at the exact quantiles of the synthetic model', () => {
    const t = 0.3;
    const s = syn.sde.variance(t);
    const spec = figure4Spec(
      {
        spectra: syn.spectraTable({ score: 'trained', method: 'exact', pointKind: 'trajectory', times: [t], points: 2, noise: 0, seed: 1 }),
        density: syn.densityTable([s], 20000),
      },
      { times: [t], selection: {}, style: DEFAULT_STYLE, curvePoints: 1000 },
    ) as { hconcat: Panel[] };
    const theory = spec.hconcat[0].layer[2].data.values;
    const measured = spec.hconcat[0].layer[1].data.values;
    const q = (p: number) => theory.reduce((best, v) => (Math.abs(v.p - p) < Math.abs(best.p - p) ? v : best)).q;
    // The exact spectrum sits on an even grid of each band, so rank r's eigenvalue is near Q((r + ½)/d)
    // wherever the quantile function is continuous; below 1 − α both are the atom −1.
    expect(q(0.25)).toBe(-1);
    for (const m of measured) {
      if (m.p < 1 - syn.M / syn.D) expect(m.mean).toBe(-1);
    }
    const high = syn.BANDS[1];
    const lambdaMid = (high.lower + high.upper) / 2;
    const pMid = 1 - syn.M / syn.D + (syn.M / syn.D) * (syn.BANDS[0].weight + high.weight / 2);
    expect(q(pMid)).toBeCloseTo(-s / (s + lambdaMid), 2);
  });
});
