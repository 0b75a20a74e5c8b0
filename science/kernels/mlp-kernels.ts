// Typed access to the WebAssembly SIMD kernels of mlp-kernels.c (embedded in mlp-kernels.wasm.ts), through the
// shared runtime of wasm/kernel-instance.ts: one instance (with its own growable memory) per user. They are
// the MLP's one CPU implementation (score-network.ts); a runtime without WebAssembly SIMD stops with an error.

import { compileEmbedded, KernelModuleInstance, type KernelModuleExports } from '../../wasm/kernel-instance.ts';
import { KERNELS_WASM_BASE64 } from './mlp-kernels.wasm.ts';

/** Byte addresses into the instance's memory for every pointer; 0 for an absent optional pointer. */
interface KernelExports extends KernelModuleExports {
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
  radam_ema(
    p: number, m: number, v: number, ema: number, g: number, len: number, b1: number, b2: number, lr: number,
    c1: number, sqrtC2: number, rect: number, eps: number, decay: number,
  ): void;
  dgemm(M: number, N: number, K: number, A: number, lda: number, B: number, ldb: number, C: number, ldc: number, bias: number, accumulate: number): void;
  d_ln_silu_rows(x: number, n: number, H: number, g: number, b: number, out: number): void;
  d_ln_silu_tangent(z: number, T: number, d: number, H: number, g: number, b: number, u: number, Tu: number, scratch: number): void;
  d_scale(src: number, len: number, c: number, dst: number): void;
  fast_sincos(x: number, n: number, sin: number, cos: number): void;
  fast_log(x: number, n: number, out: number): void;
  draw_mlp_batch(
    rng: number, data: number, n: number, d: number, B: number, timeLaw: number, eps: number, w0: number, w1: number,
    logMin: number, L: number, sigmaMin: number, sigmaMax: number, edm: number, sd: number, raw: number, rms: number,
    F: number, sigmaFeatures: number, concat: number, omega: number, xIn: number, w: number, emb: number, target: number, noise: number,
  ): void;
}

let compiled: WebAssembly.Module | undefined;

/** One instance of the kernels with its own memory and a bump allocator (wasm/kernel-instance.ts). */
export class KernelInstance extends KernelModuleInstance<KernelExports> {
  constructor() {
    compiled ??= compileEmbedded(KERNELS_WASM_BASE64, 'science/kernels/mlp-kernels.c');
    super(compiled);
  }
}
