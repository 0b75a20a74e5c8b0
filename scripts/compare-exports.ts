// Compare every exported Parquet table under two out/ directories with DuckDB, row by row in file order:
// for each table, the row counts and, per column, how many rows differ and the largest absolute difference of
// the numbers (list columns element by element, non-finite values compared for equality only). It is the check
// of the invariant that a change of code leaves the science alone: two runs of one profile from empty stores,
// before and after, export identical tables.
//
//   npx tsx scripts/compare-exports.ts OUT_A OUT_B [--ignore COLUMN]...
//
// Ignored by default, because they differ between any two runs: created_at and run_id (when and which run),
// key (the fingerprint, which hashes the code), and the catalog's sha256 and bytes (the exported files
// themselves are compared here value by value). The catalog's path is relative to the project root, so two runs
// exported with different --out directories differ there: add --ignore path. Exit code 0 when every table is identical, 1 when one differs
// or exists on one side only, 2 on bad arguments.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';

const DEFAULT_IGNORED = ['created_at', 'run_id', 'key', 'sha256', 'bytes'];
const NUMERIC = /^(DOUBLE|FLOAT|REAL|INTEGER|BIGINT|SMALLINT|TINYINT|HUGEINT|UBIGINT|UINTEGER|DECIMAL.*)$/;
const NUMERIC_LIST = /^(DOUBLE|FLOAT|REAL|INTEGER|BIGINT)\[\d*\]$/;

interface ColumnResult {
  column: string;
  differing: number;
  maxAbs: number | null;
}
interface TableResult {
  path: string;
  rows: [number | null, number | null];
  problem?: string;
  columns: ColumnResult[];
}

function parquetFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.parquet')) out.push(relative(root, p));
    }
  };
  walk(root);
  return out.sort();
}

const literal = (s: string) => `'${s.replaceAll("'", "''")}'`;
const ident = (s: string) => `"${s.replaceAll('"', '""')}"`;

async function columnTypes(conn: DuckDBConnection, file: string): Promise<Map<string, string>> {
  const rows = (await conn.runAndReadAll(`describe select * from read_parquet(${literal(file)})`)).getRowObjectsJS();
  return new Map(rows.map((r) => [String(r.column_name), String(r.column_type)]));
}

async function rowCount(conn: DuckDBConnection, file: string): Promise<number> {
  const r = (await conn.runAndReadAll(`select count(*)::DOUBLE as n from read_parquet(${literal(file)})`)).getRowObjectsJS();
  return Number(r[0].n);
}

/** Per column: rows whose values differ (NaN equals NaN) and, for numbers, the largest finite |a − b|. */
function aggregates(column: string, type: string, k: number): string {
  const a = `a.${ident(column)}`;
  const b = `b.${ident(column)}`;
  const differing = `count(*) filter (where ${a} is distinct from ${b})::DOUBLE as d${k}`;
  if (NUMERIC.test(type)) {
    return `${differing}, max(abs(${a}::DOUBLE - ${b}::DOUBLE)) filter (where isfinite(${a}::DOUBLE) and isfinite(${b}::DOUBLE)) as m${k}`;
  }
  if (NUMERIC_LIST.test(type)) {
    const pairs = `list_filter(list_zip(${a}, ${b}), z -> isfinite(z[1]::DOUBLE) and isfinite(z[2]::DOUBLE))`;
    return `${differing}, max(list_max(list_transform(${pairs}, z -> abs(z[1]::DOUBLE - z[2]::DOUBLE)))) as m${k}`;
  }
  return `${differing}, NULL::DOUBLE as m${k}`;
}

async function compareTable(conn: DuckDBConnection, path: string, fileA: string, fileB: string, ignored: Set<string>): Promise<TableResult> {
  const rows: [number, number] = [await rowCount(conn, fileA), await rowCount(conn, fileB)];
  const [typesA, typesB] = [await columnTypes(conn, fileA), await columnTypes(conn, fileB)];
  const names = (t: Map<string, string>) => [...t.keys()].filter((c) => !ignored.has(c));
  const [colsA, colsB] = [names(typesA), names(typesB)];
  if (colsA.join('\0') !== colsB.join('\0')) return { path, rows, problem: `columns differ: [${colsA.join(', ')}] vs [${colsB.join(', ')}]`, columns: [] };
  const mismatched = colsA.filter((c) => typesA.get(c) !== typesB.get(c));
  if (mismatched.length > 0) {
    return { path, rows, problem: `types differ: ${mismatched.map((c) => `${c} ${typesA.get(c)} vs ${typesB.get(c)}`).join(', ')}`, columns: [] };
  }
  if (rows[0] !== rows[1]) return { path, rows, problem: 'row counts differ', columns: [] };
  if (colsA.length === 0 || rows[0] === 0) return { path, rows, columns: [] };
  const select = colsA.map((c, k) => aggregates(c, typesA.get(c)!, k)).join(',\n  ');
  const sql =
    `with a as (select * from read_parquet(${literal(fileA)}, file_row_number = true)),\n` +
    `b as (select * from read_parquet(${literal(fileB)}, file_row_number = true))\n` +
    `select\n  ${select}\nfrom a join b using (file_row_number)`;
  const r = (await conn.runAndReadAll(sql)).getRowObjectsJS()[0];
  return {
    path,
    rows,
    columns: colsA.map((column, k) => ({ column, differing: Number(r[`d${k}`]), maxAbs: r[`m${k}`] === null ? null : Number(r[`m${k}`]) })),
  };
}

function describe(t: TableResult): string {
  if (t.problem) return t.problem;
  const differing = t.columns.filter((c) => c.differing > 0);
  if (differing.length === 0) return 'identical';
  return differing
    .map((c) => `${c.column}: ${c.differing} of ${t.rows[0]} rows differ${c.maxAbs !== null ? `, max |Δ| = ${c.maxAbs.toExponential(3)}` : ''}`)
    .join('; ');
}

function usage(message: string): never {
  process.stderr.write(`${message}\nusage: npx tsx scripts/compare-exports.ts OUT_A OUT_B [--ignore COLUMN]...\n`);
  process.exit(2);
}

export async function compareExports(outA: string, outB: string, ignored: Set<string>): Promise<TableResult[]> {
  const [filesA, filesB] = [parquetFiles(outA), parquetFiles(outB)];
  const inB = new Set(filesB);
  const inA = new Set(filesA);
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  const results: TableResult[] = [];
  try {
    for (const path of [...new Set([...filesA, ...filesB])].sort()) {
      if (!inB.has(path)) results.push({ path, rows: [await rowCount(conn, join(outA, path)), null], problem: `only in ${outA}`, columns: [] });
      else if (!inA.has(path)) results.push({ path, rows: [null, await rowCount(conn, join(outB, path))], problem: `only in ${outB}`, columns: [] });
      else results.push(await compareTable(conn, path, join(outA, path), join(outB, path), ignored));
    }
  } finally {
    conn.closeSync();
  }
  return results;
}

async function main(argv: string[]): Promise<number> {
  const dirs: string[] = [];
  const ignored = new Set(DEFAULT_IGNORED);
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--ignore') {
      const c = argv[++i];
      if (!c) usage('--ignore needs a column name');
      ignored.add(c);
    } else if (argv[i].startsWith('--')) usage(`unknown option ${argv[i]}`);
    else dirs.push(argv[i]);
  }
  if (dirs.length !== 2) usage(`expected two out/ directories, got ${dirs.length}`);
  for (const d of dirs) if (!existsSync(d) || !statSync(d).isDirectory()) usage(`not a directory: ${d}`);
  const results = await compareExports(dirs[0], dirs[1], ignored);
  const width = Math.max(5, ...results.map((r) => r.path.length));
  const rowsOf = (r: TableResult) => (r.rows[0] === r.rows[1] ? String(r.rows[0]) : `${r.rows[0] ?? '–'} / ${r.rows[1] ?? '–'}`);
  const rowsWidth = Math.max(4, ...results.map((r) => rowsOf(r).length));
  process.stdout.write(`${'table'.padEnd(width)}  ${'rows'.padStart(rowsWidth)}  result\n`);
  for (const r of results) process.stdout.write(`${r.path.padEnd(width)}  ${rowsOf(r).padStart(rowsWidth)}  ${describe(r)}\n`);
  const different = results.filter((r) => describe(r) !== 'identical').length;
  process.stdout.write(`\n${results.length} tables, ${results.length - different} identical, ${different} different (ignored columns: ${[...ignored].join(', ')})\n`);
  return different === 0 ? 0 : 1;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = await main(process.argv.slice(2));
