// The memorisation experiment through the command line at the smoke profile's sizes (d = 16, m = 6, 120 training
// steps): a plain run plans none of it, `--only memorisation` runs it, and its figure and Parquet table are
// published where DuckDB reads them. The smoke profile gives every data node n = 512; one slot is set back to
// n = 50, so the table holds two training-set sizes. --help and bad input for the stage's parameters.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';

const REPO = resolve(import.meta.dirname, '../..');
const work = mkdtempSync(join(tmpdir(), 'memorisation-e2e-'));
const store = join(work, 'store');
const out = join(work, 'out');

function pipeline(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, CI: '1', PIPELINE_NO_SYSTEM_DATA: '1' };
  delete env.PIPELINE_STORE;
  const child = spawn(process.execPath, ['--import', 'tsx', 'pipeline.ts', '--profile', 'smoke', '--store', store, '--out', out, ...args], { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((res) => child.on('close', (code) => res({ code, stdout, stderr })));
}

let run: { code: number | null; stdout: string; stderr: string };
beforeAll(async () => {
  run = await pipeline(['--only', 'memorisation', '--set', 'memorisation.data-n50.n_train=50', '--jobs', '2']);
}, 300_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the memorisation experiment', () => {
  it('is not part of a plain run', async () => {
    const plan = await pipeline(['--dry-run', '--json']);
    expect(plan.code).toBe(0);
    const entries = JSON.parse(plan.stdout) as Array<{ experiment: string; stage: string }>;
    expect(entries.length).toBeGreaterThan(20);
    expect(entries.filter((e) => e.experiment === 'memorisation' || e.stage === 'memorisation')).toEqual([]);
  });

  it('runs with --only memorisation and publishes its figure', () => {
    if (run.code !== 0) console.error(run.stderr.slice(-4000));
    expect(run.code).toBe(0);
    expect(run.stderr + run.stdout).toMatch(/0 failed/);
    expect(readFileSync(join(out, 'figures/memorisation.png')).subarray(1, 4).toString()).toBe('PNG');
    expect(readFileSync(join(out, 'figures/memorisation.svg'), 'utf8')).toMatch(/^<svg/);
    expect(JSON.parse(readFileSync(join(out, 'figures/memorisation.vl.json'), 'utf8')).$schema).toMatch(/vega-lite/);
  });

  it('publishes its table as Parquet that DuckDB reads: one row per n', async () => {
    const file = join(out, 'memorisation/memorisation/memorisation.parquet');
    expect(existsSync(file)).toBe(true);
    const conn = await (await DuckDBInstance.create(':memory:')).connect();
    const rows = (await conn.runAndReadAll(`select experiment, n, d, m, rank_bound, t, trained_dim, empirical_dim, t_c_theory from read_parquet('${file}') order by n`)).getRowObjectsJS();
    expect(rows.map((r) => r.n)).toEqual([50, 512]);
    for (const r of rows) {
      expect(r.experiment).toBe('memorisation');
      expect([r.d, r.m, r.rank_bound]).toEqual([16, 6, 6]);
      // Counts are read at the grid's smallest time, t = eps.
      expect(r.t).toBeCloseTo(1e-5, 12);
      expect(Number(r.trained_dim)).toBeGreaterThanOrEqual(0);
      expect(Number(r.empirical_dim)).toBeLessThanOrEqual(6);
    }
    // More samples: the theory's collapse comes later in generation (smaller t).
    expect(Number(rows[1].t_c_theory)).toBeLessThan(Number(rows[0].t_c_theory));
  });

  it('--help lists the stage\'s parameters and says the experiment runs on request', async () => {
    const help = await pipeline(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/memorisation\.min_fraction = 0\.5 \(stage default\)/);
    expect(help.stdout).toMatch(/memorisation \[on request: runs with --only memorisation\]: data-n50 \(data\)/);
  });

  it('explain shows an on-request node, which a plain plan leaves out', async () => {
    const explained = await pipeline(['explain', 'memorisation/memorisation']);
    expect(explained.code).toBe(0);
    expect(explained.stdout).toMatch(/^memorisation\/memorisation \(stage memorisation\): /m);
    expect(explained.stdout).toMatch(/trained_0 ← memorisation\/spectra-trained-n50\b/);
  });

  it('bad input stops before anything is written, naming the parameter, its value and what is allowed', async () => {
    const elsewhere = join(work, 'bad-store');
    const bad = await new Promise<{ code: number | null; stderr: string }>((res) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'pipeline.ts', '--store', elsewhere, '--out', join(work, 'bad-out'), '--only', 'memorisation', '--set', 'memorisation.min_fraction=2'], { cwd: REPO, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      child.on('close', (code) => res({ code, stderr }));
    });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/memorisation\.min_fraction = "2" \(from --set\): out of range: allowed a number in \(0, 1\]/);
    expect(existsSync(elsewhere)).toBe(false);
    expect(existsSync(join(work, 'bad-out'))).toBe(false);
  });
});
