// One entry point for every image source: load, filter by class, draw a seeded subset, scale to [−1, 1].

import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { createRng } from '../science/random.ts';
import { readCifarBatches } from './cifar.ts';
import { checkShippedBytes, locateFullFashionMnist, missingFullFashionMnist, SHIPPED_FASHION_MNIST } from './fashion-mnist.ts';
import { maybeGunzip, parseIdxImages, parseIdxLabels, readBytes, readIdxPair, type LabelledImages } from './idx.ts';
import { loadMnistPackage } from './mnist-package.ts';

export const IMAGE_DATASETS = ['mnist', 'fashion-mnist', 'fashion-mnist-full', 'idx', 'cifar10'] as const;
export type ImageDataset = (typeof IMAGE_DATASETS)[number];

export interface ImageSet {
  /** n × width pixels in [−1, 1]. */
  x: Float32Array;
  /** Class of each image (−1 where the source has no labels). */
  labels: Int32Array;
  n: number;
  width: number;
}

export interface ImageSelection {
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
export function scaleBytes(bytes: Uint8Array): Float32Array {
  const out = new Float32Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = bytes[i] / 127.5 - 1;
  return out;
}

/** Intensities in [0, 1] → [−1, 1]. */
export function scaleUnit(values: Float32Array): Float32Array {
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = 2 * values[i] - 1;
  return out;
}

function firstExisting(dir: string, names: string[]): string | undefined {
  for (const name of names) {
    const p = path.join(dir, name);
    if (existsSync(p)) return p;
  }
  return undefined;
}

/** The shipped Fashion-MNIST test set, checked against its recorded checksums. */
export function readShippedFashionMnist(): LabelledImages {
  const f = SHIPPED_FASHION_MNIST;
  const images = maybeGunzip(readBytes(f.images), f.images);
  const labels = maybeGunzip(readBytes(f.labels), f.labels);
  checkShippedBytes(images, f.images, f.imagesSha256);
  checkShippedBytes(labels, f.labels, f.labelsSha256);
  return { ...parseIdxImages(images, f.images), labels: parseIdxLabels(labels, f.labels) };
}

/**
 * An IDX source: a directory holding train-images-idx3-ubyte[.gz] (and train-labels-idx1-ubyte[.gz]),
 * or an image file whose labels sit next to it under the name with 'images-idx3' → 'labels-idx1'.
 */
export function readIdxSource(source: string): LabelledImages {
  if (!existsSync(source)) throw new Error(`path: ${source} does not exist (expected an IDX image file or a directory holding one)`);
  let imagesPath = source;
  let labelsPath: string | undefined;
  if (statSync(source).isDirectory()) {
    const found = firstExisting(source, ['train-images-idx3-ubyte.gz', 'train-images-idx3-ubyte', 'train-images.idx3-ubyte']);
    if (!found) throw new Error(`path: ${source} holds no train-images-idx3-ubyte[.gz]`);
    imagesPath = found;
    labelsPath = firstExisting(source, ['train-labels-idx1-ubyte.gz', 'train-labels-idx1-ubyte', 'train-labels.idx1-ubyte']);
  } else {
    const guess = source.replace('images-idx3', 'labels-idx1').replace('images.idx3', 'labels.idx1');
    if (guess !== source && existsSync(guess)) labelsPath = guess;
  }
  if (labelsPath) return readIdxPair(imagesPath, labelsPath);
  const images = parseIdxImages(readBytes(imagesPath), imagesPath);
  return { ...images, labels: new Int32Array(images.n).fill(-1) };
}

/** A CIFAR-10 source: one batch file, or a directory (data_batch_1..5.bin, else every *.bin in it). */
export function readCifarSource(source: string): LabelledImages {
  if (!existsSync(source)) throw new Error(`path: ${source} does not exist (expected a CIFAR-10 .bin batch or a directory of them)`);
  if (!statSync(source).isDirectory()) return readCifarBatches([source]);
  const bins = readdirSync(source).filter((f) => f.endsWith('.bin')).sort();
  const train = bins.filter((f) => f.startsWith('data_batch_'));
  const chosen = train.length > 0 ? train : bins;
  if (chosen.length === 0) throw new Error(`path: ${source} holds no CIFAR-10 .bin batches`);
  return readCifarBatches(chosen.map((f) => path.join(source, f)));
}

function loadAll(sel: ImageSelection): ImageSet {
  switch (sel.dataset) {
    case 'mnist': {
      const m = loadMnistPackage();
      return { x: scaleUnit(m.pixels), labels: m.labels, n: m.n, width: 784 };
    }
    case 'fashion-mnist': {
      const a = readShippedFashionMnist();
      return { x: scaleBytes(a.pixels), labels: a.labels, n: a.n, width: a.width };
    }
    case 'fashion-mnist-full':
    case 'idx': {
      let source = sel.path ?? '';
      if (sel.dataset === 'fashion-mnist-full') {
        const lookup = locateFullFashionMnist(source);
        if (!lookup.found) throw new Error(missingFullFashionMnist(lookup));
        source = lookup.found;
      }
      if (!source) throw new Error(`path: dataset 'idx' needs a path to an IDX image file or directory`);
      const a = readIdxSource(source);
      return { x: scaleBytes(a.pixels), labels: a.labels, n: a.n, width: a.width };
    }
    case 'cifar10': {
      if (!sel.path) throw new Error(`path: dataset 'cifar10' needs a path to a CIFAR-10 batch file or directory`);
      const a = readCifarSource(sel.path);
      return { x: scaleBytes(a.pixels), labels: a.labels, n: a.n, width: a.width };
    }
    default:
      throw new Error(`dataset must be one of ${IMAGE_DATASETS.join(', ')}; got '${String(sel.dataset)}'`);
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
