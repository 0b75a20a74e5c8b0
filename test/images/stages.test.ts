import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import imagesStage from '../../stages/images.ts';
import intrinsicStage from '../../stages/intrinsic-dimension.ts';
import spectraStage from '../../stages/spectra-images.ts';
import trainStage from '../../stages/train-images.ts';
import { createRng } from '../../science/random.ts';
import { VE_DEFAULTS, VeSde } from '../../science/sde.ts';
import { runStage, writtenTable } from '../support/stage-context.ts';

const side = 6;
const d = side * side;

/** An IDX pair of n tiny images: a bright bar whose position and brightness vary (2 latent factors). */
function writeIdxDataset(n: number): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'img-stage-'));
  const rng = createRng(5);
  const pixels = new Uint8Array(n * d);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const col = rng.int(side);
    const level = 128 + rng.int(128);
    for (let r = 1; r < side - 1; r++) pixels[i * d + r * side + col] = level;
    labels[i] = col % 3;
  }
  const header = (dims: number[]) => {
    const h = new Uint8Array(4 + 4 * dims.length);
    h[2] = 8;
    h[3] = dims.length;
    dims.forEach((v, k) => new DataView(h.buffer).setUint32(4 + 4 * k, v));
    return h;
  };
  writeFileSync(path.join(dir, 'train-images-idx3-ubyte.gz'), gzipSync(Buffer.concat([header([n, side, side]), pixels])));
  writeFileSync(path.join(dir, 'train-labels-idx1-ubyte'), Buffer.concat([header([n]), labels]));
  return dir;
}

describe('image stages, chained through an in-memory context', () => {
  it('images → intrinsic-dimension, train-images → spectra-images', async () => {
    const dir = writeIdxDataset(120);
    const im = await runStage(imagesStage, { dataset: 'idx', path: dir, n: 60, classes: [0, 1], seed: 3 });
    const images = writtenTable(im, 'images');
    const cols = images.columns as { x: { values: Float32Array; width: number }; label: Int32Array };
    expect(cols.x.width).toBe(d);
    expect(cols.label).toHaveLength(60);
    expect(Array.from(cols.label).every((l) => l === 0 || l === 1)).toBe(true);

    const id = await runStage(intrinsicStage, { k: [5, 10] }, { tables: { images } });
    const idRows = writtenTable(id, 'intrinsic_dimension').columns as { method: string[]; k: Int32Array; estimate: Float64Array };
    expect(idRows.method).toEqual(['mle', 'mle', 'twonn']);
    expect(Array.from(idRows.k)).toEqual([5, 10, 2]);
    for (const e of idRows.estimate) expect(e).toBeGreaterThan(0);

    const tr = await runStage(
      trainStage,
      { steps: 40, batch: 16, hidden: 16, blocks: 1, time_embed: 8, log_every: 10, backend: 'wasm' },
      { tables: { images } },
    );
    const loss = writtenTable(tr, 'loss').columns as { step: Int32Array; loss: Float64Array; loss_smoothed: Float64Array };
    expect(Array.from(loss.step)).toEqual([10, 20, 30, 40]);
    expect(loss.loss_smoothed[0]).toBe(loss.loss[0]);
    const weights = tr.files.get('weights')!;

    const times = 3, points = 2;
    const sp = await runStage(spectraStage, { times, points, t_min: 0.2 }, { tables: { images }, files: { weights } });
    const s = writtenTable(sp, 'spectra').columns as Record<string, any>;
    expect(s.rank).toHaveLength(times * points * d);
    expect(new Set(s.score)).toEqual(new Set(['trained']));
    expect(new Set(s.method)).toEqual(new Set(['exact']));
    expect(new Set(s.point_kind)).toEqual(new Set(['noised']));
    expect(s.t[0]).toBe(1);
    for (let block = 0; block < times * points; block++) {
      const at = block * d;
      for (let r = 1; r < d; r++) {
        expect(s.eig[at + r]).toBeGreaterThanOrEqual(s.eig[at + r - 1]);
        expect(s.sv[at + r]).toBeLessThanOrEqual(s.sv[at + r - 1]);
      }
      expect(s.sv[at + d - 1]).toBeGreaterThanOrEqual(0);
      expect(s.s[at] / new VeSde(VE_DEFAULTS).variance(s.t[at])).toBeCloseTo(1, 12);
    }
    // Trivial phase at t = 1 (σ = 50): every eigenvalue of sym(s·J) within 5 % of −1.
    for (let i = 0; i < points * d; i++) expect(Math.abs(s.eig[i] + 1)).toBeLessThan(0.05);
  });

  it('train-images model=unet → spectra-images evaluates the U-Net; trivial at t = 1', async () => {
    const dir = writeIdxDataset(80);
    const im = await runStage(imagesStage, { dataset: 'idx', path: dir, n: 40, seed: 1 });
    const images = writtenTable(im, 'images');
    const tr = await runStage(
      trainStage,
      { model: 'unet', widths: [4, 8], steps: 20, batch: 8, time_embed: 8, log_every: 10, backend: 'wasm' },
      { tables: { images } },
    );
    const { decodeImageWeights } = await import('../../images/score-net-weights.ts');
    const weights = tr.files.get('weights')!;
    expect(decodeImageWeights(weights).net.arch).toMatchObject({ kind: 'unet', shape: [1, side, side], widths: [4, 8] });
    const times = 2, points = 1;
    const sp = await runStage(spectraStage, { times, points, t_min: 0.3 }, { tables: { images }, files: { weights } });
    expect(sp.logs.join('\n')).toMatch(/U-Net widths 4\/8/);
    const s = writtenTable(sp, 'spectra').columns as Record<string, any>;
    expect(s.rank).toHaveLength(times * points * d);
    expect(s.t[0]).toBe(1);
    for (let i = 0; i < points * d; i++) expect(Math.abs(s.eig[i] + 1)).toBeLessThan(0.05);
  });

  it('rejects a bad model parameter with the parameter named', async () => {
    const dir = writeIdxDataset(40);
    const images = writtenTable(await runStage(imagesStage, { dataset: 'idx', path: dir, n: 20, seed: 1 }), 'images');
    await expect(runStage(trainStage, { model: 'resnet' as never }, { tables: { images } })).rejects.toThrow(/train-images\.model = "resnet"/);
    await expect(runStage(trainStage, { model: 'unet', widths: [] }, { tables: { images } })).rejects.toThrow(/train-images\.widths/);
    // Three widths halve the 6 × 6 images twice: not possible, and the error says which parameter.
    await expect(
      runStage(trainStage, { model: 'unet', widths: [4, 8, 8], steps: 2, batch: 4, time_embed: 8, backend: 'wasm' }, { tables: { images } }),
    ).rejects.toThrow(/^widths: 3 levels halve the image 2 times, which needs H and W divisible by 4; the images are 6 × 6/);
  });

  it('rejects bad parameters with the parameter named', async () => {
    await expect(runStage(imagesStage, { dataset: 'idx', path: '' })).rejects.toThrow(/^path: dataset 'idx' needs a path/);
    await expect(runStage(imagesStage, { dataset: 'cifar10', path: '/nonexistent/cifar' })).rejects.toThrow(/^path: \/nonexistent\/cifar does not exist/);
    const spectraParams = { score: 'trained', n_train: 0, times: 3, t_min: 0.5, t_max: 0.2, points: 1, seed: 0, backend: 'auto', sigma_min: 0.01, sigma_max: 50, eps: 1e-5 } as const;
    expect(spectraStage.check!(spectraParams)).toMatch(/t_min=0.5, t_max=0.2/);
  });
});
