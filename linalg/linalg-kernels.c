// Float64 hot loops of linalg/, in C for WebAssembly SIMD (f64x2). Built by scripts/build-kernels.ts
// (clang --target=wasm32 -msimd128) into linalg-kernels.wasm.ts; simd.ts loads it. Every pointer is a byte
// address in the module's own memory.
//
// Vector kernels (dot, axpy and the two fused loops of tridiagonalisation) for the JS factorisations, and
// two whole reductions, values only, where the per-column calls from JS cost as much as the arithmetic:
// tridiagonalisation of a symmetric matrix and Golub–Kahan bidiagonalisation. No FMA and no -ffast-math:
// the same IEEE arithmetic on every machine.

#include <wasm_simd128.h>

#define EXPORT(name) __attribute__((export_name(#name)))
#define INLINE static inline __attribute__((always_inline))

typedef v128_t vec;
#define LD wasm_v128_load
#define ST wasm_v128_store
#define ADD wasm_f64x2_add
#define SUB wasm_f64x2_sub
#define MUL wasm_f64x2_mul
#define SPLAT wasm_f64x2_splat

INLINE double hsum(vec v) { return wasm_f64x2_extract_lane(v, 0) + wasm_f64x2_extract_lane(v, 1); }
INLINE double fabs_(double x) { return __builtin_fabs(x); }
INLINE double sqrt_(double x) { return __builtin_sqrt(x); }

// ---------------------------------------------------------------------------------------------
// Vector kernels.

// Σ x[i] y[i]: four per iteration in two accumulators, then the tail.
EXPORT(dot) double dot(const double* x, const double* y, int n) {
  vec a0 = SPLAT(0), a1 = SPLAT(0);
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    a0 = ADD(a0, MUL(LD(x + i), LD(y + i)));
    a1 = ADD(a1, MUL(LD(x + i + 2), LD(y + i + 2)));
  }
  double s = hsum(ADD(a0, a1));
  for (; i < n; i++) s += x[i] * y[i];
  return s;
}

// y[i] += alpha x[i].
EXPORT(axpy) void axpy(double alpha, const double* x, double* y, int n) {
  const vec a = SPLAT(alpha);
  int i = 0;
  for (; i + 2 <= n; i += 2) ST(y + i, ADD(LD(y + i), MUL(a, LD(x + i))));
  for (; i < n; i++) y[i] += alpha * x[i];
}

// Σ w[i] v[i], while e[i] += f w[i]: the matrix–vector step of tridiagonalisation.
EXPORT(dot_axpy) double dot_axpy(double f, const double* w, const double* v, double* e, int n) {
  const vec fv = SPLAT(f);
  vec acc = SPLAT(0);
  int i = 0;
  for (; i + 2 <= n; i += 2) {
    const vec wi = LD(w + i);
    acc = ADD(acc, MUL(wi, LD(v + i)));
    ST(e + i, ADD(LD(e + i), MUL(wi, fv)));
  }
  double s = hsum(acc);
  for (; i < n; i++) {
    s += w[i] * v[i];
    e[i] += w[i] * f;
  }
  return s;
}

// w[i] −= f e[i] + g v[i]: the symmetric rank-two update of tridiagonalisation.
EXPORT(rank2) void rank2(double f, double g, double* w, const double* e, const double* v, int n) {
  const vec fv = SPLAT(f), gv = SPLAT(g);
  int i = 0;
  for (; i + 2 <= n; i += 2) ST(w + i, SUB(LD(w + i), ADD(MUL(fv, LD(e + i)), MUL(gv, LD(v + i)))));
  for (; i < n; i++) w[i] -= f * e[i] + g * v[i];
}

// ---------------------------------------------------------------------------------------------
// Householder tridiagonalisation, values only: EISPACK tred2 on the upper triangle of the row-major
// n × n matrix w (row j, columns ≥ j; destroyed), with one change of schedule. tred2 sweeps the active
// triangle three times a step: the product p = A u, then the rank-two update A −= u qᵀ + q uᵀ. Here the
// update of step i is deferred into the product sweep of step i − 1, so each step reads and writes the
// triangle once (it no longer fits in L1 at d = 784). The next Householder column, needed before that
// sweep, is updated on its own (O(n)). Same expressions as tred2, so the same values up to the order of
// the sums. Out: diag[0..n), sub[1..n) (sub[i] couples i − 1 and i; sub[0] = 0). work: 4n doubles.

// One row j of the sweep: row[k] for k in [j, i) gets the pending update (uo, qo) when `pending`, then
// contributes to p = A u. Returns nothing: p[j] and p[k > j] are accumulated in place.
INLINE void sweep_row(double* row, int j, int i, const double* u, double* p, const double* uo, const double* qo,
                      int pending) {
  const double uj = u[j];
  const double fo = uo[j], go = qo[j];
  if (pending) row[j] -= fo * qo[j] + go * uo[j];
  double pj = p[j] + row[j] * uj;
  const vec ujv = SPLAT(uj), fov = SPLAT(fo), gov = SPLAT(go);
  vec acc = SPLAT(0);
  int k = j + 1;
  if (pending) {
    for (; k + 2 <= i; k += 2) {
      const vec r = SUB(LD(row + k), ADD(MUL(fov, LD(qo + k)), MUL(gov, LD(uo + k))));
      ST(row + k, r);
      acc = ADD(acc, MUL(r, LD(u + k)));
      ST(p + k, ADD(LD(p + k), MUL(r, ujv)));
    }
  } else {
    for (; k + 2 <= i; k += 2) {
      const vec r = LD(row + k);
      acc = ADD(acc, MUL(r, LD(u + k)));
      ST(p + k, ADD(LD(p + k), MUL(r, ujv)));
    }
  }
  double s = hsum(acc);
  for (; k < i; k++) {
    if (pending) row[k] -= fo * qo[k] + go * uo[k];
    s += row[k] * u[k];
    p[k] += row[k] * uj;
  }
  p[j] = pj + s;
}

// Rows j and j + 1 together: the same arithmetic as sweep_row(j) then sweep_row(j + 1), in the same order,
// but each u[k], p[k] and pending pair is loaded once for both rows (the loop is bound by loads and
// address arithmetic, not by the multiply-adds).
INLINE void sweep_two_rows(double* row0, int j, int i, int n, const double* u, double* p, const double* uo,
                           const double* qo, int pending) {
  double* row1 = row0 + n;
  const int j1 = j + 1;
  const double u0 = u[j], u1 = u[j1];
  const double f0 = uo[j], g0 = qo[j], f1 = uo[j1], g1 = qo[j1];
  if (pending) {
    row0[j] -= f0 * qo[j] + g0 * uo[j];
    row0[j1] -= f0 * qo[j1] + g0 * uo[j1];
    row1[j1] -= f1 * qo[j1] + g1 * uo[j1];
  }
  const double p0 = p[j] + row0[j] * u0;
  double s0 = row0[j1] * u[j1];
  const double p1 = (p[j1] + row0[j1] * u0) + row1[j1] * u1;
  const vec u0v = SPLAT(u0), u1v = SPLAT(u1), f0v = SPLAT(f0), g0v = SPLAT(g0), f1v = SPLAT(f1), g1v = SPLAT(g1);
  vec a0 = SPLAT(0), a1 = SPLAT(0);
  int k = j + 2;
  if (pending) {
    for (; k + 2 <= i; k += 2) {
      const vec q = LD(qo + k), v = LD(uo + k), uk = LD(u + k);
      const vec r0 = SUB(LD(row0 + k), ADD(MUL(f0v, q), MUL(g0v, v)));
      const vec r1 = SUB(LD(row1 + k), ADD(MUL(f1v, q), MUL(g1v, v)));
      ST(row0 + k, r0);
      ST(row1 + k, r1);
      a0 = ADD(a0, MUL(r0, uk));
      a1 = ADD(a1, MUL(r1, uk));
      ST(p + k, ADD(ADD(LD(p + k), MUL(r0, u0v)), MUL(r1, u1v)));
    }
  } else {
    for (; k + 2 <= i; k += 2) {
      const vec uk = LD(u + k);
      const vec r0 = LD(row0 + k), r1 = LD(row1 + k);
      a0 = ADD(a0, MUL(r0, uk));
      a1 = ADD(a1, MUL(r1, uk));
      ST(p + k, ADD(ADD(LD(p + k), MUL(r0, u0v)), MUL(r1, u1v)));
    }
  }
  // s0 = row0[j+1] u[j+1] + Σ_{k ≥ j+2}: the first term of sweep_row's sum, kept apart from the vector part.
  double t0 = hsum(a0), t1 = hsum(a1);
  for (; k < i; k++) {
    if (pending) {
      row0[k] -= f0 * qo[k] + g0 * uo[k];
      row1[k] -= f1 * qo[k] + g1 * uo[k];
    }
    t0 += row0[k] * u[k];
    t1 += row1[k] * u[k];
    p[k] = (p[k] + row0[k] * u0) + row1[k] * u1;
  }
  p[j] = p0 + (s0 + t0);
  p[j1] = p1 + t1;
}

// The pending update alone on the active triangle (rows < i, columns [j, i)).
static void apply_update(double* w, int n, int i, const double* uo, const double* qo) {
  for (int j = 0; j < i; j++) rank2(uo[j], qo[j], w + j * n + j, qo + j, uo + j, i - j);
}

EXPORT(tridiagonal_values) void tridiagonal_values(double* w, int n, double* diag, double* sub, double* work) {
  double* u = work;          // column i of the current matrix, then the Householder vector
  double* p = work + n;      // A u, then q
  double* uo = work + 2 * n; // the previous step's (u, q): its update of rows < i is pending
  double* qo = work + 3 * n;
  int pending = 0;
  for (int j = 0; j < n; j++) u[j] = w[j * n + n - 1];
  for (int i = n - 1; i > 0; i--) {
    double scale = 0;
    for (int k = 0; k < i; k++) scale += fabs_(u[k]);
    const double wii = w[i * n + i];
    diag[i] = pending ? wii - (uo[i] * qo[i] + qo[i] * uo[i]) : wii;
    if (scale == 0) {
      sub[i] = u[i - 1];
      if (pending) apply_update(w, n, i, uo, qo);
      pending = 0;
      for (int j = 0; j < i; j++) u[j] = w[j * n + i - 1];
      continue;
    }
    double h = 0;
    for (int k = 0; k < i; k++) {
      u[k] /= scale;
      h += u[k] * u[k];
    }
    double f = u[i - 1];
    double g = sqrt_(h);
    if (f > 0) g = -g;
    sub[i] = scale * g;
    h -= f * g;
    u[i - 1] = f - g;
    for (int k = 0; k < i; k++) p[k] = 0;
    int j = 0;
    for (; j + 1 < i; j += 2) sweep_two_rows(w + j * n, j, i, n, u, p, uo, qo, pending);
    if (j < i) sweep_row(w + j * n, j, i, u, p, uo, qo, pending);
    f = 0;
    for (int k = 0; k < i; k++) {
      p[k] /= h;
      f += p[k] * u[k];
    }
    const double hh = f / (h + h);
    for (int k = 0; k < i; k++) p[k] -= hh * u[k];
    // This step's (u, q) becomes the pending update; the next column gets it now.
    double* t = uo;
    uo = u;
    u = t;
    t = qo;
    qo = p;
    p = t;
    pending = 1;
    const double ui = uo[i - 1], qi = qo[i - 1];
    for (int j = 0; j < i - 1; j++) u[j] = w[j * n + i - 1] - (uo[j] * qi + qo[j] * ui);
  }
  diag[0] = pending ? w[0] - (uo[0] * qo[0] + qo[0] * uo[0]) : w[0];
  sub[0] = 0;
}

// sqrt(a² + b²), scaled only when the plain formula under- or overflows (matrix.ts hypot2).
static double hypot2(double a, double b) {
  const double direct = sqrt_(a * a + b * b);
  if (direct > 1e-150 && direct < 1e150) return direct;
  const double x = fabs_(a), y = fabs_(b);
  if (x > y) {
    const double r = y / x;
    return x * sqrt_(1 + r * r);
  }
  if (y == 0) return 0;
  const double r = x / y;
  return y * sqrt_(1 + r * r);
}

// Eigenvalues of the tridiagonal (d, e) (e[i] couples i − 1 and i; destroyed) by Reinsch's rational QL
// (EISPACK tqlrat): the QL iteration with Wilkinson shifts of symmetric-eigen.ts's tridiagonalQl, carried
// out on the squares e² of the off-diagonal, so a rotation costs two divisions and no square root (the
// JS QL's hypot is a latency chain of a sqrt and a division per rotation). Eigenvalues are left unsorted in
// d. Returns 0, or 1 when an eigenvalue needed more than 60 iterations.
EXPORT(tridiagonal_ql_values) int tridiagonal_ql_values(double* d, double* e, int n) {
  double* e2 = e;
  for (int i = 1; i < n; i++) e2[i - 1] = e[i] * e[i];
  e2[n - 1] = 0;
  const double eps = 2.220446049250313e-16;
  double f = 0, t = 0, b = 0, c = 0;
  for (int l = 0; l < n; l++) {
    // The splitting tolerance b grows with the largest |d| + |e| met so far, as tql's tst1.
    const double hl = fabs_(d[l]) + sqrt_(e2[l]);
    if (hl > t) {
      t = hl;
      b = eps * t;
      c = b * b;
    }
    int iter = 0;
    for (;;) {
      int m = l;
      while (m < n - 1 && e2[m] > c) m++;
      if (m == l) break;
      if (++iter > 60) return 1;
      // Shift from the leading 2 × 2 block.
      double s = sqrt_(e2[l]);
      double g = d[l];
      double p = (d[l + 1] - g) / (2 * s);
      double r = hypot2(p, 1);
      d[l] = s / (p + (p < 0 ? -r : r));
      double h = g - d[l];
      for (int i = l + 1; i < n; i++) d[i] -= h;
      f += h;
      // Rational QL sweep from m − 1 up to l.
      g = d[m];
      if (g == 0) g = b;
      h = g;
      s = 0;
      for (int i = m - 1; i >= l; i--) {
        p = g * h;
        r = p + e2[i];
        e2[i + 1] = s * r;
        s = e2[i] / r;
        d[i + 1] = h + s * (h + d[i]);
        g = d[i] - e2[i] / g;
        if (g == 0) g = b;
        h = g * p / r;
      }
      e2[l] = s * g;
      d[l] = h;
      // Converged when the new e²[l] is negligible (guarding against an underflowed h).
      if (h == 0 || fabs_(e2[l]) <= fabs_(c / h)) break;
      e2[l] *= h;
      if (e2[l] == 0) break;
    }
    d[l] += f;
  }
  return 0;
}

// ---------------------------------------------------------------------------------------------
// Golub–Kahan Householder bidiagonalisation, values only (LINPACK dsvdc's reduction, as in
// singular-values.ts, whose comments explain the fused schedule): b is m × n column-major with m ≥ n
// (destroyed); s gets the diagonal (n), e the super-diagonal (n; e[n − 1] = 0). work: 2m + n doubles.

// Euclidean norm of x[0..len), scaled only when the plain sum under- or overflows.
static double norm2(const double* x, int len) {
  double sum = 0;
  for (int i = 0; i < len; i++) sum += x[i] * x[i];
  if (sum > 1e-280 && sum < 1e280) return sqrt_(sum);
  double big = 0;
  for (int i = 0; i < len; i++) big = fabs_(x[i]) > big ? fabs_(x[i]) : big;
  if (big == 0 || !(big - big == 0)) return big;
  sum = 0;
  for (int i = 0; i < len; i++) {
    const double v = x[i] / big;
    sum += v * v;
  }
  return big * sqrt_(sum);
}

// Columns j (and j + 1 when NC = 2) of one step, each in two sweeps while it sits in L1: (1) uᵀ c for
// the left reflector u (column k, from row k); (2) c += tau_j wk + t u, the pending right reflector and
// the left one at once, with this row's contribution e_j c to the next right product `acc` when `right`.
// The right reflector is applied only in sweep 2, so sweep 1's uᵀ c is corrected by tau_j (uᵀ wk).
// Two columns share every load of u, wk and acc (the loops are bound by loads, not by multiply-adds).
// c0 and the pointers u, wk, acc start at row k; tau0/tau1 = 0 without a pending reflector.
INLINE void update_columns(const int NC, const int RIGHT, double* c0, int m, int len, const double* u,
                           const double* wk, double* acc, double tau0, double tau1, int left, double uw,
                           double ukk, double* ej) {
  double* c1 = c0 + m;
  double t0 = 0, t1 = 0;
  if (left) {
    vec a0 = SPLAT(0), a1 = SPLAT(0);
    int i = 0;
    for (; i + 2 <= len; i += 2) {
      const vec uu = LD(u + i);
      a0 = ADD(a0, MUL(uu, LD(c0 + i)));
      if (NC > 1) a1 = ADD(a1, MUL(uu, LD(c1 + i)));
    }
    double d0 = hsum(a0), d1 = NC > 1 ? hsum(a1) : 0;
    for (; i < len; i++) {
      d0 += u[i] * c0[i];
      if (NC > 1) d1 += u[i] * c1[i];
    }
    t0 = -(d0 + tau0 * uw) / ukk;
    if (NC > 1) t1 = -(d1 + tau1 * uw) / ukk;
  }
  const double e0 = (c0[0] + tau0 * wk[0]) + t0 * u[0];
  const double e1 = NC > 1 ? (c1[0] + tau1 * wk[0]) + t1 * u[0] : 0;
  c0[0] = e0;
  ej[0] = e0;
  if (NC > 1) {
    c1[0] = e1;
    ej[1] = e1;
  }
  const vec s0 = SPLAT(tau0), s1 = SPLAT(tau1), l0 = SPLAT(t0), l1 = SPLAT(t1), e0v = SPLAT(e0), e1v = SPLAT(e1);
  int i = 1;
  for (; i + 2 <= len; i += 2) {
    const vec w = LD(wk + i), uu = LD(u + i);
    const vec r0 = ADD(ADD(LD(c0 + i), MUL(s0, w)), MUL(l0, uu));
    ST(c0 + i, r0);
    vec r1 = r0;
    if (NC > 1) {
      r1 = ADD(ADD(LD(c1 + i), MUL(s1, w)), MUL(l1, uu));
      ST(c1 + i, r1);
    }
    if (RIGHT) {
      vec a = ADD(LD(acc + i), MUL(e0v, r0));
      if (NC > 1) a = ADD(a, MUL(e1v, r1));
      ST(acc + i, a);
    }
  }
  for (; i < len; i++) {
    c0[i] = (c0[i] + tau0 * wk[i]) + t0 * u[i];
    if (NC > 1) c1[i] = (c1[i] + tau1 * wk[i]) + t1 * u[i];
    if (RIGHT) {
      acc[i] += e0 * c0[i];
      if (NC > 1) acc[i] += e1 * c1[i];
    }
  }
}

EXPORT(bidiagonalize) void bidiagonalize(double* b, int m, int n, double* s, double* e, double* work) {
  double* wk = work;          // B v of the pending right reflector (rows k..m)
  double* acc = work + m;     // the raw product for the next right reflector
  double* tau = work + 2 * m; // column j gains tau[j] · wk when the right reflector is applied
  const int nct = m - 1 < n ? m - 1 : n;
  const int nrt0 = n - 2 < m ? n - 2 : m;
  const int nrt = nrt0 > 0 ? nrt0 : 0;
  const int steps = nct > nrt ? nct : nrt;
  int pending = 0;
  for (int k = 0; k < steps; k++) {
    double* ck = b + k * m + k; // column k from row k
    const int len = m - k;
    if (pending) axpy(tau[k], wk + k, ck, len);
    int left = 0;
    if (k < nct) {
      double sk = norm2(ck, len);
      if (sk != 0) {
        if (ck[0] < 0) sk = -sk;
        const double inv = 1 / sk;
        for (int i = 0; i < len; i++) ck[i] *= inv;
        ck[0] += 1;
        left = 1;
      }
      s[k] = -sk;
    }
    const int right = k < nrt;
    if (right)
      for (int i = k + 1; i < m; i++) acc[i] = 0;
    const double ukk = ck[0];
    const double uw = pending && left ? dot(ck, wk + k, len) : 0;
    int j = k + 1;
    for (; j + 1 < n; j += 2) {
      const double t0 = pending ? tau[j] : 0, t1 = pending ? tau[j + 1] : 0;
      if (right) update_columns(2, 1, b + j * m + k, m, len, ck, wk + k, acc + k, t0, t1, left, uw, ukk, e + j);
      else update_columns(2, 0, b + j * m + k, m, len, ck, wk + k, acc + k, t0, t1, left, uw, ukk, e + j);
    }
    if (j < n) {
      const double t0 = pending ? tau[j] : 0;
      if (right) update_columns(1, 1, b + j * m + k, m, len, ck, wk + k, acc + k, t0, 0, left, uw, ukk, e + j);
      else update_columns(1, 0, b + j * m + k, m, len, ck, wk + k, acc + k, t0, 0, left, uw, ukk, e + j);
    }
    pending = 0;
    if (right) {
      double ek = norm2(e + k + 1, n - k - 1);
      if (ek != 0) {
        if (e[k + 1] < 0) ek = -ek;
        const double inv = 1 / ek;
        for (int i = k + 1; i < n; i++) e[i] *= inv;
        e[k + 1] += 1;
        if (k + 1 < m) {
          const double* c1 = b + (k + 1) * m;
          for (int i = k + 1; i < m; i++) wk[i] = acc[i] * inv + c1[i];
          const double v1 = e[k + 1];
          for (int j = k + 1; j < n; j++) tau[j] = -e[j] / v1;
          pending = 1;
        }
      }
      e[k] = -ek;
    }
  }
  const int pp = n < m + 1 ? n : m + 1;
  if (nct < n) s[nct] = b[nct * m + nct];
  if (m < pp) s[pp - 1] = 0;
  if (nrt + 1 < pp) e[nrt] = b[(pp - 1) * m + nrt];
  e[pp - 1] = 0;
}

// Implicit-shift QR on the upper bidiagonal (s, e) of order p, values only: singular-values.ts's bidiagonalQr
// (LINPACK dsvdc's iteration) moved here with the reduction, so the whole values-only SVD is two calls.
// Leaves |singular values| in s, descending. Returns 0, or 1 when it did not converge.
EXPORT(bidiagonal_qr_values) int bidiagonal_qr_values(double* s, double* e, int p) {
  const int pp = p - 1;
  const double eps = 2.220446049250313e-16;
  const double tiny = 0x1p-966;
  int iter = 0;
  while (p > 0) {
    if (iter > 75 * (pp + 1)) return 1;
    // The largest k with e[k] negligible: the unreduced block is k + 1 .. p − 1.
    int k;
    for (k = p - 2; k >= 0; k--) {
      if (fabs_(e[k]) <= tiny + eps * (fabs_(s[k]) + fabs_(s[k + 1]))) {
        e[k] = 0;
        break;
      }
    }
    int kase;
    if (k == p - 2) {
      kase = 4;
    } else {
      int ks;
      for (ks = p - 1; ks > k; ks--) {
        const double t = (ks != p ? fabs_(e[ks]) : 0) + (ks != k + 1 ? fabs_(e[ks - 1]) : 0);
        if (fabs_(s[ks]) <= tiny + eps * t) {
          s[ks] = 0;
          break;
        }
      }
      if (ks == k) kase = 3;
      else if (ks == p - 1) kase = 1;
      else {
        kase = 2;
        k = ks;
      }
    }
    k++;
    if (kase == 1) {
      // Deflate a negligible s[p − 1].
      double f = e[p - 2];
      e[p - 2] = 0;
      for (int j = p - 2; j >= k; j--) {
        const double t = hypot2(s[j], f);
        const double cs = s[j] / t, sn = f / t;
        s[j] = t;
        if (j != k) {
          f = -sn * e[j - 1];
          e[j - 1] = cs * e[j - 1];
        }
      }
    } else if (kase == 2) {
      // Split at a negligible s[k − 1].
      double f = e[k - 1];
      e[k - 1] = 0;
      for (int j = k; j < p; j++) {
        const double t = hypot2(s[j], f);
        const double cs = s[j] / t, sn = f / t;
        s[j] = t;
        f = -sn * e[j];
        e[j] = cs * e[j];
      }
    } else if (kase == 3) {
      // One implicit QR step with the shift from the trailing 2 × 2 block.
      double scale = fabs_(s[p - 1]);
      const double cand[4] = {fabs_(s[p - 2]), fabs_(e[p - 2]), fabs_(s[k]), fabs_(e[k])};
      for (int i = 0; i < 4; i++) scale = cand[i] > scale ? cand[i] : scale;
      const double sp = s[p - 1] / scale, spm1 = s[p - 2] / scale, epm1 = e[p - 2] / scale;
      const double sk = s[k] / scale, ek = e[k] / scale;
      const double bb = ((spm1 + sp) * (spm1 - sp) + epm1 * epm1) / 2;
      const double c = sp * epm1 * (sp * epm1);
      double shift = 0;
      if (bb != 0 || c != 0) {
        shift = sqrt_(bb * bb + c);
        if (bb < 0) shift = -shift;
        shift = c / (bb + shift);
      }
      double f = (sk + sp) * (sk - sp) + shift;
      double g = sk * ek;
      for (int j = k; j < p - 1; j++) {
        double t = hypot2(f, g);
        double cs = f / t, sn = g / t;
        if (j != k) e[j - 1] = t;
        f = cs * s[j] + sn * e[j];
        e[j] = cs * e[j] - sn * s[j];
        g = sn * s[j + 1];
        s[j + 1] = cs * s[j + 1];
        t = hypot2(f, g);
        cs = f / t;
        sn = g / t;
        s[j] = t;
        f = cs * e[j] + sn * s[j + 1];
        s[j + 1] = -sn * e[j] + cs * s[j + 1];
        g = sn * e[j + 1];
        e[j + 1] = cs * e[j + 1];
      }
      e[p - 2] = f;
      iter++;
    } else {
      // Convergence of s[k]: make it non-negative and bubble it into descending order.
      if (s[k] <= 0) s[k] = s[k] < 0 ? -s[k] : 0;
      while (k < pp) {
        if (s[k] >= s[k + 1]) break;
        const double t = s[k];
        s[k] = s[k + 1];
        s[k + 1] = t;
        k++;
      }
      iter = 0;
      p--;
    }
  }
  return 0;
}
