// The stage contract: what every stage declares and what the engine hands it.
// A stage never touches the store: it reads its inputs and writes its outputs through `ctx`,
// and the engine decides where the bytes live, hashes them and commits them.

// ---------------------------------------------------------------------------------------------
// Parameters: a small typed schema, so that defaults, ranges, units and help text live with the
// stage, `--help` can list them and bad values are rejected before any work starts.

export interface NumberParam {
  type: 'number';
  default: number;
  min?: number;
  max?: number;
  /** Open bounds, instead of min / max: the value must be strictly above / below (eps ∈ (0, 1)). */
  exclusiveMin?: number;
  exclusiveMax?: number;
  /** Reject non-integers. */
  integer?: boolean;
  unit?: string;
  /**
   * Names a quantity several stages share (the VE SDE): nodes whose results are combined (one experiment, a
   * node and its upstream) must give it the same value, else the run stops at plan time (exit 2).
   */
  shared?: string;
  help: string;
}
export interface StringParam<C extends string = string> {
  type: 'string';
  default: C;
  /** When present, the only values allowed. */
  choices?: readonly C[];
  help: string;
}
export interface BooleanParam {
  type: 'boolean';
  default: boolean;
  help: string;
}
export interface NumberListParam {
  type: 'number[]';
  default: number[];
  /** Bounds on every element; the exclusive ones are open, instead of min / max. */
  min?: number;
  max?: number;
  exclusiveMin?: number;
  exclusiveMax?: number;
  integer?: boolean;
  minLength?: number;
  unit?: string;
  help: string;
}
export interface StringListParam<C extends string = string> {
  type: 'string[]';
  default: C[];
  choices?: readonly C[];
  minLength?: number;
  help: string;
}
export type ParamSpec = NumberParam | StringParam | BooleanParam | NumberListParam | StringListParam;
export type ParamSchema = Record<string, ParamSpec>;

export type ParamValue<S extends ParamSpec> = S extends NumberParam
  ? number
  : S extends StringParam<infer C>
    ? C
    : S extends BooleanParam
      ? boolean
      : S extends NumberListParam
        ? number[]
        : S extends StringListParam<infer C>
          ? C[]
          : never;
export type ParamValues<P extends ParamSchema> = { [K in keyof P]: ParamValue<P[K]> };

/** Constructors that keep literal types (choices) and read well in a stage file. */
export const param = {
  number: (s: Omit<NumberParam, 'type'>): NumberParam => ({ type: 'number', ...s }),
  integer: (s: Omit<NumberParam, 'type' | 'integer'>): NumberParam => ({ type: 'number', integer: true, ...s }),
  choice: <const C extends string>(choices: readonly C[], s: { default: NoInfer<C>; help: string }): StringParam<C> => ({
    type: 'string',
    choices,
    ...s,
  }),
  string: (s: { default: string; help: string }): StringParam => ({ type: 'string', ...s }),
  boolean: (s: Omit<BooleanParam, 'type'>): BooleanParam => ({ type: 'boolean', ...s }),
  numbers: (s: Omit<NumberListParam, 'type'>): NumberListParam => ({ type: 'number[]', ...s }),
  choices: <const C extends string>(
    choices: readonly C[],
    s: { default: NoInfer<C>[]; help: string; minLength?: number },
  ): StringListParam<C> => ({ type: 'string[]', choices, ...s }),
};

// ---------------------------------------------------------------------------------------------
// Tables: columnar, typed, stored as Parquet (zstd) and read back as typed arrays.
// List columns hold one fixed-width vector per row (a sample x ∈ R^d, a trajectory point): their data
// is one flat typed array of rows × width values, row-major.

// 'i64' holds exact integers (byte counts); 'timestamp' holds milliseconds since the epoch, UTC, and is
// stored as a Parquet timestamp so pandas, polars and DuckDB read it as one.
export type ScalarColumnType = 'f64' | 'f32' | 'i32' | 'i64' | 'timestamp' | 'utf8' | 'bool';
export type ListColumnType = 'f64[]' | 'f32[]';
export type ColumnType = ScalarColumnType | ListColumnType;
export type TableSchema = Record<string, ColumnType>;

export interface ListColumn<A extends Float64Array | Float32Array = Float64Array | Float32Array> {
  values: A;
  width: number;
}
export type ColumnData<T extends ColumnType> = T extends 'f64'
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

// ---------------------------------------------------------------------------------------------
// Outputs and inputs.

export interface TableOutput<S extends TableSchema = TableSchema> {
  kind: 'table';
  schema: S;
  help: string;
}
export interface FileOutput {
  kind: 'file';
  /** File name extension without the dot ('bin', 'json', 'svg', 'png', 'html'). */
  ext: string;
  help: string;
  /**
   * Stable path under out/ where the engine also publishes this file (atomically), for people:
   * e.g. 'figures/fig3.png' or 'report/index.html'. Tables are always published at
   * out/<experiment>/<node>/<name>.parquet; files only when this is set.
   */
  publish?: string;
}
export type OutputSpec = TableOutput | FileOutput;
export type OutputSchema = Record<string, OutputSpec>;

export interface TableInput<S extends TableSchema = TableSchema> {
  kind: 'table';
  /** Columns the stage relies on; the engine checks the bound output provides them. */
  schema: S;
  optional?: boolean;
  help: string;
}
export interface FileInput {
  kind: 'file';
  optional?: boolean;
  help: string;
}
export type InputSpec = TableInput | FileInput;
export type InputSchema = Record<string, InputSpec>;

export interface Resources {
  /** CPU slots the stage occupies (default 1). */
  cpu?: number;
  /** GPUs the stage wants; 0 (default) means it never needs one. Stages with gpu > 0 still run on CPU where none is visible. */
  gpu?: number;
  /**
   * Rough peak memory, MiB, for scheduling and for the user (Slurm --mem). Checked against the machine before
   * anything starts: a node that cannot fit stops the run with exit code 2.
   */
  memoryMiB?: number;
  /** The parameters the memory estimate grows with, named in the message when it does not fit ('d', or 'samples.d' for an input node's). */
  memoryFrom?: string[];
  /** Wall-clock limit of a cluster job, minutes (Slurm --time), unless the executor's configuration sets one. */
  timeMinutes?: number;
}

// ---------------------------------------------------------------------------------------------
// What the engine hands a running stage.

export interface InputOrigin {
  /** Stage kind that produced the input, its node name, experiment label and artifact key. */
  stage: string;
  node: string;
  experiment: string;
  key: string;
}

export interface Lineage {
  /** Every artifact upstream of this node (transitively), as recorded in their manifests. */
  nodes: Array<{
    stage: string;
    node: string;
    experiment: string;
    key: string;
    params: Record<string, unknown>;
    environment: Record<string, string>;
    durationMs: number;
    createdAt: string;
  }>;
}

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
}

export interface StageContext<P extends ParamSchema, I extends InputSchema, O extends OutputSchema> {
  params: ParamValues<P>;
  /** Label of the experiment this node was declared in: for log lines only, never for output content. */
  experiment: string;
  /** Resolved environment (the same record the fingerprint holds), e.g. { backend: 'wasm', precision: 'float32' }. */
  environment: Record<string, string>;
  read: {
    table<K extends keyof I & string>(name: K): Promise<I[K] extends TableInput<infer S> ? Table<S> : never>;
    file<K extends keyof I & string>(name: K): Promise<Uint8Array>;
    json<T = unknown, K extends keyof I & string = keyof I & string>(name: K): Promise<T>;
    /** Whether an optional input is bound. */
    has(name: keyof I & string): boolean;
    origin(name: keyof I & string): InputOrigin;
  };
  write: {
    table<K extends keyof O & string>(
      name: K,
      columns: O[K] extends TableOutput<infer S> ? Columns<S> : never,
    ): Promise<void>;
    file<K extends keyof O & string>(name: K, bytes: Uint8Array | string): Promise<void>;
    json<K extends keyof O & string>(name: K, value: unknown): Promise<void>;
  };
  /** Fraction in [0, 1] and a short message; the parent draws bars and ETAs from it. */
  progress(fraction: number, message?: string): void;
  log: Logger;
  /**
   * A directory private to this artifact key that survives a crash of the stage (kill -9) and is
   * deleted after a successful commit: for checkpoints a re-run resumes from. Contents are never
   * trusted by the engine; the stage must validate what it reads back (write to a temporary name,
   * then rename).
   */
  scratchDir: string;
  /** Lineage of everything upstream, for provenance in reports. */
  lineage(): Promise<Lineage>;
  /** Aborted when the run is interrupted; long loops should check it. */
  signal: AbortSignal;
}

/** The nodes bound to a stage's inputs, at plan time: their stage kind and resolved parameters. */
export type BoundInputs<I extends InputSchema> = Partial<Record<keyof I & string, { stage: string; params: Record<string, unknown> }>>;

export interface StageDefinition<
  P extends ParamSchema = ParamSchema,
  I extends InputSchema = InputSchema,
  O extends OutputSchema = OutputSchema,
> {
  /** Stage kind, e.g. 'train'. Also the first segment of `--set train.steps=...`. */
  name: string;
  description: string;
  /** `import.meta.url` of the stage module: the child process imports it, the fingerprint hashes its import graph. */
  module: string;
  params: P;
  /** Checks across parameters (m ≤ d, ...): return an error message naming the parameters, or undefined. */
  check?(params: ParamValues<P>): string | undefined;
  /**
   * Checks against the nodes bound to the inputs (a U-Net's levels against the images' size): each bound input's
   * stage kind and resolved parameters. Return an error message naming the parameters, or undefined.
   */
  checkInputs?(params: ParamValues<P>, inputs: BoundInputs<I>): string | undefined;
  inputs: I;
  outputs: O;
  /** Static, or from the parameters and (for estimates that grow with the data, like d) the bound inputs' nodes. */
  resources?: Resources | ((params: ParamValues<P>, inputs: BoundInputs<I>) => Resources);
  /**
   * The environment that can change the output (compute backend, precision), resolved in the parent
   * before planning (cheaply: no heavy imports). Part of the fingerprint.
   */
  environment?(params: ParamValues<P>): Record<string, string>;
  /**
   * Every file the stage will read from outside the store (a dataset on disk, a package's data files), resolved
   * in the parent before planning (cheaply, like `environment`): their contents are part of the fingerprint
   * (hashed once, then stat-cached), so a replaced file recomputes the node. Throw an Error naming the
   * parameter when a path is missing or unusable: the run stops at plan time with exit code 2.
   */
  externalFiles?(params: ParamValues<P>): string[];
  run(ctx: StageContext<P, I, O>): Promise<void>;
}

/** Identity function that gives a stage file full type inference. */
export function defineStage<const P extends ParamSchema, const I extends InputSchema, const O extends OutputSchema>(
  stage: StageDefinition<P, I, O>,
): StageDefinition<P, I, O> {
  return stage;
}

/** Helpers to declare schemas tersely in stage files. */
export const table = <const S extends TableSchema>(schema: S, help: string): TableOutput<S> => ({
  kind: 'table',
  schema,
  help,
});
export const file = (ext: string, help: string, publish?: string): FileOutput => ({ kind: 'file', ext, help, publish });
export const tableInput = <const S extends TableSchema>(schema: S, help: string, optional = false): TableInput<S> => ({
  kind: 'table',
  schema,
  help,
  optional,
});
export const fileInput = (help: string, optional = false): FileInput => ({ kind: 'file', help, optional });
