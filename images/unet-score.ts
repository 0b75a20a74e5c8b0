// The trained U-Net image score network (unet.ts inside score-net.ts's per-pixel preconditioning) for the
// spectra stage: ε̂ at a batch of points, and the exact rescaled Jacobian
//   s·J = −σ ∂ε̂/∂x = −σ (diag(c_skip) + diag(c_out) · ∂F/∂u · diag(c_in))
// by forward-mode differentiation on tfjs, in float32: the d one-hot tangents c_in,j e_j (one per input
// pixel) travel through the network in chunks of `chunk` as a batch of tangent images beside the batch-1
// primal (unet.ts's Dual), so each convolution is one batched conv2d on the backend. The weights are
// float32 and so is this Jacobian (relative error ~1e-6 of max|s·J|); the spectra are then computed in
// float64 by linalg/.

import * as tf from '@tensorflow/tfjs-core';
import { timeEmbedding } from '../science/mlp-architecture.ts';
import type { TrainedScoreNetwork } from '../science/score-network.ts';
import { VeSde } from '../science/sde.ts';
import { imageEpsilon, preconditioning, type ImageScoreNet } from './score-net.ts';
import { unetForward, unetParameterShapes, type UnetArchitecture } from './unet.ts';

/** Default tangents per forward pass: 784 / 4, a few tens of MB of activations at widths [16, 32, 32]. */
const JACOBIAN_CHUNK = 196;

/**
 * A tensor's values, then the tensor disposed. Read outside tf.tidy on purpose: a typed array returned
 * from a tidy callback is walked element by element (tfjs looks for tensors inside the result, adding
 * every number to a Set), about 1.5 µs a value — a second per 784 × 784 Jacobian. `await data()`, not
 * dataSync: every backend supports it (dataSync throws on webgpu in Node).
 */
async function readAndDispose(t: tf.Tensor): Promise<Float32Array> {
  try {
    return (await t.data()) as Float32Array;
  } finally {
    t.dispose();
  }
}

/** Holds the parameters on the tfjs backend (initialised by the caller); call dispose() when done. */
export class UnetScoreModel implements TrainedScoreNetwork {
  readonly d: number;
  readonly sde: VeSde;
  private readonly params: tf.Tensor[];
  private readonly stats: { mean: tf.Tensor1D; variance: tf.Tensor1D };
  /** NHWC position of each flat (CHW) pixel index. */
  private readonly nhwc: Int32Array;

  constructor(
    readonly net: ImageScoreNet<UnetArchitecture>,
    params: Float32Array[],
    readonly chunk = JACOBIAN_CHUNK,
  ) {
    const shapes = unetParameterShapes(net.arch);
    if (params.length !== shapes.length) throw new Error(`UnetScoreModel: ${params.length} parameter arrays, the architecture has ${shapes.length}`);
    if (!(Number.isInteger(chunk) && chunk >= 1)) throw new Error(`UnetScoreModel: chunk must be a positive integer, got ${chunk}`);
    this.d = net.arch.d;
    this.sde = new VeSde(net.sde);
    this.params = params.map((p, i) => tf.tensor(p, shapes[i].shape));
    this.stats = { mean: tf.tensor1d(net.mean), variance: tf.tensor1d(net.variance) };
    const [C, H, W] = net.arch.shape;
    this.nhwc = new Int32Array(this.d);
    for (let c = 0; c < C; c++) for (let h = 0; h < H; h++) for (let w = 0; w < W; w++) this.nhwc[(c * H + h) * W + w] = (h * W + w) * C + c;
  }

  /** ε̂(x, σ) at n points (n × d rows, float32 arithmetic returned as float64). */
  async epsilon(xs: Float64Array | Float32Array, n: number, sigma: number): Promise<Float64Array> {
    const d = this.d;
    if (xs.length !== n * d) throw new Error(`epsilon: xs has ${xs.length} values, expected n·d = ${n}·${d}`);
    const out = tf.tidy(() =>
      imageEpsilon(this.net, this.params, tf.tensor2d(Float32Array.from(xs), [n, d]), new Float32Array(n).fill(sigma), this.stats),
    );
    return Float64Array.from(await readAndDispose(out));
  }

  /** The rescaled Jacobian s·J at one point (d × d row-major, float64 holding float32 values). */
  async scaledJacobian(x: Float64Array | Float32Array, sigma: number): Promise<Float64Array> {
    const { d, nhwc, net } = this;
    const arch = net.arch;
    if (x.length !== d) throw new Error(`scaledJacobian: x has ${x.length} values, expected d = ${d}`);
    const [C, H, W] = arch.shape;
    const { cIn, cSkip, cOut } = preconditioning(sigma, net.variance);
    const u = new Float32Array(d);
    for (let j = 0; j < d; j++) u[nhwc[j]] = cIn[j] * (x[j] - net.mean[j]);
    const emb = new Float32Array(arch.timeEmbed);
    timeEmbedding(sigma, arch.timeEmbed, emb);
    const out = new Float64Array(d * d);
    for (let j0 = 0; j0 < d; j0 += this.chunk) {
      const K = Math.min(this.chunk, d - j0);
      // Tangent k is ∂u/∂x_{j0+k} = c_in,j e_j.
      const tangents = new Float32Array(K * d);
      for (let k = 0; k < K; k++) tangents[k * d + nhwc[j0 + k]] = cIn[j0 + k];
      const dF = await readAndDispose(
        tf.tidy(
          () =>
            unetForward(
              arch,
              this.params,
              { p: tf.tensor4d(u, [1, H, W, C]), t: tf.tensor4d(tangents, [K, H, W, C]) },
              tf.tensor2d(emb, [1, arch.timeEmbed]),
            ).t!,
        ),
      );
      // dF[k, nhwc(i)] = ∂F_i/∂x_j;  s·J[i, j] = −σ (c_skip,i δ_ij + c_out,i ∂F_i/∂x_j).
      for (let k = 0; k < K; k++) {
        const j = j0 + k;
        for (let i = 0; i < d; i++) out[i * d + j] = -sigma * cOut[i] * dF[k * d + nhwc[i]];
      }
    }
    for (let i = 0; i < d; i++) out[i * d + i] -= sigma * cSkip[i];
    return out;
  }

  dispose(): void {
    for (const p of this.params) p.dispose();
    this.stats.mean.dispose();
    this.stats.variance.dispose();
  }
}
