// The real DAG, end to end, at the smoke profile's sizes: every stage runs in its own child process,
// every table lands in Parquet that DuckDB reads, the report opens in a real browser, a no-op re-run
// computes nothing, and changing a plotting parameter re-plans only the plot and report nodes.
// System-wide datasets are switched off (PIPELINE_NO_SYSTEM_DATA), as on a fresh machine: the default
// profiles must need nothing outside the project and npm.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import pl from 'nodejs-polars';
import { clusterRequired, probeCluster } from '../support/slurm.ts';
import { declareDag } from '../../engine/dag.ts';
import { FIGURES_EXPERIMENT } from '../../config/figures.ts';
import { spec } from '../../pipeline.ts';
import report, { FIGURES, TABLE_SOURCES } from '../../stages/report.ts';

const REPO = resolve(import.meta.dirname, '../..');
const work = mkdtempSync(join(tmpdir(), 'smoke-e2e-'));
const store = join(work, 'store');
const out = join(work, 'out');

function pipeline(args: string[], where = { store, out }): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, CI: '1', PIPELINE_NO_SYSTEM_DATA: '1' };
  delete env.PIPELINE_STORE;
  const child = spawn(process.execPath, ['--import', 'tsx', 'pipeline.ts', '--profile', 'smoke', '--store', where.store, '--out', where.out, ...args], {
    cwd: REPO,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((res) => child.on('close', (code) => res({ code, stdout, stderr })));
}

interface PlanEntry {
  stage: string;
  node: string;
  experiment: string;
  action: 'run' | 'cached';
  reasons: string[];
}

async function query(sql: string): Promise<Record<string, unknown>[]> {
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  const reader = await conn.runAndReadAll(sql);
  return reader.getRowObjectsJS() as Record<string, unknown>[];
}

/** Every upstream output a figure or the report reads, as '<experiment>/<node>.<output>', in experiments this DAG declares. */
const declared = new Set(declareDag(spec).nodes.map((n) => n.experiment));
const sources = [...new Set([...FIGURES.flatMap((f) => Object.values(f.sources) as string[]), ...Object.values(TABLE_SOURCES)])].filter((s) =>
  declared.has(s.slice(0, s.indexOf('/'))),
);
/** What the figures experiment publishes under out/: each figure's and the report's declared publish paths. */
const published = [...FIGURES.map((f) => f.stage), report].flatMap((stage) =>
  Object.values(stage.outputs as Record<string, { publish?: string }>).flatMap((o) => (o.publish ? [{ stage: stage.name, path: o.publish }] : [])),
);

let first: { code: number | null; stdout: string; stderr: string };

beforeAll(async () => {
  first = await pipeline([]);
}, 900_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('smoke profile of the paper DAG', () => {
  it('runs every node and exits 0', () => {
    if (first.code !== 0) console.error(first.stdout.slice(-4000), first.stderr.slice(-4000));
    expect(first.code).toBe(0);
    expect(first.stdout + first.stderr).toMatch(/0 failed/);
  });

  it('publishes Parquet that DuckDB reads, and a catalog that lists it', async () => {
    const catalog = join(out, 'catalog.parquet');
    const rows = await query(`select experiment, stage, artifact, path, rows from read_parquet('${catalog}')`);
    const listed = new Set(rows.map((r) => relative(out, resolve(REPO, String(r.path)))));
    // Every table a figure or the report reads is exported where its source names it.
    expect(sources.length).toBeGreaterThan(20);
    for (const source of sources) {
      const [, experiment, node, output] = /^([^/]+)\/([^.]+)\.(.+)$/.exec(source)!;
      expect(listed.has(`${experiment}/${node}/${output}.parquet`), `catalog lists ${source}`).toBe(true);
    }
    // The trained spectra of fig3-left: the smoke profile's d = 16, so 16 ranks per (method, point, time).
    const spectra = rows.find((r) => r.experiment === 'fig3-left' && String(r.path).endsWith('fig3-left/spectra-trained/spectra.parquet'));
    expect(spectra).toBeDefined();
    const file = join(out, 'fig3-left/spectra-trained/spectra.parquet');
    const [stats] = await query(
      `select count(*)::INTEGER as n, count(distinct rank)::INTEGER as ranks, min(experiment) as e from read_parquet('${file}')`,
    );
    expect(stats.n).toBe(Number(spectra!.rows));
    expect(stats.ranks).toBe(16);
    expect(stats.e).toBe('fig3-left');
    // The analytic score's spectrum has exactly d − m = 10 eigenvalues at −1 for every (t, point).
    const analytic = join(out, 'fig3-left/spectra-analytic/spectra.parquet');
    const atMinusOne = await query(
      `select t, point, sum(case when abs(eig + 1) < 1e-9 then 1 else 0 end)::INTEGER as k from read_parquet('${analytic}') group by t, point`,
    );
    expect(atMinusOne.length).toBeGreaterThan(0);
    for (const r of atMinusOne) expect(r.k).toBe(10);
    // The exact empirical score of the MNIST images memorises at the smallest t: every eigenvalue at −1.
    const empirical = join(out, 'mnist/spectra-images-empirical/spectra.parquet');
    const [memorised] = await query(
      `select count(*)::INTEGER as n, sum(case when abs(eig + 1) < 1e-9 then 1 else 0 end)::INTEGER as k from read_parquet('${empirical}') where t = (select min(t) from read_parquet('${empirical}'))`,
    );
    expect(memorised.n).toBeGreaterThan(0);
    expect(memorised.k).toBe(memorised.n);
  });

  it('polars reads every exported Parquet file, and the catalog types say what they hold', async () => {
    const catalog = pl.readParquet(join(out, 'catalog.parquet'));
    const dtype = (c: string) => String(catalog.dtypes[catalog.columns.indexOf(c)]);
    expect(dtype('bytes')).toMatch(/Int64/);
    expect(dtype('created_at')).toMatch(/Datetime/);
    const rows = catalog.toRecords() as { path: string; rows: number; bytes: bigint | number }[];
    const tables = rows.filter((r) => r.path.endsWith('.parquet'));
    expect(tables.length).toBeGreaterThan(40);
    let lists = 0;
    for (const r of tables) {
      const file = resolve(REPO, r.path);
      const df = pl.readParquet(file);
      expect(df.shape.height, r.path).toBe(Number(r.rows));
      expect(readFileSync(file).length, r.path).toBe(Number(r.bytes));
      lists += df.dtypes.filter((t) => /Array|List/.test(String(t))).length;
      const [duck] = await query(`select count(*)::INTEGER as n from read_parquet('${file}')`);
      expect(duck.n, r.path).toBe(df.shape.height);
    }
    expect(lists, 'vector columns (samples, images, trajectories) among the exports').toBeGreaterThan(0);
  });

  it('publishes every figure entry\'s files and the report, and the catalog lists them', async () => {
    const rows = await query(`select experiment, stage, path from read_parquet('${join(out, 'catalog.parquet')}') where experiment = '${FIGURES_EXPERIMENT}'`);
    const listed = rows.map((r) => `${r.stage} ${relative(out, resolve(REPO, String(r.path)))}`).sort();
    expect(listed).toEqual(published.map((p) => `${p.stage} ${p.path}`).sort());
    for (const { path } of published) {
      const bytes = readFileSync(join(out, path));
      if (path.endsWith('.png')) expect(bytes.subarray(1, 4).toString(), path).toBe('PNG');
      if (path.endsWith('.svg')) expect(bytes.toString('utf8', 0, 4), path).toBe('<svg');
      if (path.endsWith('.vl.json')) expect(JSON.parse(bytes.toString()).$schema, path).toMatch(/vega-lite/);
    }
  });

  it('shows every figure in the report, in the entries\' order, as an inline image', () => {
    const html = readFileSync(join(out, 'report/index.html'), 'utf8');
    expect(html).not.toMatch(/<(img|script|link)[^>]+(src|href)="https?:/);
    const slots = [...html.matchAll(/<section id="([^"]+)"><h3>[^<]*<\/h3><figure><img src="data:image\/png;base64,/g)].map((m) => m[1]);
    expect(slots).toEqual(FIGURES.map((f) => f.stage.name));
  });

  it('a no-op re-run computes nothing', async () => {
    const again = await pipeline([]);
    expect(again.code).toBe(0);
    expect(again.stdout + again.stderr).toMatch(/ 0 computed/);
  });

  it('changing a plotting parameter re-plans only plot and report nodes', async () => {
    const figure = FIGURES[1].stage.name;
    const plan = await pipeline(['--set', `${figure}.width=420`, '--dry-run', '--json']);
    expect(plan.code).toBe(0);
    const entries = JSON.parse(plan.stdout) as PlanEntry[];
    const toRun = entries.filter((e) => e.action === 'run').map((e) => `${e.experiment}/${e.node}`);
    expect(toRun).toEqual([`${FIGURES_EXPERIMENT}/${figure}`, `${FIGURES_EXPERIMENT}/${report.name}`]);
    const changed = entries.find((e) => e.node === figure)!;
    expect(changed.reasons.join(' ')).toMatch(/width/);
  });
});

// The same DAG as one Slurm job per node (scripts/slurm-cluster.sh start), into a store of its own: every
// exported table must hold the same rows as the local run's. Skipped with the reason when no cluster answers,
// required under CI=true.
const cluster = probeCluster();
describe.skipIf(!cluster.ok && !clusterRequired)(`the smoke DAG on Slurm${cluster.ok ? '' : ` (skipped: ${cluster.why})`}`, () => {
  const onSlurm = { store: join(work, 'slurm-store'), out: join(work, 'slurm-out') };
  let run: { code: number | null; stdout: string; stderr: string };
  beforeAll(async () => {
    run = await pipeline(['--executor', 'slurm'], onSlurm);
  }, 900_000);

  it('gives exported tables identical to the local run, as DuckDB reads them', async () => {
    if (run.code !== 0) console.error(run.stderr.slice(-4000));
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/ 0 failed/);
    // The catalog's paths are relative to the project: compare them relative to each out/.
    const tables = async (dir: string) =>
      (await query(`select path, rows from read_parquet('${join(dir, 'catalog.parquet')}') where path like '%.parquet'`))
        .map((r) => ({ table: relative(dir, resolve(REPO, String(r.path))), rows: Number(r.rows) }))
        .sort((x, y) => x.table.localeCompare(y.table));
    const local = await tables(out);
    expect(await tables(onSlurm.out)).toEqual(local);
    expect(local.length).toBeGreaterThan(20);
    const conn = await (await DuckDBInstance.create(':memory:')).connect();
    for (const { table } of local) {
      const a = `read_parquet('${join(out, table)}')`;
      const b = `read_parquet('${join(onSlurm.out, table)}')`;
      const [d] = (await conn.runAndReadAll(`select (select count(*) from (select * from ${a} except all select * from ${b}))::INTEGER as only_local, (select count(*) from (select * from ${b} except all select * from ${a}))::INTEGER as only_slurm`)).getRowObjectsJS();
      expect(d, table).toEqual({ only_local: 0, only_slurm: 0 });
    }
  });
});
