// One entry point for every image source: load, filter by class, draw a seeded subset, scale to [−1, 1].

import { createRng } from '../science/random.ts';
import { readCifarBatches } from './cifar.ts';
import { checkShippedBytes } from './fashion-mnist.ts';
import { maybeGunzip, parseIdxImages, parseIdxLabels, readBytes, readIdxPair, type LabelledImages } from './idx.ts';
import { loadMnistPackage } from './mnist-package.ts';
import { resolveImageSource, type ImageDataset } from './sources.ts';

interface ImageSet {
  /** n × width pixels in [−1, 1]. */
  x: Float32Array;
  /** Class of each image (−1 where the source has no labels). */
  labels: Int32Array;
  n: number;
  width: number;
}

interface ImageSelection {
  dataset: ImageDataset;
  /** File or directory, for 'idx' and 'cifar10' (optional for 'fashion-mnist-full': defaults to Debian's directory). */
  path?: string;
  /** How many images to keep (0 = all that pass the filter). */
  n: number;
  /** Classes to keep; empty = all. */
  classes: number[];
  seed: number;
}

/** Bytes 0..255 → [−1, 1]. */
function scaleBytes(bytes: Uint8Array): Float32Array {
  const out = new Float32Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = bytes[i] / 127.5 - 1;
  return out;
}

/** Intensities in [0, 1] → [−1, 1]. */
function scaleUnit(values: Float32Array): Float32Array {
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = 2 * values[i] - 1;
  return out;
}

/** An IDX image file and its labels, each checked against the sha256 of its decompressed bytes (a shipped copy). */
export function readCheckedIdxPair(files: { images: string; labels: string }, sha256: { images: string; labels: string }): LabelledImages {
  const images = maybeGunzip(readBytes(files.images), files.images);
  const labels = maybeGunzip(readBytes(files.labels), files.labels);
  checkShippedBytes(images, files.images, sha256.images);
  checkShippedBytes(labels, files.labels, sha256.labels);
  const parsed = parseIdxImages(images, files.images);
  const l = parseIdxLabels(labels, files.labels);
  if (l.length !== parsed.n) throw new Error(`dimension mismatch: ${files.images} holds ${parsed.n} images but ${files.labels} holds ${l.length} labels`);
  return { ...parsed, labels: l };
}

function loadAll(sel: ImageSelection): ImageSet {
  // The same resolution the stage declares to the engine as its external files (sources.ts).
  const source = resolveImageSource(sel);
  switch (source.kind) {
    case 'mnist-package': {
      const m = loadMnistPackage(source.files);
      return { x: scaleUnit(m.pixels), labels: m.labels, n: m.n, width: 784 };
    }
    case 'idx': {
      const a = source.sha256 ? readCheckedIdxPair(source, source.sha256) : readIdxPair(source.images, source.labels);
      return { x: scaleBytes(a.pixels), labels: a.labels, n: a.n, width: a.width };
    }
    case 'cifar10': {
      const a = readCifarBatches(source.files);
      return { x: scaleBytes(a.pixels), labels: a.labels, n: a.n, width: a.width };
    }
  }
}

/** Load a dataset, keep the requested classes, and draw `n` images without replacement (seeded). */
export function loadImages(sel: ImageSelection): ImageSet {
  if (!(Number.isInteger(sel.n) && sel.n >= 0)) throw new Error(`n must be an integer ≥ 0 (0 = all), got ${sel.n}`);
  const all = loadAll(sel);
  const keep: number[] = [];
  const wanted = new Set(sel.classes);
  for (let i = 0; i < all.n; i++) if (wanted.size === 0 || wanted.has(all.labels[i])) keep.push(i);
  if (keep.length === 0) {
    throw new Error(`classes: no image of ${sel.dataset} has a label in [${sel.classes.join(', ')}]`);
  }
  const count = sel.n === 0 ? keep.length : sel.n;
  if (count > keep.length) {
    throw new Error(`n: asked for ${count} images but ${sel.dataset} has only ${keep.length} with the requested classes`);
  }
  // Partial Fisher–Yates: a uniform random subset in random order, reproducible from the seed.
  const rng = createRng(sel.seed);
  for (let i = 0; i < count; i++) {
    const j = i + rng.int(keep.length - i);
    [keep[i], keep[j]] = [keep[j], keep[i]];
  }
  const x = new Float32Array(count * all.width);
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    x.set(all.x.subarray(keep[i] * all.width, (keep[i] + 1) * all.width), i * all.width);
    labels[i] = all.labels[keep[i]];
  }
  return { x, labels, n: count, width: all.width };
}
