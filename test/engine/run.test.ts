// End to end through a real process: first run, no-op run, what DuckDB sees in out/, dry-run reasons for each
// cause of invalidation (parameter, transitively imported source file, locked package version, environment),
// and early cutoff (an upstream re-run with identical bytes leaves its consumer cached).
import { describe, expect, it, afterAll } from 'vitest';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { makeToyProject } from '../fixtures/toy-project.ts';

const toy = makeToyProject();
afterAll(() => toy.cleanup());
const ONLY = ['--only', 'toy', '--only', 'other'];

interface Row { stage: string; node: string; experiment: string; key: string | null; action: 'run' | 'cached'; reasons: string[] }
async function plan(args: string[], env?: Record<string, string>): Promise<Map<string, Row>> {
  const r = await toy.run([...ONLY, '--dry-run', '--json', ...args], env);
  expect(r.code, r.stderr).toBe(0);
  return new Map((JSON.parse(r.stdout) as Row[]).map((row) => [`${row.experiment}/${row.node}`, row]));
}
const counts = () => {
  const c: Record<string, number> = {};
  for (const line of toy.computations()) c[line.split(' ')[0]] = (c[line.split(' ')[0]] ?? 0) + 1;
  return c;
};

describe('a toy pipeline through real processes', () => {
  it('first run computes every node once (shared nodes once), a no-op run computes nothing', async () => {
    const first = await toy.run(ONLY);
    expect(first.code, first.stderr).toBe(0);
    // toy/sum and other/sum-shifted differ (offset), numbers is shared by both experiments.
    expect(counts()).toEqual({ numbers: 1, sum: 3, parity: 1, slow: 1 });
    const again = await toy.run(ONLY);
    expect(again.code, again.stderr).toBe(0);
    expect(counts()).toEqual({ numbers: 1, sum: 3, parity: 1, slow: 1 });
    expect(again.stderr).toMatch(/cached\s+toy\/numbers/);
    const p = await plan([]);
    expect([...p.values()].every((r) => r.action === 'cached' && r.key?.length === 64)).toBe(true);
    // Three sum nodes claim the publish path toy/summary.json, so each is published under its own node folder.
    const summary = JSON.parse(readFileSync(join(toy.out, 'toy/sum/toy/summary.json'), 'utf8')) as { total: number };
    expect(summary.total).toBe(0 + 1 + 2 + 3 + 4);
  });

  it('a no-op run loads neither parquet-wasm, apache-arrow, execa, p-queue nor the stages\' run-time packages', async () => {
    const trace = join(toy.root, 'imports.txt');
    const r = await toy.start(ONLY, { TRACE_IMPORTS: trace }, ['--import', './test/fixtures/trace-imports.mjs']).done;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/start\s/); // fully cached
    const loaded = readFileSync(trace, 'utf8');
    expect(loaded).toMatch(/cli\/index\.ts/); // the trace works
    for (const heavy of ['parquet-wasm', 'apache-arrow', 'execa', '/yaml/', 'p-queue']) expect(loaded).not.toContain(`node_modules/${heavy.replace(/\//g, '')}`);
  });

  it('PIPELINE_STORE moves the store (and a dry-run there writes nothing)', async () => {
    const elsewhere = join(toy.root, 'elsewhere');
    const p = await plan([], { PIPELINE_STORE: elsewhere });
    expect([...p.values()].every((r) => r.action === 'run')).toBe(true);
    expect(p.get('toy/numbers')!.reasons).toEqual(['no previous artifact']);
    expect(existsSync(elsewhere)).toBe(false);
  });

  it('DuckDB reads the exported tables (experiment column first, list column as DOUBLE[]) and the catalog', async () => {
    const db = await DuckDBInstance.create(':memory:');
    const con = await db.connect();
    const values = join(toy.out, 'toy/numbers/values.parquet');
    const desc = await con.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${values}')`);
    const types = Object.fromEntries(desc.getRowObjects().map((r) => [String(r.column_name), String(r.column_type)]));
    expect(Object.keys(types)[0]).toBe('experiment');
    expect(types).toMatchObject({ experiment: 'VARCHAR', i: 'INTEGER', v: 'DOUBLE', label: 'VARCHAR', ok: 'BOOLEAN' });
    expect(types.vec).toMatch(/^DOUBLE\[(3)?\]$/);
    const rows = (await con.runAndReadAll(`SELECT experiment, i, v, vec[2] AS v2, len(vec) AS w FROM read_parquet('${values}') ORDER BY i`)).getRowObjects();
    expect(rows).toHaveLength(5);
    expect(rows.map((r) => Number(r.i))).toEqual([0, 1, 2, 3, 4]);
    expect(rows.every((r) => r.experiment === 'toy' && Number(r.w) === 3 && Number(r.v2) === Number(r.v))).toBe(true);
    // The same artifact exported under the other experiment says so in its experiment column.
    const shifted = (await con.runAndReadAll(`SELECT experiment, total FROM read_parquet('${join(toy.out, 'other/sum-shifted/total.parquet')}')`)).getRowObjects();
    expect(shifted).toEqual([{ experiment: 'other', total: 11 }]);
    const catalog = (await con.runAndReadAll(`SELECT * FROM read_parquet('${join(toy.out, 'catalog.parquet')}') ORDER BY path`)).getRowObjects();
    // 5 table nodes' tables (numbers, parity, slow, 3 sums) + 3 published summaries (one path per node, claimed twice or more)
    expect(catalog).toHaveLength(9);
    const numbersRow = catalog.find((r) => r.path === 'out/toy/numbers/values.parquet')!;
    expect(numbersRow).toMatchObject({ experiment: 'toy', stage: 'numbers', artifact: 'values', rows: 5 });
    expect(JSON.parse(String(numbersRow.params_json))).toEqual({ mode: 'plain', n: 5, scale: 1 });
    expect(String(numbersRow.key)).toMatch(/^[0-9a-f]{64}$/);
    const ctypes = (await con.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${join(toy.out, 'catalog.parquet')}')`)).getRowObjects();
    expect(Object.fromEntries(ctypes.map((r) => [r.column_name, r.column_type]))).toMatchObject({ rows: 'INTEGER', bytes: 'BIGINT', created_at: 'TIMESTAMP WITH TIME ZONE', path: 'VARCHAR' });
  });

  it('dry-run names a changed parameter with old and new value, as text and as JSON', async () => {
    const text = await toy.run([...ONLY, '--dry-run', '--set', 'numbers.n=7']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/run\s+toy\/numbers \(numbers\)[^\n]*\n\s+- parameter n changed from 5 to 7/);
    expect(text.stdout).toMatch(/run\s+toy\/sum \(sum\)\n\s+- input values will be recomputed/);
    expect(text.stdout).toMatch(/cached toy\/parity/);
    const p = await plan(['--set', 'numbers.n=7']);
    expect(p.get('toy/numbers')).toMatchObject({ action: 'run', reasons: ['parameter n changed from 5 to 7'] });
    expect(p.get('other/sum-shifted')).toMatchObject({ action: 'run', key: null });
    expect(p.get('toy/slow')!.action).toBe('cached');
  });

  it('editing a transitively imported source file invalidates exactly the stages importing it', async () => {
    const arith = join(toy.root, 'test/fixtures/stages/lib/arith.ts');
    const original = readFileSync(arith, 'utf8');
    writeFileSync(arith, `${original}\n// an edit\n`);
    try {
      const p = await plan([]);
      for (const n of ['toy/sum', 'toy/sum-parity', 'other/sum-shifted']) {
        expect(p.get(n)).toMatchObject({ action: 'run', reasons: ['source file test/fixtures/stages/lib/arith.ts changed'] });
      }
      for (const n of ['toy/numbers', 'toy/parity', 'toy/slow']) expect(p.get(n)!.action).toBe('cached');
    } finally {
      writeFileSync(arith, original);
    }
  });

  it('a locked package version change invalidates only stages whose modules import that package', async () => {
    const lockPath = join(toy.root, 'package-lock.json');
    const original = readFileSync(lockPath, 'utf8');
    const lock = JSON.parse(original) as { packages: Record<string, { version: string }> };
    const was = lock.packages['node_modules/yaml'].version;
    lock.packages['node_modules/yaml'].version = '99.0.0';
    writeFileSync(lockPath, JSON.stringify(lock));
    try {
      const p = await plan([]);
      // sum imports yaml dynamically inside run: still in its import graph.
      expect(p.get('toy/sum')).toMatchObject({ action: 'run', reasons: [`package yaml changed from ${was} to 99.0.0`] });
      expect(p.get('toy/numbers')!.action).toBe('cached');
    } finally {
      writeFileSync(lockPath, original);
    }
  });

  it('a changed environment (backend) invalidates the stages declaring it', async () => {
    const p = await plan([], { TOY_BACKEND: 'wasm' });
    expect(p.get('toy/numbers')).toMatchObject({ action: 'run', reasons: ['environment backend changed from "cpu" to "wasm"'] });
    expect(p.get('toy/parity')!.action).toBe('cached');
  });

  it('early cutoff: an upstream re-run that produces identical bytes leaves its consumer cached', async () => {
    const before = counts();
    const p = await plan(['--set', 'toy.parity.n=6']);
    expect(p.get('toy/parity')).toMatchObject({ action: 'run', reasons: ['parameter n changed from 4 to 6'] });
    expect(p.get('toy/sum-parity')!.reasons[0]).toMatch(/input values will be recomputed/);
    const r = await toy.run(['--only', 'toy/sum-parity', '--set', 'toy.parity.n=6']);
    expect(r.code, r.stderr).toBe(0);
    expect(counts()).toEqual({ ...before, parity: before.parity + 1 });
    expect(r.stderr).toMatch(/cached\s+toy\/sum-parity/);
  });

  it('--force recomputes a cached node, --only restricts to a node and its upstream', async () => {
    const before = counts();
    const r = await toy.run(['--only', 'toy/sum', '--force', 'sum']);
    expect(r.code, r.stderr).toBe(0);
    // --only toy/sum keeps numbers (cached) and sum; --force sum recomputes only the selected sum.
    expect(counts()).toEqual({ ...before, sum: before.sum + 1 });
  });

  it('theory delegates to theory/calculator.ts runTheoryCommand(argv), loaded only for that command', async () => {
    const missing = await toy.run(['theory', 'edges']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/theory calculator \(theory\/calculator\.ts\) is not available/);
    mkdirSync(join(toy.root, 'theory'), { recursive: true });
    writeFileSync(
      join(toy.root, 'theory/calculator.ts'),
      `export async function runTheoryCommand(argv: string[]) { console.log('THEORY ' + JSON.stringify(argv)); return 7; }\n`,
    );
    const r = await toy.run(['theory', 'edges', '--alpha', '0.5']);
    expect(r.code).toBe(7);
    expect(r.stdout).toContain('THEORY ["edges","--alpha","0.5"]');
  });
});
