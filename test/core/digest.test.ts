// Canonical JSON, which every artifact key hashes: equal configurations, however written, give equal keys.
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../core/digest.ts';

describe('canonical JSON', () => {
  it('ignores key order and normalises -0, so equal configs give equal keys', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, -0], c: 'x' } })).toBe(canonicalJson({ a: { c: 'x', d: [1, 0] }, b: 1 }));
    expect(canonicalJson({ a: 1 })).not.toBe(canonicalJson({ a: 1.5 }));
    expect(() => canonicalJson({ a: NaN })).toThrow(/non-finite/);
  });
});
