// The stage contract: what every stage declares and what the engine hands it.
// A stage never touches the store: it reads its inputs and writes its outputs through `ctx`,
// and the engine decides where the bytes live, hashes them and commits them.
import type { ParamSchema, ParamValues } from './params.ts';
import type { Columns, Table, TableSchema } from './table.ts';
import type { Resources } from './resources.ts';

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
interface FileInput {
  kind: 'file';
  optional?: boolean;
  help: string;
}
export type InputSpec = TableInput | FileInput;
export type InputSchema = Record<string, InputSpec>;

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
type BoundInputs<I extends InputSchema> = Partial<Record<keyof I & string, { stage: string; params: Record<string, unknown> }>>;

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
