// WebAssembly SIMD (f64x2) versions of the hot loops, for matrices that live in this module's memory.
// V8 does not vectorise JavaScript; these kernels do two multiply-adds per instruction without bounds
// checks, about 3× the throughput of the unrolled JS loops. The module is a few hundred bytes written
// out below (no toolchain needed); where WebAssembly SIMD is unavailable everything stays in JS.
//
// Use: `withWorkspace([len1, len2, ...], (a, b, ...) => ...)` hands out Float64Array views of the
// module's memory; the kernels in matrix.ts recognise such views and dispatch here. Results must be
// copied out before returning (the views are reused by the next call).

import { axpyKernel, dotKernel } from './vector-kernels.ts';

// ---------------------------------------------------------------------------------------------
// A minimal encoder: enough of the binary format for four functions over an imported memory.

const I32 = 0x7f;
const F64 = 0x7c;
const V128 = 0x7b;

const op = {
  block: [0x02, 0x40],
  loop: [0x03, 0x40],
  end: [0x0b],
  br: (l: number) => [0x0c, l],
  brIf: (l: number) => [0x0d, l],
  get: (i: number) => [0x20, i],
  set: (i: number) => [0x21, i],
  tee: (i: number) => [0x22, i],
  i32Const: (v: number) => [0x41, ...sleb(v)],
  i32Add: [0x6a],
  i32Shl: [0x74],
  i32ShrU: [0x76],
  i32GeU: [0x4f],
  f64Load: (offset: number) => [0x2b, 3, offset],
  f64Store: (offset: number) => [0x39, 3, offset],
  f64Add: [0xa0],
  f64Sub: [0xa1],
  f64Mul: [0xa2],
  f64Const0: [0x44, 0, 0, 0, 0, 0, 0, 0, 0],
  v128Load: (offset: number) => [0xfd, 0x00, 3, offset],
  v128Store: (offset: number) => [0xfd, 0x0b, 3, offset],
  f64x2Splat: [0xfd, 0x14],
  f64x2Lane: (lane: number) => [0xfd, 0x21, lane],
  f64x2Add: [0xfd, 0xf0, 0x01],
  f64x2Sub: [0xfd, 0xf1, 0x01],
  f64x2Mul: [0xfd, 0xf2, 0x01],
};

function sleb(v: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

function uleb(v: number): number[] {
  const out: number[] = [];
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
  return out;
}

const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
const name = (s: string): number[] => [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];

interface KernelSource {
  name: string;
  params: number[];
  results: number[];
  /** Extra locals, one type each. */
  locals: number[];
  code: number[][];
}

/** `while (ptr < end) { body; ptr… += step }` as block/loop; `advance` bumps every pointer local. */
function loopWhileBelow(ptr: number, end: number, body: number[][], advance: number[][]): number[][] {
  return [op.block, op.loop, op.get(ptr), op.get(end), op.i32GeU, op.brIf(1), ...body, ...advance, op.br(0), op.end, op.end];
}
const bump = (local: number, bytes: number) => [op.get(local), op.i32Const(bytes), op.i32Add, op.set(local)];
/** end = start + ((n >> shift) << (shift + 3)): the byte address after the last whole group of 2^shift. */
const groupEnd = (start: number, n: number, shift: number, out: number) => [
  op.get(start),
  op.get(n),
  op.i32Const(shift),
  op.i32ShrU,
  op.i32Const(shift + 3),
  op.i32Shl,
  op.i32Add,
  op.set(out),
];

// dot(x, y, n) → Σ x[i] y[i]; four per iteration in two vector accumulators, then the tail.
const dot: KernelSource = {
  name: 'dot',
  params: [I32, I32, I32],
  results: [F64],
  locals: [I32, I32, V128, V128, F64], // 3 end4, 4 end, 5 acc0, 6 acc1, 7 sum
  code: [
    ...groupEnd(0, 2, 2, 3),
    ...groupEnd(0, 2, 0, 4),
    ...loopWhileBelow(
      0,
      3,
      [
        [...op.get(5), ...op.get(0), ...op.v128Load(0), ...op.get(1), ...op.v128Load(0), ...op.f64x2Mul, ...op.f64x2Add, ...op.set(5)],
        [...op.get(6), ...op.get(0), ...op.v128Load(16), ...op.get(1), ...op.v128Load(16), ...op.f64x2Mul, ...op.f64x2Add, ...op.set(6)],
      ],
      [bump(0, 32).flat(), bump(1, 32).flat()],
    ),
    op.get(5),
    op.get(6),
    op.f64x2Add,
    op.tee(5),
    op.f64x2Lane(0),
    op.get(5),
    op.f64x2Lane(1),
    op.f64Add,
    op.set(7),
    ...loopWhileBelow(
      0,
      4,
      [[...op.get(7), ...op.get(0), ...op.f64Load(0), ...op.get(1), ...op.f64Load(0), ...op.f64Mul, ...op.f64Add, ...op.set(7)]],
      [bump(0, 8).flat(), bump(1, 8).flat()],
    ),
    op.get(7),
  ],
};

// axpy(alpha, x, y, n): y[i] += alpha x[i].
const axpy: KernelSource = {
  name: 'axpy',
  params: [F64, I32, I32, I32],
  results: [],
  locals: [I32, I32, V128], // 4 end4, 5 end, 6 alpha splat
  code: [
    ...groupEnd(1, 3, 2, 4),
    ...groupEnd(1, 3, 0, 5),
    op.get(0),
    op.f64x2Splat,
    op.set(6),
    ...loopWhileBelow(
      1,
      4,
      [
        [...op.get(2), ...op.get(2), ...op.v128Load(0), ...op.get(6), ...op.get(1), ...op.v128Load(0), ...op.f64x2Mul, ...op.f64x2Add, ...op.v128Store(0)],
        [...op.get(2), ...op.get(2), ...op.v128Load(16), ...op.get(6), ...op.get(1), ...op.v128Load(16), ...op.f64x2Mul, ...op.f64x2Add, ...op.v128Store(16)],
      ],
      [bump(1, 32).flat(), bump(2, 32).flat()],
    ),
    ...loopWhileBelow(
      1,
      5,
      [[...op.get(2), ...op.get(2), ...op.f64Load(0), ...op.get(0), ...op.get(1), ...op.f64Load(0), ...op.f64Mul, ...op.f64Add, ...op.f64Store(0)]],
      [bump(1, 8).flat(), bump(2, 8).flat()],
    ),
  ],
};

// dotAxpy(f, w, v, e, n) → Σ w[i] v[i], and e[i] += f w[i]: the matrix–vector step of tridiagonalisation.
const dotAxpy: KernelSource = {
  name: 'dotAxpy',
  params: [F64, I32, I32, I32, I32],
  results: [F64],
  locals: [I32, I32, V128, V128, V128, F64], // 5 end2, 6 end, 7 acc, 8 f splat, 9 w pair, 10 sum
  code: [
    ...groupEnd(1, 4, 1, 5),
    ...groupEnd(1, 4, 0, 6),
    op.get(0),
    op.f64x2Splat,
    op.set(8),
    ...loopWhileBelow(
      1,
      5,
      [
        [...op.get(1), ...op.v128Load(0), ...op.set(9)],
        [...op.get(7), ...op.get(9), ...op.get(2), ...op.v128Load(0), ...op.f64x2Mul, ...op.f64x2Add, ...op.set(7)],
        [...op.get(3), ...op.get(3), ...op.v128Load(0), ...op.get(9), ...op.get(8), ...op.f64x2Mul, ...op.f64x2Add, ...op.v128Store(0)],
      ],
      [bump(1, 16).flat(), bump(2, 16).flat(), bump(3, 16).flat()],
    ),
    op.get(7),
    op.f64x2Lane(0),
    op.get(7),
    op.f64x2Lane(1),
    op.f64Add,
    op.set(10),
    ...loopWhileBelow(
      1,
      6,
      [
        [...op.get(10), ...op.get(1), ...op.f64Load(0), ...op.get(2), ...op.f64Load(0), ...op.f64Mul, ...op.f64Add, ...op.set(10)],
        [...op.get(3), ...op.get(3), ...op.f64Load(0), ...op.get(1), ...op.f64Load(0), ...op.get(0), ...op.f64Mul, ...op.f64Add, ...op.f64Store(0)],
      ],
      [bump(1, 8).flat(), bump(2, 8).flat(), bump(3, 8).flat()],
    ),
    op.get(10),
  ],
};

// rank2(f, g, w, e, v, n): w[i] −= f e[i] + g v[i]: the symmetric rank-two update of tridiagonalisation.
const rank2: KernelSource = {
  name: 'rank2',
  params: [F64, F64, I32, I32, I32, I32],
  results: [],
  locals: [I32, I32, V128, V128], // 6 end2, 7 end, 8 f splat, 9 g splat
  code: [
    ...groupEnd(2, 5, 1, 6),
    ...groupEnd(2, 5, 0, 7),
    op.get(0),
    op.f64x2Splat,
    op.set(8),
    op.get(1),
    op.f64x2Splat,
    op.set(9),
    ...loopWhileBelow(
      2,
      6,
      [
        [
          ...op.get(2),
          ...op.get(2),
          ...op.v128Load(0),
          ...op.get(8),
          ...op.get(3),
          ...op.v128Load(0),
          ...op.f64x2Mul,
          ...op.get(9),
          ...op.get(4),
          ...op.v128Load(0),
          ...op.f64x2Mul,
          ...op.f64x2Add,
          ...op.f64x2Sub,
          ...op.v128Store(0),
        ],
      ],
      [bump(2, 16).flat(), bump(3, 16).flat(), bump(4, 16).flat()],
    ),
    ...loopWhileBelow(
      2,
      7,
      [
        [
          ...op.get(2),
          ...op.get(2),
          ...op.f64Load(0),
          ...op.get(0),
          ...op.get(3),
          ...op.f64Load(0),
          ...op.f64Mul,
          ...op.get(1),
          ...op.get(4),
          ...op.f64Load(0),
          ...op.f64Mul,
          ...op.f64Add,
          ...op.f64Sub,
          ...op.f64Store(0),
        ],
      ],
      [bump(2, 8).flat(), bump(3, 8).flat(), bump(4, 8).flat()],
    ),
  ],
};

const KERNELS = [dot, axpy, dotAxpy, rank2];

function encodeModule(): Uint8Array<ArrayBuffer> {
  const types = section(1, vec(KERNELS.map((k) => [0x60, ...vec(k.params.map((t) => [t])), ...vec(k.results.map((t) => [t]))])));
  const imports = section(2, vec([[...name('env'), ...name('memory'), 0x02, 0x00, 0x01]])); // memory, min 1 page
  const funcs = section(3, vec(KERNELS.map((_, i) => uleb(i))));
  const exports = section(7, vec(KERNELS.map((k, i) => [...name(k.name), 0x00, ...uleb(i)])));
  const bodies = KERNELS.map((k) => {
    const body = [...vec(k.locals.map((t) => [1, t])), ...k.code.flat(), 0x0b];
    return [...uleb(body.length), ...body];
  });
  const code = section(10, vec(bodies));
  return new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...types, ...imports, ...funcs, ...exports, ...code]);
}

// ---------------------------------------------------------------------------------------------
// Instantiation (synchronous: the module is tiny) and the workspace.

interface SimdExports {
  dot(x: number, y: number, n: number): number;
  axpy(alpha: number, x: number, y: number, n: number): void;
  dotAxpy(f: number, w: number, v: number, e: number, n: number): number;
  rank2(f: number, g: number, w: number, e: number, v: number, n: number): void;
}

const PAGE = 65536;
let memory: WebAssembly.Memory | undefined;
let simdKernels: SimdExports | undefined;

function instantiate(): void {
  if (process.env.LINALG_NO_SIMD === '1') return;
  try {
    const bytes = encodeModule();
    if (!WebAssembly.validate(bytes)) return;
    memory = new WebAssembly.Memory({ initial: 1 });
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } });
    simdKernels = instance.exports as unknown as SimdExports;
  } catch {
    memory = undefined;
    simdKernels = undefined;
  }
}
instantiate();

/** Whether the WebAssembly SIMD kernels are in use (false: plain JavaScript loops; LINALG_NO_SIMD=1 forces that). */
export const simdAvailable = (): boolean => simdKernels !== undefined;

/**
 * Vector kernels over one float64 memory `mem`; every argument but the scalars is an element index
 * into `mem`, so one call site serves all the arrays of a factorisation.
 */
export interface Workspace {
  mem: Float64Array;
  /** Σ mem[x+i] mem[y+i]. */
  dot(x: number, y: number, len: number): number;
  /** mem[y+i] += alpha mem[x+i]. */
  axpy(alpha: number, x: number, y: number, len: number): void;
  /** Σ mem[w+i] mem[v+i], while mem[e+i] += f mem[w+i]. */
  dotAxpy(f: number, w: number, v: number, e: number, len: number): number;
  /** mem[w+i] −= f mem[e+i] + g mem[v+i]. */
  rank2(f: number, g: number, w: number, e: number, v: number, len: number): void;
}

function jsWorkspace(mem: Float64Array): Workspace {
  return {
    mem,
    dot: (x, y, len) => dotKernel(mem, x, mem, y, len),
    axpy: (alpha, x, y, len) => axpyKernel(alpha, mem, x, mem, y, len),
    dotAxpy(f, w, v, e, len) {
      let g = 0;
      for (let i = 0; i < len; i++) {
        const wi = mem[w + i];
        g += wi * mem[v + i];
        mem[e + i] += wi * f;
      }
      return g;
    },
    rank2(f, g, w, e, v, len) {
      for (let i = 0; i < len; i++) mem[w + i] -= f * mem[e + i] + g * mem[v + i];
    },
  };
}

/** Below this length the JS loop beats the cost of a call into WebAssembly. */
const SIMD_MIN_LENGTH = 12;

function simdWorkspace(mem: Float64Array, k: SimdExports): Workspace {
  const js = jsWorkspace(mem);
  return {
    mem,
    dot: (x, y, len) => (len < SIMD_MIN_LENGTH ? js.dot(x, y, len) : k.dot(8 * x, 8 * y, len)),
    axpy: (alpha, x, y, len) => (len < SIMD_MIN_LENGTH ? js.axpy(alpha, x, y, len) : k.axpy(alpha, 8 * x, 8 * y, len)),
    dotAxpy: (f, w, v, e, len) => (len < SIMD_MIN_LENGTH ? js.dotAxpy(f, w, v, e, len) : k.dotAxpy(f, 8 * w, 8 * v, 8 * e, len)),
    rank2: (f, g, w, e, v, len) => (len < SIMD_MIN_LENGTH ? js.rank2(f, g, w, e, v, len) : k.rank2(f, g, 8 * w, 8 * e, 8 * v, len)),
  };
}

let busy = false;

/**
 * Run `fn` with a workspace holding zero-filled float64 arrays of the given lengths: `offsets[i]` is
 * where array i starts in `ws.mem`, and `views[i]` is that array. With SIMD the memory is the
 * WebAssembly module's; otherwise (or when called re-entrantly) an ordinary array with JS kernels.
 * Results must be copied out before returning: the memory is reused by the next call.
 */
export function withWorkspace<T>(lengths: number[], fn: (ws: Workspace, offsets: number[], views: Float64Array[]) => T): T {
  // Each array starts on a 16-byte boundary (an even element index), so aligned rows stay aligned.
  const offsets: number[] = [];
  let total = 0;
  for (const n of lengths) {
    offsets.push(total);
    total += n + (n & 1);
  }
  let ws: Workspace;
  if (memory && simdKernels && !busy) {
    const have = memory.buffer.byteLength;
    if (total * 8 > have) memory.grow(Math.ceil((total * 8 - have) / PAGE));
    const mem = new Float64Array(memory.buffer, 0, total);
    mem.fill(0);
    ws = simdWorkspace(mem, simdKernels);
  } else {
    ws = jsWorkspace(new Float64Array(total));
  }
  const views = lengths.map((n, i) => ws.mem.subarray(offsets[i], offsets[i] + n));
  const wasBusy = busy;
  busy = true;
  try {
    return fn(ws, offsets, views);
  } finally {
    busy = wasBusy;
  }
}
