// Text widths from the real font: vega without a canvas estimates every character as 0.8 em, which
// makes titles and legends far wider than resvg draws them (wasted space, truncated legend labels).
// vega lets a user-defined `textMetrics.width` replace the estimate (as vl-convert does); this one reads
// the advance widths of DejaVu Sans (regular and bold) from the TrueType files: cmap (format 4, the
// Basic Multilingual Plane) → glyph → hmtx advance. Kerning is ignored (a few percent at most).
import { readFileSync } from 'node:fs';

interface FontWidths {
  unitsPerEm: number;
  /** Advance width (font units) of a code point, or of .notdef. */
  advance(codePoint: number): number;
}

const FONT_DIRS = ['/usr/share/fonts/truetype/dejavu', '/usr/share/fonts/dejavu', '/usr/share/fonts/TTF'];

/** Parses the tables a width needs from a TrueType font. Throws on a file it cannot read. */
function parseFontWidths(bytes: Uint8Array): FontWidths {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const numTables = view.getUint16(4);
  const tables = new Map<string, number>();
  for (let i = 0; i < numTables; i++) {
    const rec = 12 + 16 * i;
    const tag = String.fromCharCode(bytes[rec], bytes[rec + 1], bytes[rec + 2], bytes[rec + 3]);
    tables.set(tag, view.getUint32(rec + 8));
  }
  const need = (tag: string) => {
    const offset = tables.get(tag);
    if (offset === undefined) throw new Error(`font has no '${tag}' table`);
    return offset;
  };
  const unitsPerEm = view.getUint16(need('head') + 18);
  const numberOfHMetrics = view.getUint16(need('hhea') + 34);
  const hmtx = need('hmtx');
  const advanceOfGlyph = (g: number) => view.getUint16(hmtx + 4 * Math.min(g, numberOfHMetrics - 1));

  // cmap: the Windows Unicode BMP subtable (3, 1), format 4.
  const cmap = need('cmap');
  const subtables = view.getUint16(cmap + 2);
  let format4 = -1;
  for (let i = 0; i < subtables; i++) {
    const platform = view.getUint16(cmap + 4 + 8 * i);
    const encoding = view.getUint16(cmap + 6 + 8 * i);
    const offset = cmap + view.getUint32(cmap + 8 + 8 * i);
    if (((platform === 3 && encoding === 1) || platform === 0) && view.getUint16(offset) === 4) {
      format4 = offset;
      break;
    }
  }
  if (format4 < 0) throw new Error('font has no format-4 cmap subtable');
  const segCount = view.getUint16(format4 + 6) / 2;
  const endCodes = format4 + 14;
  const startCodes = endCodes + 2 * segCount + 2;
  const idDeltas = startCodes + 2 * segCount;
  const idRangeOffsets = idDeltas + 2 * segCount;
  const glyphOf = (c: number): number => {
    for (let s = 0; s < segCount; s++) {
      if (c > view.getUint16(endCodes + 2 * s)) continue;
      const start = view.getUint16(startCodes + 2 * s);
      if (c < start) return 0;
      const delta = view.getInt16(idDeltas + 2 * s);
      const rangeOffset = view.getUint16(idRangeOffsets + 2 * s);
      if (rangeOffset === 0) return (c + delta) & 0xffff;
      const at = idRangeOffsets + 2 * s + rangeOffset + 2 * (c - start);
      const g = view.getUint16(at);
      return g === 0 ? 0 : (g + delta) & 0xffff;
    }
    return 0;
  };
  const cache = new Map<number, number>();
  return {
    unitsPerEm,
    advance(c: number) {
      let w = cache.get(c);
      if (w === undefined) {
        w = c > 0xffff ? advanceOfGlyph(0) : advanceOfGlyph(glyphOf(c));
        cache.set(c, w);
      }
      return w;
    },
  };
}

/** Width in px of `text` at `fontSize` px. */
export function textWidth(font: FontWidths, text: string, fontSize: number): number {
  let units = 0;
  for (const ch of text) units += font.advance(ch.codePointAt(0)!);
  return (units * fontSize) / font.unitsPerEm;
}

interface DejaVuWidths {
  regular: FontWidths;
  bold: FontWidths;
}

/** DejaVu Sans regular and bold from the system font directories, or undefined when not installed. */
export function loadDejaVuWidths(): DejaVuWidths | undefined {
  for (const dir of FONT_DIRS) {
    try {
      return {
        regular: parseFontWidths(readFileSync(`${dir}/DejaVuSans.ttf`)),
        bold: parseFontWidths(readFileSync(`${dir}/DejaVuSans-Bold.ttf`)),
      };
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

interface TextItem {
  text?: unknown;
  fontSize?: number;
  fontWeight?: string | number;
  limit?: number;
}

/**
 * A replacement for vega's `textMetrics.width(item, text)`: the real advance widths of DejaVu Sans (bold
 * when the item's weight is bold or ≥ 600). Applies vega's own `limit` truncation rule via the caller.
 */
export function vegaTextWidth(fonts: DejaVuWidths): (item: TextItem, text: unknown) => number {
  return (item, text) => {
    const size = item.fontSize != null ? +item.fontSize || 0 : 11;
    const s = text == null ? '' : String(text).trim();
    if (size <= 0 || s === '') return 0;
    const w = item.fontWeight;
    const bold = w === 'bold' || w === 'bolder' || (typeof w === 'number' && w >= 600) || (typeof w === 'string' && Number(w) >= 600);
    return textWidth(bold ? fonts.bold : fonts.regular, s, size);
  };
}
