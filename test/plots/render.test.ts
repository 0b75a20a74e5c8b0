// The renderer: one mark per data row where the data put it, every text in the declared font, a PNG of
// the SVG's size times the scale with drawn pixels (not just a PNG header), text actually drawn (a spec
// with a title differs from the same spec without, where the title goes), white background, and text
// widths from the font file agreeing with what resvg draws.
import { describe, expect, it } from 'vitest';
import { Resvg } from '@resvg/resvg-js';
import { rasterisePixels, renderFigure, renderSvg } from '../../plots/render.ts';
import { pngSize } from '../../plots/report-html.ts';
import { loadDejaVuWidths, textWidth } from '../../plots/text-metrics.ts';
import { DEFAULT_STYLE, FONT, topLevelFigure } from '../../plots/theme.ts';

const body = {
  width: 200,
  height: 120,
  data: { values: [{ x: 1, y: 1 }, { x: 2, y: 3 }, { x: 3, y: 2 }] },
  mark: { type: 'line', strokeWidth: 3 },
  encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } },
};

/** Pixels darker than light grey, in the rows [y0, y1). */
function darkPixels(img: { width: number; height: number; rgba: Uint8Array }, y0 = 0, y1 = img.height): number {
  let n = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = 0; x < img.width; x++) {
      const k = 4 * (y * img.width + x);
      if (img.rgba[k] + img.rgba[k + 1] + img.rgba[k + 2] < 3 * 160) n++;
    }
  }
  return n;
}

/** The SVG's declared size in px. */
function svgSize(svg: string): { width: number; height: number } {
  const m = /^<svg[^>]* width="(\d+)" height="(\d+)"/.exec(svg);
  if (!m) throw new Error('no width and height on the root <svg>');
  return { width: Number(m[1]), height: Number(m[2]) };
}

describe('renderFigure', () => {
  const rows = [{ x: 1, y: 4 }, { x: 2, y: 1 }, { x: 3, y: 3 }, { x: 4, y: 2 }, { x: 5, y: 5 }];
  const points = { ...body, data: { values: rows }, mark: { type: 'point' } };

  it('draws one mark per data row, placed by its values', async () => {
    const { svg } = await renderSvg(topLevelFigure(points, DEFAULT_STYLE, 'Points'));
    const marks = [...svg.matchAll(/<path aria-label="x: ([\d.]+); y: ([\d.]+)" role="graphics-symbol" aria-roledescription="point" transform="translate\(([\d.]+),([\d.]+)\)"/g)].map(
      ([, x, y, px, py]) => ({ x: Number(x), y: Number(y), px: Number(px), py: Number(py) }),
    );
    // vega tags the rows it reads with a symbol: compare the values.
    expect(marks.map(({ x, y }) => ({ x, y }))).toEqual(rows.map(({ x, y }) => ({ x, y })));
    // x grows to the right in proportion (a zero-based linear scale), y grows upwards.
    for (const m of marks) expect(m.px / m.x).toBeCloseTo(marks[0].px / marks[0].x, 6);
    const byY = [...marks].sort((a, b) => a.y - b.y);
    for (let i = 1; i < byY.length; i++) expect(byY[i].py).toBeLessThan(byY[i - 1].py);
  });

  it('sets every text in the declared font, and the PNG is the SVG\'s size times the scale', async () => {
    const spec = topLevelFigure(points, DEFAULT_STYLE, 'Points');
    expect((spec.config as { font: string }).font).toBe(FONT);
    const r = await renderFigure(spec, { scale: 2 });
    const texts = [...r.svg.matchAll(/<text[^>]*>/g)].map((m) => m[0]);
    // The title, two axis titles and the tick labels.
    expect(texts.length).toBeGreaterThan(5);
    for (const t of texts) expect(t).toContain(`font-family="${FONT}"`);
    const size = svgSize(r.svg);
    expect(size.width).toBeGreaterThan(points.width);
    expect(size.height).toBeGreaterThan(points.height);
    expect(pngSize(r.png)).toEqual({ width: 2 * size.width, height: 2 * size.height });
  });

  it('writes an SVG, a PNG with drawn (non-white) pixels on a white background, and returns the spec', async () => {
    const spec = topLevelFigure(body, DEFAULT_STYLE, 'A line');
    const r = await renderFigure(spec, { scale: 1 });
    expect(r.spec).toBe(spec);
    expect(r.svg).toMatch(/^<svg[^>]*width="\d+"/);
    expect(Array.from(r.png.subarray(1, 4))).toEqual([0x50, 0x4e, 0x47]);
    const img = rasterisePixels(r.svg, 1);
    expect(darkPixels(img)).toBeGreaterThan(200);
    // Corners are background: opaque white.
    expect(Array.from(img.rgba.subarray(0, 4))).toEqual([255, 255, 255, 255]);
  });

  it('draws the title: the top band holds its ink, and is nearly blank without it', async () => {
    const a = rasterisePixels((await renderSvg(topLevelFigure(body, DEFAULT_STYLE, 'Spectral gaps of s·J'))).svg, 1);
    const b = rasterisePixels((await renderSvg({ ...topLevelFigure(body, DEFAULT_STYLE, ''), title: undefined })).svg, 1);
    expect(a.height).toBeGreaterThan(b.height);
    // Title font 16 px after 8 px padding: rows 8–26 of the titled image.
    expect(darkPixels(a, 8, 26)).toBeGreaterThan(darkPixels(b, 8, 26) + 60);
  });

  it('draws text marks with the same image size: only the text pixels differ', async () => {
    // A text mark at a fixed place keeps the two images the same size.
    const withText = (text: string) => ({
      ...topLevelFigure(body, DEFAULT_STYLE, ' '),
      layer: [
        { mark: body.mark, encoding: body.encoding },
        { data: { values: [{ text }] }, mark: { type: 'text', x: 100, y: 10, fontSize: 16 }, encoding: { text: { field: 'text' } } },
      ],
      mark: undefined,
      encoding: undefined,
    });
    const a = rasterisePixels((await renderSvg(withText('Spectral gap Δ'))).svg, 1);
    const b = rasterisePixels((await renderSvg(withText(''))).svg, 1);
    expect([a.width, a.height]).toEqual([b.width, b.height]);
    // The text's band (y ≈ 10 px inside the plot, after the padding and the title line).
    const textBand = darkPixels(a) - darkPixels(b);
    expect(textBand).toBeGreaterThan(40);
  });

  it('gives identical bytes for the same spec (outputs are content-hashed)', async () => {
    const spec = topLevelFigure({ ...body, mark: { type: 'area', clip: true } }, DEFAULT_STYLE, 'Same twice');
    const a = await renderFigure(spec, { scale: 1 });
    await renderFigure(topLevelFigure(body, DEFAULT_STYLE, 'something else in between'), { scale: 1 });
    const b = await renderFigure(spec, { scale: 1 });
    expect(b.svg).toBe(a.svg);
    expect(Buffer.from(b.png).equals(Buffer.from(a.png))).toBe(true);
  });

  it('rejects a bad scale by name', async () => {
    await expect(renderFigure(topLevelFigure(body, DEFAULT_STYLE, 't'), { scale: 0 })).rejects.toThrow(/scale/);
  });
});

describe('DejaVu text widths', () => {
  const fonts = loadDejaVuWidths();
  it('are read from the font files on this machine (Debian fonts-dejavu): linear in size, one advance for every digit, M wider than i', () => {
    expect(fonts, 'DejaVuSans.ttf and DejaVuSans-Bold.ttf').toBeDefined();
    for (const font of [fonts!.regular, fonts!.bold]) {
      expect(textWidth(font, 'spectral gap', 24)).toBeCloseTo(2 * textWidth(font, 'spectral gap', 12), 9);
      const digits = new Set([...'0123456789'].map((d) => textWidth(font, d, 12)));
      expect(digits.size).toBe(1);
      expect(textWidth(font, 'M', 12)).toBeGreaterThan(2 * textWidth(font, 'i', 12));
    }
  });
  it('agree with the width resvg draws the text at (within 3%)', () => {
    for (const [text, size] of [
      ['noise variance s = σ(t)²', 13],
      ['eigenvalue of sym(s·J)', 12],
      ['MMMMMMMM', 20],
      ['iiiiiiiiiiii', 20],
    ] as const) {
      const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="800" height="60"><text x="10" y="40" font-family="DejaVu Sans" font-size="${size}">${text}</text></svg>`;
      const bbox = new Resvg(svg, { font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' } }).getBBox();
      const ours = textWidth(fonts!.regular, text, size);
      // The ink box is a little narrower than the advance widths (side bearings): allow 3% plus 2 px.
      expect(Math.abs(ours - bbox!.width), `${text}: ${ours} vs ${bbox!.width}`).toBeLessThan(0.03 * ours + 2);
    }
  });
  it('bold is wider than regular', () => {
    expect(textWidth(fonts!.bold, 'Spectral gaps', 12)).toBeGreaterThan(textWidth(fonts!.regular, 'Spectral gaps', 12));
  });
});
