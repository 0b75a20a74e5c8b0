// The seeded generator against the textbook sfc32 (state in plain closure variables, as the generator was first
// written) with the same seeding (splitmix32, unchanged) and Box–Muller: the Int32Array state must not change one bit of
// any stream (training batches, data sets and every other seeded draw depend on it). And the normals are normal.
import { describe, expect, it } from 'vitest';
import { createRng, forksOf, splitmix32, type RngState } from '../../science/random.ts';

/** sfc32 on uint32 closure variables, 53-bit uniforms and Box–Muller with the spare kept. */
function textbook(seed: number): { uniform(): number; normal(): number; next32(): number } {
  const init = splitmix32(Math.floor(seed) ^ 0x5bd1e995);
  let a = init(), b = init(), c = init(), d = init();
  const next32 = (): number => {
    a >>>= 0; b >>>= 0; c >>>= 0; d >>>= 0;
    const t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    const r = (t + d) | 0;
    c = (c + r) | 0;
    return r >>> 0;
  };
  for (let i = 0; i < 12; i++) next32();
  const uniform = (): number => ((next32() >>> 5) * 67108864 + (next32() >>> 6)) / 9007199254740992;
  let spare: number | undefined;
  const normal = (): number => {
    if (spare !== undefined) {
      const v = spare;
      spare = undefined;
      return v;
    }
    let u = 0;
    while (u === 0) u = uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    const theta = 2 * Math.PI * uniform();
    spare = r * Math.sin(theta);
    return r * Math.cos(theta);
  };
  return { uniform, normal, next32 };
}

describe('createRng', () => {
  it('draws exactly the textbook sfc32 stream: uniforms, normals, integers, forks', () => {
    for (const seed of [0, 1, 17, 0x7fffffff, 2 ** 32 + 5, 123456789]) {
      const ours = createRng(seed);
      const ref = textbook(seed);
      for (let i = 0; i < 20000; i++) expect(ours.normal()).toBe(ref.normal());
      for (let i = 0; i < 2000; i++) expect(ours.uniform()).toBe(ref.uniform());
      for (let i = 0; i < 2000; i++) expect(ours.int(1000)).toBe(Math.floor(ref.uniform() * 1000));
      // fillNormal draws pairs directly: odd lengths and a pending spare must not shift the stream.
      for (const len of [7, 1, 100, 3, 0, 64]) {
        const row = new Float64Array(len);
        ours.fillNormal(row);
        for (const x of row) expect(x).toBe(ref.normal());
        expect(ours.normal()).toBe(ref.normal());
      }
      // fork(label) seeds a child from one draw of the parent.
      const child = ours.fork(3);
      const refChild = textbook((ref.next32() ^ Math.imul(4, 0x27d4eb2d)) >>> 0);
      for (let i = 0; i < 2000; i++) expect(child.normal()).toBe(refChild.normal());
    }
  });

  it('gives standard normals: mean 0, variance 1, fourth moment 3 (Monte-Carlo, 4 standard errors)', () => {
    const rng = createRng(5);
    const N = 200_000;
    let m1 = 0, m2 = 0, m4 = 0;
    for (let i = 0; i < N; i++) {
      const x = rng.normal();
      m1 += x;
      m2 += x * x;
      m4 += x ** 4;
    }
    expect(Math.abs(m1 / N)).toBeLessThan(4 / Math.sqrt(N));
    expect(Math.abs(m2 / N - 1)).toBeLessThan(4 * Math.sqrt(2 / N));
    expect(Math.abs(m4 / N - 3)).toBeLessThan(4 * Math.sqrt(96 / N));
  });

  it('forksOf(seed)(k) draws the stream of createRng(seed).fork(k), in any order of k, with nothing left over from the last k', () => {
    for (const seed of [0, 9, 2 ** 31 + 3]) {
      const forks = forksOf(seed);
      for (const k of [1, 2, 2, 500, 0, 77]) {
        const ours = forks(k);
        const ref = createRng(seed).fork(k);
        // An odd fill leaves a spare on both; the next k must start without it (checked by the next round).
        const a = new Float64Array(5), b = new Float64Array(5);
        ours.fillNormal(a);
        ref.fillNormal(b);
        expect(a).toEqual(b);
        expect([ours.uniform(), ours.normal(), ours.int(13)]).toEqual([ref.uniform(), ref.normal(), ref.int(13)]);
      }
    }
  });

  it('hands its whole state over: another generator loaded with it continues the stream, spare included', () => {
    const state: RngState = { words: new Int32Array(4), spare: new Float64Array(2) };
    for (const pending of [false, true]) {
      const a = createRng(41);
      a.fillNormal(new Float64Array(pending ? 3 : 4)); // odd: a Box–Muller spare waits
      a.saveState(state);
      expect(state.spare[0]).toBe(pending ? 1 : 0);
      const b = createRng(1234);
      b.normal(); // b has a spare of its own, which loading must replace
      b.loadState(state);
      for (let i = 0; i < 50; i++) expect(b.normal()).toBe(a.normal());
      expect(b.uniform()).toBe(a.uniform());
    }
  });
});
