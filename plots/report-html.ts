// The report: one self-contained HTML file (figures as data: URIs, inline CSS, no scripts, no remote
// resources) with the figures, the phase-time, dimension and fit tables, and the provenance of every
// stage upstream (parameters, keys, durations, environment, code version). Pure: bytes and tables in,
// a string out; inputs that were not run are shown as "not run".
import type { Table } from '../core/table.ts';
import type { Lineage } from '../core/stage.ts';
import type { FitSchema, ImageSummarySchema, PhasesSchema, PhaseTimesSchema } from '../artifacts/schemas.ts';
import { range } from './spectra-summary.ts';
import { formatNumber } from './theme.ts';

type ImageMime = 'image/png' | 'image/svg+xml';

interface ReportFigure {
  /** Node name: 'figure2', 'gap-widths', ... (also the anchor id). */
  name: string;
  title: string;
  caption: string;
  /** Absent when the figure's node was not run (or not bound). */
  image?: { mime: ImageMime; bytes: Uint8Array; /** CSS px; a PNG rendered at scale 2 shows at half its pixel width. */ displayWidth?: number };
}

interface ReportExperiment {
  /** Experiment label, e.g. 'fig3-left' (from the tables' origin). */
  label: string;
  phaseTimes?: Table<PhaseTimesSchema>;
  phases?: Table<PhasesSchema>;
  fit?: Table<FitSchema>;
}

interface ReportImageSet {
  /** Dataset label, e.g. 'mnist' (from the table's origin). */
  label: string;
  summary?: Table<ImageSummarySchema>;
  /** Shown instead of the table when it is absent: why it did not run. */
  absent: string;
}

interface ReportInput {
  title: string;
  /** When the results were made (the newest upstream artifact), shown under the title. */
  generatedAt: string;
  figures: ReportFigure[];
  /** The measured tables of each linear-manifold experiment, in reading order. */
  experiments: ReportExperiment[];
  /** Per image dataset: dimensions at the smallest t by score, collapse times, MLE and TwoNN. */
  images?: ReportImageSet[];
  provenance: {
    codeVersion: string;
    /** Environment of the report stage itself (backend, precision as the engine resolved them). */
    environment: Record<string, string>;
    /** The runtime that made the report, e.g. 'node v20.20.2 on linux-x64'. */
    runtime?: string;
    nodes: Lineage['nodes'];
  };
}

/** PNG by its signature, SVG by its first tag; undefined for anything else. */
export function sniffImage(bytes: Uint8Array): ImageMime | undefined {
  if (bytes.length >= 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) return 'image/png';
  const head = new TextDecoder().decode(bytes.subarray(0, 512)).trimStart();
  if (head.startsWith('<svg') || (head.startsWith('<?xml') && head.includes('<svg'))) return 'image/svg+xml';
  return undefined;
}

/** Pixel width and height from a PNG's IHDR chunk. */
export function pngSize(bytes: Uint8Array): { width: number; height: number } {
  if (sniffImage(bytes) !== 'image/png' || bytes.length < 24) throw new Error('not a PNG (no IHDR)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function dataUri(mime: ImageMime, bytes: Uint8Array): string {
  return `data:${mime};base64,${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')}`;
}

const num = (v: number) => (Number.isFinite(v) ? formatNumber(v) : '—');

function htmlTable(headers: string[], rows: string[][], numericFrom = 1): string {
  const th = headers.map((h, k) => `<th${k >= numericFrom ? ' class="num"' : ''}>${escapeHtml(h)}</th>`).join('');
  const body = rows
    .map((r) => `<tr>${r.map((cell, k) => `<td${k >= numericFrom ? ' class="num"' : ''}>${cell}</td>`).join('')}</tr>`)
    .join('\n');
  return `<table><thead><tr>${th}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

const NOT_RUN = (what: string) => `<p class="not-run">not run: ${escapeHtml(what)}</p>`;

interface PhaseSummaryRow {
  score: string;
  method: string;
  phase: string;
  times: number;
  tMin: number;
  tMax: number;
  sMin: number;
  sMax: number;
  dimMedian: number;
}

const PHASE_ORDER = ['trivial', 'coverage', 'consolidation'];

/** The phases table summarised: per (score, method, phase) the time span, s span and median dimension. */
function summarisePhases(table: Table<PhasesSchema>): PhaseSummaryRow[] {
  const c = table.columns;
  const groups = new Map<string, { score: string; method: string; phase: string; t: number[]; s: number[]; dim: number[] }>();
  for (const i of range(table.numRows)) {
    const key = `${c.score[i]}|${c.method[i]}|${c.phase[i]}`;
    const g = groups.get(key) ?? { score: c.score[i], method: c.method[i], phase: c.phase[i], t: [], s: [], dim: [] };
    g.t.push(c.t[i]);
    g.s.push(c.s[i]);
    g.dim.push(c.dim_estimate[i]);
    groups.set(key, g);
  }
  const rank = (p: string) => (PHASE_ORDER.includes(p) ? PHASE_ORDER.indexOf(p) : PHASE_ORDER.length);
  return [...groups.values()]
    .map((g) => {
      const dims = [...g.dim].sort((a, b) => a - b);
      const mid = dims.length >> 1;
      return {
        score: g.score,
        method: g.method,
        phase: g.phase,
        times: g.t.length,
        tMin: Math.min(...g.t),
        tMax: Math.max(...g.t),
        sMin: Math.min(...g.s),
        sMax: Math.max(...g.s),
        dimMedian: dims.length % 2 ? dims[mid] : 0.5 * (dims[mid - 1] + dims[mid]),
      };
    })
    .sort((a, b) => a.score.localeCompare(b.score) || a.method.localeCompare(b.method) || rank(a.phase) - rank(b.phase));
}

function experimentTables(e: ReportExperiment): string {
  const label = escapeHtml(e.label);
  return `<h3>${label}: phase times, opening, maximum and closing of every gap</h3>
${phaseTimesSection(e.phaseTimes)}
<h3>${label}: dimension estimates by phase</h3>
${phasesSection(e.phases)}
<h3>${label}: theory fit against the truth</h3>
${fitSection(e.fit)}`;
}

function imageTables(im: ReportImageSet): string {
  const head = `<h3>${escapeHtml(im.label)}: dimension at the smallest t by score, collapse time, MLE and TwoNN</h3>`;
  if (!im.summary) return `${head}\n${NOT_RUN(im.absent)}`;
  const c = im.summary.columns;
  const rows = range(im.summary.numRows).map((i) => [escapeHtml(c.quantity[i]), escapeHtml(c.source[i]), num(c.t[i]), num(c.s[i]), num(c.value[i])]);
  return `${head}\n${htmlTable(['quantity', 'source', 't', 's', 'value'], rows, 2)}`;
}

function phaseTimesSection(t?: Table<PhaseTimesSchema>): string {
  if (!t) return NOT_RUN('phase-times (no phase_times table bound)');
  const c = t.columns;
  const rows = range(t.numRows)
    .sort((a, b) => c.gap[a].localeCompare(c.gap[b]) || c.source[a].localeCompare(c.source[b]))
    .map((i) => [
      escapeHtml(c.gap[i]),
      escapeHtml(c.source[i]),
      num(c.t_open[i]),
      num(c.t_max[i]),
      num(c.t_close[i]),
      num(c.s_open[i]),
      num(c.s_max[i]),
      num(c.s_close[i]),
    ]);
  return htmlTable(['gap', 'source', 't open', 't max', 't close', 's open', 's max', 's close'], rows, 2);
}

function phasesSection(t?: Table<PhasesSchema>): string {
  if (!t) return NOT_RUN('gap detection (no phases table bound)');
  const rows = summarisePhases(t).map((r) => [
    escapeHtml(r.score),
    escapeHtml(r.method),
    escapeHtml(r.phase),
    String(r.times),
    `${num(r.tMin)} – ${num(r.tMax)}`,
    `${num(r.sMin)} – ${num(r.sMax)}`,
    num(r.dimMedian),
  ]);
  return htmlTable(['score', 'method', 'phase', 'times', 't range', 's range', 'median dimension'], rows, 3);
}

function fitSection(t?: Table<FitSchema>): string {
  if (!t) return NOT_RUN('theory fit (no fit table bound)');
  const c = t.columns;
  const rows = range(t.numRows).map((i) => {
    const inside = c.truth[i] >= c.lo[i] && c.truth[i] <= c.hi[i];
    return [
      escapeHtml(c.parameter[i]),
      num(c.truth[i]),
      num(c.fitted[i]),
      `[${num(c.lo[i])}, ${num(c.hi[i])}]`,
      Number.isFinite(c.truth[i]) ? (inside ? 'yes' : '<strong>no</strong>') : '—',
    ];
  });
  return htmlTable(['parameter', 'truth', 'fitted', 'interval', 'truth inside'], rows);
}

function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 120_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${(ms / 60_000).toFixed(1)} min`;
}

/** Every environment value seen (the report's own and every upstream node's), per key: 'backend = cpu, wasm'. */
function environmentSummary(own: Record<string, string>, nodes: Lineage['nodes']): string {
  const values = new Map<string, Set<string>>();
  for (const env of [own, ...nodes.map((n) => n.environment)]) {
    for (const [k, v] of Object.entries(env)) values.set(k, (values.get(k) ?? new Set()).add(v));
  }
  return [...values.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, vs]) => `${k} = ${[...vs].sort().join(', ')}`)
    .join('; ');
}

function provenanceSection(p: ReportInput['provenance']): string {
  const env = escapeHtml(environmentSummary(p.environment, p.nodes));
  const nodes = [...p.nodes].sort((a, b) => a.experiment.localeCompare(b.experiment) || a.node.localeCompare(b.node));
  const total = nodes.reduce((sum, n) => sum + (Number.isFinite(n.durationMs) ? n.durationMs : 0), 0);
  const rows = nodes.map((n) => [
    escapeHtml(n.experiment),
    escapeHtml(n.node),
    escapeHtml(n.stage),
    `<code title="${escapeHtml(n.key)}">${escapeHtml(n.key.slice(0, 12))}</code>`,
    formatDuration(n.durationMs),
    escapeHtml(n.createdAt),
    escapeHtml(
      Object.entries(n.environment)
        .map(([k, v]) => `${k}=${v}`)
        .join(' '),
    ),
    `<details><summary>${Object.keys(n.params).length} parameter${Object.keys(n.params).length === 1 ? '' : 's'}</summary><pre>${escapeHtml(JSON.stringify(n.params, sortedKeys, 1))}</pre></details>`,
  ]);
  return [
    `<dl class="facts"><dt>code version</dt><dd><code>${escapeHtml(p.codeVersion)}</code></dd>`,
    `<dt>backend</dt><dd>${env || 'none declared (every stage upstream is backend-independent)'}</dd>`,
    p.runtime ? `<dt>runtime</dt><dd>${escapeHtml(p.runtime)}</dd>` : '',
    `<dt>stages upstream</dt><dd>${nodes.length} (total compute ${formatDuration(total)})</dd></dl>`,
    nodes.length > 0
      ? `<div class="provenance">${htmlTable(['experiment', 'node', 'stage', 'key', 'duration', 'created', 'environment', 'configuration'], rows, 99)}</div>`
      : NOT_RUN('no lineage recorded'),
  ].join('\n');
}

/** JSON.stringify replacer that sorts object keys, so the configuration reads the same every run. */
function sortedKeys(_key: string, value: unknown): unknown {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)));
  }
  return value;
}

const CSS = `
body { font-family: 'DejaVu Sans', 'Helvetica Neue', Arial, sans-serif; margin: 0 auto; max-width: 1500px; padding: 1.5rem 2rem; color: #222; background: #fff; line-height: 1.45; }
h1 { font-size: 1.7rem; margin-bottom: 0.2rem; } h2 { border-bottom: 1px solid #ddd; padding-bottom: 0.2rem; margin-top: 2.2rem; } h3 { margin-bottom: 0.3rem; }
.meta { color: #666; margin-top: 0; } nav ul { columns: 3; padding-left: 1.2rem; }
figure { margin: 1rem 0 2rem; } figure img { max-width: 100%; height: auto; border: 1px solid #eee; display: block; }
figcaption { color: #444; font-size: 0.92rem; margin-top: 0.4rem; max-width: 70rem; }
table { border-collapse: collapse; margin: 0.6rem 0 1.2rem; font-size: 0.9rem; } th, td { border-bottom: 1px solid #e3e3e3; padding: 0.25rem 0.7rem; text-align: left; vertical-align: top; }
th { background: #f4f4f4; } td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.not-run { color: #9a6700; background: #fff8e5; border-left: 4px solid #e0b000; padding: 0.4rem 0.8rem; }
pre { margin: 0.3rem 0; font-size: 0.8rem; white-space: pre-wrap; } code { font-size: 0.85rem; }
.provenance td { white-space: nowrap; } .provenance td:last-child { white-space: normal; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.2rem 1rem; } dl.facts dt { font-weight: bold; } dl.facts dd { margin: 0; }
`;

export function reportHtml(input: ReportInput): string {
  const figures = input.figures
    .map((f) => {
      const body = f.image
        ? `<img src="${dataUri(f.image.mime, f.image.bytes)}" alt="${escapeHtml(f.title)}"${f.image.displayWidth ? ` width="${Math.round(f.image.displayWidth)}"` : ''}>`
        : NOT_RUN(`the ${f.name} node produced no figure`);
      return `<section id="${escapeHtml(f.name)}"><h3>${escapeHtml(f.title)}</h3><figure>${body}<figcaption>${escapeHtml(f.caption)}</figcaption></figure></section>`;
    })
    .join('\n');
  const toc = input.figures.map((f) => `<li><a href="#${escapeHtml(f.name)}">${escapeHtml(f.title)}</a>${f.image ? '' : ' (not run)'}</li>`).join('');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(input.title)}</title>
<style>${CSS}</style>
</head>
<body>
<h1>${escapeHtml(input.title)}</h1>
<p class="meta">Results as of ${escapeHtml(input.generatedAt)} · code ${escapeHtml(input.provenance.codeVersion)}</p>
<nav><ul>${toc}<li><a href="#tables">Tables</a></li><li><a href="#provenance">Provenance</a></li></ul></nav>
<h2>Figures</h2>
${figures}
<h2 id="tables">Tables</h2>
${input.experiments.map(experimentTables).join('\n')}
${(input.images ?? []).map(imageTables).join('\n')}
<h2 id="provenance">Provenance</h2>
${provenanceSection(input.provenance)}
</body>
</html>
`;
}
