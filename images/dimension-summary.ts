// What the three image scores say about the data's dimension (issue: Figure 5 for real): per source
// (trained network, exact empirical score, Gaussian model) and time, the dimension gap detection reads
// (eigenvalues above the lowest gap) and the dimension drop (eigenvalues more than Δ above −1, which
// also counts a continuum); then one dataset's summary: both at the smallest t, the empirical score's
// collapse bracket against the George–Veiga–Macris collapse time at the measured n and intrinsic
// dimension, and the intrinsic-dimension estimates themselves.

import type { Columns } from '../core/table.ts';
import type { IMAGE_DIMENSIONS, IMAGE_SUMMARY, INTRINSIC_DIMENSION, PHASES } from '../artifacts/schemas.ts';
import { scaledCollapseVariance, spectralCollapse } from '../theory/collapse.ts';
import { detachedCount } from '../theory/gap-detection.ts';
import { spectraSeries, type SpectraColumns } from '../theory/spectra-table.ts';
import type { VeSde } from '../science/sde.ts';

type ImageDimensionRows = Columns<typeof IMAGE_DIMENSIONS>;
type ImageSummaryRows = Columns<typeof IMAGE_SUMMARY>;

interface ScoreSource {
  /** trained | empirical | gaussian */
  source: string;
  spectra: { columns: SpectraColumns; numRows: number };
  phases: { columns: Columns<typeof PHASES>; numRows: number };
}

/** One row per (source, t): phase and gap dimension from `phases`, dimension drop (mean over points) from `spectra`. */
export function dimensionsBySource(sources: ScoreSource[], delta: number): ImageDimensionRows {
  const rows = { source: [] as string[], t: [] as number[], s: [] as number[], phase: [] as string[], dim_gaps: [] as number[], dim_detached: [] as number[] };
  for (const src of sources) {
    const detached = new Map<number, number>();
    for (const series of spectraSeries(src.spectra.columns, src.spectra.numRows, 'eig', 'any')) {
      for (const slice of series.slices) {
        const counts = slice.points.map((pt) => detachedCount(pt, delta));
        detached.set(slice.t, counts.reduce((a, b) => a + b, 0) / counts.length);
      }
    }
    const ph = src.phases.columns;
    for (let i = 0; i < src.phases.numRows; i++) {
      rows.source.push(src.source);
      rows.t.push(ph.t[i]);
      rows.s.push(ph.s[i]);
      rows.phase.push(ph.phase[i]);
      rows.dim_gaps.push(ph.dim_estimate[i]);
      rows.dim_detached.push(detached.get(ph.t[i]) ?? NaN);
    }
  }
  return { ...rows, t: Float64Array.from(rows.t), s: Float64Array.from(rows.s), dim_gaps: Float64Array.from(rows.dim_gaps), dim_detached: Float64Array.from(rows.dim_detached) };
}

interface SummaryInput {
  dimensions: ImageDimensionRows;
  intrinsic: { columns: Columns<typeof INTRINSIC_DIMENSION>; numRows: number };
  /** Eigenvalues of the data covariance and the number of images it came from (the empirical score's n). */
  covariance: { eigenvalues: Float64Array; n: number };
  sde: VeSde;
}

/** Label of an intrinsic-dimension row: 'MLE (k = 10)' or 'TwoNN'. */
function intrinsicLabel(method: string, k: number): string {
  return method === 'mle' ? `MLE (k = ${k})` : method === 'twonn' ? 'TwoNN' : `${method} (k = ${k})`;
}

export function imageSummary(o: SummaryInput): ImageSummaryRows {
  const rows = { quantity: [] as string[], source: [] as string[], t: [] as number[], s: [] as number[], value: [] as number[] };
  const push = (quantity: string, source: string, t: number, s: number, value: number) => {
    rows.quantity.push(quantity);
    rows.source.push(source);
    rows.t.push(t);
    rows.s.push(s);
    rows.value.push(value);
  };
  const dims = o.dimensions;
  const sources = [...new Set(dims.source)];
  const bySource = (src: string) => dims.source.flatMap((x, i) => (x === src ? [i] : []));
  for (const src of sources) {
    const idx = bySource(src);
    const smallest = idx.reduce((a, b) => (dims.t[b] < dims.t[a] ? b : a));
    push('dimension at the smallest t (gap detection)', src, dims.t[smallest], dims.s[smallest], dims.dim_gaps[smallest]);
    push('dimension at the smallest t (eigenvalues > −1 + Δ)', src, dims.t[smallest], dims.s[smallest], dims.dim_detached[smallest]);
  }
  const empirical = bySource('empirical').map((i) => ({ t: dims.t[i], s: dims.s[i], dimension: dims.dim_gaps[i] }));
  const collapse = empirical.length > 0 ? spectralCollapse(empirical) : undefined;
  if (collapse) {
    push('collapse time: last t at dimension 0', 'empirical', collapse.below.t, collapse.below.s, collapse.below.t);
    push('collapse time: first t above 0', 'empirical', collapse.above.t, collapse.above.s, collapse.above.t);
  } else if (empirical.length > 0) {
    push('collapse time: not bracketed on the grid', 'empirical', NaN, NaN, NaN);
  }
  const lambda = o.covariance.eigenvalues;
  const d = lambda.length;
  const trace = lambda.reduce((a, b) => a + b, 0);
  push('training images n', 'empirical', NaN, NaN, o.covariance.n);
  push('total variance trace(C)', 'gaussian', NaN, NaN, trace);
  const id = o.intrinsic.columns;
  for (let i = 0; i < o.intrinsic.numRows; i++) {
    const label = intrinsicLabel(id.method[i], id.k[i]);
    const p = id.estimate[i];
    push('intrinsic dimension', label, NaN, NaN, p);
    if (o.covariance.n >= 2 && p > 0 && p <= d) {
      const s = scaledCollapseVariance(o.covariance.n, d, p, trace / p);
      push('collapse time t_C (George–Veiga–Macris)', `p = ${label}, v = trace(C)/p`, o.sde.timeOfVariance(s), s, o.sde.timeOfVariance(s));
    }
  }
  return { ...rows, t: Float64Array.from(rows.t), s: Float64Array.from(rows.s), value: Float64Array.from(rows.value) };
}
