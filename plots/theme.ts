// One look for every figure: the font resvg and the browser both have (DejaVu Sans), a white background,
// font sizes from one stage parameter, and the axis titles that name the quantity and its scale.

/** A vega-lite specification (kept loose: builders assemble plain JSON that vega-lite validates at compile). */
export type VegaLiteSpec = Record<string, unknown>;

export const FONT = 'DejaVu Sans';

export interface FigureStyle {
  /** Width of one panel, px. */
  width: number;
  /** Height of one panel, px. */
  height: number;
  /** Base font size of axis labels, px; titles are a little larger. */
  fontSize: number;
}

export const DEFAULT_STYLE: FigureStyle = { width: 260, height: 200, fontSize: 12 };

/** Axis titles: the quantity, and where it matters its definition (s = σ², rescaled Jacobian s·J). */
export const AXIS = {
  s: 'noise variance s = σ(t)²',
  t: 'diffusion time t',
  eig: 'eigenvalue of sym(s·J)',
  sv: 'singular value of s·J',
  density: 'density of eigenvalues of sym(s·J)',
  dimension: 'detached eigenvalues (count)',
  dimensionEstimate: 'estimated dimension',
  quantileLevel: 'quantile level (rank + ½) / d',
  gapWidth: 'gap width (eigenvalue of s·J)',
  delta: 'resolution Δ',
  relError: 'relative Frobenius error of s·J',
  step: 'training step',
  loss: 'denoising loss (mean |ε̂ − ξ|²)',
  n: 'training-set size n',
  collapseFraction: 'fraction of trajectories collapsed',
} as const;

/** vega-lite `config` for the style: font everywhere, white background, legible sizes. */
function figureConfig(style: FigureStyle): VegaLiteSpec {
  const fs = style.fontSize;
  return {
    font: FONT,
    background: 'white',
    padding: 8,
    view: { stroke: '#bbbbbb' },
    axis: {
      labelFont: FONT,
      titleFont: FONT,
      labelFontSize: fs,
      titleFontSize: fs + 1,
      titleFontWeight: 'normal',
      gridColor: '#e6e6e6',
    },
    // Opaque legend symbols: a faint layer (histogram bars, thinned raw points) must not fade its key.
    legend: { labelFont: FONT, titleFont: FONT, labelFontSize: fs, titleFontSize: fs + 1, titleFontWeight: 'normal', labelLimit: 420, symbolOpacity: 1 },
    header: { labelFont: FONT, titleFont: FONT, labelFontSize: fs + 1, titleFontSize: fs + 1 },
    title: { font: FONT, subtitleFont: FONT, fontSize: fs + 4, subtitleFontSize: fs, anchor: 'start' },
    text: { font: FONT, fontSize: fs },
    concat: { spacing: 24 },
  };
}

/** Wraps a (concat, layer or unit) spec as a top-level figure with the shared config and a title. */
export function topLevelFigure(body: VegaLiteSpec, style: FigureStyle, title: string, subtitle?: string | string[]): VegaLiteSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: subtitle === undefined ? { text: title } : { text: title, subtitle },
    config: figureConfig(style),
    ...body,
  };
}

const SUPERSCRIPT: Record<string, string> = {
  '-': '⁻',
  '0': '⁰',
  '1': '¹',
  '2': '²',
  '3': '³',
  '4': '⁴',
  '5': '⁵',
  '6': '⁶',
  '7': '⁷',
  '8': '⁸',
  '9': '⁹',
};

/** 10^k written with superscripts (10⁻³), the way log axes are read. */
function powerOfTenLabel(k: number): string {
  if (k === 0) return '1';
  if (k === 1) return '10';
  return '10' + String(k).split('').map((c) => SUPERSCRIPT[c] ?? c).join('');
}

/**
 * A log axis with one tick per decade between lo and hi labelled 10ᵏ: vega's default labels a log axis
 * with 1, 2, 10 ... mixed, which reads badly over ten decades. Thins to every second or third decade when
 * the axis (lengthPx long) is too short for one label a decade.
 */
export function decadeAxis(lo: number, hi: number, title: string, lengthPx = 400): VegaLiteSpec {
  if (!(lo > 0 && hi > 0)) return { title };
  const k0 = Math.floor(Math.log10(Math.min(lo, hi)) + 1e-9);
  const k1 = Math.ceil(Math.log10(Math.max(lo, hi)) - 1e-9);
  const span = Math.max(1, k1 - k0);
  // A label such as 10⁻³ needs about 40 px; fewer labels rather than vega dropping some unevenly.
  const maxLabels = Math.max(2, Math.floor(lengthPx / 40));
  const step = Math.max(1, Math.ceil(span / (maxLabels - 1)));
  const values: number[] = [];
  for (let k = k0; k <= k1; k += step) values.push(Number(`1e${k}`)); // exact decimal 10^k, not pow's rounding
  const cases = values.map((v) => `abs(log(datum.value) / LN10 - ${Math.round(Math.log10(v))}) < 1e-6 ? '${powerOfTenLabel(Math.round(Math.log10(v)))}'`);
  return { title, values, labelExpr: cases.join(' : ') + " : ''", grid: true };
}

/** Domain of a log scale that covers the data, padded to whole decades. */
export function decadeDomain(lo: number, hi: number): [number, number] {
  return [Number(`1e${Math.floor(Math.log10(lo) + 1e-9)}`), Number(`1e${Math.ceil(Math.log10(hi) - 1e-9)}`)];
}

/** Short numeric label: 3 significant digits, exponent form for very small or large values. */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e-3 && a < 1e5) return String(Number(v.toPrecision(3)));
  return v.toExponential(2).replace('e', 'e');
}

/** A text-only figure for a figure whose inputs were not run: the pipeline keeps going and says why. */
export function placeholderFigure(title: string, message: string, style: FigureStyle): VegaLiteSpec {
  return topLevelFigure(
    {
      width: style.width,
      height: Math.round(style.height / 2),
      data: { values: [{ message }] },
      mark: { type: 'text', fontSize: style.fontSize + 2, color: '#555555' },
      encoding: { text: { field: 'message', type: 'nominal' } },
    },
    style,
    title,
  );
}
