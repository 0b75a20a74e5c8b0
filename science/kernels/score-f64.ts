// The trained score network's float64 forward pass and forward-mode Jacobian on the WebAssembly SIMD
// kernels (f64x2): the layers of mlp-score.ts (MlpLayersF64), in double precision, so the Jacobian stays
// exact to rounding (it agrees with the JS reference test/reference/mlp-layers-f64.ts to ~1e-13 relative; the spectra downstream
// and the finite-difference checks see no difference). The weights are copied into the instance once.
// mlp-score.ts keeps the preconditioning, the time embedding/MLP and the final assembly; this file only
// runs the layers that scale with d·H².

import { inputWidth, parameterShapes, type MlpArchitecture } from '../mlp-architecture.ts';
import { KernelInstance } from './mlp-kernels.ts';

interface Linear {
  W: number;
  b: number;
}
interface Norm {
  g: number;
  b: number;
}

/** Rows per forward chunk: bounds the workspace of predictNoise for any number of points. */
const CHUNK = 256;

export class ScoreKernels {
  private readonly mem = new KernelInstance();
  private readonly input: Linear;
  private readonly blocks: Array<{ norm1: Norm; lin1: Linear; norm2: Norm; lin2: Linear; bias1: number }>;
  private readonly head: Norm;
  private readonly out: Linear;
  private jac?: { Th: number; Ta: number; Tu: number; Tout: number; h: number; a: number; u: number; scratch: number; row: number };
  private fwd?: { rows: number; h: number; a: number; u: number; eps: number };

  constructor(private readonly arch: MlpArchitecture, params: ArrayLike<number>[]) {
    const shapes = parameterShapes(arch);
    const at = params.map((p) => this.mem.allocF64(p.length));
    const f64 = this.mem.f64;
    params.forEach((p, i) => f64.set(p, at[i] / 8));
    const index = new Map(shapes.map((s, i) => [s.name, at[i]]));
    const addr = (name: string): number => index.get(name)!;
    const linear = (name: string): Linear => ({ W: addr(`${name}.W`), b: addr(`${name}.b`) });
    const norm = (name: string): Norm => ({ g: addr(`${name}.g`), b: addr(`${name}.b`) });
    this.input = linear('in');
    this.blocks = Array.from({ length: arch.blocks }, (_, k) => ({
      norm1: norm(`block${k}.norm1`),
      lin1: linear(`block${k}.lin1`),
      norm2: norm(`block${k}.norm2`),
      lin2: linear(`block${k}.lin2`),
      // lin1's bias plus the block's time projection at the current σ (written by setTimeProjections).
      bias1: this.mem.allocF64(arch.hidden),
    }));
    this.head = norm('head.norm');
    this.out = linear('head.out');
    this.setTimeProjections(null);
  }

  /** Per-block time projections Linear_τ(τ(σ)) (null in 'concat' mode): folded into lin1's bias. */
  setTimeProjections(proj: Float64Array[] | null): void {
    const f64 = this.mem.f64;
    const H = this.arch.hidden;
    this.blocks.forEach((B, k) => {
      const b = B.lin1.b / 8, o = B.bias1 / 8;
      for (let j = 0; j < H; j++) f64[o + j] = proj ? f64[b + j] + proj[k][j] : f64[b + j];
    });
  }

  /**
   * F for n input rows (n × inputWidth, already scaled by c_in and with the embedding in 'concat' mode);
   * writes n × d values into `out`.
   */
  forward(rows: Float64Array, n: number, out: Float64Array): void {
    const { d, hidden: H } = this.arch;
    const win = inputWidth(this.arch);
    this.fwd ??= {
      rows: this.mem.allocF64(CHUNK * win),
      h: this.mem.allocF64(CHUNK * H),
      a: this.mem.allocF64(CHUNK * H),
      u: this.mem.allocF64(CHUNK * H),
      eps: this.mem.allocF64(CHUNK * d),
    };
    const w = this.fwd;
    const { k } = this.mem;
    for (let r0 = 0; r0 < n; r0 += CHUNK) {
      const m = Math.min(CHUNK, n - r0);
      this.mem.f64.set(rows.subarray(r0 * win, (r0 + m) * win), w.rows / 8);
      k.dgemm(m, H, win, w.rows, win, this.input.W, H, w.h, H, this.input.b, 0);
      for (const B of this.blocks) {
        k.d_ln_silu_rows(w.h, m, H, B.norm1.g, B.norm1.b, w.u);
        k.dgemm(m, H, H, w.u, H, B.lin1.W, H, w.a, H, B.bias1, 0);
        k.d_ln_silu_rows(w.a, m, H, B.norm2.g, B.norm2.b, w.u);
        k.dgemm(m, H, H, w.u, H, B.lin2.W, H, w.h, H, B.lin2.b, 1); // residual
      }
      k.d_ln_silu_rows(w.h, m, H, this.head.g, this.head.b, w.u);
      k.dgemm(m, d, H, w.u, H, this.out.W, d, w.eps, d, this.out.b, 0);
      out.set(this.mem.f64.subarray(w.eps / 8, w.eps / 8 + m * d), r0 * d);
    }
  }

  /**
   * Forward-mode derivative of F at one input row: returns T (d × d, a view valid until the next call) with
   * T[j·d + i] = ∂F_i/∂x_j, where the network input is c·x (the first d columns of W_in carry x).
   */
  tangents(row: Float64Array, c: number): Float64Array {
    const { d, hidden: H } = this.arch;
    const win = inputWidth(this.arch);
    const m = this.mem;
    this.jac ??= {
      Th: m.allocF64(d * H),
      Ta: m.allocF64(d * H),
      Tu: m.allocF64(d * H),
      Tout: m.allocF64(d * d),
      h: m.allocF64(H),
      a: m.allocF64(H),
      u: m.allocF64(H),
      scratch: m.allocF64(2 * H),
      row: m.allocF64(win),
    };
    const w = this.jac;
    const { k } = m;
    m.f64.set(row, w.row / 8);
    k.dgemm(1, H, win, w.row, win, this.input.W, H, w.h, H, this.input.b, 0);
    k.d_scale(this.input.W, d * H, c, w.Th); // ∂(c·x·W_in)/∂x_j: row j of W_in, scaled
    for (const B of this.blocks) {
      k.d_ln_silu_tangent(w.h, w.Th, d, H, B.norm1.g, B.norm1.b, w.u, w.Tu, w.scratch);
      k.dgemm(1, H, H, w.u, H, B.lin1.W, H, w.a, H, B.bias1, 0);
      k.dgemm(d, H, H, w.Tu, H, B.lin1.W, H, w.Ta, H, 0, 0);
      k.d_ln_silu_tangent(w.a, w.Ta, d, H, B.norm2.g, B.norm2.b, w.u, w.Tu, w.scratch);
      k.dgemm(1, H, H, w.u, H, B.lin2.W, H, w.h, H, B.lin2.b, 1); // residual, primal
      k.dgemm(d, H, H, w.Tu, H, B.lin2.W, H, w.Th, H, 0, 1); // residual, tangents
    }
    k.d_ln_silu_tangent(w.h, w.Th, d, H, this.head.g, this.head.b, w.u, w.Tu, w.scratch);
    k.dgemm(d, d, H, w.Tu, H, this.out.W, d, w.Tout, d, 0, 0);
    return m.f64.subarray(w.Tout / 8, w.Tout / 8 + d * d);
  }
}
