// WebAssembly SIMD (f64x2) versions of the hot loops, for matrices that live in the kernel module's memory
// (linalg-kernels.c, embedded in linalg-kernels.wasm.ts, run by the shared runtime of wasm/kernel-instance.ts).
// V8 does not vectorise JavaScript; these kernels do two multiply-adds per instruction without bounds
// checks, about 3× the throughput of the unrolled JS loops. Short vectors (below SIMD_MIN_LENGTH) and
// re-entrant calls use the JS loops of vector-kernels.ts.
//
// Use: `withWorkspace([len1, len2, ...], (a, b, ...) => ...)` hands out Float64Array views of the
// module's memory; the kernels in matrix.ts recognise such views and dispatch here. Results must be
// copied out before returning (the views are reused by the next call).

import { compileEmbedded, KernelModuleInstance, type KernelModuleExports } from '../wasm/kernel-instance.ts';
import { KERNELS_WASM_BASE64 } from './linalg-kernels.wasm.ts';
import { axpyKernel, dotKernel } from './vector-kernels.ts';

/** linalg-kernels.c's exports; every pointer is a byte address in the module's memory. */
interface SimdExports extends KernelModuleExports {
  dot(x: number, y: number, n: number): number;
  axpy(alpha: number, x: number, y: number, n: number): void;
  dot_axpy(f: number, w: number, v: number, e: number, n: number): number;
  rank2(f: number, g: number, w: number, e: number, v: number, n: number): void;
  tridiagonal_values(w: number, n: number, diag: number, sub: number, work: number): void;
  tridiagonal_ql_values(d: number, e: number, n: number): number;
  bidiagonalize(b: number, m: number, n: number, s: number, e: number, work: number): void;
  bidiagonal_qr_values(s: number, e: number, p: number): number;
}

const kernels = new KernelModuleInstance<SimdExports>(compileEmbedded(KERNELS_WASM_BASE64, 'linalg/linalg-kernels.c'));
/** Where workspaces start in the module's memory (its heap base). */
const BASE = kernels.alloc(0);

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
  /** Whole reductions in WebAssembly, values only (linalg-kernels.c); absent in the plain-JS workspace. */
  reductions?: Reductions;
}

/** Arguments are element indices into `mem`, as for the vector kernels. */
interface Reductions {
  /** Tridiagonalise the symmetric n × n matrix at w (upper triangle, row-major; destroyed): diag n, sub n (sub[0] = 0), work 4n. */
  tridiagonalValues(w: number, n: number, diag: number, sub: number, work: number): void;
  /** Eigenvalues (unsorted, into diag) of the tridiagonal (diag, sub) that tridiagonalValues leaves, by rational QL; false if it did not converge. */
  tridiagonalQlValues(diag: number, sub: number, n: number): boolean;
  /** Bidiagonalise the m × n column-major matrix at b (m ≥ n; destroyed): s n, e n, work 2m + n. */
  bidiagonalize(b: number, m: number, n: number, s: number, e: number, work: number): void;
  /** Singular values (descending, into s) of the order-p bidiagonal (s, e) that bidiagonalize leaves; false if it did not converge. */
  bidiagonalQrValues(s: number, e: number, p: number): boolean;
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
  const at = (x: number): number => BASE + 8 * x;
  return {
    mem,
    dot: (x, y, len) => (len < SIMD_MIN_LENGTH ? js.dot(x, y, len) : k.dot(at(x), at(y), len)),
    axpy: (alpha, x, y, len) => (len < SIMD_MIN_LENGTH ? js.axpy(alpha, x, y, len) : k.axpy(alpha, at(x), at(y), len)),
    dotAxpy: (f, w, v, e, len) => (len < SIMD_MIN_LENGTH ? js.dotAxpy(f, w, v, e, len) : k.dot_axpy(f, at(w), at(v), at(e), len)),
    rank2: (f, g, w, e, v, len) => (len < SIMD_MIN_LENGTH ? js.rank2(f, g, w, e, v, len) : k.rank2(f, g, at(w), at(e), at(v), len)),
    reductions: {
      tridiagonalValues: (w, n, diag, sub, work) => k.tridiagonal_values(at(w), n, at(diag), at(sub), at(work)),
      tridiagonalQlValues: (diag, sub, n) => k.tridiagonal_ql_values(at(diag), at(sub), n) === 0,
      bidiagonalize: (b, m, n, s, e, work) => k.bidiagonalize(at(b), m, n, at(s), at(e), at(work)),
      bidiagonalQrValues: (s, e, p) => k.bidiagonal_qr_values(at(s), at(e), p) === 0,
    },
  };
}

let busy = false;

/**
 * Run `fn` with a workspace holding zero-filled float64 arrays of the given lengths: `offsets[i]` is
 * where array i starts in `ws.mem`, and `views[i]` is that array. The memory is the WebAssembly module's;
 * a re-entrant call gets an ordinary array with the JS kernels.
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
  if (!busy) {
    kernels.reset();
    kernels.allocF64(total);
    const mem = kernels.f64.subarray(BASE / 8, BASE / 8 + total);
    mem.fill(0);
    ws = simdWorkspace(mem, kernels.k);
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
