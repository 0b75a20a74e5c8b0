// Typed tables ↔ Arrow ↔ Parquet (zstd). List columns (f64[]/f32[]) are Arrow FixedSizeList: one flat
// row-major typed array plus a width. Loaded lazily: only processes that read or write tables pay for the wasm.
import type { ColumnType, ListColumn, Table, TableSchema } from '../core/table.ts';

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
    case 'i64':
    case 'timestamp':
      expect(col instanceof BigInt64Array, 'a BigInt64Array');
      return (col as BigInt64Array).length;
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
  if (prefix) vectors[prefix.name] = arrow.makeVector(constantUtf8Data(arrow, prefix.value, rows));
  for (const [name, type] of Object.entries(schema)) {
    const col = columns[name];
    switch (type) {
      case 'f64':
      case 'f32':
      case 'i32':
      case 'i64':
        vectors[name] = arrow.makeVector(col as Float64Array | Float32Array | Int32Array | BigInt64Array);
        break;
      case 'timestamp': {
        const ms = col as BigInt64Array;
        vectors[name] = arrow.makeVector(arrow.makeData({ type: new arrow.TimestampMillisecond('UTC'), length: ms.length, nullCount: 0, data: ms }));
        break;
      }
      case 'utf8':
        vectors[name] = arrow.makeVector(utf8Data(arrow, col as string[]));
        break;
      case 'bool': {
        const bools = col as boolean[];
        const bits = new Uint8Array(Math.ceil(bools.length / 8));
        for (let i = 0; i < bools.length; i++) if (bools[i]) bits[i >> 3] |= 1 << (i & 7);
        vectors[name] = arrow.makeVector(arrow.makeData({ type: new arrow.Bool(), length: bools.length, nullCount: 0, data: bits }));
        break;
      }
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

/** Utf8 column data built directly (offsets + bytes): columns of a few repeated labels over millions of rows are the norm. */
function utf8Data(arrow: Arrow, strings: string[]) {
  const encoder = new TextEncoder();
  const cache = new Map<string, Uint8Array>();
  const parts = new Array<Uint8Array>(strings.length);
  const offsets = new Int32Array(strings.length + 1);
  let total = 0;
  for (let i = 0; i < strings.length; i++) {
    let b = cache.get(strings[i]);
    if (!b) {
      b = encoder.encode(strings[i]);
      if (cache.size < 4096) cache.set(strings[i], b);
    }
    parts[i] = b;
    total += b.length;
    offsets[i + 1] = total;
  }
  const data = new Uint8Array(total);
  for (let i = 0; i < parts.length; i++) data.set(parts[i], offsets[i]);
  return arrow.makeData({ type: new arrow.Utf8(), length: strings.length, nullCount: 0, valueOffsets: offsets, data });
}

function constantUtf8Data(arrow: Arrow, value: string, rows: number) {
  const b = new TextEncoder().encode(value);
  const data = new Uint8Array(b.length * rows);
  const offsets = new Int32Array(rows + 1);
  for (let i = 0; i < rows; i++) {
    data.set(b, i * b.length);
    offsets[i + 1] = (i + 1) * b.length;
  }
  return arrow.makeData({ type: new arrow.Utf8(), length: rows, nullCount: 0, valueOffsets: offsets, data });
}

/** Decode a Utf8 vector, reusing the previous row's string when the bytes repeat (runs of equal labels). */
function decodeUtf8(v: import('apache-arrow').Vector): string[] {
  const out = new Array<string>(v.length);
  const decoder = new TextDecoder();
  let at = 0;
  for (const d of v.data) {
    const offsets = d.valueOffsets as Int32Array;
    const bytes = d.values as Uint8Array;
    let prevStart = -1;
    let prevEnd = -1;
    let prev = '';
    for (let i = 0; i < d.length; i++) {
      const start = offsets[d.offset + i];
      const end = offsets[d.offset + i + 1];
      let same = prevStart >= 0 && end - start === prevEnd - prevStart;
      for (let k = 0; same && k < end - start; k++) same = bytes[start + k] === bytes[prevStart + k];
      if (!same) prev = decoder.decode(bytes.subarray(start, end));
      prevStart = start;
      prevEnd = end;
      out[at++] = prev;
    }
  }
  return out;
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
      case 'i64':
      case 'timestamp':
        columns[name] = BigInt64Array.from(v.toArray() as ArrayLike<bigint>);
        break;
      case 'utf8':
        columns[name] = decodeUtf8(v);
        break;
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

/**
 * A stored table with a constant utf8 column prepended (the exporter's `experiment`), at the Arrow level:
 * the other columns' buffers are reused as they are, never decoded to JavaScript values.
 */
export async function withPrefixColumn(bytes: Uint8Array, name: string, value: string): Promise<Uint8Array> {
  const { arrow, parquet } = await loadLibs();
  const t = await decodeArrow(bytes);
  const schema = new arrow.Schema([new arrow.Field(name, new arrow.Utf8(), false), ...t.schema.fields], t.schema.metadata);
  const batches = t.batches.map((b) => {
    const children = [constantUtf8Data(arrow, value, b.numRows), ...b.data.children];
    const data = arrow.makeData({ type: new arrow.Struct(schema.fields), length: b.numRows, nullCount: 0, children });
    return new arrow.RecordBatch(schema, data);
  });
  const table = new arrow.Table(schema, batches);
  const wasmTable = parquet.Table.fromIPCStream(arrow.tableToIPC(table, 'stream'));
  return parquet.writeParquet(wasmTable, new parquet.WriterPropertiesBuilder().setCompression(parquet.Compression.ZSTD).build());
}
