// Gradients the U-Net (unet.ts) needs beyond science/tf-gradients.ts: tfjs-core's node bundle registers
// none (see there). What the wasm backend offers (tfjs-backend-wasm 4.22): a fast Conv2D kernel (XNNPACK),
// a Conv2DBackpropInput kernel (a plain loop, 2–3× slower than Conv2D in CPU time here), and no
// Conv2DBackpropFilter at all — stock tfjs autodiff of a convolution's filter cannot run on wasm. So the
// Conv2D gradient below is written with Conv2D only, exactly (stride 1, 'same' padding, odd k):
//   ∂L/∂x = conv2d(dy, W flipped in space with in/out channels swapped, 'same');
//   ∂L/∂W = conv2d(pad(x) with batch and channel axes swapped, dy as the filter, 'valid'), transposed:
//           W'[a, b, i, o] = Σ_{n,h,w} x_pad[n, h+a, w+b, i] · dy[n, h, w, o], a k × k output.
// Both are faster in CPU time than the alternatives (k² shifted-window matrix products for the filter, the
// Conv2DBackpropInput kernel for the input); the figures are in the README, not in hashed code.
// Concat (the U-Net's skip connections) and Transpose (multi-channel images in CHW order) follow tfjs's
// own formulas.

import * as tf from '@tensorflow/tfjs-core';
import { registerTrainingGradients } from '../science/tf-gradients.ts';

type Grads = Record<string, () => tf.Tensor>;

type FilterShape = [number, number, number, number];

/** ∂L/∂x of y = conv2d(x, W, 1, 'same') for dy = ∂L/∂y, NHWC, odd kernel. */
export function conv2dInputGradient(dy: tf.Tensor4D, filter: tf.Tensor4D): tf.Tensor4D {
  const flipped = tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D;
  return tf.conv2d(dy, flipped, 1, 'same');
}

/** ∂L/∂W of y = conv2d(x, W, 1, 'same') for dy = ∂L/∂y, NHWC, odd kernel. */
export function conv2dFilterGradient(x: tf.Tensor4D, dy: tf.Tensor4D, filterShape: FilterShape): tf.Tensor4D {
  const [kh, kw, cin, cout] = filterShape;
  const [n, H, W] = dy.shape;
  if (kh === 1 && kw === 1) {
    const rows = n * H * W;
    return tf.reshape(tf.matMul(tf.reshape(x, [rows, cin]) as tf.Tensor2D, tf.reshape(dy, [rows, cout]) as tf.Tensor2D, true, false), filterShape);
  }
  const ph = (kh - 1) / 2, pw = (kw - 1) / 2;
  const xp = tf.pad(x, [[0, 0], [ph, ph], [pw, pw], [0, 0]]);
  const xt = tf.transpose(xp, [3, 1, 2, 0]) as tf.Tensor4D; // [cin, H + kh − 1, W + kw − 1, n]
  const f = tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D; // [H, W, n, cout]
  return tf.transpose(tf.conv2d(xt, f, 1, 'valid'), [1, 2, 0, 3]) as tf.Tensor4D; // [cin, kh, kw, cout] → [kh, kw, cin, cout]
}

const configs: tf.GradConfig[] = [
  {
    kernelName: tf.Conv2D,
    inputsToSave: ['x', 'filter'],
    gradFunc: (dy, saved, attrs): Grads => {
      const [x, filter] = saved as [tf.Tensor4D, tf.Tensor4D];
      const a = attrs as unknown as { strides: number | number[]; pad: unknown; dataFormat: string; dilations: number | number[] };
      const ones = (v: number | number[]) => (Array.isArray(v) ? v.every((e) => e === 1) : v === 1);
      const [kh, kw] = filter.shape;
      if (!ones(a.strides) || !ones(a.dilations ?? 1) || a.dataFormat !== 'NHWC' || a.pad !== 'same' || kh % 2 === 0 || kw % 2 === 0) {
        throw new Error(
          `Conv2D gradient (images/unet-gradients.ts): only stride 1, dilation 1, NHWC, 'same' padding, odd kernels; got ${JSON.stringify(a)}, kernel ${kh} × ${kw}`,
        );
      }
      const g = dy as tf.Tensor4D;
      return {
        x: () => conv2dInputGradient(g, filter),
        filter: () => conv2dFilterGradient(x, g, filter.shape),
      };
    },
  },
  {
    kernelName: tf.Concat,
    saveAllInputs: true,
    gradFunc: (dy, saved, attrs): Grads => {
      const axis = tf.util.parseAxisParam((attrs as unknown as { axis: number }).axis, saved[0].shape)[0];
      const parts = tf.split(dy as tf.Tensor, saved.map((t) => t.shape[axis]), axis);
      return Object.fromEntries(parts.map((p, i) => [String(i), () => p]));
    },
  },
  {
    kernelName: tf.Transpose,
    gradFunc: (dy, _saved, attrs): Grads => {
      const perm = (attrs as unknown as { perm: number[] }).perm;
      const inverse = new Array<number>(perm.length);
      perm.forEach((p, i) => (inverse[p] = i));
      return { x: () => tf.transpose(dy as tf.Tensor, inverse) };
    },
  },
];

let registered = false;

/** Register the gradients above once (and the shared training ones); keeps any gradient already registered. */
export function registerUnetGradients(): void {
  registerTrainingGradients();
  if (registered) return;
  registered = true;
  for (const c of configs) if (tf.getGradient(c.kernelName) === undefined) tf.registerGradient(c);
}
