// Nelder–Mead simplex minimisation (standard coefficients: reflection 1, expansion 2, contraction ½,
// shrink ½) for small, derivative-free fits such as the spectral quantile fit.

interface NelderMeadOptions {
  /** Initial simplex: x0 plus `step` along each coordinate. */
  step: number | number[];
  maxEvaluations: number;
  /** Stop when the spread of function values in the simplex falls below this (absolute). */
  tolerance: number;
}

interface NelderMeadResult {
  x: number[];
  value: number;
  evaluations: number;
}

export function nelderMead(f: (x: number[]) => number, x0: number[], o: NelderMeadOptions): NelderMeadResult {
  const n = x0.length;
  const maxEval = o.maxEvaluations;
  const tol = o.tolerance;
  let evaluations = 0;
  const evaluate = (x: number[]) => {
    evaluations++;
    const v = f(x);
    return Number.isFinite(v) ? v : Infinity;
  };
  const simplex: Array<{ x: number[]; v: number }> = [{ x: [...x0], v: evaluate(x0) }];
  for (let i = 0; i < n; i++) {
    const x = [...x0];
    x[i] += Array.isArray(o.step) ? o.step[i] : o.step;
    simplex.push({ x, v: evaluate(x) });
  }
  while (evaluations < maxEval) {
    simplex.sort((a, b) => a.v - b.v);
    const best = simplex[0];
    const worst = simplex[n];
    if (Math.abs(worst.v - best.v) <= tol) break;
    const centroid = new Array<number>(n).fill(0);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) centroid[j] += simplex[i].x[j] / n;
    const along = (c: number) => centroid.map((cj, j) => cj + c * (worst.x[j] - cj));
    const xr = along(-1);
    const vr = evaluate(xr);
    if (vr < best.v) {
      const xe = along(-2);
      const ve = evaluate(xe);
      simplex[n] = ve < vr ? { x: xe, v: ve } : { x: xr, v: vr };
    } else if (vr < simplex[n - 1].v) {
      simplex[n] = { x: xr, v: vr };
    } else {
      const outside = vr < worst.v;
      const xc = along(outside ? -0.5 : 0.5);
      const vc = evaluate(xc);
      if (vc < (outside ? vr : worst.v)) simplex[n] = { x: xc, v: vc };
      else {
        for (let i = 1; i <= n; i++) {
          const x = simplex[i].x.map((xi, j) => best.x[j] + 0.5 * (xi - best.x[j]));
          simplex[i] = { x, v: evaluate(x) };
        }
      }
    }
  }
  simplex.sort((a, b) => a.v - b.v);
  return { x: simplex[0].x, value: simplex[0].v, evaluations };
}
