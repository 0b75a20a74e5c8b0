// Typed tables ↔ Arrow ↔ Parquet (zstd). List columns (f64[]/f32[]) are Arrow FixedSizeList: one flat
// row-major typed array plus a width. Loaded lazily: only processes that read or write tables pay for the wasm.
import type { ColumnType, ListColumn, Table, TableSchema } from '../engine/stage.ts';

type Arrow = typeof import('apache-arrow');
type ParquetWasm = typeof import('parquet-wasm');
let libs: Promise<{ arrow: Arrow; parquet: ParquetWasm }> | undefined;
function loadLibs() {
  libs ??= Promise.all([import('apache-arrow'), import('parquet-wasm')]).then(([arrow, parquet]) => ({ arrow, parquet }));
  return libs;
}

/** Check columns against the declared schema; returns the row count or throws naming the column. */
export function checkColumns(where: string, schema: TableSchema, columns: Record<string, unknown>): number {
  let rows: number | undefined;
  for (const name of Object.keys(columns)) {
    if (!(name in schema)) throw new Error(`${where}: column "${name}" is not in the declared schema (${Object.keys(schema).join(', ')})`);
  }
  for (const [name, type] of Object.entries(schema)) {
    const col = columns[name];
    if (col === undefined) throw new Error(`${where}: column "${name}" (${type}) is missing`);
    const n = columnRows(`${where}: column "${name}"`, type, col);
    if (rows !== undefined && n !== rows) throw new Error(`${where}: column "${name}" has ${n} rows, the others ${rows}`);
    rows = n;
  }
  return rows ?? 0;
}

function columnRows(where: string, type: ColumnType, col: unknown): number {
  const expect = (ok: boolean, what: string) => {
    if (!ok) throw new Error(`${where} must be ${what} for type ${type}`);
  };
  switch (type) {
    case 'f64':
      expect(col instanceof Float64Array, 'a Float64Array');
      return (col as Float64Array).length;
    case 'f32':
      expect(col instanceof Float32Array, 'a Float32Array');
      return (col as Float32Array).length;
    case 'i32':
      expect(col instanceof Int32Array, 'an Int32Array');
      return (col as Int32Array).length;
    case 'utf8':
      expect(Array.isArray(col) && col.every((s) => typeof s === 'string'), 'an array of strings');
      return (col as string[]).length;
    case 'bool':
      expect(Array.isArray(col) && col.every((s) => typeof s === 'boolean'), 'an array of booleans');
      return (col as boolean[]).length;
    case 'f64[]':
    case 'f32[]': {
      const l = col as ListColumn;
      const ctor = type === 'f64[]' ? Float64Array : Float32Array;
      expect(!!l && l.values instanceof ctor && Number.isInteger(l.width) && l.width > 0, `{ values: ${ctor.name}, width: positive integer }`);
      if (l.values.length % l.width !== 0) throw new Error(`${where}: ${l.values.length} values is not a multiple of width ${l.width}`);
      return l.values.length / l.width;
    }
  }
}

async function toArrowTable(schema: TableSchema, columns: Record<string, unknown>, prefix?: { name: string; value: string }) {
  const { arrow } = await loadLibs();
  const rows = checkColumns('table', schema, columns);
  const vectors: Record<string, import('apache-arrow').Vector> = {};
  if (prefix) vectors[prefix.name] = arrow.vectorFromArray(new Array<string>(rows).fill(prefix.value), new arrow.Utf8());
  for (const [name, type] of Object.entries(schema)) {
    const col = columns[name];
    switch (type) {
      case 'f64':
      case 'f32':
      case 'i32':
        vectors[name] = arrow.makeVector(col as Float64Array | Float32Array | Int32Array);
        break;
      case 'utf8':
        vectors[name] = arrow.vectorFromArray(col as string[], new arrow.Utf8());
        break;
      case 'bool':
        vectors[name] = arrow.vectorFromArray(col as boolean[], new arrow.Bool());
        break;
      case 'f64[]':
      case 'f32[]': {
        const l = col as ListColumn;
        const itemType = type === 'f64[]' ? new arrow.Float64() : new arrow.Float32();
        const child = arrow.makeData({ type: itemType, length: l.values.length, data: l.values as never });
        const listType = new arrow.FixedSizeList(l.width, new arrow.Field('item', itemType, false));
        vectors[name] = arrow.makeVector(arrow.makeData({ type: listType, length: rows, nullCount: 0, child }));
        break;
      }
    }
  }
  return new arrow.Table(vectors);
}

/** Encode typed columns as Parquet (zstd). Deterministic: equal columns give equal bytes (early cutoff relies on it). */
export async function encodeParquet(
  schema: TableSchema,
  columns: Record<string, unknown>,
  prefix?: { name: string; value: string },
): Promise<Uint8Array> {
  const { arrow, parquet } = await loadLibs();
  const table = await toArrowTable(schema, columns, prefix);
  const wasmTable = parquet.Table.fromIPCStream(arrow.tableToIPC(table, 'stream'));
  const props = new parquet.WriterPropertiesBuilder().setCompression(parquet.Compression.ZSTD).build();
  return parquet.writeParquet(wasmTable, props);
}

async function decodeArrow(bytes: Uint8Array) {
  const { arrow, parquet } = await loadLibs();
  return arrow.tableFromIPC(parquet.readParquet(bytes).intoIPCStream());
}

/** Decode Parquet into typed columns for the declared schema (extra columns in the file are ignored). */
export async function decodeParquet(schema: TableSchema, bytes: Uint8Array, where = 'table'): Promise<Table> {
  const t = await decodeArrow(bytes);
  const columns: Record<string, unknown> = {};
  for (const [name, type] of Object.entries(schema)) {
    const v = t.getChild(name);
    if (!v) throw new Error(`${where}: column "${name}" missing from the stored table`);
    switch (type) {
      case 'f64':
        columns[name] = Float64Array.from(v.toArray() as ArrayLike<number>);
        break;
      case 'f32':
        columns[name] = Float32Array.from(v.toArray() as ArrayLike<number>);
        break;
      case 'i32':
        columns[name] = Int32Array.from(v.toArray() as ArrayLike<number>);
        break;
      case 'utf8':
      case 'bool':
        columns[name] = [...v] as unknown[];
        break;
      case 'f64[]':
      case 'f32[]': {
        const width = (v.type as { listSize: number }).listSize;
        const ctor = type === 'f64[]' ? Float64Array : Float32Array;
        const values = new ctor(t.numRows * width);
        let at = 0;
        for (const d of v.data) {
          const child = d.children[0];
          const start = (child.offset + d.offset * width);
          const src = (child.values as Float64Array | Float32Array).subarray(start, start + d.length * width);
          values.set(src, at);
          at += src.length;
        }
        columns[name] = { values, width };
        break;
      }
    }
  }
  return { numRows: t.numRows, columns } as Table;
}

/** Rows and column names of a Parquet file (for the catalog). */
export async function parquetShape(bytes: Uint8Array): Promise<{ rows: number; columns: string[] }> {
  const t = await decodeArrow(bytes);
  return { rows: t.numRows, columns: t.schema.fields.map((f) => f.name) };
}

/** Re-encode a stored table with a constant utf8 column prepended (the exporter's `experiment`). */
export async function withPrefixColumn(schema: TableSchema, bytes: Uint8Array, name: string, value: string): Promise<Uint8Array> {
  const t = await decodeParquet(schema, bytes);
  return encodeParquet(schema, t.columns as Record<string, unknown>, { name, value });
}
