// An in-memory StageContext for calling a stage's run() in a test, without the engine. It holds the
// engine's rules where a test could otherwise pass by accident: parameters are the stage's defaults
// plus overrides, each checked against its schema and then by the stage's own `check`; only declared
// inputs can be bound, each as its declared kind; written tables are validated against the declared
// output schema (as the engine's child does before encoding). What the stage writes, logs and reports
// as progress is captured for the test's assertions.
import { checkColumns } from '../../artifacts/table-io.ts';
import { checkValue } from '../../engine/config.ts';
import type { ParamSchema, ParamValues } from '../../core/params.ts';
import type { Table } from '../../core/table.ts';
import type { InputOrigin, InputSchema, Lineage, OutputSchema, StageContext, StageDefinition, TableOutput } from '../../core/stage.ts';

/** What a test binds and sets around a run; everything is optional. */
interface StageSetup {
  /** Input tables by input name. */
  tables?: Record<string, Table>;
  /** Input files by input name (read.json parses these as UTF-8 JSON). */
  files?: Record<string, Uint8Array>;
  /** Defaults to a path that does not exist: a stage that needs a scratch directory gets it from the test. */
  scratchDir?: string;
  environment?: Record<string, string>;
  experiment?: string;
  lineage?: Lineage;
  /** Per input, fields that replace the default origin { stage: 'test', node: <input>, experiment: 'test', key: 0…0 }. */
  origin?: Record<string, Partial<InputOrigin>>;
  /** Defaults to a signal that is never aborted. */
  signal?: AbortSignal;
}

/** What a run wrote, logged and reported. */
interface StageRun {
  /** Written tables, with numRows as counted by the schema check. */
  tables: Map<string, Table>;
  /** Written files and json outputs, as the bytes the engine would store (json as JSON text). */
  files: Map<string, Uint8Array>;
  /** Values written with write.json, after a JSON round trip (what a reader of the file gets back). */
  json: Map<string, unknown>;
  /** Log lines; warnings start with 'warn: '. */
  logs: string[];
  /** Every progress fraction, in order (the engine throttles; this fake keeps all). */
  progress: number[];
  /** A written file decoded as UTF-8 text; throws when the stage did not write it. */
  text(name: string): string;
}

interface StageHarness<P extends ParamSchema, I extends InputSchema, O extends OutputSchema> extends StageRun {
  ctx: StageContext<P, I, O>;
}

/** The schema's defaults with overrides on top, unchecked (for tests of `check` itself). */
export function defaultParams(schema: ParamSchema, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...Object.fromEntries(Object.entries(schema).map(([name, spec]) => [name, spec.default])), ...overrides };
}

/** Defaults plus overrides, each value checked against its declared spec, then the stage's `check`. */
function stageParams<P extends ParamSchema>(
  stage: Pick<StageDefinition<P, InputSchema, OutputSchema>, 'name' | 'params' | 'check'>,
  overrides: Record<string, unknown> = {},
): ParamValues<P> {
  for (const name of Object.keys(overrides)) {
    if (!(name in stage.params)) {
      throw new Error(`test: stage ${stage.name} has no parameter "${name}" (it has ${Object.keys(stage.params).join(', ')})`);
    }
  }
  const params = defaultParams(stage.params, overrides);
  for (const [name, spec] of Object.entries(stage.params)) {
    try {
      checkValue(spec, params[name]);
    } catch (e) {
      throw new Error(`test: parameter ${stage.name}.${name} = ${JSON.stringify(params[name])}: ${(e as Error).message}`);
    }
  }
  // The stage's own message, unprefixed: tests match it as the user would see it.
  const problem = stage.check?.(params as ParamValues<P>);
  if (problem) throw new Error(problem);
  return params as ParamValues<P>;
}

/** A context for `stage.run(ctx)` and the captures it fills; for tests that drive the run themselves. */
function stageContext<P extends ParamSchema, I extends InputSchema, O extends OutputSchema>(
  stage: StageDefinition<P, I, O>,
  overrides: Record<string, unknown> = {},
  setup: StageSetup = {},
): StageHarness<P, I, O> {
  const params = stageParams(stage, overrides);
  const tables = setup.tables ?? {};
  const files = setup.files ?? {};
  for (const [name, kind] of [
    ...Object.keys(tables).map((n) => [n, 'table'] as const),
    ...Object.keys(files).map((n) => [n, 'file'] as const),
  ]) {
    const spec = stage.inputs[name];
    if (!spec) throw new Error(`test: stage ${stage.name} has no input "${name}" (it has ${Object.keys(stage.inputs).join(', ')})`);
    if (spec.kind !== kind) throw new Error(`test: input "${name}" of stage ${stage.name} is a ${spec.kind}, bound as a ${kind}`);
  }
  const bound = (name: string, kind: 'table' | 'file') => {
    const value = kind === 'table' ? tables[name] : files[name];
    if (value === undefined) throw new Error(`test: ${kind} input "${name}" of stage ${stage.name} is not bound`);
    return value;
  };
  const output = (name: string, kind: 'table' | 'file') => {
    const spec = stage.outputs[name];
    if (!spec) throw new Error(`test: stage ${stage.name} wrote output "${name}", which it does not declare`);
    if (spec.kind !== kind) throw new Error(`test: output "${name}" of stage ${stage.name} is a ${spec.kind}, written as a ${kind}`);
    return spec;
  };

  const run: StageRun = {
    tables: new Map(),
    files: new Map(),
    json: new Map(),
    logs: [],
    progress: [],
    text(name) {
      const bytes = run.files.get(name);
      if (!bytes) throw new Error(`test: stage ${stage.name} wrote no file "${name}" (wrote ${[...run.files.keys()].join(', ') || 'none'})`);
      return new TextDecoder().decode(bytes);
    },
  };
  const ctx = {
    params,
    experiment: setup.experiment ?? 'test',
    environment: setup.environment ?? {},
    read: {
      table: async (name: string) => bound(name, 'table'),
      file: async (name: string) => bound(name, 'file'),
      json: async (name: string) => JSON.parse(new TextDecoder().decode(bound(name, 'file') as Uint8Array)),
      has: (name: string) => name in tables || name in files,
      origin: (name: string): InputOrigin => {
        if (!(name in tables || name in files)) throw new Error(`test: input "${name}" of stage ${stage.name} is not bound`);
        return { stage: 'test', node: name, experiment: 'test', key: '0'.repeat(64), ...setup.origin?.[name] };
      },
    },
    write: {
      table: async (name: string, columns: Record<string, unknown>) => {
        const spec = output(name, 'table') as TableOutput;
        const numRows = checkColumns(`stage ${stage.name} output ${name}`, spec.schema, columns);
        run.tables.set(name, { numRows, columns } as Table);
      },
      file: async (name: string, bytes: Uint8Array | string) => {
        output(name, 'file');
        run.files.set(name, typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes);
      },
      json: async (name: string, value: unknown) => {
        output(name, 'file');
        const text = JSON.stringify(value, null, 1);
        run.files.set(name, new TextEncoder().encode(text));
        run.json.set(name, JSON.parse(text));
      },
    },
    progress: (fraction: number) => void run.progress.push(fraction),
    log: { info: (m: string) => void run.logs.push(m), warn: (m: string) => void run.logs.push(`warn: ${m}`) },
    scratchDir: setup.scratchDir ?? '/nonexistent/scratch',
    lineage: async () => setup.lineage ?? { nodes: [] },
    signal: setup.signal ?? new AbortController().signal,
  };
  return Object.assign(run, { ctx: ctx as unknown as StageContext<P, I, O> });
}

/** Run a stage in memory and return what it wrote, logged and reported. */
export async function runStage<P extends ParamSchema, I extends InputSchema, O extends OutputSchema>(
  stage: StageDefinition<P, I, O>,
  overrides: Record<string, unknown> = {},
  setup: StageSetup = {},
): Promise<StageRun> {
  const harness = stageContext(stage, overrides, setup);
  await stage.run(harness.ctx);
  return harness;
}

/** A table the run wrote (to assert on, or to bind as another stage's input); throws when it was not written. */
export function writtenTable(run: StageRun, name: string): Table {
  const t = run.tables.get(name);
  if (!t) throw new Error(`test: table "${name}" was not written (wrote ${[...run.tables.keys()].join(', ') || 'none'})`);
  return t;
}
