// A small convolutional U-Net for the image score network (the F of score-net.ts's preconditioning),
// on tfjs, NHWC. Described without weights: hyper-parameters, the ordered parameter list, initialisation,
// and one forward pass that runs either plainly (training: tfjs autodiff differentiates it) or with
// forward-mode tangents (the exact Jacobian: a batch of K tangent images travels with the batch-1 primal,
// every linear op applied to both, every non-linearity's derivative taken from the primal).
//
//   h = Conv3×3(u)                                             u = c_in ⊙ (x − μ), as [n, H, W, C]
//   τ = SiLU(Linear(SiLU(Linear(emb(σ)))))                       sinusoidal embedding (mlp-architecture.ts)
//   down, level l = 0 … L−1:  h = Res_l(h) → skip_l;  h = AvgPool2×2(h)
//   middle:                   h = Res_L(h)
//   up, level l = L−1 … 0:    h = Res'_l(concat(Upsample2×(h), skip_l))   (nearest neighbour)
//   F = Conv3×3(SiLU(GN(h)))                                   (zero-initialised: F = 0 at step 0)
//   Res(h: c_in → c_out) = skip(h) + Conv3×3(SiLU(GN(a)·(1 + scale_τ) + shift_τ)),
//                          a = Conv3×3(SiLU(GN(h))),  scale_τ, shift_τ = Linear(τ) (zero-initialised),
//                          skip = identity, or Conv1×1 when c_in ≠ c_out.
// Level l works at resolution H/2^l × W/2^l with widths[l] channels; L = widths.length − 1, so H and W
// must be divisible by 2^L (28 × 28 with three widths: 28, 14, 7). GN is GroupNorm with the largest
// divisor of the channel count that is ≤ 8 as its group count, computed as matrix products (groupOperators).
// Every op here has a wasm kernel; the gradients tfjs-core's node bundle lacks are registered in
// unet-gradients.ts. Cost: unetForwardMacs (5.4 M multiply-adds an image at widths 8/16/16, 84 M at 32/64/64).

import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../science/random.ts';
import { registerUnetGradients } from './unet-gradients.ts';

registerUnetGradients();

export interface UnetArchitecture {
  kind: 'unet';
  /** Ambient dimension d = C·H·W (the flattened image, channel-major when C > 1: CHW order). */
  d: number;
  /** Image shape [C, H, W]. */
  shape: [number, number, number];
  /** Channels per resolution level, finest first; widths.length − 1 down-samplings. */
  widths: number[];
  /** Width E of the sinusoidal time embedding and of the time MLP (even). */
  timeEmbed: number;
}

const GROUP_NORM_EPS = 1e-5;
const MAX_GROUPS = 8;

export function isUnetArchitecture(a: unknown): a is UnetArchitecture {
  return typeof a === 'object' && a !== null && (a as { kind?: unknown }).kind === 'unet';
}

/** Group count of GroupNorm over c channels: the largest divisor of c that is ≤ MAX_GROUPS. */
function groupsFor(c: number): number {
  for (let g = Math.min(MAX_GROUPS, c); g > 1; g--) if (c % g === 0) return g;
  return 1;
}

/**
 * The image shape [C, H, W] for d pixels: a square single-channel image (MNIST: 784 = 28²) or a square
 * three-channel one (CIFAR-10: 3072 = 3·32²).
 */
export function imageShapeOf(d: number): [number, number, number] {
  const side1 = Math.round(Math.sqrt(d));
  if (side1 * side1 === d) return [1, side1, side1];
  const side3 = Math.round(Math.sqrt(d / 3));
  if (3 * side3 * side3 === d) return [3, side3, side3];
  throw new Error(`unet: cannot read d = ${d} as a square image with 1 or 3 channels`);
}

/** Throws an Error naming the offending parameter (widths, time_embed, shape). */
export function checkUnetArchitecture(a: UnetArchitecture): void {
  if (a.kind !== 'unet') throw new Error(`model: expected 'unet', got '${String(a.kind)}'`);
  if (!Array.isArray(a.widths) || a.widths.length === 0 || !a.widths.every((w) => Number.isInteger(w) && w >= 1)) {
    throw new Error(`widths: need a non-empty list of positive integers (channels per level), got ${JSON.stringify(a.widths)}`);
  }
  if (!(Number.isInteger(a.timeEmbed) && a.timeEmbed >= 2 && a.timeEmbed % 2 === 0)) {
    throw new Error(`time_embed must be an even integer ≥ 2, got ${a.timeEmbed}`);
  }
  const [C, H, W] = a.shape ?? [];
  if (![C, H, W].every((v) => Number.isInteger(v) && v >= 1) || C * H * W !== a.d) {
    throw new Error(`unet: image shape ${JSON.stringify(a.shape)} does not hold d = ${a.d} pixels`);
  }
  const f = 2 ** (a.widths.length - 1);
  if (H % f !== 0 || W % f !== 0) {
    throw new Error(
      `widths: ${a.widths.length} levels halve the image ${a.widths.length - 1} times, which needs H and W divisible by ${f}; the images are ${H} × ${W}`,
    );
  }
}

interface UnetParamShape {
  name: string;
  shape: number[];
  /** lecun: normal with variance 1/fan_in (fan_in = product of all but the last dim); zero; one. */
  init: 'lecun' | 'zero' | 'one';
  /** Convolution weights: the resolution level they run at (H/2^level × W/2^level). */
  level?: number;
}

/** Every parameter tensor, in the order unetForward consumes them (and the weights file stores them). */
export function unetParameterShapes(a: UnetArchitecture): UnetParamShape[] {
  const out: UnetParamShape[] = [];
  const [C] = a.shape;
  const E = a.timeEmbed;
  const conv = (name: string, level: number, k: number, cin: number, cout: number, init: 'lecun' | 'zero' = 'lecun') =>
    out.push({ name: `${name}.W`, shape: [k, k, cin, cout], init, level }, { name: `${name}.b`, shape: [cout], init: 'zero' });
  const linear = (name: string, i: number, o: number, init: 'lecun' | 'zero' = 'lecun') =>
    out.push({ name: `${name}.W`, shape: [i, o], init }, { name: `${name}.b`, shape: [o], init: 'zero' });
  const norm = (name: string, c: number) =>
    out.push({ name: `${name}.g`, shape: [c], init: 'one' }, { name: `${name}.b`, shape: [c], init: 'zero' });
  const res = (name: string, level: number, cin: number, cout: number) => {
    norm(`${name}.norm1`, cin);
    conv(`${name}.conv1`, level, 3, cin, cout);
    linear(`${name}.scale`, E, cout, 'zero');
    linear(`${name}.shift`, E, cout, 'zero');
    norm(`${name}.norm2`, cout);
    conv(`${name}.conv2`, level, 3, cout, cout);
    if (cin !== cout) conv(`${name}.skip`, level, 1, cin, cout);
  };
  const w = a.widths;
  const L = w.length - 1;
  conv('in', 0, 3, C, w[0]);
  linear('time1', E, E);
  linear('time2', E, E);
  let c = w[0];
  for (let l = 0; l < L; l++) {
    res(`down${l}`, l, c, w[l]);
    c = w[l];
  }
  res('mid', L, c, w[L]);
  c = w[L];
  for (let l = L - 1; l >= 0; l--) {
    res(`up${l}`, l, c + w[l], w[l]);
    c = w[l];
  }
  norm('out.norm', c);
  conv('out', 0, 3, c, C, 'zero');
  return out;
}

export function unetParameterCount(a: UnetArchitecture): number {
  return unetParameterShapes(a).reduce((n, p) => n + p.shape.reduce((x, y) => x * y, 1), 0);
}

export function unetInitialParameters(a: UnetArchitecture, rng: Rng): Float32Array[] {
  return unetParameterShapes(a).map((p) => {
    const size = p.shape.reduce((x, y) => x * y, 1);
    const v = new Float32Array(size);
    if (p.init === 'one') v.fill(1);
    if (p.init === 'lecun') {
      const std = 1 / Math.sqrt(size / p.shape[p.shape.length - 1]);
      for (let i = 0; i < size; i++) v[i] = std * rng.normal();
    }
    return v;
  });
}

/** Multiply–accumulates of one forward pass for one image (convolutions only; what dominates the cost). */
export function unetForwardMacs(a: UnetArchitecture): number {
  const [, H, W] = a.shape;
  let macs = 0;
  for (const p of unetParameterShapes(a)) {
    if (p.level === undefined) continue;
    const [k, , cin, cout] = p.shape;
    macs += ((H * W) / 4 ** p.level) * k * k * cin * cout;
  }
  return macs;
}

/** A primal batch and, in forward mode, K tangents of the same per-image shape (the primal has batch 1). */
interface Dual {
  p: tf.Tensor4D;
  t?: tf.Tensor4D;
}

function linearOp(a: Dual, f: (x: tf.Tensor4D) => tf.Tensor4D): Dual {
  return { p: f(a.p), t: a.t && f(a.t) };
}

function conv(a: Dual, W: tf.Tensor4D, b: tf.Tensor1D): Dual {
  const f = (x: tf.Tensor4D) => tf.conv2d(x, W, 1, 'same');
  return { p: tf.add(f(a.p), b), t: a.t && f(a.t) };
}

function silu(a: Dual): Dual {
  const s = tf.sigmoid(a.p);
  const p = tf.mul(a.p, s) as tf.Tensor4D;
  if (!a.t) return { p };
  // d/dz z·σ(z) = σ(z)(1 + z(1 − σ(z)))
  const slope = tf.mul(s, tf.add(1, tf.mul(a.p, tf.sub(1, s))));
  return { p, t: tf.mul(a.t, slope) as tf.Tensor4D };
}

/**
 * GroupNorm's two fixed operators for one feature-map shape, over the flattened NHWC pixels
 * p = (h·W + w)·C + c of one image: M [P, G] averages each group (1/(H·W·C/G) on its members), E [G, P]
 * broadcasts a per-group value back to its members. With them every GroupNorm reduction is a matrix
 * product on [n, P] rows: on wasm that is several times faster than means and broadcasts over the
 * 5-dimensional [n, H, W, G, C/G] view (generic strided loops), in training and in the tangent pass alike.
 */
const groupOperatorCache = new Map<string, { M: Float32Array; E: Float32Array }>();
function groupOperators(H: number, W: number, C: number, G: number): { M: Float32Array; E: Float32Array } {
  const key = `${H}x${W}x${C}/${G}`;
  let ops = groupOperatorCache.get(key);
  if (ops === undefined) {
    const P = H * W * C, size = C / G;
    const M = new Float32Array(P * G), E = new Float32Array(G * P);
    for (let p = 0; p < P; p++) {
      const g = Math.floor((p % C) / size);
      M[p * G + g] = 1 / (H * W * size);
      E[g * P + p] = 1;
    }
    ops = { M, E };
    groupOperatorCache.set(key, ops);
  }
  return ops;
}

function groupNorm(a: Dual, gain: tf.Tensor1D, bias: tf.Tensor1D): Dual {
  const [n, H, W, c] = a.p.shape;
  const G = groupsFor(c);
  const P = H * W * c;
  const ops = groupOperators(H, W, c, G);
  const M = tf.tensor2d(ops.M, [P, G]), E = tf.tensor2d(ops.E, [G, P]);
  const x = tf.reshape(a.p, [n, P]);
  const centred = tf.sub(x, tf.matMul(tf.matMul(x, M), E));
  const r = tf.div(1, tf.sqrt(tf.add(tf.matMul(tf.square(centred), M), GROUP_NORM_EPS))); // [n, G]
  const rP = tf.matMul(r, E); // [n, P]
  const xhat = tf.mul(centred, rP);
  const p = tf.add(tf.mul(tf.reshape(xhat, [n, H, W, c]), gain), bias) as tf.Tensor4D;
  if (!a.t) return { p };
  // Per tangent T (primal n = 1): d x̂ = r (T − mean_g T − x̂ mean_g(x̂ ⊙ T)), then times the gain:
  //   dy = T ⊙ (r ⊙ gain)_P − [T·M, T·(x̂ ⊙ M)] · [r E ⊙ gain; r E ⊙ x̂ ⊙ gain],  two skinny products.
  const K = a.t.shape[0];
  const T = tf.reshape(a.t, [K, P]);
  const means = tf.matMul(T, tf.concat([M, tf.mul(M, tf.reshape(xhat, [P, 1]))], 1)); // [K, 2G]
  const gainP = tf.reshape(tf.tile(tf.reshape(gain, [1, c]), [H * W, 1]), [1, P]);
  const rE = tf.mul(E, tf.reshape(r, [G, 1])); // [G, P]
  const back = tf.mul(tf.concat([rE, tf.mul(rE, xhat)], 0), gainP); // [2G, P]
  const t = tf.sub(tf.mul(T, tf.mul(rP, gainP)), tf.matMul(means, back));
  return { p, t: tf.reshape(t, [K, H, W, c]) as tf.Tensor4D };
}

function add(a: Dual, b: Dual): Dual {
  return { p: tf.add(a.p, b.p), t: a.t && b.t && tf.add(a.t, b.t) };
}

function concat(a: Dual, b: Dual): Dual {
  return { p: tf.concat([a.p, b.p], 3), t: a.t && b.t && tf.concat([a.t, b.t], 3) };
}

/** 2 × 2 average pooling, as a reshape and a mean (no pooling kernel, so no pooling gradient needed). */
function down(x: tf.Tensor4D): tf.Tensor4D {
  const [n, H, W, c] = x.shape;
  return tf.reshape(tf.mean(tf.reshape(x, [n, H / 2, 2, W / 2, 2, c]), [2, 4]), [n, H / 2, W / 2, c]);
}

/** Nearest-neighbour 2× up-sampling, as a broadcast product with ones. */
function up(x: tf.Tensor4D): tf.Tensor4D {
  const [n, H, W, c] = x.shape;
  return tf.reshape(tf.mul(tf.reshape(x, [n, H, 1, W, 1, c]), tf.ones([1, 1, 2, 1, 2, 1])), [n, 2 * H, 2 * W, c]);
}

/**
 * The raw network F. `params` in unetParameterShapes order; `u.p` [n, H, W, C]; `emb` [n, E] the time
 * embeddings. With tangents `u.t` [K, H, W, C] the primal must have n = 1; the result's `t` is the
 * directional derivative of F along each tangent.
 */
export function unetForward(a: UnetArchitecture, params: tf.Tensor[], u: Dual, emb: tf.Tensor2D): Dual {
  if (u.t && u.p.shape[0] !== 1) throw new Error(`unetForward: tangents need a primal batch of 1, got ${u.p.shape[0]}`);
  let i = 0;
  const next = <T extends tf.Tensor>(): T => {
    if (i >= params.length) throw new Error(`unetForward: ${params.length} parameter tensors are too few for this architecture`);
    return params[i++] as T;
  };
  const convNext = (x: Dual) => conv(x, next<tf.Tensor4D>(), next<tf.Tensor1D>());
  const normNext = (x: Dual) => groupNorm(x, next<tf.Tensor1D>(), next<tf.Tensor1D>());
  const linearNext = (x: tf.Tensor2D) => tf.add(tf.matMul(x, next<tf.Tensor2D>()), next<tf.Tensor1D>()) as tf.Tensor2D;
  const siluT = (x: tf.Tensor2D) => tf.mul(x, tf.sigmoid(x)) as tf.Tensor2D;
  const res = (h: Dual, cin: number, cout: number, tau: tf.Tensor2D): Dual => {
    let z = convNext(silu(normNext(h)));
    const n = tau.shape[0];
    const scale = tf.reshape(linearNext(tau), [n, 1, 1, cout]);
    const shift = tf.reshape(linearNext(tau), [n, 1, 1, cout]);
    z = normNext(z);
    const gain = tf.add(scale, 1);
    z = { p: tf.add(tf.mul(z.p, gain), shift) as tf.Tensor4D, t: z.t && (tf.mul(z.t, gain) as tf.Tensor4D) };
    z = convNext(silu(z));
    const skip = cin === cout ? h : convNext(h);
    return add(skip, z);
  };
  const w = a.widths;
  const L = w.length - 1;
  let h = convNext(u);
  const tau = siluT(linearNext(siluT(linearNext(emb))));
  let c = w[0];
  const skips: Dual[] = [];
  for (let l = 0; l < L; l++) {
    h = res(h, c, w[l], tau);
    c = w[l];
    skips.push(h);
    h = linearOp(h, down);
  }
  h = res(h, c, w[L], tau);
  c = w[L];
  for (let l = L - 1; l >= 0; l--) {
    h = res(concat(linearOp(h, up), skips[l]), c + w[l], w[l], tau);
    c = w[l];
  }
  const F = convNext(silu(normNext(h)));
  if (i !== params.length) throw new Error(`unetForward: ${params.length} parameter tensors, the architecture uses ${i}`);
  return F;
}

/** Flat image rows [n, d] (CHW order) as NHWC [n, H, W, C]. */
export function toNhwc(x: tf.Tensor2D, a: UnetArchitecture): tf.Tensor4D {
  const [C, H, W] = a.shape;
  const n = x.shape[0];
  if (C === 1) return tf.reshape(x, [n, H, W, 1]);
  return tf.transpose(tf.reshape(x, [n, C, H, W]), [0, 2, 3, 1]);
}

/** Inverse of toNhwc. */
export function fromNhwc(x: tf.Tensor4D, a: UnetArchitecture): tf.Tensor2D {
  const n = x.shape[0];
  if (a.shape[0] === 1) return tf.reshape(x, [n, a.d]);
  return tf.reshape(tf.transpose(x, [0, 3, 1, 2]), [n, a.d]);
}
