// CIFAR-10 binary batches (data_batch_1.bin … test_batch.bin): records of 1 label byte (0–9) followed
// by 3072 pixel bytes, the 1024 red values, then green, then blue, each 32 × 32 row-major.
// We keep that channel-major (CHW) order in the flattened vector.

import { maybeGunzip, readBytes, type LabelledImages } from './idx.ts';

const CIFAR_PIXELS = 3072;
const RECORD = 1 + CIFAR_PIXELS;

export function parseCifarBatch(raw: Uint8Array, name: string): LabelledImages {
  const bytes = maybeGunzip(raw, name);
  if (bytes.length === 0) throw new Error(`${name}: empty file, expected CIFAR-10 records of ${RECORD} bytes`);
  if (bytes.length % RECORD !== 0) {
    throw new Error(
      `${name}: size ${bytes.length} is not a multiple of the CIFAR-10 record size ${RECORD} (1 label + 3072 pixels): truncated or not a CIFAR-10 binary batch`,
    );
  }
  const n = bytes.length / RECORD;
  const pixels = new Uint8Array(n * CIFAR_PIXELS);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const label = bytes[i * RECORD];
    if (label > 9) throw new Error(`${name}: record ${i} has label ${label}; CIFAR-10 labels are 0–9`);
    labels[i] = label;
    pixels.set(bytes.subarray(i * RECORD + 1, (i + 1) * RECORD), i * CIFAR_PIXELS);
  }
  return { pixels, n, width: CIFAR_PIXELS, shape: [3, 32, 32], labels };
}

/** One or more batch files, concatenated in the order given. */
export function readCifarBatches(paths: string[]): LabelledImages {
  if (paths.length === 0) throw new Error('CIFAR-10: no batch files given');
  const parts = paths.map((p) => parseCifarBatch(readBytes(p), p));
  const n = parts.reduce((a, p) => a + p.n, 0);
  const pixels = new Uint8Array(n * CIFAR_PIXELS);
  const labels = new Int32Array(n);
  let at = 0;
  for (const p of parts) {
    pixels.set(p.pixels, at * CIFAR_PIXELS);
    labels.set(p.labels, at);
    at += p.n;
  }
  return { pixels, n, width: CIFAR_PIXELS, shape: [3, 32, 32], labels };
}
