// scripts/compare-exports.ts finds every difference between two out/ directories that it should, and no other:
// tables written by the project's own Parquet encoder, then changed one value at a time.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeParquet } from '../../artifacts/table-io.ts';
import { compareExports } from '../../scripts/compare-exports.ts';

const SCHEMA = { t: 'f64', n: 'i32', name: 'utf8', x: 'f64[]', created_at: 'timestamp' } as const;
const tmp = mkdtempSync(join(tmpdir(), 'compare-exports-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function columns(over: Partial<{ t: number[]; n: number[]; name: string[]; x: number[]; at: number }> = {}) {
  return {
    t: Float64Array.from(over.t ?? [0.5, NaN, 1e-5]),
    n: Int32Array.from(over.n ?? [1, 2, 3]),
    name: over.name ?? ['a', 'b', 'c'],
    x: { values: Float64Array.from(over.x ?? [1, 2, 3, 4, 5, Infinity]), width: 2 },
    created_at: BigInt64Array.from([0n, 0n, 0n].map((v) => v + BigInt(over.at ?? 0))),
  };
}

let case_ = 0;
async function pair(a: Record<string, unknown>, b: Record<string, unknown> | undefined, path = 'exp/node/table.parquet'): Promise<[string, string]> {
  const root = join(tmp, String(case_++));
  for (const [side, cols] of [['a', a], ['b', b]] as const) {
    if (!cols) {
      mkdirSync(join(root, side), { recursive: true });
      continue;
    }
    const file = join(root, side, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, await encodeParquet(SCHEMA, cols));
  }
  return [join(root, 'a'), join(root, 'b')];
}

const ignored = new Set(['created_at']);
const differing = (r: Awaited<ReturnType<typeof compareExports>>[number]) => r.columns.filter((c) => c.differing > 0);

describe('compare-exports', () => {
  it('equal tables are identical, NaN against NaN included, and an ignored column may differ', async () => {
    const [a, b] = await pair(columns(), columns({ at: 12345 }));
    const [r] = await compareExports(a, b, ignored);
    expect(r.rows).toEqual([3, 3]);
    expect(r.problem).toBeUndefined();
    expect(differing(r)).toEqual([]);
    const [strict] = await compareExports(a, b, new Set());
    expect(differing(strict).map((c) => c.column)).toEqual(['created_at']);
  });

  it('a changed number is counted with its absolute difference; a changed string without one', async () => {
    const [a, b] = await pair(columns(), columns({ t: [0.5 + 2 ** -40, NaN, 1e-5], name: ['a', 'B', 'c'] }));
    const [r] = await compareExports(a, b, ignored);
    expect(differing(r)).toEqual([
      { column: 't', differing: 1, maxAbs: 2 ** -40 },
      { column: 'name', differing: 1, maxAbs: null },
    ]);
  });

  it('a list column is compared element by element, a NaN where a number was counts as a difference', async () => {
    const [a, b] = await pair(columns(), columns({ x: [1, 2, 3, 4.25, 5, Infinity], t: [0.5, 0.7, 1e-5] }));
    const [r] = await compareExports(a, b, ignored);
    expect(differing(r)).toEqual([
      { column: 't', differing: 1, maxAbs: 0 }, // NaN vs 0.7: differs, no finite difference
      { column: 'x', differing: 1, maxAbs: 0.25 },
    ]);
  });

  it('an integer column, row counts and a table on one side only', async () => {
    const [a, b] = await pair(columns(), columns({ n: [1, 2, 7] }));
    expect(differing((await compareExports(a, b, ignored))[0])).toEqual([{ column: 'n', differing: 1, maxAbs: 4 }]);
    const short = { t: Float64Array.from([0.5]), n: Int32Array.from([1]), name: ['a'], x: { values: Float64Array.from([1, 2]), width: 2 }, created_at: BigInt64Array.from([0n]) };
    const [c, d] = await pair(columns(), short);
    expect((await compareExports(c, d, ignored))[0]).toMatchObject({ rows: [3, 1], problem: 'row counts differ' });
    const [e, f] = await pair(columns(), undefined);
    expect(await compareExports(e, f, ignored)).toEqual([{ path: 'exp/node/table.parquet', rows: [3, null], problem: `only in ${e}`, columns: [] }]);
  });
});
