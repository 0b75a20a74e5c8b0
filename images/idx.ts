// The IDX format of LeCun's MNIST files (and Fashion-MNIST, which reuses it):
//   bytes 0–1: zero, byte 2: element type (0x08 = unsigned byte), byte 3: number of dimensions k,
//   then k big-endian uint32 sizes, then the elements row-major.
// Files may be gzipped (as distributed); gzip is detected by its magic bytes 1f 8b, not the file name.

import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

interface IdxArray {
  /** Sizes from the header, e.g. [n, 28, 28] for images, [n] for labels. */
  dims: number[];
  data: Uint8Array;
}

const IDX_UBYTE = 0x08;
const IDX_TYPE_NAMES: Record<number, string> = {
  0x08: 'unsigned byte',
  0x09: 'signed byte',
  0x0b: 'short',
  0x0c: 'int',
  0x0d: 'float',
  0x0e: 'double',
};

/** Undo gzip when the bytes start with gzip's magic; `name` labels errors. */
export function maybeGunzip(bytes: Uint8Array, name: string): Uint8Array {
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      return new Uint8Array(gunzipSync(bytes));
    } catch (e) {
      throw new Error(`${name}: gzip data is corrupt or truncated (${(e as Error).message})`);
    }
  }
  return bytes;
}

/** Parse IDX bytes (gzipped or not) holding unsigned bytes. */
export function parseIdx(raw: Uint8Array, name: string): IdxArray {
  const bytes = maybeGunzip(raw, name);
  if (bytes.length < 4) throw new Error(`${name}: ${bytes.length} bytes is too short for an IDX header (needs at least 4)`);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    const magic = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
    throw new Error(`${name}: bad IDX magic ${magic} (expected 00 00 08 <ndims>): not an IDX file`);
  }
  if (bytes[2] !== IDX_UBYTE) {
    const type = IDX_TYPE_NAMES[bytes[2]] ?? `unknown type 0x${bytes[2].toString(16)}`;
    throw new Error(`${name}: IDX element type is ${type}; only unsigned byte (0x08) images and labels are supported`);
  }
  const k = bytes[3];
  if (k < 1) throw new Error(`${name}: IDX header declares ${k} dimensions (needs at least 1)`);
  const headerBytes = 4 + 4 * k;
  if (bytes.length < headerBytes) {
    throw new Error(`${name}: truncated IDX header: ${k} dimensions need ${headerBytes} header bytes, file has ${bytes.length}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  for (let i = 0; i < k; i++) dims.push(view.getUint32(4 + 4 * i, false));
  const expected = dims.reduce((a, b) => a * b, 1);
  const actual = bytes.length - headerBytes;
  if (actual !== expected) {
    const what = actual < expected ? 'truncated' : 'has trailing bytes';
    throw new Error(
      `${name}: ${what}: header dimensions [${dims.join(', ')}] need ${expected} data bytes, file has ${actual}`,
    );
  }
  return { dims, data: bytes.subarray(headerBytes) };
}

interface ByteImages {
  /** n × width bytes, row-major. */
  pixels: Uint8Array;
  n: number;
  /** Values per image (rows × cols × channels). */
  width: number;
  /** [rows, cols] or [rows, cols, channels] as the file declares. */
  shape: number[];
}

/** Images from an IDX file of k ≥ 2 dimensions ([n, rows, cols] for MNIST). */
export function parseIdxImages(raw: Uint8Array, name: string): ByteImages {
  const a = parseIdx(raw, name);
  if (a.dims.length < 2) {
    throw new Error(`${name}: dimension mismatch: an image file needs ≥ 2 dimensions [n, ...], header has [${a.dims.join(', ')}]`);
  }
  const [n, ...shape] = a.dims;
  return { pixels: a.data, n, width: shape.reduce((x, y) => x * y, 1), shape };
}

/** Labels from a one-dimensional IDX file. */
export function parseIdxLabels(raw: Uint8Array, name: string): Int32Array {
  const a = parseIdx(raw, name);
  if (a.dims.length !== 1) {
    throw new Error(`${name}: dimension mismatch: a label file needs 1 dimension [n], header has [${a.dims.join(', ')}]`);
  }
  return Int32Array.from(a.data);
}

export interface LabelledImages extends ByteImages {
  labels: Int32Array;
}

/** Read an IDX image file and its label file and check they agree on the count. */
export function readIdxPair(imagesPath: string, labelsPath: string): LabelledImages {
  const images = parseIdxImages(readBytes(imagesPath), imagesPath);
  const labels = parseIdxLabels(readBytes(labelsPath), labelsPath);
  if (labels.length !== images.n) {
    throw new Error(`dimension mismatch: ${imagesPath} holds ${images.n} images but ${labelsPath} holds ${labels.length} labels`);
  }
  return { ...images, labels };
}

export function readBytes(path: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (e) {
    throw new Error(`cannot read ${path}: ${(e as Error).message}`);
  }
}
