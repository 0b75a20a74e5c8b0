// Typed access to the WebAssembly SIMD kernels of mlp-kernels.c (embedded in mlp-kernels.wasm.ts): one-time
// compilation, one instance (with its own growable memory) per user, and a bump allocator over that memory.
//
// Availability: the embedded module is validated as it is (SIMD and bulk memory), which is exactly the check
// that matters (linalg/simd.ts validates its own, different module the same way). Where it fails, or with
// MLP_NO_KERNELS=1, or after setKernelsEnabled(false), callers use their plain JS paths instead.

import { KERNELS_WASM_BASE64 } from './mlp-kernels.wasm.ts';

/** Byte addresses into the instance's memory for every pointer; 0 for an absent optional pointer. */
export interface KernelExports {
  memory: WebAssembly.Memory;
  __heap_base: WebAssembly.Global;
  sgemm(
    transA: number, transB: number, M: number, N: number, K: number, A: number, lda: number, B: number, ldb: number,
    C: number, ldc: number, bias: number, accumulate: number,
  ): void;
  ln_silu_forward(x: number, n: number, H: number, g: number, b: number, xhat: number, rstd: number, sig: number, out: number): void;
  ln_silu_backward(
    dy: number, xhat: number, rstd: number, sig: number, n: number, H: number, g: number, b: number, dx: number,
    accumulate: number, dg: number, db: number, scratch: number,
  ): void;
  silu_forward(x: number, len: number, sig: number, out: number): void;
  silu_backward(dy: number, x: number, sig: number, len: number, dx: number): void;
  column_sums(G: number, n: number, m: number, out: number): void;
  squared_error(out: number, target: number, len: number, scale: number, dOut: number): number;
  adam_ema(
    p: number, m: number, v: number, ema: number, g: number, len: number, b1: number, b2: number, lrHat: number,
    c2: number, eps: number, decay: number,
  ): void;
  dgemm(M: number, N: number, K: number, A: number, lda: number, B: number, ldb: number, C: number, ldc: number, bias: number, accumulate: number): void;
  d_ln_silu_rows(x: number, n: number, H: number, g: number, b: number, out: number): void;
  d_ln_silu_tangent(z: number, T: number, d: number, H: number, g: number, b: number, u: number, Tu: number, scratch: number): void;
  d_scale(src: number, len: number, c: number, dst: number): void;
}

let compiled: WebAssembly.Module | null | undefined;
let enabled = true;

function compiledModule(): WebAssembly.Module | null {
  if (compiled === undefined) {
    compiled = null;
    if (process.env.MLP_NO_KERNELS !== '1') {
      try {
        const bytes = Buffer.from(KERNELS_WASM_BASE64, 'base64');
        if (WebAssembly.validate(bytes)) compiled = new WebAssembly.Module(bytes);
      } catch {
        compiled = null;
      }
    }
  }
  return compiled;
}

/** Whether this runtime can run the kernels at all (WebAssembly SIMD; not disabled by MLP_NO_KERNELS=1). */
export function kernelsAvailable(): boolean {
  return compiledModule() !== null;
}

/** Whether callers should use the kernels now: available and not switched off by setKernelsEnabled(false). */
export function kernelsEnabled(): boolean {
  return enabled && kernelsAvailable();
}

/**
 * Switch the kernels off (or back on) for this process: tests and benchmarks use it to run the plain JS
 * reference paths side by side. Returns the previous setting.
 */
export function setKernelsEnabled(on: boolean): boolean {
  const was = enabled;
  enabled = on;
  return was;
}

const PAGE = 65536;

/**
 * One instance of the kernels with its own memory, and a bump allocator over it. Regions are addressed in
 * bytes (what the kernels take); `f32`/`f64` are views of the whole memory, refreshed after it grows.
 */
export class KernelInstance {
  readonly k: KernelExports;
  private readonly base: number;
  private top: number;
  private buffer: ArrayBuffer | undefined;
  private f32view = new Float32Array(0);
  private f64view = new Float64Array(0);

  constructor() {
    const module = compiledModule();
    if (module === null) throw new Error('the WebAssembly SIMD kernels are not available in this runtime');
    this.k = new WebAssembly.Instance(module, {}).exports as unknown as KernelExports;
    this.base = KernelInstance.align(this.k.__heap_base.value as number, 64);
    this.top = this.base;
  }

  private static align(bytes: number, to: number): number {
    return Math.ceil(bytes / to) * to;
  }

  /** Reserve `bytes` (16-byte aligned, so rows of vectors stay aligned); returns the byte address. */
  alloc(bytes: number): number {
    const at = KernelInstance.align(this.top, 16);
    this.top = at + bytes;
    const have = this.k.memory.buffer.byteLength;
    if (this.top > have) this.k.memory.grow(Math.ceil((this.top - have) / PAGE));
    return at;
  }

  /** Reserve room for `count` float32 / float64 values. */
  allocF32(count: number): number {
    return this.alloc(4 * count);
  }
  allocF64(count: number): number {
    return this.alloc(8 * count);
  }

  /** Forget every allocation (the memory keeps its size). */
  reset(): void {
    this.top = this.base;
  }

  private refresh(): void {
    const buf = this.k.memory.buffer;
    if (buf !== this.buffer) {
      this.buffer = buf;
      this.f32view = new Float32Array(buf);
      this.f64view = new Float64Array(buf);
    }
  }

  /** The whole memory as float32; element index = byte address / 4. Valid until the next alloc. */
  get f32(): Float32Array {
    this.refresh();
    return this.f32view;
  }

  /** The whole memory as float64; element index = byte address / 8. Valid until the next alloc. */
  get f64(): Float64Array {
    this.refresh();
    return this.f64view;
  }
}
