// Every column type of the table model, written by our Parquet encoder and read back by two outside
// readers, DuckDB and polars, value for value: FixedSizeList vectors, exact 64-bit integers and UTC
// timestamps included. The smoke end-to-end test does the same for every file a real run exports.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import pl from 'nodejs-polars';
import { decodeParquet, encodeParquet } from '../../artifacts/table-io.ts';

const SCHEMA = {
  f64: 'f64',
  f32: 'f32',
  i32: 'i32',
  i64: 'i64',
  at: 'timestamp',
  s: 'utf8',
  b: 'bool',
  v64: 'f64[]',
  v32: 'f32[]',
} as const;

// 2^53 + 1 is not a float64: an integer column that went through a double would lose it.
const BIG = 2n ** 53n + 1n;
const AT = [Date.parse('2026-12-01T20:54:56.123Z'), Date.parse('1999-01-01T00:00:00Z'), 0];
const columns = {
  f64: Float64Array.from([0.1, -2.5e-300, Math.PI]),
  f32: Float32Array.from([1.5, -0.25, 3e38]),
  i32: Int32Array.from([1, -2, 2147483647]),
  i64: BigInt64Array.from([BIG, -1n, 0n]),
  at: BigInt64Array.from(AT, (t) => BigInt(t)),
  s: ['a', 'é—ü', ''],
  b: [true, false, true],
  v64: { values: Float64Array.from([1, 2, 3, 4, 5, 6]), width: 2 },
  v32: { values: Float32Array.from([0.5, 0.25, 0.125]), width: 1 },
};

const dir = mkdtempSync(join(tmpdir(), 'outside-readers-'));
const file = join(dir, 't.parquet');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function writeTable(): Promise<Uint8Array> {
  const bytes = await encodeParquet(SCHEMA, columns);
  writeFileSync(file, bytes);
  return bytes;
}

describe('Parquet written by the table model', () => {
  it('decodes to the same typed columns', async () => {
    const t = await decodeParquet(SCHEMA, await writeTable());
    expect(t.numRows).toBe(3);
    expect(t.columns.i64).toEqual(columns.i64);
    expect(t.columns.at).toEqual(columns.at);
    expect(Array.from(t.columns.f64 as Float64Array)).toEqual(Array.from(columns.f64));
    expect((t.columns.v64 as { width: number }).width).toBe(2);
  });

  it('DuckDB reads every type, with BIGINT integers and UTC timestamps', async () => {
    await writeTable();
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    const types = (await conn.runAndReadAll(`select column_name, column_type from (describe select * from read_parquet('${file}'))`)).getRowObjectsJS();
    const typeOf = Object.fromEntries(types.map((r) => [r.column_name, r.column_type]));
    expect(typeOf).toMatchObject({ f64: 'DOUBLE', f32: 'FLOAT', i32: 'INTEGER', i64: 'BIGINT', at: 'TIMESTAMP WITH TIME ZONE', s: 'VARCHAR', b: 'BOOLEAN', v64: 'DOUBLE[]', v32: 'FLOAT[]' });
    // Parquet has no fixed-size list: DuckDB sees a list; the width survives in each row's length.
    const rows = (await conn.runAndReadAll(`select i64::VARCHAR as i64, epoch_ms("at") as ms, s, v64[2] as v2 from read_parquet('${file}')`)).getRowObjectsJS();
    expect(rows.map((r) => r.i64)).toEqual([BIG.toString(), '-1', '0']);
    expect(rows.map((r) => Number(r.ms))).toEqual(AT);
    expect(rows.map((r) => r.s)).toEqual(columns.s);
    expect(rows.map((r) => r.v2)).toEqual([2, 4, 6]);
  });

  it('polars reads every type, with Int64 integers, UTC datetimes and fixed-size lists', async () => {
    await writeTable();
    const df = pl.readParquet(file);
    const dtypes = Object.fromEntries(df.columns.map((c, i) => [c, String(df.dtypes[i])]));
    expect(dtypes.i64).toMatch(/Int64/);
    expect(dtypes.at).toMatch(/Datetime/);
    expect(dtypes.v64).toMatch(/Array|List/);
    expect(df.getColumn('i64').cast(pl.Utf8).toArray()).toEqual([BIG.toString(), '-1', '0']);
    expect(df.getColumn('at').cast(pl.Int64).toArray().map(Number)).toEqual(AT);
    expect(df.getColumn('s').toArray()).toEqual(columns.s);
    expect(df.getColumn('b').toArray()).toEqual(columns.b);
    expect(df.getColumn('f32').toArray()).toEqual(Array.from(columns.f32));
    const v64 = df.getColumn('v64').toArray().map((r) => Array.from(r as Iterable<number>));
    expect(v64).toEqual([[1, 2], [3, 4], [5, 6]]);
  });
});
