// The image summary: the three scores' dimensions along t, the empirical score's collapse bracket and
// the George–Veiga–Macris time at the measured n and intrinsic dimension, on a small synthetic image set
// run through the real stages (spectra-images empirical, spectra-gaussian, gaps, intrinsic-dimension).
import { describe, expect, it } from 'vitest';
import { createRng } from '../../science/random.ts';
import { VE_DEFAULTS, VeSde } from '../../science/sde.ts';
import gapsStage from '../../stages/gaps.ts';
import summaryStage from '../../stages/image-summary.ts';
import intrinsicStage from '../../stages/intrinsic-dimension.ts';
import gaussianStage from '../../stages/spectra-gaussian.ts';
import spectraStage from '../../stages/spectra-images.ts';
import { scaledCollapseVariance, spectralCollapse } from '../../theory/collapse.ts';
import { detachedCount } from '../../theory/gap-detection.ts';
import { runStage, writtenTable } from '../support/stage-context.ts';

describe('collapse of an empirical score, read from its spectra', () => {
  const at = (t: number, dimension: number) => ({ t, s: t * t, dimension });
  it('brackets the first time the dimension leaves 0, scanning up from the smallest t', () => {
    // Unsorted input, trivial phase (dimension 0) again at large t.
    const c = spectralCollapse([at(0.9, 0), at(0.1, 0), at(0.5, 4), at(0.3, 0), at(0.7, 2)]);
    expect(c).toEqual({ below: { t: 0.3, s: 0.09 }, above: { t: 0.5, s: 0.25 } });
    expect(spectralCollapse([at(0.1, 2), at(0.3, 0)])).toBeUndefined();
    expect(spectralCollapse([at(0.1, 0), at(0.3, 0)])).toBeUndefined();
  });

  it('scales the GVM collapse variance by the variance per direction: n = (1 + v/s_C)^{p/2}', () => {
    for (const [n, d, p, v] of [[10_000, 784, 12, 17.5], [300, 40, 5, 1], [5000, 3072, 30, 2]]) {
      const s = scaledCollapseVariance(n, d, p, v);
      expect(Math.pow(1 + v / s, p / 2)).toBeCloseTo(n, 6);
    }
    expect(() => scaledCollapseVariance(100, 10, 11, 1)).toThrow(/intrinsic dimension p must be in \(0, d=10\], got 11/);
    expect(() => scaledCollapseVariance(100, 10, 2, 0)).toThrow(/variance per manifold direction/);
  });

  it('counts eigenvalues more than Δ above −1', () => {
    expect(detachedCount([-1, -1, -0.95, -0.85, -0.2, 0.1], 0.1)).toBe(3);
    expect(() => detachedCount([-1], 1)).toThrow(/delta must be in \(0, 1\)/);
  });
});

describe('stage image-summary', () => {
  it('reports dimensions at the smallest t by score, the measured collapse and the theory beside MLE and TwoNN', async () => {
    // 300 images of width 16 on a 3-dimensional subspace (variance 4 along it), the other 13 pixels constant.
    const n = 300;
    const d = 16;
    const rng = createRng(2);
    const x = new Float32Array(n * d).fill(-1);
    for (let i = 0; i < n; i++) for (let k = 0; k < 3; k++) x[i * d + k] = 2 * rng.normal();
    const images = { numRows: n, columns: { x: { values: x, width: d } } };
    const grid = { times: 16 };
    // A stand-in for the trained network's spectra: the summary names sources by input, not by the score column.
    const trained = writtenTable(await runStage(spectraStage, { score: 'empirical', ...grid, points: 2, seed: 1 }, { tables: { images } }), 'spectra');
    const empirical = writtenTable(await runStage(spectraStage, { score: 'empirical', ...grid, points: 3 }, { tables: { images } }), 'spectra');
    const gauss = await runStage(gaussianStage, grid, { tables: { images } });
    const gaussian = writtenTable(gauss, 'spectra');
    const phases = async (spectra: typeof empirical) => writtenTable(await runStage(gapsStage, {}, { tables: { spectra } }), 'phases');
    const intrinsic = writtenTable(await runStage(intrinsicStage, { k: [5, 10] }, { tables: { images } }), 'intrinsic_dimension');
    const run = await runStage(
      summaryStage,
      {},
      {
        tables: {
          spectra_trained: trained,
          spectra_empirical: empirical,
          spectra_gaussian: gaussian,
          phases_trained: await phases(trained),
          phases_empirical: await phases(empirical),
          phases_gaussian: await phases(gaussian),
          intrinsic_dimension: intrinsic,
          covariance: writtenTable(gauss, 'covariance'),
        },
      },
    );
    const dims = writtenTable(run, 'dimensions').columns as { source: string[]; t: Float64Array; dim_gaps: Float64Array; dim_detached: Float64Array };
    expect(new Set(dims.source)).toEqual(new Set(['trained', 'empirical', 'gaussian']));
    const summary = writtenTable(run, 'image_summary').columns as { quantity: string[]; source: string[]; t: Float64Array; s: Float64Array; value: Float64Array };
    const row = (quantity: string, source: string) => {
      const i = summary.quantity.findIndex((q, k) => q === quantity && summary.source[k] === source);
      expect(i, `${quantity} / ${source}`).toBeGreaterThanOrEqual(0);
      return { t: summary.t[i], s: summary.s[i], value: summary.value[i] };
    };
    // The Gaussian model at s = 1e-4: three directions of variance 4 at ≈ 0, thirteen at exactly −1.
    expect(row('dimension at the smallest t (gap detection)', 'gaussian').value).toBe(3);
    expect(row('dimension at the smallest t (eigenvalues > −1 + Δ)', 'gaussian').value).toBe(3);
    // The empirical score memorises: nothing detached at the smallest t, then a bracket where it starts.
    expect(row('dimension at the smallest t (gap detection)', 'empirical').value).toBe(0);
    expect(row('dimension at the smallest t (eigenvalues > −1 + Δ)', 'empirical').value).toBe(0);
    const below = row('collapse time: last t at dimension 0', 'empirical');
    const above = row('collapse time: first t above 0', 'empirical');
    expect(above.t).toBeGreaterThan(below.t);
    const empiricalDims = dims.source.flatMap((s, i) => (s === 'empirical' ? [{ t: dims.t[i], dim: dims.dim_gaps[i] }] : []));
    for (const r of empiricalDims) if (r.t <= below.t) expect(r.dim).toBe(0);
    expect(empiricalDims.find((r) => r.t === above.t)!.dim).toBeGreaterThan(0);
    // Theory: p = TwoNN, v = trace(C)/p, n = 300, on the VE clock of the default SDE.
    const twonn = row('intrinsic dimension', 'TwoNN').value;
    expect(twonn).toBeGreaterThan(2);
    expect(twonn).toBeLessThan(4.5);
    const trace = Array.from(writtenTable(gauss, 'covariance').columns.eigenvalue as Float64Array).reduce((a, b) => a + b, 0);
    expect(row('total variance trace(C)', 'gaussian').value).toBeCloseTo(trace, 9);
    const theory = row('collapse time t_C (George–Veiga–Macris)', 'p = TwoNN, v = trace(C)/p');
    expect(theory.s).toBeCloseTo(scaledCollapseVariance(n, d, twonn, trace / twonn), 12);
    expect(theory.t).toBeCloseTo(new VeSde(VE_DEFAULTS).timeOfVariance(theory.s), 12);
    expect(row('training images n', 'empirical').value).toBe(n);
    expect(row('intrinsic dimension', 'MLE (k = 5)').value).toBeGreaterThan(0);
  });

  it('needs spectra and phases of a source bound together, and a resolution in (0, 1)', async () => {
    const empty = { numRows: 0, columns: {} };
    await expect(runStage(summaryStage, { delta: 0 }, { tables: {} })).rejects.toThrow(/parameter image-summary\.delta = 0: out of range: allowed a number in \(0, 1\)/);
    await expect(
      runStage(summaryStage, {}, { tables: { spectra_trained: empty as never, intrinsic_dimension: empty as never, covariance: empty as never } }),
    ).rejects.toThrow(/spectra_trained and phases_trained must be bound together/);
  });
});
