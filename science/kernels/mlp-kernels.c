// Hot loops of the score network, in C for WebAssembly SIMD (128-bit vectors: f32x4 and f64x2).
// Built by scripts/build-kernels.ts (clang --target=wasm32 -msimd128) into mlp-kernels.wasm.ts; the typed
// wrappers live in mlp-kernels.ts. Every pointer is a byte address in the module's own memory, every
// matrix row-major with an explicit leading dimension (elements per row).
//
// Float32 (training): GEMM with the transposes a backward pass needs, LayerNorm → SiLU forward/backward,
// SiLU, column sums, the squared-error loss, Adam + EMA and RAdam + EMA. Float64 (the trained score and its exact
// Jacobian): GEMM, LayerNorm → SiLU on rows and its forward-mode tangents.
//
// No libc (-nostdlib): exp is written out below. No -ffast-math and no FMA (wasm has none): every result
// is the same IEEE arithmetic on every machine, so training stays bit-reproducible.

#include <wasm_simd128.h>

#define EXPORT(name) __attribute__((export_name(#name))) 
#define INLINE static inline __attribute__((always_inline))

typedef v128_t vec;
typedef unsigned long long u64;

// ---------------------------------------------------------------------------------------------
// Float32 GEMM: C (M×N) = [C if accumulate] + [bias row if given] + op(A)·op(B).
// The register block is 4 rows × 8 columns (8 accumulators, 2 vectors of B, 1 broadcast of A): V8 keeps
// that in registers on x64, while larger blocks spill (measured: 4×8 ≈ 30 GFLOP/s, 6×8 and 4×12 ≈ 20).
// op(A)ᵀ only changes the strides of the broadcast loads; op(B)ᵀ is packed into a K-chunk × 8 panel so the
// inner loop always loads contiguous rows of B.

#define LD wasm_v128_load
#define ST wasm_v128_store
#define F4ADD wasm_f32x4_add
#define F4MUL wasm_f32x4_mul
#define F4SPLAT wasm_f32x4_splat

enum { KC = 256 };                   // K-chunk of a packed panel
static float panel[KC * 8] __attribute__((aligned(16)));

// One MR×(4·NV) block (MR ≤ 4, NV ≤ 2). A points at row 0 of the block; B at column 0, row 0.
INLINE void sblock(const int MR, const int NV, const int TA, int K, const float* A, int lda, const float* B, int ldb,
                   float* C, int ldc, const float* bias, int acc) {
  const int ra = TA ? 1 : lda, ka = TA ? lda : 1;
  const vec z = F4SPLAT(0);
  vec c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z;
#define INIT(r)                                                      \
  if (MR > r) {                                                      \
    if (acc) {                                                       \
      c##r##0 = LD(C + r * ldc);                                     \
      if (NV > 1) c##r##1 = LD(C + r * ldc + 4);                     \
    }                                                                \
    if (bias) {                                                      \
      c##r##0 = F4ADD(c##r##0, LD(bias));                            \
      if (NV > 1) c##r##1 = F4ADD(c##r##1, LD(bias + 4));            \
    }                                                                \
  }
  INIT(0) INIT(1) INIT(2) INIT(3)
#undef INIT
  for (int k = 0; k < K; k++) {
    const vec b0 = LD(B), b1 = NV > 1 ? LD(B + 4) : z;
    const float* a = A + k * ka;
    B += ldb;
#define ROW(r)                                                       \
  if (MR > r) {                                                      \
    const vec ar = wasm_v128_load32_splat(a + r * ra);               \
    c##r##0 = F4ADD(c##r##0, F4MUL(ar, b0));                         \
    if (NV > 1) c##r##1 = F4ADD(c##r##1, F4MUL(ar, b1));             \
  }
    ROW(0) ROW(1) ROW(2) ROW(3)
#undef ROW
  }
#define STORE(r)                                                     \
  if (MR > r) {                                                      \
    ST(C + r * ldc, c##r##0);                                        \
    if (NV > 1) ST(C + r * ldc + 4, c##r##1);                        \
  }
  STORE(0) STORE(1) STORE(2) STORE(3)
#undef STORE
}

// Rows 0..M of one column strip of width 4·NV.
INLINE void sstrip(const int NV, const int TA, int M, int K, const float* A, int lda, const float* B, int ldb, float* C,
                   int ldc, const float* bias, int acc) {
  const int ra = TA ? 1 : lda;
  int i = 0;
  for (; i + 4 <= M; i += 4) sblock(4, NV, TA, K, A + i * ra, lda, B, ldb, C + i * ldc, ldc, bias, acc);
  switch (M - i) {
    case 3: sblock(3, NV, TA, K, A + i * ra, lda, B, ldb, C + i * ldc, ldc, bias, acc); break;
    case 2: sblock(2, NV, TA, K, A + i * ra, lda, B, ldb, C + i * ldc, ldc, bias, acc); break;
    case 1: sblock(1, NV, TA, K, A + i * ra, lda, B, ldb, C + i * ldc, ldc, bias, acc); break;
  }
}

INLINE void sgemm_t(const int TA, int TB, int M, int N, int K, const float* A, int lda, const float* B, int ldb, float* C,
                    int ldc, const float* bias, int acc) {
  const int ka = TA ? lda : 1;
  int j = 0;
  while (j + 4 <= N) {
    const int wide = N - j >= 8, width = wide ? 8 : 4;
    int k0 = 0;
    do {  // K in chunks of KC (at least once, so K = 0 still initialises C)
      const int kc = K - k0 < KC ? K - k0 : KC;
      if (TB) {
        for (int k = 0; k < kc; k++)
          for (int c = 0; c < width; c++) panel[k * 8 + c] = B[(j + c) * ldb + k0 + k];
      } else {
        for (int k = 0; k < kc; k++) {
          const float* src = B + (k0 + k) * ldb + j;
          ST(panel + k * 8, LD(src));
          if (wide) ST(panel + k * 8 + 4, LD(src + 4));
        }
      }
      const float* bj = k0 == 0 && bias ? bias + j : 0;
      const int aj = k0 == 0 ? acc : 1;
      if (wide) sstrip(2, TA, M, kc, A + k0 * ka, lda, panel, 8, C + j, ldc, bj, aj);
      else sstrip(1, TA, M, kc, A + k0 * ka, lda, panel, 8, C + j, ldc, bj, aj);
      k0 += kc;
    } while (k0 < K);
    j += width;
  }
  // The last N mod 4 columns, one dot product at a time.
  const int ra = TA ? 1 : lda;
  const int rb = TB ? 1 : ldb, cb = TB ? ldb : 1;
  for (; j < N; j++) {
    for (int i = 0; i < M; i++) {
      float s = acc ? C[i * ldc + j] : 0.0f;
      if (bias) s += bias[j];
      for (int k = 0; k < K; k++) s += A[i * ra + k * ka] * B[k * rb + j * cb];
      C[i * ldc + j] = s;
    }
  }
}

// op(A) is M×K: A[i·lda + k], or A[k·lda + i] when transA. op(B) is K×N: B[k·ldb + j], or B[j·ldb + k] when transB.
EXPORT(sgemm)
void sgemm(int transA, int transB, int M, int N, int K, const float* A, int lda, const float* B, int ldb, float* C, int ldc,
           const float* bias, int accumulate) {
  if (transA) sgemm_t(1, transB, M, N, K, A, lda, B, ldb, C, ldc, bias, accumulate);
  else sgemm_t(0, transB, M, N, K, A, lda, B, ldb, C, ldc, bias, accumulate);
}

// ---------------------------------------------------------------------------------------------
// Float32 element-wise kernels of the training step.

// e^x, four at a time: x = n·ln2 + r with |r| ≤ ln2/2, e^r by Cephes' expf polynomial (≈ 1 ulp), times 2^n
// built in the exponent bits. x is clamped to [−87, 88] so 2^n stays a normal float; NaN passes through.
INLINE vec exp4(vec x) {
  x = wasm_f32x4_pmax(wasm_f32x4_pmin(x, F4SPLAT(88.0f)), F4SPLAT(-87.0f));
  const vec n = wasm_f32x4_nearest(F4MUL(x, F4SPLAT(1.44269504088896341f)));
  vec r = wasm_f32x4_sub(x, F4MUL(n, F4SPLAT(0.693359375f)));
  r = wasm_f32x4_sub(r, F4MUL(n, F4SPLAT(-2.12194440e-4f)));
  vec p = F4SPLAT(1.9875691500e-4f);
  p = F4ADD(F4MUL(p, r), F4SPLAT(1.3981999507e-3f));
  p = F4ADD(F4MUL(p, r), F4SPLAT(8.3334519073e-3f));
  p = F4ADD(F4MUL(p, r), F4SPLAT(4.1665795894e-2f));
  p = F4ADD(F4MUL(p, r), F4SPLAT(1.6666665459e-1f));
  p = F4ADD(F4MUL(p, r), F4SPLAT(5.0000001201e-1f));
  p = F4ADD(F4ADD(F4MUL(F4MUL(p, r), r), r), F4SPLAT(1.0f));
  const vec scale = wasm_i32x4_shl(wasm_i32x4_add(wasm_i32x4_trunc_sat_f32x4(n), wasm_i32x4_splat(127)), 23);
  return F4MUL(p, scale);
}

INLINE vec sigmoid4(vec x) { return wasm_f32x4_div(F4SPLAT(1.0f), F4ADD(F4SPLAT(1.0f), exp4(wasm_f32x4_neg(x)))); }
INLINE float sigmoid1(float x) { return wasm_f32x4_extract_lane(sigmoid4(F4SPLAT(x)), 0); }

INLINE float hsum4(vec v) {
  return (wasm_f32x4_extract_lane(v, 0) + wasm_f32x4_extract_lane(v, 1)) +
         (wasm_f32x4_extract_lane(v, 2) + wasm_f32x4_extract_lane(v, 3));
}

#define LAYER_NORM_EPS 1e-5f  // = LAYER_NORM_EPS in mlp-architecture.ts

// y = SiLU(x̂·g + b) with x̂ = (x − mean)/√(var + eps) per row of n×H; keeps x̂, 1/√(var + eps) and the
// sigmoid for the backward pass.
EXPORT(ln_silu_forward)
void ln_silu_forward(const float* x, int n, int H, const float* g, const float* b, float* xhat, float* rstd, float* sig,
                     float* out) {
  const int H4 = H & ~3;
  for (int i = 0; i < n; i++) {
    const float* xr = x + i * H;
    const int o = i * H;
    vec s4 = F4SPLAT(0);
    int j = 0;
    for (; j < H4; j += 4) s4 = F4ADD(s4, LD(xr + j));
    float mu = hsum4(s4);
    for (; j < H; j++) mu += xr[j];
    mu /= H;
    const vec mu4 = F4SPLAT(mu);
    vec v4 = F4SPLAT(0);
    for (j = 0; j < H4; j += 4) {
      const vec c = wasm_f32x4_sub(LD(xr + j), mu4);
      v4 = F4ADD(v4, F4MUL(c, c));
    }
    float var = hsum4(v4);
    for (; j < H; j++) var += (xr[j] - mu) * (xr[j] - mu);
    const float r = 1.0f / __builtin_sqrtf(var / H + LAYER_NORM_EPS);
    rstd[i] = r;
    const vec r4 = F4SPLAT(r);
    for (j = 0; j < H4; j += 4) {
      const vec xh = F4MUL(wasm_f32x4_sub(LD(xr + j), mu4), r4);
      const vec p = F4ADD(F4MUL(xh, LD(g + j)), LD(b + j));
      const vec s = sigmoid4(p);
      ST(xhat + o + j, xh);
      ST(sig + o + j, s);
      ST(out + o + j, F4MUL(p, s));
    }
    for (; j < H; j++) {
      const float xh = (xr[j] - mu) * r, p = xh * g[j] + b[j], s = sigmoid1(p);
      xhat[o + j] = xh;
      sig[o + j] = s;
      out[o + j] = p * s;
    }
  }
}

// Back through SiLU and LayerNorm: dx (= or += when accumulate) r·(dx̂ − mean dx̂ − x̂·mean(dx̂ ⊙ x̂)) with
// dx̂ = dp·g, dp = dy·silu'(p); dg = Σ_rows dp·x̂ and db = Σ_rows dp (overwritten). scratch: H floats.
EXPORT(ln_silu_backward)
void ln_silu_backward(const float* dy, const float* xhat, const float* rstd, const float* sig, int n, int H, const float* g,
                      const float* b, float* dx, int accumulate, float* dg, float* db, float* scratch) {
  const int H4 = H & ~3;
  for (int j = 0; j < H; j++) dg[j] = db[j] = 0.0f;
  const vec one = F4SPLAT(1.0f);
  for (int i = 0; i < n; i++) {
    const int o = i * H;
    vec m14 = F4SPLAT(0), m24 = F4SPLAT(0);
    int j = 0;
    for (; j < H4; j += 4) {
      const vec xh = LD(xhat + o + j), s = LD(sig + o + j), gj = LD(g + j);
      const vec p = F4ADD(F4MUL(xh, gj), LD(b + j));
      const vec dp = F4MUL(F4MUL(LD(dy + o + j), s), F4ADD(one, F4MUL(p, wasm_f32x4_sub(one, s))));
      ST(dg + j, F4ADD(LD(dg + j), F4MUL(dp, xh)));
      ST(db + j, F4ADD(LD(db + j), dp));
      const vec dh = F4MUL(dp, gj);
      ST(scratch + j, dh);
      m14 = F4ADD(m14, dh);
      m24 = F4ADD(m24, F4MUL(dh, xh));
    }
    float m1 = hsum4(m14), m2 = hsum4(m24);
    for (; j < H; j++) {
      const float xh = xhat[o + j], s = sig[o + j], p = xh * g[j] + b[j];
      const float dp = dy[o + j] * s * (1.0f + p * (1.0f - s));
      dg[j] += dp * xh;
      db[j] += dp;
      const float dh = dp * g[j];
      scratch[j] = dh;
      m1 += dh;
      m2 += dh * xh;
    }
    m1 /= H;
    m2 /= H;
    const float r = rstd[i];
    const vec r4 = F4SPLAT(r), m14s = F4SPLAT(m1), m24s = F4SPLAT(m2);
    for (j = 0; j < H4; j += 4) {
      const vec t = wasm_f32x4_sub(wasm_f32x4_sub(LD(scratch + j), m14s), F4MUL(LD(xhat + o + j), m24s));
      vec d = F4MUL(r4, t);
      if (accumulate) d = F4ADD(d, LD(dx + o + j));
      ST(dx + o + j, d);
    }
    for (; j < H; j++) {
      const float d = r * (scratch[j] - m1 - xhat[o + j] * m2);
      dx[o + j] = accumulate ? dx[o + j] + d : d;
    }
  }
}

// out = x·sigmoid(x), keeping the sigmoid.
EXPORT(silu_forward)
void silu_forward(const float* x, int len, float* sig, float* out) {
  int i = 0;
  for (; i + 4 <= len; i += 4) {
    const vec xv = LD(x + i), s = sigmoid4(xv);
    ST(sig + i, s);
    ST(out + i, F4MUL(xv, s));
  }
  for (; i < len; i++) {
    const float s = sigmoid1(x[i]);
    sig[i] = s;
    out[i] = x[i] * s;
  }
}

// dx = dy·s·(1 + x·(1 − s)).
EXPORT(silu_backward)
void silu_backward(const float* dy, const float* x, const float* sig, int len, float* dx) {
  const vec one = F4SPLAT(1.0f);
  int i = 0;
  for (; i + 4 <= len; i += 4) {
    const vec s = LD(sig + i);
    ST(dx + i, F4MUL(F4MUL(LD(dy + i), s), F4ADD(one, F4MUL(LD(x + i), wasm_f32x4_sub(one, s)))));
  }
  for (; i < len; i++) dx[i] = dy[i] * sig[i] * (1.0f + x[i] * (1.0f - sig[i]));
}

// out[j] = Σ_i G[i·m + j]: the bias gradient.
EXPORT(column_sums)
void column_sums(const float* G, int n, int m, float* out) {
  const int m4 = m & ~3;
  for (int j = 0; j < m; j++) out[j] = 0.0f;
  for (int i = 0; i < n; i++) {
    const float* row = G + i * m;
    int j = 0;
    for (; j < m4; j += 4) ST(out + j, F4ADD(LD(out + j), LD(row + j)));
    for (; j < m; j++) out[j] += row[j];
  }
}

// Σ (out − target)² in float64 (returned), and dOut = scale·(out − target), the residual also in float64
// (as the JS reference computes it).
EXPORT(squared_error)
double squared_error(const float* out, const float* target, int len, double scale, float* dOut) {
  vec acc = wasm_f64x2_splat(0);
  const vec sc = wasm_f64x2_splat(scale);
  int i = 0;
  for (; i + 2 <= len; i += 2) {
    const vec r = wasm_f64x2_sub(wasm_f64x2_promote_low_f32x4(wasm_v128_load64_zero(out + i)),
                                 wasm_f64x2_promote_low_f32x4(wasm_v128_load64_zero(target + i)));
    acc = wasm_f64x2_add(acc, wasm_f64x2_mul(r, r));
    wasm_v128_store64_lane(dOut + i, wasm_f32x4_demote_f64x2_zero(wasm_f64x2_mul(sc, r)), 0);
  }
  double s = wasm_f64x2_extract_lane(acc, 0) + wasm_f64x2_extract_lane(acc, 1);
  for (; i < len; i++) {
    const double r = (double)out[i] - (double)target[i];
    s += r * r;
    dOut[i] = (float)(scale * r);
  }
  return s;
}

// Two float32 values widened to float64 lanes, and stored back rounded once (the optimiser kernels).
#define P2(ptr) wasm_f64x2_promote_low_f32x4(wasm_v128_load64_zero(ptr))
#define S2(ptr, x) wasm_v128_store64_lane(ptr, wasm_f32x4_demote_f64x2_zero(x), 0)
// ---------------------------------------------------------------------------------------------
// Adam + EMA, bit-identical to train-adam.ts adamStep: the same float64 expressions in the same order on the
// float32 values, every stored value rounded to float32 once (JS assignment expressions yield the unrounded
// double, which the next expression uses: so do we). Two lanes of f64x2 per iteration.
EXPORT(adam_ema)
void adam_ema(float* p, float* m, float* v, float* ema, const float* g, int len, double b1, double b2, double lrHat, double c2,
              double eps, double decay) {
  const vec B1 = wasm_f64x2_splat(b1), B1c = wasm_f64x2_splat(1 - b1), B2 = wasm_f64x2_splat(b2),
            B2c = wasm_f64x2_splat(1 - b2), LR = wasm_f64x2_splat(lrHat), C2 = wasm_f64x2_splat(c2),
            E = wasm_f64x2_splat(eps), D = wasm_f64x2_splat(decay), Dc = wasm_f64x2_splat(1 - decay);
  int i = 0;
  for (; i + 2 <= len; i += 2) {
    const vec gi = P2(g + i);
    const vec mi = wasm_f64x2_add(wasm_f64x2_mul(B1, P2(m + i)), wasm_f64x2_mul(B1c, gi));
    const vec vi = wasm_f64x2_add(wasm_f64x2_mul(B2, P2(v + i)), wasm_f64x2_mul(wasm_f64x2_mul(B2c, gi), gi));
    const vec den = wasm_f64x2_add(wasm_f64x2_sqrt(wasm_f64x2_div(vi, C2)), E);
    const vec pi = wasm_f64x2_sub(P2(p + i), wasm_f64x2_div(wasm_f64x2_mul(LR, mi), den));
    const vec ai = wasm_f64x2_add(wasm_f64x2_mul(D, P2(ema + i)), wasm_f64x2_mul(Dc, pi));
    S2(m + i, mi);
    S2(v + i, vi);
    S2(p + i, pi);
    S2(ema + i, ai);
  }
  for (; i < len; i++) {
    const double gi = g[i];
    const double mi = b1 * (double)m[i] + (1 - b1) * gi;
    const double vi = b2 * (double)v[i] + (1 - b2) * gi * gi;
    const double pi = (double)p[i] - (lrHat * mi) / (__builtin_sqrt(vi / c2) + eps);
    m[i] = (float)mi;
    v[i] = (float)vi;
    p[i] = (float)pi;
    ema[i] = (float)(decay * (double)ema[i] + (1 - decay) * pi);
  }
}

// RAdam + EMA (Liu et al. 2020, as torch.optim.RAdam without weight decay), bit-identical to
// test/reference/adam.ts radamStepJs under the same conventions as adam_ema. Per element, in PyTorch's order:
// m ← m + (1 − β1)(g − m) (its lerp), v ← β2·v + (1 − β2)·g·g, m̂ = m/c1 with c1 = 1 − β1^t; then with
// rect > 0 (ρ_t > 5) p ← p − ((m̂·lr)·(√c2/(√v + ε)))·rect, else the un-adapted p ← p − m̂·lr. The scalars
// c1, √c2 = √(1 − β2^t) and rect are train-adam.ts adamScalars's.
EXPORT(radam_ema)
void radam_ema(float* p, float* m, float* v, float* ema, const float* g, int len, double b1, double b2, double lr, double c1,
               double sqrtC2, double rect, double eps, double decay) {
  const vec B1c = wasm_f64x2_splat(1 - b1), B2 = wasm_f64x2_splat(b2), B2c = wasm_f64x2_splat(1 - b2),
            LR = wasm_f64x2_splat(lr), C1 = wasm_f64x2_splat(c1), SC2 = wasm_f64x2_splat(sqrtC2),
            R = wasm_f64x2_splat(rect), E = wasm_f64x2_splat(eps), D = wasm_f64x2_splat(decay),
            Dc = wasm_f64x2_splat(1 - decay);
  const int adaptive = rect > 0;
  int i = 0;
  for (; i + 2 <= len; i += 2) {
    const vec gi = P2(g + i), m0 = P2(m + i);
    const vec mi = wasm_f64x2_add(m0, wasm_f64x2_mul(B1c, wasm_f64x2_sub(gi, m0)));
    const vec vi = wasm_f64x2_add(wasm_f64x2_mul(P2(v + i), B2), wasm_f64x2_mul(wasm_f64x2_mul(B2c, gi), gi));
    const vec step = wasm_f64x2_mul(wasm_f64x2_div(mi, C1), LR);
    const vec upd = adaptive ? wasm_f64x2_mul(wasm_f64x2_mul(step, wasm_f64x2_div(SC2, wasm_f64x2_add(wasm_f64x2_sqrt(vi), E))), R) : step;
    const vec pi = wasm_f64x2_sub(P2(p + i), upd);
    const vec ai = wasm_f64x2_add(wasm_f64x2_mul(D, P2(ema + i)), wasm_f64x2_mul(Dc, pi));
    S2(m + i, mi);
    S2(v + i, vi);
    S2(p + i, pi);
    S2(ema + i, ai);
  }
  for (; i < len; i++) {
    const double gi = g[i], m0 = m[i];
    const double mi = m0 + (1 - b1) * (gi - m0);
    const double vi = (double)v[i] * b2 + (1 - b2) * gi * gi;
    const double step = (mi / c1) * lr;
    const double upd = adaptive ? (step * (sqrtC2 / (__builtin_sqrt(vi) + eps))) * rect : step;
    const double pi = (double)p[i] - upd;
    m[i] = (float)mi;
    v[i] = (float)vi;
    p[i] = (float)pi;
    ema[i] = (float)(decay * (double)ema[i] + (1 - decay) * pi);
  }
}
#undef P2
#undef S2

// ---------------------------------------------------------------------------------------------
// Float64 kernels of the trained score (mlp-score.ts): same structure, f64x2 vectors, a 4 × 4 register block
// (8 accumulators again; measured ≈ 15 GFLOP/s, as 2 × 8, while 6 × 4 and 3 × 8 spill).

#define D2ADD wasm_f64x2_add
#define D2SUB wasm_f64x2_sub
#define D2MUL wasm_f64x2_mul
#define D2SPLAT wasm_f64x2_splat

INLINE void dblock(const int MR, const int NV, int K, const double* A, int lda, const double* B, int ldb, double* C, int ldc,
                   const double* bias, int acc) {
  const vec z = D2SPLAT(0);
  vec c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z;
#define INIT(r)                                                      \
  if (MR > r) {                                                      \
    if (acc) {                                                       \
      c##r##0 = LD(C + r * ldc);                                     \
      if (NV > 1) c##r##1 = LD(C + r * ldc + 2);                     \
    }                                                                \
    if (bias) {                                                      \
      c##r##0 = D2ADD(c##r##0, LD(bias));                            \
      if (NV > 1) c##r##1 = D2ADD(c##r##1, LD(bias + 2));            \
    }                                                                \
  }
  INIT(0) INIT(1) INIT(2) INIT(3)
#undef INIT
  for (int k = 0; k < K; k++) {
    const vec b0 = LD(B), b1 = NV > 1 ? LD(B + 2) : z;
    const double* a = A + k;
    B += ldb;
#define ROW(r)                                                       \
  if (MR > r) {                                                      \
    const vec ar = wasm_v128_load64_splat(a + r * lda);              \
    c##r##0 = D2ADD(c##r##0, D2MUL(ar, b0));                         \
    if (NV > 1) c##r##1 = D2ADD(c##r##1, D2MUL(ar, b1));             \
  }
    ROW(0) ROW(1) ROW(2) ROW(3)
#undef ROW
  }
#define STORE(r)                                                     \
  if (MR > r) {                                                      \
    ST(C + r * ldc, c##r##0);                                        \
    if (NV > 1) ST(C + r * ldc + 2, c##r##1);                        \
  }
  STORE(0) STORE(1) STORE(2) STORE(3)
#undef STORE
}

INLINE void dstrip(const int NV, int M, int K, const double* A, int lda, const double* B, int ldb, double* C, int ldc,
                   const double* bias, int acc) {
  int i = 0;
  for (; i + 4 <= M; i += 4) dblock(4, NV, K, A + i * lda, lda, B, ldb, C + i * ldc, ldc, bias, acc);
  switch (M - i) {
    case 3: dblock(3, NV, K, A + i * lda, lda, B, ldb, C + i * ldc, ldc, bias, acc); break;
    case 2: dblock(2, NV, K, A + i * lda, lda, B, ldb, C + i * ldc, ldc, bias, acc); break;
    case 1: dblock(1, NV, K, A + i * lda, lda, B, ldb, C + i * ldc, ldc, bias, acc); break;
  }
}

static double dpanel[KC * 4] __attribute__((aligned(16)));

// C (M×N) = [C if accumulate] + [bias row if given] + A (M×K) · B (K×N). B's column strips are packed into a
// contiguous K-chunk × 4 panel when there are enough rows to repay the copy (≈ 10% faster at M ≥ 100;
// slower for the single-row primal products of the Jacobian).
EXPORT(dgemm)
void dgemm(int M, int N, int K, const double* A, int lda, const double* B, int ldb, double* C, int ldc, const double* bias,
           int accumulate) {
  const int pack = M >= 8;
  int j = 0;
  while (j + 2 <= N) {
    const int wide = N - j >= 4;
    int k0 = 0;
    do {  // K in chunks of KC when packing (at least once, so K = 0 still initialises C)
      const int kc = !pack ? K : K - k0 < KC ? K - k0 : KC;
      const double* Bp = B + k0 * ldb + j;
      int ldp = ldb;
      if (pack) {
        for (int k = 0; k < kc; k++) {
          const double* src = Bp + k * ldb;
          ST(dpanel + k * 4, LD(src));
          if (wide) ST(dpanel + k * 4 + 2, LD(src + 2));
        }
        Bp = dpanel;
        ldp = 4;
      }
      const double* bj = k0 == 0 && bias ? bias + j : 0;
      const int aj = k0 == 0 ? accumulate : 1;
      if (wide) dstrip(2, M, kc, A + k0, lda, Bp, ldp, C + j, ldc, bj, aj);
      else dstrip(1, M, kc, A + k0, lda, Bp, ldp, C + j, ldc, bj, aj);
      k0 += kc;
    } while (k0 < K);
    j += wide ? 4 : 2;
  }
  if (j < N) {
    for (int i = 0; i < M; i++) {
      double s = accumulate ? C[i * ldc + j] : 0.0;
      if (bias) s += bias[j];
      for (int k = 0; k < K; k++) s += A[i * lda + k] * B[k * ldb + j];
      C[i * ldc + j] = s;
    }
  }
}

// e^x for two doubles: x = n·ln2 + r (fdlibm's two-part ln2), |r| ≤ 0.35, Taylor series of e^r to r¹³
// (truncation < 1e-17), times 2^n assembled in the exponent bits (n + 2^52 + 2^51 puts n in the low bits).
// x is clamped to [−708, 709]; NaN passes through.
INLINE vec exp2d(vec x) {
  x = wasm_f64x2_pmax(wasm_f64x2_pmin(x, D2SPLAT(709.0)), D2SPLAT(-708.0));
  const vec n = wasm_f64x2_nearest(D2MUL(x, D2SPLAT(1.4426950408889634)));
  vec r = D2SUB(x, D2MUL(n, D2SPLAT(6.93147180369123816490e-01)));
  r = D2SUB(r, D2MUL(n, D2SPLAT(1.90821492927058770002e-10)));
  static const double inv[14] = {1.0,
                                 1.0,
                                 1.0 / 2,
                                 1.0 / 6,
                                 1.0 / 24,
                                 1.0 / 120,
                                 1.0 / 720,
                                 1.0 / 5040,
                                 1.0 / 40320,
                                 1.0 / 362880,
                                 1.0 / 3628800,
                                 1.0 / 39916800,
                                 1.0 / 479001600,
                                 1.0 / 6227020800.0};
  vec p = D2SPLAT(inv[13]);
  for (int k = 12; k >= 0; k--) p = D2ADD(D2MUL(p, r), D2SPLAT(inv[k]));
  const vec t = D2ADD(n, D2SPLAT(6755399441055744.0));
  const vec scale = wasm_i64x2_shl(wasm_i64x2_add(t, wasm_i64x2_splat(1023)), 52);
  return D2MUL(p, scale);
}

INLINE vec dsigmoid2(vec x) { return wasm_f64x2_div(D2SPLAT(1.0), D2ADD(D2SPLAT(1.0), exp2d(wasm_f64x2_neg(x)))); }
INLINE double dsigmoid1(double x) { return wasm_f64x2_extract_lane(dsigmoid2(D2SPLAT(x)), 0); }
INLINE double hsum2(vec v) { return wasm_f64x2_extract_lane(v, 0) + wasm_f64x2_extract_lane(v, 1); }

// Mean and 1/√(var + eps) of one row.
INLINE void drow_stats(const double* x, int H, double* mu_out, double* r_out) {
  vec s2 = D2SPLAT(0);
  int j = 0;
  for (; j + 2 <= H; j += 2) s2 = D2ADD(s2, LD(x + j));
  double mu = hsum2(s2);
  for (; j < H; j++) mu += x[j];
  mu /= H;
  const vec mu2 = D2SPLAT(mu);
  vec v2 = D2SPLAT(0);
  for (j = 0; j + 2 <= H; j += 2) {
    const vec c = D2SUB(LD(x + j), mu2);
    v2 = D2ADD(v2, D2MUL(c, c));
  }
  double var = hsum2(v2);
  for (; j < H; j++) var += (x[j] - mu) * (x[j] - mu);
  *mu_out = mu;
  *r_out = 1.0 / __builtin_sqrt(var / H + 1e-5);
}

// out = SiLU(LayerNorm(x)·g + b) for n rows of width H (out may alias x).
EXPORT(d_ln_silu_rows)
void d_ln_silu_rows(const double* x, int n, int H, const double* g, const double* b, double* out) {
  for (int i = 0; i < n; i++) {
    const double* xr = x + i * H;
    double* yr = out + i * H;
    double mu, r;
    drow_stats(xr, H, &mu, &r);
    const vec mu2 = D2SPLAT(mu), r2 = D2SPLAT(r);
    int j = 0;
    for (; j + 2 <= H; j += 2) {
      const vec p = D2ADD(D2MUL(D2MUL(D2SUB(LD(xr + j), mu2), r2), LD(g + j)), LD(b + j));
      ST(yr + j, D2MUL(p, dsigmoid2(p)));
    }
    for (; j < H; j++) {
      const double p = (xr[j] - mu) * r * g[j] + b[j];
      yr[j] = p * dsigmoid1(p);
    }
  }
}

// One point's LayerNorm → SiLU with forward-mode tangents. Primal: u = SiLU(p), p = x̂·g + b. Tangents (d rows
// of T, row j = ∂z/∂x_j): Tu_j = silu'(p) ⊙ g ⊙ r (T_j − mean T_j − x̂·mean(x̂ ⊙ T_j)).
// scratch: 2H doubles (x̂ and the per-column factor silu'(p)·g·r).
EXPORT(d_ln_silu_tangent)
void d_ln_silu_tangent(const double* z, const double* T, int d, int H, const double* g, const double* b, double* u,
                       double* Tu, double* scratch) {
  double mu, r;
  drow_stats(z, H, &mu, &r);
  double* xh = scratch;
  double* coef = scratch + H;
  const vec one = D2SPLAT(1.0), mu2 = D2SPLAT(mu), r2 = D2SPLAT(r);
  int k = 0;
  for (; k + 2 <= H; k += 2) {
    const vec x = D2MUL(D2SUB(LD(z + k), mu2), r2);
    const vec gk = LD(g + k);
    const vec p = D2ADD(D2MUL(x, gk), LD(b + k));
    const vec s = dsigmoid2(p);
    ST(xh + k, x);
    ST(u + k, D2MUL(p, s));
    ST(coef + k, D2MUL(D2MUL(gk, r2), D2MUL(s, D2ADD(one, D2MUL(p, D2SUB(one, s))))));
  }
  for (; k < H; k++) {
    const double x = (z[k] - mu) * r, p = x * g[k] + b[k], s = dsigmoid1(p);
    xh[k] = x;
    u[k] = p * s;
    coef[k] = g[k] * r * (s * (1.0 + p * (1.0 - s)));
  }
  for (int j = 0; j < d; j++) {
    const double* t = T + j * H;
    double* o = Tu + j * H;
    vec s1 = D2SPLAT(0), s2 = D2SPLAT(0);
    for (k = 0; k + 2 <= H; k += 2) {
      const vec tk = LD(t + k);
      s1 = D2ADD(s1, tk);
      s2 = D2ADD(s2, D2MUL(LD(xh + k), tk));
    }
    double m1 = hsum2(s1), m2 = hsum2(s2);
    for (; k < H; k++) {
      m1 += t[k];
      m2 += xh[k] * t[k];
    }
    m1 /= H;
    m2 /= H;
    const vec m12 = D2SPLAT(m1), m22 = D2SPLAT(m2);
    for (k = 0; k + 2 <= H; k += 2) {
      ST(o + k, D2MUL(LD(coef + k), D2SUB(D2SUB(LD(t + k), m12), D2MUL(LD(xh + k), m22))));
    }
    for (; k < H; k++) o[k] = coef[k] * (t[k] - m1 - xh[k] * m2);
  }
}

// dst = c·src (len doubles; dst may alias src).
EXPORT(d_scale)
void d_scale(const double* src, int len, double c, double* dst) {
  const vec c2 = D2SPLAT(c);
  int i = 0;
  for (; i + 2 <= len; i += 2) ST(dst + i, D2MUL(c2, LD(src + i)));
  for (; i < len; i++) dst[i] = c * src[i];
}

// ---------------------------------------------------------------------------------------------
// The training batch of the vector-data MLP (science/train-mlp.ts batchDrawer: the tfjs path's drawer and the
// reference this is tested against bit for bit), drawn straight into a step plan's batch regions. The same
// generator (science/random.ts: sfc32 words and the Box–Muller spare, handed over and back), the same float64
// expressions in the same order, every stored value rounded to float32 once. The transcendentals are JavaScript's
// own Math functions, imported: V8 runs the same ieee754 routines for them as for Math in JS (directly, without a
// call into JS), so they return the same bits, which no C libm would. Most sines, cosines and Box–Muller logs come
// instead from faster two-lane polynomials whose error bounds show that each stored float32 is the one JS stores
// (below); where the bounds cannot tell, Math's values are used.

#define MATH_IMPORT(name) __attribute__((import_module("Math"), import_name(#name)))
MATH_IMPORT(log) double js_log(double);
MATH_IMPORT(sin) double js_sin(double);
MATH_IMPORT(cos) double js_cos(double);
MATH_IMPORT(pow) double js_pow(double, double);
MATH_IMPORT(expm1) double js_expm1(double);

typedef unsigned int u32;

// random.ts RngState: sfc32's four words, then [1 when a spare waits else 0, the spare].
typedef struct {
  u32 w[4];
  double has_spare;
  double spare;
} RngState;

INLINE u32 sfc32_next(u32* s) {
  const u32 a = s[0], b = s[1], c = s[2];
  const u32 t = a + b;
  s[0] = b ^ (b >> 9);
  s[1] = c + (c << 3);
  const u32 d = s[3] + 1;
  s[3] = d;
  const u32 r = t + d;
  s[2] = ((c << 21) | (c >> 11)) + r;
  return r;
}

// Rng.uniform: 53 bits from two words, the high part drawn first.
INLINE double uniform53(u32* s) {
  const u32 hi = sfc32_next(s);
  const u32 lo = sfc32_next(s);
  return ((double)(hi >> 5) * 67108864.0 + (double)(lo >> 6)) / 9007199254740992.0;
}

// One Box–Muller draw: r·cos θ and r·sin θ.
INLINE void box_muller(u32* s, double* c, double* sn) {
  double u = 0;
  while (u == 0) u = uniform53(s);
  const double r = __builtin_sqrt(-2 * js_log(u));
  const double theta = 2 * 3.141592653589793 * uniform53(s);  // 2·Math.PI, exact
  *c = r * js_cos(theta);
  *sn = r * js_sin(theta);
}

// Rng.fillNormal: a waiting spare first, then pairs, and an odd last value leaves its partner as the spare.
INLINE void fill_normal(RngState* g, u32* s, double* out, int len) {
  int i = 0;
  if (g->has_spare != 0 && len > 0) {
    out[i++] = g->spare;
    g->has_spare = 0;
  }
  for (; i + 2 <= len; i += 2) box_muller(s, out + i, out + i + 1);
  if (i < len) {
    box_muller(s, out + i, &g->spare);
    g->has_spare = 1;
  }
}

#define RMS_FLOOR 1e-10  // = RMS_FLOOR in mlp-architecture.ts

// sin and cos of two arguments |x| ≤ 2^19 at once, each within 2^-49 of Math's (measured 2^-52; the test checks
// 2^-49): x = k·π/2 + r with π/2 in three parts (k·P1 and k·P2 exact for |k| < 2^20, and
// x − k·P1 exact by Sterbenz), Taylor series of sin r and cos r to r^19 and r^18 on |r| ≤ π/4 (truncation
// < 1e-20), then the quadrant k mod 4 swaps and negates them.
#define PIO2_1 0x1.921fb544p+0
#define PIO2_2 0x1.0b4611a6p-34
#define PIO2_3 0x1.3198a2e037073p-69
INLINE void sincos2(vec x, vec* sn, vec* cs) {
  const vec k = wasm_f64x2_nearest(D2MUL(x, D2SPLAT(0.6366197723675814)));
  vec r = D2SUB(x, D2MUL(k, D2SPLAT(PIO2_1)));
  r = D2SUB(r, D2MUL(k, D2SPLAT(PIO2_2)));
  r = D2SUB(r, D2MUL(k, D2SPLAT(PIO2_3)));
  const vec z = D2MUL(r, r);
  static const double S[9] = {-1.0 / 6, 1.0 / 120, -1.0 / 5040, 1.0 / 362880, -1.0 / 39916800, 1.0 / 6227020800.0,
                              -1.0 / 1307674368000.0, 1.0 / 355687428096000.0, -1.0 / 121645100408832000.0};
  static const double C[9] = {-1.0 / 2, 1.0 / 24, -1.0 / 720, 1.0 / 40320, -1.0 / 3628800, 1.0 / 479001600,
                              -1.0 / 87178291200.0, 1.0 / 20922789888000.0, -1.0 / 6402373705728000.0};
  vec ps = D2SPLAT(S[8]), pc = D2SPLAT(C[8]);
  for (int i = 7; i >= 0; i--) {
    ps = D2ADD(D2MUL(ps, z), D2SPLAT(S[i]));
    pc = D2ADD(D2MUL(pc, z), D2SPLAT(C[i]));
  }
  const vec s = D2ADD(r, D2MUL(D2MUL(r, z), ps));
  const vec c = D2ADD(D2SPLAT(1.0), D2MUL(z, pc));
  const vec q = wasm_i64x2_extend_low_i32x4(wasm_i32x4_trunc_sat_f64x2_zero(k));
  const vec swap = wasm_i64x2_neg(wasm_v128_and(q, wasm_i64x2_splat(1)));
  const vec two = wasm_i64x2_splat(2);
  *sn = wasm_v128_xor(wasm_v128_bitselect(c, s, swap), wasm_i64x2_shl(wasm_v128_and(q, two), 62));
  const vec q1 = wasm_i64x2_add(q, wasm_i64x2_splat(1));
  *cs = wasm_v128_xor(wasm_v128_bitselect(s, c, swap), wasm_i64x2_shl(wasm_v128_and(q1, two), 62));
}

// The fast sin and cos of n arguments, for the test of their error bound.
EXPORT(fast_sincos)
void fast_sincos(const double* x, int n, double* sn, double* cs) {
  for (int i = 0; i + 2 <= n; i += 2) {
    vec s, c;
    sincos2(LD(x + i), &s, &c);
    ST(sn + i, s);
    ST(cs + i, c);
  }
}

// log of two arguments, positive and normal, each within 2^-49·|log| of Math's (measured 2^-50.9; the test checks
// 2^-49): u = 2^e·m with m ∈ [√½, √2), log m = 2 atanh s with s = (m − 1)/(m + 1), |s| ≤ 0.1716 (m − 1
// exact by Sterbenz), by its series to s^21 (truncation < 2^-56 relative), plus e·ln 2 in two parts (e·LN2_HI
// exact); |log m| < ln2 / 2 ≤ |e·ln 2| for e ≠ 0, so the sum does not cancel.
INLINE vec log2d(vec u) {
  const vec bits = u;
  vec e = wasm_i64x2_sub(wasm_u64x2_shr(bits, 52), wasm_i64x2_splat(1023));
  vec m = wasm_v128_or(wasm_v128_and(bits, wasm_i64x2_splat(0x000fffffffffffffLL)), wasm_i64x2_splat(0x3ff0000000000000LL));
  const vec big = wasm_f64x2_gt(m, D2SPLAT(1.4142135623730951));
  m = wasm_v128_bitselect(D2MUL(m, D2SPLAT(0.5)), m, big);
  e = wasm_i64x2_sub(e, big);  // big is −1 where set
  const vec s = wasm_f64x2_div(D2SUB(m, D2SPLAT(1.0)), D2ADD(m, D2SPLAT(1.0)));
  const vec z = D2MUL(s, s);
  vec p = D2SPLAT(1.0 / 21);
  for (int k = 19; k >= 1; k -= 2) p = D2ADD(D2MUL(p, z), D2SPLAT(1.0 / k));
  const vec logm = D2MUL(D2ADD(s, s), p);
  const vec ef = wasm_f64x2_convert_low_i32x4(wasm_i32x4_shuffle(e, e, 0, 2, 0, 2));
  return D2ADD(D2MUL(ef, D2SPLAT(6.93147180369123816490e-01)), D2ADD(logm, D2MUL(ef, D2SPLAT(1.90821492927058770002e-10))));
}

// The fast log of n arguments, for the test of its error bound.
EXPORT(fast_log)
void fast_log(const double* x, int n, double* out) {
  for (int i = 0; i + 2 <= n; i += 2) ST(out + i, log2d(LD(x + i)));
}

// v rounded to float32, as two lanes of a 64-bit pattern, and in *ok a bit per lane: set where every value within
// CERTIFY of v rounds to the same float32 (rounding is monotone: both ends suffice). sincos2 is within 2^-49 of
// Math.sin and Math.cos, so a set lane is the float32 of Math's value.
#define CERTIFY 0x1p-46
INLINE vec certified_f32(vec v, int* ok) {
  const vec y = wasm_f32x4_demote_f64x2_zero(v);
  const vec lo = wasm_f32x4_demote_f64x2_zero(D2SUB(v, D2SPLAT(CERTIFY)));
  const vec hi = wasm_f32x4_demote_f64x2_zero(D2ADD(v, D2SPLAT(CERTIFY)));
  *ok = wasm_i32x4_bitmask(wasm_v128_and(wasm_f32x4_eq(lo, y), wasm_f32x4_eq(hi, y))) & 3;
  return y;
}

// timeEmbedding(σ) of mlp-architecture.ts into out (E floats) from c = log(σ)/4 and the frequencies: sin(c·ω_k) and
// cos(c·ω_k) from sincos2 wherever that decides the float32, else (about once in 2^20 values) from Math.
INLINE void time_embedding(double c, const double* omega, int half, float* out) {
  int k = 0;
  for (; k + 2 <= half; k += 2) {
    const vec x = D2MUL(D2SPLAT(c), LD(omega + k));
    vec s, cs;
    sincos2(x, &s, &cs);
    int oks, okc;
    const vec ys = certified_f32(s, &oks), yc = certified_f32(cs, &okc);
    const int inRange = wasm_i32x4_bitmask(wasm_f64x2_le(wasm_f64x2_abs(x), D2SPLAT(0x1p19))) & 3;
    if ((oks & okc & inRange) == 3) {
      wasm_v128_store64_lane(out + k, ys, 0);
      wasm_v128_store64_lane(out + half + k, yc, 0);
    } else {
      for (int l = 0; l < 2; l++) {
        const double a = c * omega[k + l];
        out[k + l] = (float)js_sin(a);
        out[half + k + l] = (float)js_cos(a);
      }
    }
  }
  for (; k < half; k++) {
    out[k] = (float)js_sin(c * omega[k]);
    out[half + k] = (float)js_cos(c * omega[k]);
  }
}

// fill_normal with log u, cos θ and sin θ of two Box–Muller draws at a time from log2d and sincos2: the same draws
// (the generator advances exactly as there), and slack[j] ≥ |out[j] − fill_normal's value|: r·2^-46 is 4× r·2^-48,
// which bounds r·(2^-50 + 2^-52) from √(−2 log u) (log within 2^-49 relative, halved by the root), r·(2^-49 + 2^-52)
// from sin/cos and the rounding of r·cos θ on both sides. A spare taken or left behind is drawn exactly: it crosses
// rows and goes back to JS.
INLINE void fill_normal_fast(RngState* g, u32* s, double* out, double* slack, int len) {
  int i = 0;
  if (g->has_spare != 0 && len > 0) {
    out[0] = g->spare;
    slack[0] = 0;
    g->has_spare = 0;
    i = 1;
  }
  for (; i + 4 <= len; i += 4) {
    double u1 = 0, u2 = 0;
    while (u1 == 0) u1 = uniform53(s);
    const double t1 = 2 * 3.141592653589793 * uniform53(s);
    while (u2 == 0) u2 = uniform53(s);
    const double t2 = 2 * 3.141592653589793 * uniform53(s);
    const vec r = wasm_f64x2_sqrt(D2MUL(D2SPLAT(-2), log2d(wasm_f64x2_make(u1, u2))));
    vec sn, cs;
    sincos2(wasm_f64x2_make(t1, t2), &sn, &cs);
    const vec c = D2MUL(r, cs), sv = D2MUL(r, sn), e = D2MUL(r, D2SPLAT(CERTIFY));
    ST(out + i, wasm_i64x2_shuffle(c, sv, 0, 2));
    ST(out + i + 2, wasm_i64x2_shuffle(c, sv, 1, 3));
    ST(slack + i, wasm_i64x2_shuffle(e, e, 0, 0));
    ST(slack + i + 2, wasm_i64x2_shuffle(e, e, 1, 1));
  }
  for (; i + 2 <= len; i += 2) {
    box_muller(s, out + i, out + i + 1);
    slack[i] = slack[i + 1] = 0;
  }
  if (i < len) {
    box_muller(s, out + i, &g->spare);
    slack[i] = 0;
    g->has_spare = 1;
  }
}

// Lanes (bits 0, 1) where v rounds to the float32 y as every value within e of it does (rounding is monotone: both
// ends suffice; NaN and an infinite bound decide nothing).
INLINE int f32_decided2(vec v, vec e, vec y) {
  const vec lo = wasm_f32x4_demote_f64x2_zero(D2SUB(v, e)), hi = wasm_f32x4_demote_f64x2_zero(D2ADD(v, e));
  return wasm_i32x4_bitmask(wasm_v128_and(wasm_f32x4_eq(lo, y), wasm_f32x4_eq(hi, y))) & 3;
}

// Two values of one row's target and input, x = x₀ + σξ: (ξ − skip·x)/out and cIn·x rounded to float32 (IEEE per
// lane: the scalar expressions' values). With slack (ξ within sl of JS's), the lanes where both are the float32 of
// JS's expressions: bounds on the difference carry the slack through each operation, with 2^-49·|operands| for
// the roundings on both sides (4× what they can be).
typedef struct {
  vec q, tg;
  int ok;
} NoisedPair;
INLINE NoisedPair noised_pair(vec xi, vec a0, const double* slack, vec S, vec CI, vec SK, vec O) {
  const vec p = D2MUL(S, xi);
  const vec x = D2ADD(a0, p);
  const vec sk = D2MUL(SK, x);
  const vec tg = wasm_f64x2_div(D2SUB(xi, sk), O);
  const vec q = D2MUL(CI, x);
  NoisedPair r = {wasm_f32x4_demote_f64x2_zero(q), wasm_f32x4_demote_f64x2_zero(tg), 3};
  if (slack) {
    const vec sl = LD(slack), R = D2SPLAT(0x1p-49);
    const vec dx = D2ADD(D2MUL(S, sl), D2MUL(R, D2ADD(wasm_f64x2_abs(a0), wasm_f64x2_abs(p))));
    const vec dq = D2ADD(D2MUL(CI, dx), D2MUL(R, wasm_f64x2_abs(q)));
    const vec da = D2ADD(D2ADD(sl, D2MUL(SK, dx)), D2MUL(R, D2ADD(wasm_f64x2_abs(sk), wasm_f64x2_abs(xi))));
    const vec dt = D2ADD(wasm_f64x2_div(da, O), D2MUL(R, wasm_f64x2_abs(tg)));
    r.ok = f32_decided2(q, dq, r.q) & f32_decided2(tg, dt, r.tg);
  }
  return r;
}

// A row of d (noise ξ, with its slack or none): 1 when every stored value is the float32 of JS's expression.
INLINE int noised_row(const double* x0, const double* xi, const double* slack, int d, double sigma, double cIn,
                      double skip, double out, float* xr, float* tr) {
  const vec S = D2SPLAT(sigma), CI = D2SPLAT(cIn), SK = D2SPLAT(skip), O = D2SPLAT(out);
  int ok = 3, j = 0;
  for (; j + 2 <= d; j += 2) {
    const NoisedPair r = noised_pair(LD(xi + j), LD(x0 + j), slack ? slack + j : 0, S, CI, SK, O);
    wasm_v128_store64_lane(xr + j, r.q, 0);
    wasm_v128_store64_lane(tr + j, r.tg, 0);
    ok &= r.ok;
  }
  if (j < d) {  // the odd last value, in both lanes
    const double sl2[2] = {slack ? slack[j] : 0, slack ? slack[j] : 0};
    const NoisedPair r = noised_pair(D2SPLAT(xi[j]), D2SPLAT(x0[j]), slack ? sl2 : 0, S, CI, SK, O);
    xr[j] = wasm_f32x4_extract_lane(r.q, 0);
    tr[j] = wasm_f32x4_extract_lane(r.tg, 0);
    ok &= r.ok;
  }
  return ok == 3;
}

// B rows: row ~ U{0..n−1} of data (n × d, float64), t by the time law (0: eps + (1 − eps)·U; 1: the inverse
// W⁻¹ of train-mlp.ts drawTime with its constants w0, w1, logMin, L), σ = σ_min (σ_max/σ_min)^t, ξ ~ N(0, I),
// x = x₀ + σξ; xIn (B × w) = cIn·x [/ r under rms], target (B × d) = (ξ − skip·x)/out [/ r] with EDM's
// preconditioning when edm (σ_d = sd) else the plain network's (cIn = 1 when raw); the F time features at xIn + d
// ('concat') or in emb (B × F), sinusoids of σ (sigma_features) or of log(σ)/4 at the frequencies omega (F/2). A row's noise takes its log, sin and cos from log2d and sincos2
// where the bounds decide every float32 (noised_row), else it is drawn again with Math's. noise: 2d doubles of
// scratch.
EXPORT(draw_mlp_batch)
void draw_mlp_batch(RngState* g, const double* data, int n, int d, int B, int time_law, double eps, double w0, double w1,
                    double logMin, double L, double sigma_min, double sigma_max, int edm, double sd, int raw, int rms,
                    int F, int sigma_features, int concat, const double* omega, float* xIn, int w, float* emb, float* target,
                    double* noise) {
  u32 s[4] = {g->w[0], g->w[1], g->w[2], g->w[3]};
  const int half = F / 2;
  for (int i = 0; i < B; i++) {
    const int row = (int)__builtin_floor(uniform53(s) * n) * d;
    const double U = uniform53(s);
    double t;
    if (time_law == 0) {
      t = eps + (1 - eps) * U;
    } else {
      const double wt = w0 + U * (w1 - w0);
      const double u = -0.5 * js_log(js_expm1(-2 * wt) / (sd * sd));
      t = (u - logMin) / L;
      t = t < eps ? eps : t;  // Math.min(1, Math.max(eps, t)), NaN passing through as there
      t = t > 1 ? 1 : t;
    }
    const double sigma = sigma_min * js_pow(sigma_max / sigma_min, t);
    double cIn, skip, out;
    if (edm) {
      const double v = sigma * sigma + sd * sd;
      cIn = 1 / __builtin_sqrt(v);
      skip = sigma / v;
      out = sd / __builtin_sqrt(v);
    } else {
      cIn = raw ? 1 : 1 / __builtin_sqrt(1 + sigma * sigma);
      skip = 0;
      out = 1;
    }
    float* xr = xIn + i * w;
    float* tr = target + i * d;
    const RngState before = {{s[0], s[1], s[2], s[3]}, g->has_spare, g->spare};
    fill_normal_fast(g, s, noise, noise + d, d);
    if (!noised_row(data + row, noise, noise + d, d, sigma, cIn, skip, out, xr, tr)) {
      for (int k = 0; k < 4; k++) s[k] = before.w[k];
      g->has_spare = before.has_spare;
      g->spare = before.spare;
      fill_normal(g, s, noise, d);
      noised_row(data + row, noise, 0, d, sigma, cIn, skip, out, xr, tr);
    }
    if (rms) {
      double sum = 0;
      for (int j = 0; j < d; j++) sum += (double)xr[j] * (double)xr[j];
      const double r = __builtin_sqrt(sum / d + RMS_FLOOR);
      for (int j = 0; j < d; j++) {
        xr[j] = (float)((double)xr[j] / r);
        tr[j] = (float)((double)tr[j] / r);
      }
    }
    time_embedding(sigma_features ? sigma : js_log(sigma) / 4, omega, half, concat ? xr + d : emb + i * F);
  }
  for (int k = 0; k < 4; k++) g->w[k] = s[k];
}
