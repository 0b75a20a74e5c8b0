// Branded digest types (wireit style): a path or a free string cannot be passed where a hash is expected.
import { createHash } from 'node:crypto';

declare const brand: unique symbol;
type Brand<T, B extends string> = T & { readonly [brand]: B };

/** sha256 hex of a file's bytes. */
export type FileSha256HexDigest = Brand<string, 'FileSha256HexDigest'>;
/** sha256 hex of a canonical fingerprint: the name of an artifact directory in the store. */
export type ArtifactKey = Brand<string, 'ArtifactKey'>;

export function sha256Hex(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}
export function fileDigest(bytes: Uint8Array): FileSha256HexDigest {
  return sha256Hex(bytes) as FileSha256HexDigest;
}

/**
 * Canonical JSON: object keys sorted, numbers normalised (-0 → 0, integers without a fraction, non-finite
 * rejected), so two equal configurations always hash the same way whatever order they were written in.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(canonicalize(value));
}
function canonicalize(value: unknown): unknown {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`cannot fingerprint non-finite number ${value}`);
    return Object.is(value, -0) ? 0 : value;
  }
  if (Array.isArray(value)) return value.map(canonicalize);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[k];
      if (v !== undefined) out[k] = canonicalize(v);
    }
    return out;
  }
  return value;
}
