// Beyond the paper: the dimension each image score reads along generation time — trained network,
// exact empirical score, Gaussian model — by gap detection (solid) and as the dimension drop
// (eigenvalues more than Δ above −1, dashed: it also counts a continuum), one panel per dataset, with the
// raw data's intrinsic dimension (Levina–Bickel MLE per k, TwoNN) as horizontal reference lines.
import type { Table } from '../core/table.ts';
import type { ImageDimensionsSchema, IntrinsicDimensionSchema } from '../artifacts/schemas.ts';
import { range } from './spectra-summary.ts';
import { AXIS, placeholderFigure, topLevelFigure, type FigureStyle, type VegaLiteSpec } from './theme.ts';

interface ImageDimensionPanel {
  dataset: string;
  dimensions: Table<ImageDimensionsSchema>;
  intrinsic?: Table<IntrinsicDimensionSchema>;
}

const SOURCE_COLOURS: Record<string, string> = { trained: '#1b6ca8', empirical: '#c0392b', gaussian: '#27ae60' };
const MEASURES = { gaps: 'gap detection', detached: 'eigenvalues > −1 + Δ' } as const;

/** One rule per estimate; one label for TwoNN (right) and one for the MLE range over k (left), so they do not overlap. */
function referenceLines(intrinsic: Table<IntrinsicDimensionSchema> | undefined) {
  if (!intrinsic) return { rules: [], labels: [] };
  const c = intrinsic.columns;
  const rules = range(intrinsic.numRows).map((i) => ({ dimension: c.estimate[i] }));
  const labels = [];
  const mle = range(intrinsic.numRows).filter((i) => c.method[i] === 'mle');
  if (mle.length > 0) {
    const est = mle.map((i) => c.estimate[i]);
    const [lo, hi] = [Math.min(...est), Math.max(...est)];
    const ks = mle.map((i) => c.k[i]).join(', ');
    labels.push({ dimension: lo, t: 0, align: 'left', label: `MLE (k = ${ks}) ${lo === hi ? lo.toFixed(1) : `${lo.toFixed(1)}–${hi.toFixed(1)}`}` });
  }
  for (const i of range(intrinsic.numRows).filter((i) => c.method[i] === 'twonn')) labels.push({ dimension: c.estimate[i], t: 1, align: 'right', label: `TwoNN ${c.estimate[i].toFixed(1)}` });
  return { rules, labels };
}

function panel(p: ImageDimensionPanel, style: FigureStyle): VegaLiteSpec {
  const c = p.dimensions.columns;
  const values = range(p.dimensions.numRows).flatMap((i) => [
    { t: c.t[i], source: c.source[i], measure: MEASURES.gaps, dimension: c.dim_gaps[i] },
    { t: c.t[i], source: c.source[i], measure: MEASURES.detached, dimension: c.dim_detached[i] },
  ]);
  const sources = [...new Set(c.source)];
  // symlog: dimension 0 (trivial phase, memorisation) and hundreds of pixels on one axis.
  const y = { field: 'dimension', type: 'quantitative', title: AXIS.dimensionEstimate, scale: { type: 'symlog', constant: 1 }, axis: { values: [0, 1, 3, 10, 30, 100, 300, 1000, 3000] } };
  const x = { field: 't', type: 'quantitative', scale: { domain: [0, 1], nice: false }, title: AXIS.t, axis: { values: [0, 0.2, 0.4, 0.6, 0.8, 1] } };
  const refs = referenceLines(p.intrinsic);
  const layers: VegaLiteSpec[] = [
    {
      data: { values },
      mark: { type: 'line', strokeWidth: 1.5, clip: true },
      encoding: {
        x,
        y,
        color: { field: 'source', type: 'nominal', title: 'score', scale: { domain: sources, range: sources.map((s) => SOURCE_COLOURS[s] ?? '#777777') }, legend: { symbolType: 'stroke' } },
        strokeDash: { field: 'measure', type: 'nominal', title: 'dimension', scale: { domain: Object.values(MEASURES), range: [[1, 0], [5, 3]] }, legend: { symbolType: 'stroke', symbolStrokeColor: '#333333', symbolStrokeWidth: 2, symbolOpacity: 1 } },
        detail: { field: 'measure', type: 'nominal' },
        order: { field: 't', type: 'quantitative' },
      },
    },
  ];
  if (refs.rules.length > 0) {
    layers.push({ data: { values: refs.rules }, mark: { type: 'rule', color: '#555555', strokeDash: [2, 2] }, encoding: { y } });
    for (const align of ['left', 'right'] as const) {
      const labels = refs.labels.filter((l) => l.align === align);
      if (labels.length === 0) continue;
      layers.push({
        data: { values: labels },
        mark: { type: 'text', align, baseline: 'bottom', dx: align === 'left' ? 2 : -2, dy: -1, fontSize: style.fontSize - 1, color: '#333333' },
        encoding: { y, x, text: { field: 'label' } },
      });
    }
  }
  return { width: style.width, height: style.height, title: { text: p.dataset }, layer: layers };
}

export function imageDimensionSpec(panels: ImageDimensionPanel[], style: FigureStyle): VegaLiteSpec {
  const title = 'Dimension read from s·J along generation: trained, empirical and Gaussian scores';
  if (panels.length === 0) return placeholderFigure(title, 'not run: no image dataset summary was bound', style);
  return topLevelFigure(
    { hconcat: panels.map((p) => panel(p, style)), resolve: { scale: { y: 'independent' } } },
    style,
    title,
    'solid: gap detection; dashed: eigenvalues more than Δ above −1; grey dotted: intrinsic dimension of the raw images (MLE, TwoNN)',
  );
}
