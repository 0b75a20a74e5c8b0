// A small in-memory StageContext for calling a stage's run() without the engine: parameters are the
// stage's defaults plus overrides (checked by the stage's own `check`), written tables are validated
// against the declared output schema.
import { checkColumns } from '../../artifacts/table-io.ts';
import type { StageDefinition, Table, TableSchema } from '../../engine/stage.ts';

export interface StageRun {
  tables: Map<string, { numRows: number; columns: Record<string, unknown> }>;
  logs: string[];
  progress: number[];
}

export async function runStage(
  stage: StageDefinition<any, any, any>,
  overrides: Record<string, unknown>,
  inputs: { tables?: Record<string, Table>; files?: Record<string, Uint8Array> } = {},
): Promise<StageRun> {
  const params: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(stage.params)) params[name] = (spec as { default: unknown }).default;
  for (const [name, value] of Object.entries(overrides)) {
    if (!(name in stage.params)) throw new Error(`test: ${stage.name} has no parameter ${name}`);
    params[name] = value;
  }
  const problem = stage.check?.(params as never);
  if (problem) throw new Error(problem);
  const run: StageRun = { tables: new Map(), logs: [], progress: [] };
  const tables = inputs.tables ?? {};
  const files = inputs.files ?? {};
  const ctx = {
    params,
    experiment: 'test',
    environment: {},
    read: {
      table: async (name: string) => {
        if (!(name in tables)) throw new Error(`test: input table ${name} not bound`);
        return tables[name];
      },
      file: async (name: string) => {
        if (!(name in files)) throw new Error(`test: input file ${name} not bound`);
        return files[name];
      },
      json: async () => undefined,
      has: (name: string) => name in tables || name in files,
      origin: () => ({ stage: 'data', node: 'data', experiment: 'test', key: 'k' }),
    },
    write: {
      table: async (name: string, columns: Record<string, unknown>) => {
        const out = stage.outputs[name] as { kind: string; schema: TableSchema } | undefined;
        if (!out || out.kind !== 'table') throw new Error(`test: ${stage.name} wrote undeclared table ${name}`);
        const numRows = checkColumns(`${stage.name}.${name}`, out.schema, columns);
        run.tables.set(name, { numRows, columns });
      },
      file: async () => undefined,
      json: async () => undefined,
    },
    progress: (f: number) => run.progress.push(f),
    log: { info: (m: string) => run.logs.push(m), warn: (m: string) => run.logs.push(`warn: ${m}`) },
    scratchDir: '/nonexistent',
    lineage: async () => ({ nodes: [] }),
    signal: new AbortController().signal,
  };
  await stage.run(ctx as never);
  return run;
}

/** A written table as an input table of another stage. */
export function asInput(run: StageRun, name: string): Table {
  const t = run.tables.get(name);
  if (!t) throw new Error(`test: table ${name} was not written`);
  return t as Table;
}
