// The store under concurrency and maintenance, sweeps, and the no-heavy-imports rule for stage modules.
import { describe, expect, it, afterAll } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { makeToyProject } from '../fixtures/toy-project.ts';
import { heavyStaticImports } from '../../cache/import-graph.ts';

const toy = makeToyProject();
afterAll(() => toy.cleanup());
const counts = () => {
  const c: Record<string, number> = {};
  for (const line of toy.computations()) c[line.split(' ')[0]] = (c[line.split(' ')[0]] ?? 0) + 1;
  return c;
};
interface Row { stage: string; node: string; experiment: string; key: string | null; action: 'run' | 'cached'; reasons: string[] }

describe('store, sweep, gc', () => {
  it('two concurrent processes on one store compute each stage once and both succeed', async () => {
    const env = { TOY_SLOW_MS: '1500' };
    const only = ['--only', 'toy/sum', '--only', 'toy/slow'];
    const [a, b] = await Promise.all([toy.run(only, env), toy.run(only, env)]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    expect(counts()).toEqual({ numbers: 1, sum: 1, slow: 1 });
    const verify = await toy.run(['verify']);
    expect(verify.stdout).toMatch(/verified 3 artifacts .*: 0 corrupt/);
  });

  it('a stage declaring 2 cpu slots does not run beside another stage when --jobs is 2', async () => {
    const file = join(toy.root, 'intervals.txt');
    const r = await toy.run(['--only', 'wide', '--jobs', '2'], { TOY_INTERVALS: file });
    expect(r.code, r.stderr).toBe(0);
    const at: Record<string, number> = {};
    for (const line of readFileSync(file, 'utf8').trim().split('\n')) {
      const [tag, what, t] = line.split(' ');
      at[`${tag} ${what}`] = Number(t);
    }
    const disjoint = at['wide end'] <= at['narrow start'] || at['narrow end'] <= at['wide start'];
    expect(disjoint).toBe(true);
  });

  it('a sweep fans out the affected experiment, one per value, sharing unchanged upstream nodes', async () => {
    const dry = await toy.run(['--only', 'toy/sum', '--sweep', 'toy.sum.offset=10,20', '--dry-run', '--json']);
    expect(dry.code, dry.stderr).toBe(0);
    const rows = JSON.parse(dry.stdout) as Row[];
    const byName = new Map(rows.map((r) => [`${r.experiment}/${r.node}`, r]));
    const n10 = byName.get('toy[toy.sum.offset=10]/numbers')!;
    const n20 = byName.get('toy[toy.sum.offset=20]/numbers')!;
    expect(n10.key).toBe(n20.key); // the shared upstream: one computation
    expect(n10.action).toBe('cached');
    expect(byName.get('toy[toy.sum.offset=10]/sum')!.action).toBe('run');
    const before = counts();
    const r = await toy.run(['--only', 'toy/sum', '--sweep', 'toy.sum.offset=10,20']);
    expect(r.code, r.stderr).toBe(0);
    expect(counts()).toEqual({ ...before, sum: before.sum + 2 });
    const total = (e: string) => (JSON.parse(readFileSync(join(toy.out, e, 'sum/toy/summary.json'), 'utf8')) as { total: number }).total;
    expect(total('toy[toy.sum.offset=10]')).toBe(20);
    expect(total('toy[toy.sum.offset=20]')).toBe(30);
  });

  it('explain shows the fingerprint fields, the code files, inputs and the diff with the previous fingerprint', async () => {
    const r = await toy.run(['explain', 'toy/sum', '--set', 'toy.sum.offset=3']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/toy\/sum \(stage sum\): run, key [0-9a-f]{64}/);
    expect(r.stdout).toMatch(/test\/fixtures\/stages\/sum\.ts [0-9a-f]{16}/);
    expect(r.stdout).toMatch(/test\/fixtures\/stages\/lib\/arith\.ts/);
    expect(r.stdout).toMatch(/core\/stage\.ts/);
    expect(r.stdout).toMatch(/packages: yaml@/);
    expect(r.stdout).toMatch(/values ← toy\/numbers[^\n]*\.values [0-9a-f]{16}/);
    expect(r.stdout).toMatch(/- parameter offset changed from \d+ to 3/);
  });
  it('gc removes what the last N runs and pinned runs do not reach, reports bytes freed, keeps pinned runs', async () => {
    const runs = () => readdirSync(join(toy.store, 'runs')).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)).sort();
    const sweepRun = runs().at(-1)!;
    expect((await toy.run(['pin', sweepRun])).code).toBe(0);
    const other = await toy.run(['--only', 'toy/sum', '--set', 'toy.sum.offset=5']);
    expect(other.code, other.stderr).toBe(0);
    const last = await toy.run(['--only', 'toy/parity']);
    expect(last.code).toBe(0);
    const gc = await toy.run(['gc', '--keep', '1']);
    expect(gc.code).toBe(0);
    const freed = Number(/freed (\d+) bytes/.exec(gc.stdout)![1]);
    expect(freed).toBeGreaterThan(0);
    // The pinned sweep is intact; the offset=5 sum (unpinned, not in the last run) is gone.
    const pinned = JSON.parse((await toy.run(['--only', 'toy/sum', '--sweep', 'toy.sum.offset=10,20', '--dry-run', '--json'])).stdout) as Row[];
    expect(pinned.every((r) => r.action === 'cached')).toBe(true);
    const gone = JSON.parse((await toy.run(['--only', 'toy/sum', '--set', 'toy.sum.offset=5', '--dry-run', '--json'])).stdout) as Row[];
    expect(gone.find((r) => r.node === 'sum')).toMatchObject({ action: 'run', reasons: [expect.stringMatching(/no longer in the store/)] });
    expect((await toy.run(['unpin', sweepRun])).code).toBe(0);
    const gc2 = await toy.run(['gc', '--keep', '1']);
    expect(Number(/freed (\d+) bytes/.exec(gc2.stdout)![1])).toBeGreaterThan(0);
  });

});

describe('no heavy imports in the parent', () => {
  it('flags a stage module that imports a heavy package statically (through a local module), not dynamic or type imports', () => {
    const stages = resolve(import.meta.dirname, '../fixtures/stages');
    const bad = heavyStaticImports(join(stages, 'heavy-at-top.ts'));
    expect(bad.map((b) => b.pkg)).toEqual(['parquet-wasm']);
    expect(bad[0].chain.at(-1)).toMatch(/lib\/heavy-lib\.ts$/);
    for (const ok of ['numbers.ts', 'sum.ts', 'parity.ts', 'slow.ts', 'fail.ts']) expect(heavyStaticImports(join(stages, ok))).toEqual([]);
  });

});
