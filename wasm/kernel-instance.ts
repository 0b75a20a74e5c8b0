// The one WebAssembly runtime of the C kernel modules (science/kernels/mlp-kernels.c, linalg/linalg-kernels.c,
// both built by scripts/build-kernels.ts and embedded as base64): one-time compilation of an embedded module,
// and instances with their own growable memory and a bump allocator over it. Neutral ground, so that linalg/
// and science/ share it without importing each other.

/** What every kernel module exports besides its functions. */
export interface KernelModuleExports {
  memory: WebAssembly.Memory;
  __heap_base: WebAssembly.Global;
}

/**
 * The compiled module of `source`. The kernels are the one implementation of what they compute (there is no
 * second, plain-JS path whose results would differ), so a runtime that cannot run them (no WebAssembly SIMD
 * or bulk memory: the embedded bytes are validated as they are, which is exactly the check that matters)
 * stops here with the reason.
 */
export function compileEmbedded(base64: string, source: string): WebAssembly.Module {
  const bytes = Buffer.from(base64, 'base64');
  if (!WebAssembly.validate(bytes)) {
    throw new Error(`this JavaScript runtime cannot run the WebAssembly SIMD kernels of ${source} (Node ≥ 20 can)`);
  }
  return new WebAssembly.Module(bytes);
}

const PAGE = 65536;

const align = (bytes: number, to: number): number => Math.ceil(bytes / to) * to;

/**
 * One instance of a kernel module with its own memory, and a bump allocator over it. Regions are addressed
 * in bytes (what the kernels take); `f32`/`f64` are views of the whole memory, refreshed after it grows.
 */
export class KernelModuleInstance<E extends KernelModuleExports> {
  readonly k: E;
  private readonly base: number;
  private top: number;
  private buffer: ArrayBuffer | undefined;
  private f32view = new Float32Array(0);
  private f64view = new Float64Array(0);

  constructor(module: WebAssembly.Module) {
    // A module may import JavaScript's Math functions (scripts/build-kernels.ts allows nothing else).
    this.k = new WebAssembly.Instance(module, { Math: Math as unknown as WebAssembly.ModuleImports }).exports as unknown as E;
    this.base = align(this.k.__heap_base.value as number, 64);
    this.top = this.base;
  }

  /** Reserve `bytes` (16-byte aligned, so rows of vectors stay aligned); returns the byte address. */
  alloc(bytes: number): number {
    const at = align(this.top, 16);
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
