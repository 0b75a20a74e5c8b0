// Tables: columnar, typed, stored as Parquet (zstd) and read back as typed arrays.
// List columns hold one fixed-width vector per row (a sample x ∈ R^d, a trajectory point): their data
// is one flat typed array of rows × width values, row-major.

// 'i64' holds exact integers (byte counts); 'timestamp' holds milliseconds since the epoch, UTC, and is
// stored as a Parquet timestamp so pandas, polars and DuckDB read it as one.
type ScalarColumnType = 'f64' | 'f32' | 'i32' | 'i64' | 'timestamp' | 'utf8' | 'bool';
type ListColumnType = 'f64[]' | 'f32[]';
export type ColumnType = ScalarColumnType | ListColumnType;
export type TableSchema = Record<string, ColumnType>;

export interface ListColumn<A extends Float64Array | Float32Array = Float64Array | Float32Array> {
  values: A;
  width: number;
}
type ColumnData<T extends ColumnType> = T extends 'f64'
  ? Float64Array
  : T extends 'f32'
    ? Float32Array
    : T extends 'i32'
      ? Int32Array
      : T extends 'i64' | 'timestamp'
      ? BigInt64Array
      : T extends 'utf8'
        ? string[]
        : T extends 'bool'
          ? boolean[]
          : T extends 'f64[]'
            ? ListColumn<Float64Array>
            : T extends 'f32[]'
              ? ListColumn<Float32Array>
              : never;
export type Columns<S extends TableSchema> = { [K in keyof S]: ColumnData<S[K]> };

export interface Table<S extends TableSchema = TableSchema> {
  numRows: number;
  columns: Columns<S>;
}
