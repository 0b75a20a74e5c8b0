// Where Fashion-MNIST comes from. The default is the copy shipped in the project (`data/fashion-mnist/`:
// the 10 000 test images, byte for byte as Debian packages them), so the default profiles need nothing
// outside npm and give the same results on every machine. The 60 000 training images are used only when
// named (dataset 'fashion-mnist-full'): from `path`, else Debian's `dataset-fashion-mnist`.
// Light on purpose (node:fs only): the images stage's plan-time check calls it in the parent process.

import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The shipped copy: Fashion-MNIST's test set (data/fashion-mnist/README.md gives its source and licence). */
export const SHIPPED_FASHION_MNIST = {
  images: fileURLToPath(new URL('../data/fashion-mnist/t10k-images-idx3-ubyte.gz', import.meta.url)),
  labels: fileURLToPath(new URL('../data/fashion-mnist/t10k-labels-idx1-ubyte.gz', import.meta.url)),
  /** sha256 of the decompressed IDX bytes: a changed or damaged copy is refused, and editing these changes the code hash. */
  imagesSha256: '5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b',
  labelsSha256: '0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34',
  n: 10_000,
} as const;

/** Where Debian's `dataset-fashion-mnist` installs the IDX files (train and t10k, gzipped). */
export const DEBIAN_FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

/**
 * `PIPELINE_NO_SYSTEM_DATA=1` hides system-wide datasets (Debian's), as on a fresh machine: the tests use it
 * to show that the default profiles need nothing outside the project and npm.
 */
function systemDataAllowed(env: NodeJS.ProcessEnv = process.env): boolean {
  const v = env.PIPELINE_NO_SYSTEM_DATA;
  return v === undefined || v === '' || v === '0';
}

/** Refuse a shipped file whose decompressed bytes differ from the recorded checksum. */
export function checkShippedBytes(bytes: Uint8Array, file: string, sha256: string): void {
  const got = createHash('sha256').update(bytes).digest('hex');
  if (got !== sha256) {
    throw new Error(`${file}: the shipped Fashion-MNIST copy is damaged or was replaced (sha256 ${got}, expected ${sha256}); restore it with git checkout -- data/fashion-mnist`);
  }
}

interface FullDataLookup {
  /** The directory or file to read, when one was found. */
  found?: string;
  /** Every place looked at, with what was there, for the error message. */
  looked: string[];
}

/** The names an IDX training-image file goes by in a dataset directory (as distributed, unpacked, or renamed). */
export const TRAIN_IMAGE_FILES = ['train-images-idx3-ubyte.gz', 'train-images-idx3-ubyte', 'train-images.idx3-ubyte'];

function holdsTrainingImages(p: string): boolean {
  if (!existsSync(p)) return false;
  if (!statSync(p).isDirectory()) return true;
  return TRAIN_IMAGE_FILES.some((f) => existsSync(`${p}/${f}`));
}

/** Find the 60 000 training images: `path` when given (and only it), else Debian's directory. */
export function locateFullFashionMnist(path: string, env: NodeJS.ProcessEnv = process.env): FullDataLookup {
  if (path !== '') {
    return holdsTrainingImages(path) ? { found: path, looked: [path] } : { looked: [`path = ${path} (${existsSync(path) ? 'no train-images-idx3-ubyte[.gz] in it' : 'does not exist'})`] };
  }
  if (!systemDataAllowed(env)) {
    return { looked: ['path (not set)', `${DEBIAN_FASHION_MNIST_DIR} (not consulted: PIPELINE_NO_SYSTEM_DATA is set)`] };
  }
  if (holdsTrainingImages(DEBIAN_FASHION_MNIST_DIR)) return { found: DEBIAN_FASHION_MNIST_DIR, looked: [DEBIAN_FASHION_MNIST_DIR] };
  return { looked: ['path (not set)', `${DEBIAN_FASHION_MNIST_DIR} (${existsSync(DEBIAN_FASHION_MNIST_DIR) ? 'no training images in it' : 'does not exist'})`] };
}

/** The error for a missing full dataset: every place looked at, and how to get the data. */
export function missingFullFashionMnist(lookup: FullDataLookup): string {
  return (
    `dataset 'fashion-mnist-full' needs Fashion-MNIST's 60 000 training images, found nowhere; looked at: ${lookup.looked.join('; ')}. ` +
    `Install them with 'apt-get install dataset-fashion-mnist' (Debian), or give the directory holding train-images-idx3-ubyte.gz ` +
    `with --set <experiment>.images.path=DIR; dataset 'fashion-mnist' uses the 10 000 images shipped in data/fashion-mnist/`
  );
}
