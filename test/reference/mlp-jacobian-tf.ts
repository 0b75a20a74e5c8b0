// The exact s·J of the image MLP score network by forward-mode differentiation on tfjs (float32): the d
// tangent directions travel through the network together as a d × H matrix. A reference: the tests check
// the production float64 Jacobian (images/image-score.ts on science/kernels/score-f64.ts) against it, an
// independent statement of the same forward mode in tfjs ops. (A GPU Jacobian of the MLP would start here;
// it would have to read values with `await data()`: dataSync throws on webgpu.)

import * as tf from '@tensorflow/tfjs-core';
import { LAYER_NORM_EPS, parameterShapes, timeEmbedding } from '../../science/mlp-architecture.ts';
import { preconditioning, type ImageScoreNet } from '../../images/score-net.ts';

/** LayerNorm then SiLU of one row z [1, H], with tangents Tz [d, H]. */
function normSiluWithTangent(z: tf.Tensor2D, Tz: tf.Tensor2D, g: tf.Tensor1D, b: tf.Tensor1D): [tf.Tensor2D, tf.Tensor2D] {
  const { mean, variance } = tf.moments(z, 1, true);
  const r = tf.rsqrt(tf.add(variance, LAYER_NORM_EPS));
  const xhat = tf.mul(tf.sub(z, mean), r);
  // d x̂ = r (T − mean_k T − x̂ mean_k(x̂ ⊙ T)), per tangent row.
  const dxhat = tf.mul(tf.sub(tf.sub(Tz, tf.mean(Tz, 1, true)), tf.mul(xhat, tf.mean(tf.mul(Tz, xhat), 1, true))), r);
  const y = tf.add(tf.mul(xhat, g), b);
  const Ty = tf.mul(dxhat, g);
  const s = tf.sigmoid(y);
  const slope = tf.mul(s, tf.add(1, tf.mul(y, tf.sub(1, s))));
  return [tf.mul(y, s) as tf.Tensor2D, tf.mul(Ty, slope) as tf.Tensor2D];
}

/** Holds the network's parameters on the backend; call dispose() when done. */
export class TfScaledJacobian {
  private readonly params: tf.Tensor[];

  constructor(
    readonly net: ImageScoreNet,
    params: Float32Array[],
  ) {
    const shapes = parameterShapes(net.arch);
    if (net.arch.timeMode !== 'project') throw new Error(`TfScaledJacobian needs timeMode 'project', got '${net.arch.timeMode}'`);
    this.params = params.map((p, i) => tf.tensor(p, shapes[i].shape));
  }

  /** s·J = −σ (diag(c_skip) + diag(c_out) ∂F/∂u diag(c_in)) at one point, d × d row-major float64. */
  compute(x: Float64Array | Float32Array, sigma: number): Float64Array {
    const { d, blocks, timeEmbed: E } = this.net.arch;
    if (x.length !== d) throw new Error(`scaledJacobian: x has ${x.length} values, expected d = ${d}`);
    const { cIn, cSkip, cOut } = preconditioning(sigma, this.net.variance);
    const out = tf.tidy(() => {
      let i = 0;
      const next = <T extends tf.Tensor>(): T => this.params[i++] as T;
      const u = new Float32Array(d);
      for (let j = 0; j < d; j++) u[j] = cIn[j] * (x[j] - this.net.mean[j]);
      const Win = next<tf.Tensor2D>(), bin = next<tf.Tensor1D>();
      let h = tf.add(tf.matMul(tf.tensor2d(u, [1, d]), Win), bin) as tf.Tensor2D;
      // Row j of the tangent: ∂h/∂x_j = c_in,j · W_in[j, :].
      let Th = tf.mul(Win, tf.tensor2d(Float32Array.from(cIn), [d, 1])) as tf.Tensor2D;
      const emb = new Float32Array(E);
      timeEmbedding(sigma, E, emb);
      const W1 = next<tf.Tensor2D>(), b1 = next<tf.Tensor1D>(), W2 = next<tf.Tensor2D>(), b2 = next<tf.Tensor1D>();
      const silu = (z: tf.Tensor) => tf.mul(z, tf.sigmoid(z));
      const tau = silu(tf.add(tf.matMul(silu(tf.add(tf.matMul(tf.tensor2d(emb, [1, E]), W1), b1)) as tf.Tensor2D, W2), b2)) as tf.Tensor2D;
      for (let k = 0; k < blocks; k++) {
        const g1 = next<tf.Tensor1D>(), n1 = next<tf.Tensor1D>(), L1 = next<tf.Tensor2D>(), c1 = next<tf.Tensor1D>();
        const Wt = next<tf.Tensor2D>(), bt = next<tf.Tensor1D>();
        const g2 = next<tf.Tensor1D>(), n2 = next<tf.Tensor1D>(), L2 = next<tf.Tensor2D>(), c2 = next<tf.Tensor1D>();
        const [z1, Tz1] = normSiluWithTangent(h, Th, g1, n1);
        const a = tf.add(tf.add(tf.matMul(z1, L1), c1), tf.add(tf.matMul(tau, Wt), bt)) as tf.Tensor2D;
        const Ta = tf.matMul(Tz1, L1) as tf.Tensor2D;
        const [z2, Tz2] = normSiluWithTangent(a, Ta, g2, n2);
        h = tf.add(h, tf.add(tf.matMul(z2, L2), c2)) as tf.Tensor2D;
        Th = tf.add(Th, tf.matMul(Tz2, L2)) as tf.Tensor2D;
      }
      const gh = next<tf.Tensor1D>(), nh = next<tf.Tensor1D>(), Wout = next<tf.Tensor2D>();
      const [, Tz] = normSiluWithTangent(h, Th, gh, nh);
      // Tout[j, i] = ∂F_i/∂x_j; s·J[i, j] = −σ (c_skip,i δ_ij + c_out,i Tout[j, i]).
      const Tout = tf.matMul(Tz, Wout);
      return tf.mul(tf.transpose(Tout), tf.tensor2d(Float32Array.from(cOut, (c) => -sigma * c), [d, 1]));
    });
    // Read outside the tidy: a typed array returned from a tidy callback is walked value by value by
    // tfjs (looking for tensors), about 1.5 µs a value — most of this method's time at d = 784.
    const sj = Float64Array.from(out.dataSync() as Float32Array);
    out.dispose();
    for (let j = 0; j < d; j++) sj[j * d + j] -= sigma * cSkip[j];
    return sj;
  }

  dispose(): void {
    for (const p of this.params) p.dispose();
  }
}
