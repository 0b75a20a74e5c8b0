// The report stage with a fake context: figures bound as PNG or SVG are inlined as data: URIs, unbound
// figures and tables read "not run", the tables and the provenance (parameters, keys, durations,
// environment, code version) are there, and nothing refers to a remote resource or needs a script.
import { beforeAll, describe, expect, it } from 'vitest';
import report from '../../stages/report.ts';
import { FIGURES } from '../../plots/figure-catalog.ts';
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

beforeAll(async () => {
  figures = await renderSampleFigures();
  const run = await runStage(
    report,
    // The fixtures render PNGs at scale 1.
    { png_scale: 1 },
    {
      files: { ...figures.files, loss: new TextEncoder().encode('not an image') },
      tables: { phase_times_left: syn.phaseTimesTable(), fit_left: syn.fitTable(), image_summary_mnist: imageSummaryTable },
      lineage: sampleLineage,
      environment: { backend: 'cpu', precision: 'float64' },
    },
  );
  html = run.text('html');
});

describe('report stage', () => {
  it('publishes one html file at report/index.html', () => {
    expect(report.outputs.html).toMatchObject({ kind: 'file', ext: 'html', publish: 'report/index.html' });
  });

  it('inlines every bound figure as a data: URI and marks the others not run', () => {
    expect(html.match(/<img src="data:image\/png;base64,/g)).toHaveLength(3);
    expect(html.match(/<img src="data:image\/svg\+xml;base64,/g)).toHaveLength(1);
    for (const node of figures.missing) expect(html).toContain(`not run: the ${node} node produced no figure`);
    // A bound file that is not an image is reported, not embedded.
    expect(html).toContain('not run: the loss node produced no figure');
    // Every catalogued figure has its slot: a picture or a "not run" line under its title.
    for (const f of FIGURES) expect(html).toContain(escapeHtml(f.title));
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
    const width = pngSize(figures.files.figure2).width;
    expect(width).toBeGreaterThan(300);
    expect(html).toContain(`alt="${FIGURES[0].title}" width="${width}"`);
  });

  it('recognises PNG and SVG bytes and nothing else', () => {
    expect(sniffImage(figures.files.figure2)).toBe('image/png');
    expect(sniffImage(figures.files.phase_diagram)).toBe('image/svg+xml');
    expect(sniffImage(new TextEncoder().encode('<html>'))).toBeUndefined();
  });
});
