// The report in a real browser (headless Chromium via playwright-core): every figure loads (PNG and
// SVG images decode with a size), the page logs no errors and requests nothing beyond itself, and a
// screenshot is not blank.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { FIGURES, figureInput } from '../../stages/report.ts';
import { reportHtml, sniffImage } from '../../plots/report-html.ts';
import { rasterisePixels } from '../../plots/render.ts';
import { renderSampleFigures, sampleLineage } from '../fixtures/plots/report-figures.ts';
import * as syn from '../fixtures/plots/synthetic.ts';
import { findChromium, requiredByCi } from '../support/chromium.ts';

const chromiumFound = findChromium();
// Under CI the browser is required: the test then runs (and fails at launch) instead of skipping.
const runBrowser = chromiumFound.path !== undefined || requiredByCi();
const skipReason = `no Chromium found (looked at ${chromiumFound.looked.join('; ')}): install Debian's chromium or set PIPELINE_CHROMIUM to a Chromium binary`;
if (!runBrowser) console.warn(`report-browser.test.ts skipped: ${skipReason}`);

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

let dir: string;
let browser: Browser;
let bound: number;

beforeAll(async () => {
  if (!runBrowser) return;
  if (!chromiumFound.path) throw new Error(`CI requires a browser for the report test, but ${skipReason}`);
  const figures = await renderSampleFigures();
  bound = Object.keys(figures.files).length;
  const html = reportHtml({
    title: 'Browser test report',
    generatedAt: new Date().toISOString(),
    figures: FIGURES.map((f) => {
      const bytes = figures.files[figureInput(f)];
      return { name: f.stage.name, title: f.title, caption: f.caption, image: bytes ? { mime: sniffImage(bytes)!, bytes } : undefined };
    }),
    experiments: [{ label: 'fig3-left', phaseTimes: syn.phaseTimesTable(), phases: syn.phasesTable(syn.analysisTimes(20), 0.1, 1), fit: syn.fitTable() }],
    provenance: { codeVersion: 'unknown', environment: { backend: 'cpu' }, nodes: sampleLineage.nodes },
  });
  dir = mkdtempSync(join(tmpdir(), 'report-browser-'));
  writeFileSync(join(dir, 'index.html'), html);
  browser = await chromium.launch({ executablePath: chromiumFound.path, args: CHROMIUM_ARGS });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Variance of the grey level over all pixels of a PNG (decoded by resvg through an <image>). */
function pixelVariance(png: Buffer, width: number, height: number): number {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><image width="${width}" height="${height}" href="data:image/png;base64,${png.toString('base64')}"/></svg>`;
  const img = rasterisePixels(svg, 1);
  let sum = 0;
  let sum2 = 0;
  const n = img.width * img.height;
  for (let i = 0; i < n; i++) {
    const g = (img.rgba[4 * i] + img.rgba[4 * i + 1] + img.rgba[4 * i + 2]) / 3;
    sum += g;
    sum2 += g * g;
  }
  return sum2 / n - (sum / n) ** 2;
}

describe.skipIf(!runBrowser)(`report in headless Chromium${runBrowser ? '' : ` (skipped: ${skipReason})`}`, () => {
  it('loads every figure, logs no errors, fetches nothing remote and renders a non-blank page', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1600 } });
    const errors: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('request', (r) => requests.push(r.url()));
    page.on('requestfailed', (r) => errors.push(`request failed: ${r.url()}`));
    const url = pathToFileURL(join(dir, 'index.html')).href;
    await page.goto(url, { waitUntil: 'load' });

    const images = await page.$$eval('img', (imgs) =>
      imgs.map((img) => ({ complete: img.complete, w: img.naturalWidth, h: img.naturalHeight, shownW: img.getBoundingClientRect().width, src: img.src.slice(0, 30) })),
    );
    expect(images).toHaveLength(bound);
    for (const img of images) {
      expect(img.complete, img.src).toBe(true);
      expect(img.w, img.src).toBeGreaterThan(100);
      expect(img.h, img.src).toBeGreaterThan(50);
      expect(img.shownW, img.src).toBeGreaterThan(50);
    }
    expect(images.some((i) => i.src.startsWith('data:image/svg+xml'))).toBe(true);
    expect(await page.locator('.not-run').count()).toBeGreaterThanOrEqual(FIGURES.length - bound);
    expect(await page.locator('table').count()).toBe(4);

    expect(errors).toEqual([]);
    // Only the page itself and its inline data: images.
    expect(requests.filter((r) => r !== url && !r.startsWith('data:'))).toEqual([]);

    const shot = await page.screenshot({ fullPage: false });
    const variance = pixelVariance(shot, 1280, 1600);
    // A blank white page has variance 0; figures, headings and text give thousands (grey levels 0–255).
    expect(variance).toBeGreaterThan(200);
    await page.close();
  });
});

