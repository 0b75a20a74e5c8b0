// Loss and gradients of the residual MLP by explicit back-propagation: matrix products on the tfjs
// backend, everything element-wise (LayerNorm, SiLU, bias sums, the loss) in plain JS loops over
// float32 arrays. On the wasm and cpu backends each tfjs kernel launch costs tens of microseconds, so a
// step of the autodiff version (≈ 290 kernels: moments, broadcasts, clones, transposes) spends most of
// its time on launches; here a step is 17 (reference model) to 28 (paper architecture) plain matMuls
// and a few JS passes over the activations. Transposed operands are formed in JS (weights once per
// step), so every product is a plain, fast one.
// A reference, not a training path: the tests compare the kernels' gradients (science/kernels/train-step.ts)
// and the tfjs custom-gradient layers (science/mlp.ts) against it.

import * as tf from '@tensorflow/tfjs-core';
import { inputWidth, LAYER_NORM_EPS, parameterShapes, timeFeatureWidth, type Batch, type MlpArchitecture } from '../../science/mlp-architecture.ts';

// Activation buffers are reused from step to step (allocating ~60 arrays of 64 KiB per step kept the
// garbage collector busy); each call site has its own key, so no two live values share a buffer.
const pool = new Map<string, Float32Array>();
function buffer(key: string, size: number): Float32Array {
  let b = pool.get(key);
  if (b === undefined || b.length !== size) {
    b = new Float32Array(size);
    pool.set(key, b);
  }
  return b;
}

function transpose(a: Float32Array, rows: number, cols: number, key: string): Float32Array {
  const t = buffer(key, a.length);
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    for (let j = 0; j < cols; j++) t[j * rows + i] = a[o + j];
  }
  return t;
}

/** a (n × k, JS) · b (k × m, tensor) on the backend, read back to JS. */
function product(a: Float32Array, n: number, k: number, b: tf.Tensor2D): Float32Array {
  const at = tf.tensor2d(a, [n, k]);
  const out = tf.matMul(at, b);
  const v = out.dataSync() as Float32Array;
  at.dispose();
  out.dispose();
  return v;
}

/** aᵀ·b for a (n × k) and b (n × m), both JS arrays: the weight gradient of a Linear layer. */
function weightGradient(a: Float32Array, n: number, k: number, b: Float32Array, m: number): Float32Array {
  const bt = tf.tensor2d(b, [n, m]);
  const v = product(transpose(a, n, k, `T${n}x${k}`), k, n, bt);
  bt.dispose();
  return v;
}

function addBias(y: Float32Array, n: number, b: Float32Array): void {
  const m = b.length;
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) y[i * m + j] += b[j];
}

function columnSums(g: Float32Array, n: number, m: number): Float32Array {
  const s = new Float64Array(m);
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) s[j] += g[i * m + j];
  return Float32Array.from(s);
}

/** Saved activations of LayerNorm → SiLU on n rows of width H. */
interface NormAct {
  xhat: Float32Array;
  rstd: Float32Array;
  sig: Float32Array; // sigmoid(g·x̂ + b), at the SiLU input
  out: Float32Array; // SiLU(pre)
}

function normActForward(x: Float32Array, n: number, H: number, g: Float32Array, b: Float32Array, key: string): NormAct {
  const xhat = buffer(`${key}.xhat`, n * H), sig = buffer(`${key}.sig`, n * H), out = buffer(`${key}.out`, n * H);
  const rstd = buffer(`${key}.rstd`, n);
  for (let i = 0; i < n; i++) {
    const o = i * H;
    let mu = 0;
    for (let j = 0; j < H; j++) mu += x[o + j];
    mu /= H;
    let v = 0;
    for (let j = 0; j < H; j++) v += (x[o + j] - mu) * (x[o + j] - mu);
    const r = 1 / Math.sqrt(v / H + LAYER_NORM_EPS);
    rstd[i] = r;
    for (let j = 0; j < H; j++) {
      const xh = (x[o + j] - mu) * r;
      const p = xh * g[j] + b[j];
      const s = 1 / (1 + Math.exp(-p));
      xhat[o + j] = xh;
      sig[o + j] = s;
      out[o + j] = p * s;
    }
  }
  return { xhat, rstd, sig, out };
}

/** Back through SiLU and LayerNorm: returns dx; adds into dg, db. */
function normActBackward(
  dOut: Float32Array,
  a: NormAct,
  n: number,
  H: number,
  g: Float32Array,
  b: Float32Array,
  dg: Float64Array,
  db: Float64Array,
  key: string,
): Float32Array {
  const dx = buffer(key, n * H);
  const dxhat = new Float64Array(H);
  const { sig, xhat, rstd } = a; // locals: keeps property loads out of the inner loops
  for (let i = 0; i < n; i++) {
    const o = i * H;
    let m1 = 0, m2 = 0;
    for (let j = 0; j < H; j++) {
      const s = sig[o + j], xh = xhat[o + j], gj = g[j];
      const p = xh * gj + b[j];
      const dp = dOut[o + j] * s * (1 + p * (1 - s));
      dg[j] += dp * xh;
      db[j] += dp;
      const dh = dp * gj;
      dxhat[j] = dh;
      m1 += dh;
      m2 += dh * xh;
    }
    m1 /= H;
    m2 /= H;
    const r = rstd[i];
    for (let j = 0; j < H; j++) dx[o + j] = r * (dxhat[j] - m1 - xhat[o + j] * m2);
  }
  return dx;
}

function siluForward(x: Float32Array): { sig: Float32Array; out: Float32Array } {
  const sig = new Float32Array(x.length), out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const s = 1 / (1 + Math.exp(-x[i]));
    sig[i] = s;
    out[i] = x[i] * s;
  }
  return { sig, out };
}

function siluBackward(dOut: Float32Array, x: Float32Array, sig: Float32Array): Float32Array {
  const dx = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) dx[i] = dOut[i] * sig[i] * (1 + x[i] * (1 - sig[i]));
  return dx;
}

/** Loss (1/(n·d)) Σ w |F − target|² (mlp-architecture.ts Batch; w = 1 without weights) and its gradient for every parameter (parameterShapes order). */
export function backpropLossAndGradients(arch: MlpArchitecture, params: Float32Array[], batch: Batch): { loss: number; grads: Float32Array[] } {
  const shapes = parameterShapes(arch);
  const { d, hidden: H, timeEmbed: E } = arch;
  const F = timeFeatureWidth(arch);
  const n = batch.target.length / d;
  const win = inputWidth(arch);
  const project = arch.timeMode === 'project';
  const grads: Float32Array[] = shapes.map((s) => new Float32Array(s.shape.reduce((a, b) => a * b, 1)));
  const index = new Map(shapes.map((s, i) => [s.name, i]));
  const P = (name: string): Float32Array => params[index.get(name)!];
  const setGrad = (name: string, g: Float32Array | Float64Array): void => grads[index.get(name)!].set(g);
  const weights: tf.Tensor[] = [];
  // Weights W (in × out) for forward products, Wᵀ for the backward ones, uploaded once per step.
  const W = (name: string, rows: number, cols: number): tf.Tensor2D => {
    const t = tf.tensor2d(P(`${name}.W`), [rows, cols]);
    weights.push(t);
    return t;
  };
  const Wt = (name: string, rows: number, cols: number): tf.Tensor2D => {
    const t = tf.tensor2d(transpose(P(`${name}.W`), rows, cols, `${name}.Wt`), [cols, rows]);
    weights.push(t);
    return t;
  };
  try {
    // ---- forward
    const h = product(batch.xIn, n, win, W('in', win, H));
    addBias(h, n, P('in.b'));
    let tau: { e1: Float32Array; a1: ReturnType<typeof siluForward>; e2: Float32Array; a2: ReturnType<typeof siluForward> } | null = null;
    if (project) {
      const e1 = product(batch.emb!, n, F, W('time1', F, E));
      addBias(e1, n, P('time1.b'));
      const a1 = siluForward(e1);
      const e2 = product(a1.out, n, E, W('time2', E, E));
      addBias(e2, n, P('time2.b'));
      tau = { e1, a1, e2, a2: siluForward(e2) };
    }
    const saved: Array<{ na1: NormAct; na2: NormAct }> = [];
    for (let k = 0; k < arch.blocks; k++) {
      const b = `block${k}`;
      const na1 = normActForward(h, n, H, P(`${b}.norm1.g`), P(`${b}.norm1.b`), `${b}.norm1`);
      const z1 = product(na1.out, n, H, W(`${b}.lin1`, H, H));
      addBias(z1, n, P(`${b}.lin1.b`));
      if (tau) {
        const tp = product(tau.a2.out, n, E, W(`${b}.time`, E, H));
        for (let i = 0; i < n * H; i++) z1[i] += tp[i];
        addBias(z1, n, P(`${b}.time.b`));
      }
      const na2 = normActForward(z1, n, H, P(`${b}.norm2.g`), P(`${b}.norm2.b`), `${b}.norm2`);
      const z2 = product(na2.out, n, H, W(`${b}.lin2`, H, H));
      addBias(z2, n, P(`${b}.lin2.b`));
      for (let i = 0; i < n * H; i++) h[i] += z2[i];
      saved.push({ na1, na2 });
    }
    const head = normActForward(h, n, H, P('head.norm.g'), P('head.norm.b'), 'head.norm');
    const out = product(head.out, n, H, W('head.out', H, d));
    addBias(out, n, P('head.out.b'));

    // ---- loss
    let loss = 0;
    const dOut = buffer('dOut', n * d);
    const scale = 2 / (n * d);
    for (let i = 0; i < n * d; i++) {
      const r = out[i] - batch.target[i];
      const w = batch.weight ? batch.weight[i] : 1;
      loss += w * r * r;
      dOut[i] = scale * w * r;
    }
    loss /= n * d;

    // ---- backward
    const norm = (name: string, a: NormAct, dy: Float32Array): Float32Array => {
      const dg = new Float64Array(H), db = new Float64Array(H);
      const dx = normActBackward(dy, a, n, H, P(`${name}.g`), P(`${name}.b`), dg, db, `${name}.dx`);
      setGrad(`${name}.g`, dg);
      setGrad(`${name}.b`, db);
      return dx;
    };
    setGrad('head.out.W', weightGradient(head.out, n, H, dOut, d));
    setGrad('head.out.b', columnSums(dOut, n, d));
    const dh = norm('head.norm', head, product(dOut, n, d, Wt('head.out', H, d)));
    const dTau = tau ? new Float32Array(n * E) : null;
    for (let k = arch.blocks - 1; k >= 0; k--) {
      const b = `block${k}`;
      const { na1, na2 } = saved[k];
      setGrad(`${b}.lin2.W`, weightGradient(na2.out, n, H, dh, H));
      setGrad(`${b}.lin2.b`, columnSums(dh, n, H));
      const dz1 = norm(`${b}.norm2`, na2, product(dh, n, H, Wt(`${b}.lin2`, H, H)));
      setGrad(`${b}.lin1.W`, weightGradient(na1.out, n, H, dz1, H));
      setGrad(`${b}.lin1.b`, columnSums(dz1, n, H));
      if (tau && dTau) {
        setGrad(`${b}.time.W`, weightGradient(tau.a2.out, n, E, dz1, H));
        setGrad(`${b}.time.b`, columnSums(dz1, n, H));
        const dt = product(dz1, n, H, Wt(`${b}.time`, E, H));
        for (let i = 0; i < n * E; i++) dTau[i] += dt[i];
      }
      const dx = norm(`${b}.norm1`, na1, product(dz1, n, H, Wt(`${b}.lin1`, H, H)));
      for (let i = 0; i < n * H; i++) dh[i] += dx[i];
    }
    setGrad('in.W', weightGradient(batch.xIn, n, win, dh, H));
    setGrad('in.b', columnSums(dh, n, H));
    if (tau && dTau) {
      const de2 = siluBackward(dTau, tau.e2, tau.a2.sig);
      setGrad('time2.W', weightGradient(tau.a1.out, n, E, de2, E));
      setGrad('time2.b', columnSums(de2, n, E));
      const de1 = siluBackward(product(de2, n, E, Wt('time2', E, E)), tau.e1, tau.a1.sig);
      setGrad('time1.W', weightGradient(batch.emb!, n, F, de1, E));
      setGrad('time1.b', columnSums(de1, n, E));
    }
    return { loss, grads };
  } finally {
    for (const t of weights) t.dispose();
  }
}
