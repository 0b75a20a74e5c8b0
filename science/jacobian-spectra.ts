// One measurement of science.md §6: at a point x and time t, the Jacobian of a score by each requested
// method (exact, Algorithm 1, Algorithm 2), the spectra of s·J, and the relative Frobenius error of
// each estimate against its reference. The authors' Haar-stack estimator (science/haar-stack.ts) gives
// singular values only: its rows carry eig = NaN and no error row. Rows accumulate column-wise in the `spectra` and
// `jacobian_error` layouts of docs/dag.md.

import { relativeFrobeniusError } from '../linalg/matrix.ts';
import { haarStackSingularValues } from './haar-stack.ts';
import { finiteDifferenceJacobian, rescaledSpectrum, type RescaledSpectrum } from './jacobian.ts';
import type { ScoreModel } from './score-model.ts';

const JACOBIAN_METHODS = ['exact', 'alg1', 'alg2', 'haar-stack'] as const;
type JacobianMethod = (typeof JACOBIAN_METHODS)[number];

interface PointLabel {
  score: string;
  pointKind: string;
  t: number;
  s: number;
  point: number;
}

/** The `spectra` table's columns (docs/dag.md), as the stages write them. */
export interface SpectraColumns {
  score: string[];
  method: string[];
  point_kind: string[];
  t: Float64Array;
  s: Float64Array;
  point: Int32Array;
  rank: Int32Array;
  eig: Float64Array;
  sv: Float64Array;
}

/**
 * Rows of the `spectra` table: one per (score, method, point kind, t, point, rank). The one builder of
 * every score's spectra: trained networks (linear and image models), exact scores, the Gaussian model.
 */
export class SpectraRows {
  readonly score: string[] = [];
  readonly method: string[] = [];
  readonly point_kind: string[] = [];
  readonly t: number[] = [];
  readonly s: number[] = [];
  readonly point: number[] = [];
  readonly rank: number[] = [];
  readonly eig: number[] = [];
  readonly sv: number[] = [];

  add(label: PointLabel, method: string, spectrum: RescaledSpectrum): void {
    const n = spectrum.eig.length;
    for (let r = 0; r < n; r++) {
      this.score.push(label.score);
      this.method.push(method);
      this.point_kind.push(label.pointKind);
      this.t.push(label.t);
      this.s.push(label.s);
      this.point.push(label.point);
      this.rank.push(r);
      this.eig.push(spectrum.eig[r]);
      this.sv.push(spectrum.sv[r]);
    }
  }

  columns(): SpectraColumns {
    return {
      score: this.score,
      method: this.method,
      point_kind: this.point_kind,
      t: Float64Array.from(this.t),
      s: Float64Array.from(this.s),
      point: Int32Array.from(this.point),
      rank: Int32Array.from(this.rank),
      eig: Float64Array.from(this.eig),
      sv: Float64Array.from(this.sv),
    };
  }
}

/** Rows of the `jacobian_error` table. */
export class JacobianErrorRows {
  readonly score: string[] = [];
  readonly method: string[] = [];
  readonly point_kind: string[] = [];
  readonly t: number[] = [];
  readonly s: number[] = [];
  readonly point: number[] = [];
  readonly reference: string[] = [];
  readonly rel_frobenius: number[] = [];

  add(label: PointLabel, method: string, reference: string, error: number): void {
    this.score.push(label.score);
    this.method.push(method);
    this.point_kind.push(label.pointKind);
    this.t.push(label.t);
    this.s.push(label.s);
    this.point.push(label.point);
    this.reference.push(reference);
    this.rel_frobenius.push(error);
  }

  columns() {
    return {
      score: this.score,
      method: this.method,
      point_kind: this.point_kind,
      t: Float64Array.from(this.t),
      s: Float64Array.from(this.s),
      point: Int32Array.from(this.point),
      reference: this.reference,
      rel_frobenius: Float64Array.from(this.rel_frobenius),
    };
  }
}

interface PointMeasurement {
  model: ScoreModel;
  x: Float64Array;
  label: PointLabel;
  methods: readonly JacobianMethod[];
  /** Finite-difference step. */
  h: number;
  /** Noise level σ(t) of the Haar stack's perturbations (the authors use the marginal's σ, whatever h is). */
  sigma: number;
  /** K × d orthonormal directions for the finite differences (K = d for the Haar stack). */
  directions: Float64Array;
  /** A second model whose exact Jacobian is the reference 'analytic' for this model's exact one. */
  analytic?: ScoreModel;
}

/**
 * Measure one point: spectra of every requested method into `spectra`; errors of alg1/alg2 against the
 * exact Jacobian, and of the exact
 * Jacobian against `analytic` when given, into `errors`. The errors are scale-free, so those of s·J
 * equal those of J.
 */
export function measurePoint(m: PointMeasurement, spectra: SpectraRows, errors: JacobianErrorRows): void {
  const { model, x, label, methods } = m;
  const d = model.d;
  const k = m.directions.length / d;
  // The exact Jacobian is always needed: as a method, or as the reference of the other two.
  const exact = model.jacobian(x, label.t);
  for (const method of methods) {
    if (method === 'haar-stack') {
      const sv = haarStackSingularValues(model, x, label.t, m.sigma, m.directions);
      spectra.add(label, method, { eig: new Float64Array(d).fill(Number.NaN), sv });
      continue;
    }
    const jac = method === 'exact' ? exact : finiteDifferenceJacobian(model, x, label.t, m.h, m.directions, k, method);
    spectra.add(label, method, rescaledSpectrum(jac, d, label.s));
    if (method !== 'exact') errors.add(label, method, 'exact', relativeFrobeniusError(jac, exact));
  }
  if (m.analytic) errors.add(label, 'exact', 'analytic', relativeFrobeniusError(exact, m.analytic.jacobian(x, label.t)));
}
