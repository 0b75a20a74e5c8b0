// The columns of every table the DAG passes between stages, as docs/dag.md documents them. Stages declare
// their outputs and inputs with these, so the engine checks a bound output provides what a reader needs.

export const SPECTRA = {
  score: 'utf8',
  method: 'utf8',
  point_kind: 'utf8',
  t: 'f64',
  s: 'f64',
  point: 'i32',
  rank: 'i32',
  eig: 'f64',
  sv: 'f64',
} as const;

export const JACOBIAN_ERROR = {
  score: 'utf8',
  method: 'utf8',
  point_kind: 'utf8',
  t: 'f64',
  s: 'f64',
  point: 'i32',
  reference: 'utf8',
  rel_frobenius: 'f64',
} as const;

/** The data stage's training set x = F z, one sample per row (width d). */
export const SAMPLES = { x: 'f64[]' } as const;

/** The data stage's loadings F: d rows of width m. */
export const LOADINGS = { row: 'i32', f: 'f64[]' } as const;

/** The latent variance of each column of F. */
export const LATENT_VARIANCES = { column: 'i32', variance: 'f64' } as const;

/** Reverse-SDE trajectories on the analysis grid: the state x of each trajectory at each recorded step. */
export const TRAJECTORIES = { trajectory: 'i32', step: 'i32', t: 'f64', s: 'f64', x: 'f64[]' } as const;

/** The data stage's grouped variance profile {(f_k, σ_k²)} with α = m/d: the truth theory, Monte-Carlo and the fit take. */
export const PROFILE = { group: 'i32', fraction: 'f64', variance: 'f64', alpha: 'f64', d: 'i32', m: 'i32' } as const;

export const THEORY_EDGES = { bulk: 'i32', lower: 'f64', upper: 'f64' } as const;

export const THEORY_DENSITY = { s: 'f64', t: 'f64', x: 'f64', density: 'f64' } as const;

/** Every gap the theory predicts: edges in C units, peak, height and visibility window in s and t. */
export const THEORY_GAPS = {
  gap_index: 'i32',
  kind: 'utf8',
  lower_edge: 'f64',
  upper_edge: 'f64',
  s_max: 'f64',
  height: 'f64',
  s_open: 'f64',
  s_close: 'f64',
  t_open: 'f64',
  t_max: 'f64',
  t_close: 'f64',
} as const;

export const THEORY_CURVES = { s: 'f64', t: 'f64', gap_index: 'i32', width: 'f64', dimension: 'f64' } as const;

export const GAPS = {
  score: 'utf8',
  method: 'utf8',
  t: 'f64',
  s: 'f64',
  gap_index: 'i32',
  lower: 'f64',
  upper: 'f64',
  width: 'f64',
  count_below: 'i32',
} as const;

export const PHASES = {
  score: 'utf8',
  method: 'utf8',
  t: 'f64',
  s: 'f64',
  phase: 'utf8',
  dim_estimate: 'f64',
  n_gaps: 'i32',
} as const;

export const FIT = { parameter: 'utf8', truth: 'f64', fitted: 'f64', lo: 'f64', hi: 'f64' } as const;

export const WASSERSTEIN = { score: 'utf8', method: 'utf8', t: 'f64', s: 'f64', w1: 'f64' } as const;

export const PHASE_TIMES = {
  gap: 'utf8',
  source: 'utf8',
  s_open: 'f64',
  s_max: 'f64',
  s_close: 'f64',
  t_open: 'f64',
  t_max: 'f64',
  t_close: 'f64',
} as const;

export const LOSS = { step: 'i32', loss: 'f64', loss_smoothed: 'f64' } as const;

export const COLLAPSE = { n: 'i32', d: 'i32', t: 'f64', fraction: 'f64', t_c_theory: 'f64' } as const;

/** One image per row: pixels in [−1, 1] (CHW order for colour) and its label. */
export const IMAGES = { x: 'f32[]', label: 'i32' } as const;

/** Eigenvalues of an image dataset's covariance, ascending, and the number of images it was estimated from. */
export const COVARIANCE = { rank: 'i32', eigenvalue: 'f64', n_samples: 'i32' } as const;

/** Per image-score source (trained | empirical | gaussian) and t: the gap-based dimension and the dimension drop. */
export const IMAGE_DIMENSIONS = { source: 'utf8', t: 'f64', s: 'f64', phase: 'utf8', dim_gaps: 'f64', dim_detached: 'f64' } as const;

/** One image dataset's summary: dimensions at the smallest t, collapse times, intrinsic dimensions (NaN t, s where no time). */
export const IMAGE_SUMMARY = { quantity: 'utf8', source: 'utf8', t: 'f64', s: 'f64', value: 'f64' } as const;

export const INTRINSIC_DIMENSION = { method: 'utf8', k: 'i32', estimate: 'f64' } as const;

export type SpectraSchema = typeof SPECTRA;
export type JacobianErrorSchema = typeof JACOBIAN_ERROR;
export type TheoryEdgesSchema = typeof THEORY_EDGES;
export type TheoryDensitySchema = typeof THEORY_DENSITY;
export type TheoryCurvesSchema = typeof THEORY_CURVES;
export type GapsSchema = typeof GAPS;
export type PhasesSchema = typeof PHASES;
export type FitSchema = typeof FIT;
export type PhaseTimesSchema = typeof PHASE_TIMES;
export type LossSchema = typeof LOSS;
export type CollapseSchema = typeof COLLAPSE;
export type ImageDimensionsSchema = typeof IMAGE_DIMENSIONS;
export type ImageSummarySchema = typeof IMAGE_SUMMARY;
export type IntrinsicDimensionSchema = typeof INTRINSIC_DIMENSION;
