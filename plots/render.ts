// vega-lite → vega → SVG (headless View, renderer 'none') → PNG (resvg). Heavy modules: stage files load
// this with a dynamic import inside `run`, so the engine parent, which only imports stage definitions,
// stays fast.
import { compile } from 'vega-lite';
import * as vega from 'vega';
import { Resvg } from '@resvg/resvg-js';
import { FONT, type VegaLiteSpec } from './theme.ts';
import { loadDejaVuWidths, vegaTextWidth } from './text-metrics.ts';

// Lay text out with the widths of the font resvg draws with (vega's fallback guesses 0.8 em a character).
const dejaVu = loadDejaVuWidths();
// vega exports textMetrics at runtime (vega-scenegraph) though its typings omit it.
const textMetrics = (vega as unknown as { textMetrics?: { width: unknown } }).textMetrics;
if (dejaVu && textMetrics) textMetrics.width = vegaTextWidth(dejaVu);

interface RenderOptions {
  /** PNG pixels per SVG pixel (2 gives crisp figures on high-density screens and in print). */
  scale?: number;
}

interface RenderedFigure {
  svg: string;
  png: Uint8Array;
  /** The vega-lite spec rendered (with its inline data): published as .vl.json for anyone to re-render. */
  spec: VegaLiteSpec;
  /** vega-lite's warnings (e.g. a dropped encoding), for the stage log. */
  warnings: string[];
}

/** Compiles a vega-lite spec to SVG (vega's own text layout) and rasterises it with DejaVu Sans on white. */
export async function renderFigure(spec: VegaLiteSpec, options: RenderOptions = {}): Promise<RenderedFigure> {
  const scale = options.scale ?? 2;
  if (!(scale > 0 && scale <= 8)) throw new Error(`render scale must be in (0, 8], got ${scale}`);
  const { svg, warnings } = await renderSvg(spec);
  return { svg, png: rasterise(svg, scale), spec, warnings };
}

export async function renderSvg(spec: VegaLiteSpec): Promise<{ svg: string; warnings: string[] }> {
  const warnings: string[] = [];
  const logger = {
    level: (_?: number) => logger,
    error: (...args: unknown[]) => {
      throw new Error(`vega-lite: ${args.map(String).join(' ')}`);
    },
    warn: (...args: unknown[]) => {
      warnings.push(args.map(String).join(' '));
      return logger;
    },
    info: () => logger,
    debug: () => logger,
  };
  const compiled = compile(spec as any, { logger: logger as any });
  const view = new vega.View(vega.parse(compiled.spec), { renderer: 'none' });
  // Clip-path and gradient ids count up per process: reset them so equal specs give equal bytes (the
  // store's early cutoff compares output hashes).
  (vega as unknown as { resetSVGDefIds?: () => void }).resetSVGDefIds?.();
  try {
    return { svg: await view.toSVG(), warnings };
  } finally {
    view.finalize();
  }
}

function resvgOf(svg: string, scale: number): Resvg {
  return new Resvg(svg, {
    font: { loadSystemFonts: true, defaultFontFamily: FONT },
    background: 'white',
    fitTo: { mode: 'zoom', value: scale },
  });
}

/** SVG → PNG at `scale`, white background (vega's own background rect is white too). */
export function rasterise(svg: string, scale = 2): Uint8Array {
  return new Uint8Array(resvgOf(svg, scale).render().asPng());
}

/** SVG → raw RGBA pixels (row-major, 4 bytes a pixel): what the PNG holds, for checks without a decoder. */
export function rasterisePixels(svg: string, scale = 1): { width: number; height: number; rgba: Uint8Array } {
  const image = resvgOf(svg, scale).render();
  return { width: image.width, height: image.height, rgba: new Uint8Array(image.pixels) };
}
