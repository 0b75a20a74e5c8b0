// A small binary container for float32 tensors, and the trained score network's weights file built on it.
//
// Layout (little-endian):
//   bytes 0..7   magic (8 ASCII bytes: 'SGMLPW01' for weights, 'SGTRCK01' for training checkpoints)
//   bytes 8..11  u32 header length L
//   12..12+L     header, UTF-8 JSON: { ...meta, tensors: [{ name, shape }], blobBytes, checksum }
//   padding to a multiple of 4, then the tensors' float32 data back to back in header order.
// `checksum` is FNV-1a (32 bit) of the data bytes, so a truncated or bit-rotted file is rejected with a
// message instead of silently loading garbage (checkpoints come from a directory the engine never trusts).

import type { MlpArchitecture } from './mlp-architecture.ts';
import { checkArchitecture, parameterShapes } from './mlp-architecture.ts';
import type { VeSdeParams } from './sde.ts';

export interface NamedTensor {
  name: string;
  shape: number[];
  data: Float32Array;
}

const WEIGHTS_MAGIC = 'SGMLPW01';
export const CHECKPOINT_MAGIC = 'SGTRCK01';

function fnv1a(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) {
    h ^= bytes[i];
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

const size = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);

export function encodeBlobs(magic: string, meta: Record<string, unknown>, tensors: NamedTensor[]): Uint8Array {
  if (magic.length !== 8) throw new Error(`magic must be 8 ASCII characters, got '${magic}'`);
  let blobBytes = 0;
  for (const t of tensors) {
    if (t.data.length !== size(t.shape)) {
      throw new Error(`tensor ${t.name}: ${t.data.length} values do not fill shape [${t.shape.join(', ')}]`);
    }
    blobBytes += t.data.length * 4;
  }
  const blob = new Uint8Array(blobBytes);
  let at = 0;
  for (const t of tensors) {
    blob.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), at);
    at += t.data.byteLength;
  }
  const header = new TextEncoder().encode(
    JSON.stringify({ ...meta, tensors: tensors.map((t) => ({ name: t.name, shape: t.shape })), blobBytes, checksum: fnv1a(blob) }),
  );
  const dataStart = Math.ceil((12 + header.length) / 4) * 4;
  const out = new Uint8Array(dataStart + blobBytes);
  out.set(new TextEncoder().encode(magic), 0);
  new DataView(out.buffer).setUint32(8, header.length, true);
  out.set(header, 12);
  out.set(blob, dataStart);
  return out;
}

interface DecodedBlobs {
  meta: Record<string, unknown>;
  tensors: NamedTensor[];
}

/** Inverse of encodeBlobs; throws an Error starting with `what:` on any malformed or truncated input. */
export function decodeBlobs(bytes: Uint8Array, magic: string, what: string): DecodedBlobs {
  const fail = (why: string): never => {
    throw new Error(`${what}: ${why}`);
  };
  if (bytes.length < 12) fail(`file too short (${bytes.length} bytes) to hold a header`);
  const got = new TextDecoder().decode(bytes.subarray(0, 8));
  if (got !== magic) fail(`wrong magic '${got.replace(/[^\x20-\x7e]/g, '?')}', expected '${magic}'`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getUint32(8, true);
  if (12 + headerLength > bytes.length) fail(`truncated: header of ${headerLength} bytes runs past the end (${bytes.length} bytes)`);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + headerLength))) as Record<string, unknown>;
  } catch (e) {
    return fail(`header is not valid JSON (${(e as Error).message})`);
  }
  const { tensors: list, blobBytes, checksum, ...meta } = header;
  if (!Array.isArray(list) || typeof blobBytes !== 'number' || typeof checksum !== 'number') {
    fail('header lacks tensors, blobBytes or checksum');
  }
  const dataStart = Math.ceil((12 + headerLength) / 4) * 4;
  if (bytes.length !== dataStart + (blobBytes as number)) {
    fail(`truncated or padded: expected ${dataStart + (blobBytes as number)} bytes, file has ${bytes.length}`);
  }
  // Copy into a fresh, aligned buffer so Float32Array views are legal whatever the input's byteOffset.
  // Not bytes.slice(): on a Node Buffer (what readFileSync returns) slice is a view into the same memory,
  // and views of blob.buffer would then read the header as tensor data.
  const blob = new Uint8Array(bytes.length - dataStart);
  blob.set(bytes.subarray(dataStart));
  if (fnv1a(blob) !== checksum) fail('checksum mismatch: the tensor data is corrupted');
  const tensors: NamedTensor[] = [];
  let at = 0;
  for (const entry of list as Array<{ name: unknown; shape: unknown }>) {
    const shape = entry.shape;
    if (typeof entry.name !== 'string' || !Array.isArray(shape) || !shape.every((s) => Number.isInteger(s) && s >= 0)) {
      fail('malformed tensor entry in header');
    }
    const n = size(shape as number[]);
    if (at + n * 4 > blob.length) fail(`tensor ${entry.name as string} runs past the end of the data`);
    tensors.push({ name: entry.name as string, shape: shape as number[], data: new Float32Array(blob.buffer, at, n) });
    at += n * 4;
  }
  if (at !== blob.length) fail(`${blob.length - at} unexplained bytes after the last tensor`);
  return { meta, tensors };
}

// -------------------------------------------------------------------------------------------------
// The weights file: EMA parameters of the trained network, with what is needed to evaluate it.

export interface TrainedWeights {
  arch: MlpArchitecture;
  sde: VeSdeParams;
  /** Optimiser steps the weights went through. */
  step: number;
  /** Parameters in parameterShapes(arch) order. */
  params: Float32Array[];
}

export function encodeWeights(w: TrainedWeights): Uint8Array {
  const shapes = parameterShapes(w.arch);
  if (shapes.length !== w.params.length) {
    throw new Error(`encodeWeights: ${w.params.length} parameter arrays for an architecture with ${shapes.length}`);
  }
  return encodeBlobs(
    WEIGHTS_MAGIC,
    { format: 1, model: 'residual-mlp', arch: w.arch, sde: w.sde, step: w.step },
    shapes.map((s, i) => ({ name: s.name, shape: s.shape, data: w.params[i] })),
  );
}

export function decodeWeights(bytes: Uint8Array): TrainedWeights {
  const what = 'score network weights';
  const { meta, tensors } = decodeBlobs(bytes, WEIGHTS_MAGIC, what);
  if (meta.format !== 1 || meta.model !== 'residual-mlp') {
    throw new Error(`${what}: unsupported format ${String(meta.format)} / model ${String(meta.model)}`);
  }
  const arch = meta.arch as MlpArchitecture;
  const sde = meta.sde as VeSdeParams;
  try {
    checkArchitecture(arch);
  } catch (e) {
    throw new Error(`${what}: bad architecture in header (${(e as Error).message})`);
  }
  if (!(typeof sde?.sigmaMin === 'number' && typeof sde.sigmaMax === 'number' && typeof sde.eps === 'number')) {
    throw new Error(`${what}: header lacks the SDE parameters`);
  }
  const shapes = parameterShapes(arch);
  if (shapes.length !== tensors.length) {
    throw new Error(`${what}: ${tensors.length} tensors, the architecture needs ${shapes.length}`);
  }
  shapes.forEach((s, i) => {
    const t = tensors[i];
    if (t.name !== s.name || t.shape.join('x') !== s.shape.join('x')) {
      throw new Error(`${what}: tensor ${i} is ${t.name} [${t.shape}], expected ${s.name} [${s.shape}]`);
    }
  });
  return { arch, sde, step: Number(meta.step), params: tensors.map((t) => t.data) };
}
