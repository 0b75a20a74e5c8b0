// Typed access to the WebAssembly SIMD kernels of mlp-kernels.c (embedded in mlp-kernels.wasm.ts), through the
// shared runtime of wasm/kernel-instance.ts: one instance (with its own growable memory) per user.
//
// Availability: where the runtime cannot run the module, or with MLP_NO_KERNELS=1, or after
// setKernelsEnabled(false), callers use their plain JS paths instead.

import { compileEmbedded, KernelModuleInstance, type KernelModuleExports } from '../../wasm/kernel-instance.ts';
import { KERNELS_WASM_BASE64 } from './mlp-kernels.wasm.ts';

/** Byte addresses into the instance's memory for every pointer; 0 for an absent optional pointer. */
export interface KernelExports extends KernelModuleExports {
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
  if (compiled === undefined) compiled = compileEmbedded(KERNELS_WASM_BASE64, process.env.MLP_NO_KERNELS === '1');
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

/** One instance of the kernels with its own memory and a bump allocator (wasm/kernel-instance.ts). */
export class KernelInstance extends KernelModuleInstance<KernelExports> {
  constructor() {
    const module = compiledModule();
    if (module === null) throw new Error('the WebAssembly SIMD kernels are not available in this runtime');
    super(module);
  }
}
