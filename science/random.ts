// Seeded pseudo-random numbers, so that every stage is reproducible from its `seed` parameter.
// sfc32 (small fast counter) seeded through splitmix32; Gaussians by Box–Muller with the spare kept.

export interface Rng {
  /** Uniform in [0, 1). */
  uniform(): number;
  /** Standard normal. */
  normal(): number;
  /** Fill with standard normals (float64). */
  fillNormal(out: Float64Array | Float32Array): void;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** An independent child generator (for a sub-task that must not shift this stream). */
  fork(label: number): Rng;
  /** Copy the whole state out, or take it in: a drawer in WebAssembly continues the same stream (kernels/batch-draw.ts). */
  saveState(to: RngState): void;
  loadState(from: RngState): void;
}

/** A generator's whole state: sfc32's four words, and [1 when a Box–Muller spare waits else 0, the spare]. */
export interface RngState {
  words: Int32Array;
  spare: Float64Array;
}

/** The seeding generator: createRng draws sfc32's initial state from it. */
export function splitmix32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + SPLITMIX_GAMMA) >>> 0;
    return splitmixOutput(a);
  };
}

const SPLITMIX_GAMMA = 0x9e3779b9;

/** splitmix32's output for the state a (its mixing function). */
function splitmixOutput(a: number): number {
  let z = a;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}

/** A generator with its seeding exposed, so that one object can be reseeded in place (forksOf). */
interface Sfc32 extends Rng {
  reseed(seed: number): void;
  next32(): number;
}

export function createRng(seed: number): Rng {
  if (!Number.isFinite(seed)) throw new Error(`seed must be a finite number, got ${seed}`);
  const g = sfc32();
  g.reseed(seed);
  return g;
}

/**
 * createRng(seed).fork(label) for label after label, as one generator reseeded in place: the same streams, but
 * the training loop (train-loop.ts) draws each step's batch from its own fork without allocating a generator
 * per step. The returned generator is the same object on every call, valid until the next.
 */
export function forksOf(seed: number): (label: number) => Rng {
  if (!Number.isFinite(seed)) throw new Error(`seed must be a finite number, got ${seed}`);
  const parent = sfc32();
  parent.reseed(seed);
  // fork draws one word of the parent: for a fresh parent, the same word whatever the label.
  const word = parent.next32();
  const child = sfc32();
  return (label) => {
    child.reseed((word ^ Math.imul(label + 1, 0x27d4eb2d)) >>> 0);
    return child;
  };
}

function sfc32(): Sfc32 {
  // The state lives in an Int32Array, not in closure variables: V8 boxes every uint32 above 2^31 and every
  // double kept in a closure as a heap number, an allocation per draw that cost more than the draws
  // themselves. Same operations on the same 32-bit patterns as sfc32 on uint32s, so the same stream.
  const s = new Int32Array(4);
  const next32 = (): number => {
    const a = s[0], b = s[1], c = s[2];
    const t = (a + b) | 0;
    s[0] = b ^ (b >>> 9);
    s[1] = (c + (c << 3)) | 0;
    const d = (s[3] + 1) | 0;
    s[3] = d;
    const r = (t + d) | 0;
    s[2] = (((c << 21) | (c >>> 11)) + r) | 0;
    return r >>> 0;
  };
  // 53-bit uniforms from two draws, so tiny probabilities are not quantised at 2^-32.
  const uniform = (): number => ((next32() >>> 5) * 67108864 + (next32() >>> 6)) / 9007199254740992;
  // Box–Muller's second value waits here (a Float64Array for the same reason as the state).
  const spare = new Float64Array(1);
  let hasSpare = false;
  const normal = (): number => {
    if (hasSpare) {
      hasSpare = false;
      return spare[0];
    }
    let u = 0;
    while (u === 0) u = uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    const theta = 2 * Math.PI * uniform();
    spare[0] = r * Math.sin(theta);
    hasSpare = true;
    return r * Math.cos(theta);
  };
  return {
    reseed(seed) {
      // splitmix32(floor(seed) ^ 0x5bd1e995)'s first four outputs, without a generator object (forksOf reseeds every step).
      let a = (Math.floor(seed) ^ 0x5bd1e995) >>> 0;
      for (let k = 0; k < 4; k++) {
        a = (a + SPLITMIX_GAMMA) >>> 0;
        s[k] = splitmixOutput(a);
      }
      for (let i = 0; i < 12; i++) next32();
      hasSpare = false;
    },
    next32,
    uniform,
    normal,
    fillNormal(out) {
      // normal() in a loop, a pair per Box–Muller draw without the spare's round trip: the same values.
      const len = out.length;
      let i = 0;
      if (hasSpare && len > 0) out[i++] = normal();
      for (; i + 2 <= len; i += 2) {
        let u = 0;
        while (u === 0) u = uniform();
        const r = Math.sqrt(-2 * Math.log(u));
        const theta = 2 * Math.PI * uniform();
        out[i] = r * Math.cos(theta);
        out[i + 1] = r * Math.sin(theta);
      }
      if (i < len) out[i] = normal();
    },
    int(n) {
      if (!(Number.isInteger(n) && n > 0)) throw new Error(`Rng.int needs a positive integer, got ${n}`);
      return Math.floor(uniform() * n);
    },
    fork(label) {
      return createRng((next32() ^ Math.imul(label + 1, 0x27d4eb2d)) >>> 0);
    },
    saveState({ words, spare: to }) {
      words.set(s);
      to[0] = hasSpare ? 1 : 0;
      to[1] = spare[0];
    },
    loadState({ words, spare: from }) {
      s.set(words);
      hasSpare = from[0] !== 0;
      spare[0] = from[1];
    },
  };
}
