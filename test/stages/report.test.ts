// The report stage with a fake context: one slot per figure entry in the entries' order, figures bound as
// PNG or SVG inlined as data: URIs holding the bound bytes, unbound figures and tables read "not run", the
// tables and the provenance (parameters, keys, durations, environment, code version) are there, and
// nothing refers to a remote resource or needs a script.
import { beforeAll, describe, expect, it } from 'vitest';
import report, { FIGURES, figureInput } from '../../stages/report.ts';
import { escapeHtml, pngSize, sniffImage } from '../../plots/report-html.ts';
import { runStage } from '../support/stage-context.ts';
import { renderSampleFigures, sampleLineage, type RenderedFigures } from '../fixtures/plots/report-figures.ts';
import * as syn from '../fixtures/plots/synthetic.ts';

let figures: RenderedFigures;
const imageSummaryTable = {
  numRows: 2,
  columns: {
    quantity: ['dimension at the smallest t (gap detection)', 'intrinsic dimension'],
    source: ['empirical', 'TwoNN'],
    t: Float64Array.from([1e-5, NaN]),
    s: Float64Array.from([1e-4, NaN]),
    value: Float64Array.from([0, 13.25]),
  },
};
let html: string;
let written: string[];
/** The bound files: the sample figures, and for the loss slot bytes that are no image. */
let bound: Record<string, Uint8Array>;

/** The figure sections of the page in page order: anchor id, heading, body, caption. */
function sections(page: string) {
  const re = /<section id="([^"]*)"><h3>(.*?)<\/h3><figure>(.*?)<figcaption>(.*?)<\/figcaption><\/figure><\/section>/gs;
  return [...page.matchAll(re)].map(([, id, title, body, caption]) => ({ id, title, body, caption }));
}

beforeAll(async () => {
  figures = await renderSampleFigures();
  bound = { ...figures.files, loss: new TextEncoder().encode('not an image') };
  const run = await runStage(
    report,
    // The fixtures render PNGs at scale 1.
    { png_scale: 1 },
    {
      files: bound,
      tables: { phase_times_left: syn.phaseTimesTable(), fit_left: syn.fitTable(), image_summary_mnist: imageSummaryTable },
      lineage: sampleLineage,
      environment: { backend: 'cpu', precision: 'float64' },
    },
  );
  html = run.text('html');
  written = [...run.files.keys()];
});

describe('report stage', () => {
  it('writes only its html', () => {
    expect(written).toEqual(['html']);
  });

  it('gives every figure entry its slot, in the entries\' order, with its title and caption', () => {
    const page = sections(html);
    expect(page.map((p) => p.id)).toEqual(FIGURES.map((f) => f.stage.name));
    for (const [k, f] of FIGURES.entries()) {
      expect(page[k].title).toBe(escapeHtml(f.title));
      expect(page[k].caption).toBe(escapeHtml(f.caption));
    }
    // The table of contents links each slot, and every link lands on a section of the page.
    const links = [...html.matchAll(/<li><a href="#([^"]+)">/g)].map((m) => m[1]);
    expect(links.slice(0, FIGURES.length)).toEqual(FIGURES.map((f) => f.stage.name));
    for (const id of links) expect(html, `#${id}`).toContain(`id="${id}"`);
  });

  it('inlines each bound image as a data: URI of exactly its bytes, and marks every other slot not run', () => {
    const page = sections(html);
    let images = 0;
    for (const [k, f] of FIGURES.entries()) {
      const bytes = bound[figureInput(f)];
      const mime = bytes && sniffImage(bytes);
      const uri = /<img src="data:([^;]+);base64,([^"]+)"/.exec(page[k].body);
      if (mime) {
        expect(uri, f.stage.name).not.toBeNull();
        expect(uri![1]).toBe(mime);
        expect(Buffer.from(uri![2], 'base64').equals(Buffer.from(bytes)), f.stage.name).toBe(true);
        images++;
      } else {
        // Unbound, or bound to a file that is neither PNG nor SVG (the loss slot here).
        expect(uri, f.stage.name).toBeNull();
        expect(page[k].body).toContain(`not run: the ${f.stage.name} node produced no figure`);
      }
    }
    expect(images).toBe(Object.keys(figures.files).length);
    expect(figures.missing.length).toBeGreaterThan(0);
  });

  it('holds the phase-time and fit tables, and says the unbound phases table was not run', () => {
    expect(html).toContain('intermediate 0');
    expect(html).toContain('sigma1sq');
    expect(html).toMatch(/not run: gap detection/);
    // Each Figure 3 slot gets its own section, labelled by the tables' origin, or by its slot when unbound.
    expect(html).toContain('test: theory fit against the truth');
    expect(html).toContain('fig3-centre: theory fit against the truth');
    expect(html).toContain('fig3-right: phase times');
    // The fit table says whether the truth lies in the interval (m: truth 20 in [19, 23]).
    expect(html).toMatch(/<td>m<\/td><td class="num">20<\/td><td class="num">21<\/td><td class="num">\[19, 23\]<\/td><td class="num">yes<\/td>/);
  });

  it('holds each image dataset\'s summary, and says why CIFAR-10 is absent', () => {
    expect(html).toContain('test: dimension at the smallest t by score, collapse time, MLE and TwoNN');
    expect(html).toMatch(/<td>intrinsic dimension<\/td><td>TwoNN<\/td><td class="num">—<\/td><td class="num">—<\/td><td class="num">13\.3<\/td>/);
    expect(html).toContain('not run: the fashion-mnist experiment produced no image summary');
    expect(html).toContain('not run: CIFAR-10 was not supplied: set CIFAR10_PATH');
  });

  it('records provenance: code version, backend, keys, durations and parameters of every upstream node', () => {
    expect(html).toMatch(/code version<\/dt><dd><code>([0-9a-f]{40}( \(with uncommitted changes\))?|unknown)<\/code>/);
    // The report's own environment and every upstream node's, per key.
    expect(html).toContain('backend = cpu, wasm; precision = float32, float64');
    expect(html).toMatch(/runtime<\/dt><dd>node v\d+/);
    expect(html).toContain('title="ffeeddccbbaa');
    expect(html).toContain('60.0 min');
    expect(html).toContain('1.2 s');
    expect(html).toContain('&quot;sigma1_sq&quot;: 1');
  });

  it('dates the results by the newest upstream artifact, so equal inputs give an equal report', () => {
    expect(html).toContain('Results as of 2026-11-23T14:10:00.000Z');
  });

  it('is self-contained: no scripts, no remote resources', () => {
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//i);
    expect(html).not.toMatch(/@import|url\(/i);
  });

  it('shows a PNG at its pixel width divided by the render scale', () => {
    const width = pngSize(figures.files[figureInput(FIGURES[0])]).width;
    expect(width).toBeGreaterThan(300);
    expect(html).toContain(`alt="${escapeHtml(FIGURES[0].title)}" width="${width}"`);
  });

  it('recognises PNG and SVG bytes and nothing else', () => {
    expect(sniffImage(figures.files.figure2)).toBe('image/png');
    expect(sniffImage(figures.files.phase_diagram)).toBe('image/svg+xml');
    expect(sniffImage(new TextEncoder().encode('<html>'))).toBeUndefined();
  });
});
