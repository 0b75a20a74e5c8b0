// What every figure stage shares: its three published outputs (SVG, PNG, the vega-lite spec), the plot
// style parameters, and writing a rendered figure. Light on purpose: stage definitions import this in
// the engine parent; the renderer (vega, vega-lite, resvg) is loaded inside `run` only.
import { param } from '../core/params.ts';
import { file, type Logger } from '../core/stage.ts';
import type { FigureStyle, VegaLiteSpec } from './theme.ts';

/** svg, png and spec ('vl.json') outputs published at out/figures/<name>.svg|.png|.vl.json. */
export function figureOutputs(name: string, help: string) {
  return {
    svg: file('svg', `${help} (SVG)`, `figures/${name}.svg`),
    png: file('png', `${help} (PNG)`, `figures/${name}.png`),
    spec: file('vl.json', `${help} (vega-lite spec with inline data)`, `figures/${name}.vl.json`),
  } as const;
}

/** Panel size, font size and PNG resolution, with per-figure defaults. */
export function styleParams(defaults: { width: number; height: number }) {
  return {
    width: param.integer({ default: defaults.width, min: 80, max: 4000, unit: 'px', help: 'Width of one panel' }),
    height: param.integer({ default: defaults.height, min: 60, max: 4000, unit: 'px', help: 'Height of one panel' }),
    font_size: param.number({ default: 12, min: 6, max: 40, unit: 'px', help: 'Base font size of axis labels (titles are larger)' }),
    scale: param.number({ default: 2, min: 0.5, max: 8, help: 'PNG pixels per SVG pixel' }),
  } as const;
}

export function styleOf(p: { width: number; height: number; font_size: number }): FigureStyle {
  return { width: p.width, height: p.height, fontSize: p.font_size };
}

export interface FigureContext {
  write: { file(name: 'svg' | 'png' | 'spec', bytes: Uint8Array | string): Promise<void> };
  log: Logger;
  progress(fraction: number, message?: string): void;
}

/** Renders the spec (SVG, PNG at `scale`) and writes the three outputs. */
export async function writeFigure(ctx: FigureContext, spec: VegaLiteSpec, scale: number): Promise<void> {
  ctx.progress(0.5, 'rendering');
  const { renderFigure } = await import('./render.ts');
  const figure = await renderFigure(spec, { scale });
  for (const w of figure.warnings) ctx.log.warn(`vega-lite: ${w}`);
  await ctx.write.file('svg', figure.svg);
  await ctx.write.file('png', figure.png);
  await ctx.write.file('spec', JSON.stringify(figure.spec, null, 1));
  ctx.progress(1, `${figure.svg.length} B SVG, ${figure.png.length} B PNG`);
}

/** The row selections a spectra figure accepts ('auto' leaves the choice to the data), checked at plan time. */
export const SCORE_CHOICES = ['auto', 'trained', 'analytic', 'empirical'] as const;
export const METHOD_CHOICES = ['auto', 'exact', 'alg1', 'alg2', 'haar-stack'] as const;
export const POINT_KIND_CHOICES = ['auto', 'trajectory', 'noised', 'clean'] as const;

/** '1' → 1, '' or 'auto' → undefined: string params that may be left to the data. */
export function optionalLabel(value: string): string | undefined {
  return value === '' || value === 'auto' ? undefined : value;
}
