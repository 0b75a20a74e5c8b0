// A small in-memory StageContext: run a stage's run() without the engine. Parameters start from the
// stage's declared defaults; tables and files written are kept in maps and can feed the next stage.
import type { StageDefinition, Table } from '../../engine/stage.ts';

export interface FakeOutputs {
  tables: Map<string, Record<string, unknown>>;
  files: Map<string, Uint8Array>;
  logs: string[];
}

export function asTable(columns: Record<string, unknown>): Table {
  const first = Object.values(columns)[0] as { length?: number; values?: ArrayLike<number>; width?: number };
  const numRows = first.width !== undefined ? first.values!.length / first.width : first.length!;
  return { numRows, columns } as Table;
}

export async function runStage(
  stage: StageDefinition<any, any, any>,
  overrides: Record<string, unknown>,
  inputs: { tables?: Record<string, Table>; files?: Record<string, Uint8Array> } = {},
): Promise<FakeOutputs> {
  const params: Record<string, unknown> = {};
  for (const [k, spec] of Object.entries(stage.params as Record<string, { default: unknown }>)) params[k] = spec.default;
  Object.assign(params, overrides);
  const problem = stage.check?.(params as never);
  if (problem) throw new Error(problem);
  const out: FakeOutputs = { tables: new Map(), files: new Map(), logs: [] };
  const missing = (name: string) => new Error(`fake ctx: no input '${name}'`);
  const ctx = {
    params,
    experiment: 'test',
    environment: {},
    read: {
      table: async (name: string) => inputs.tables?.[name] ?? Promise.reject(missing(name)),
      file: async (name: string) => inputs.files?.[name] ?? Promise.reject(missing(name)),
      json: async () => undefined,
      has: (name: string) => Boolean(inputs.tables?.[name] ?? inputs.files?.[name]),
      origin: () => ({ stage: 'test', node: 'test', experiment: 'test', key: 'k' }),
    },
    write: {
      table: async (name: string, columns: Record<string, unknown>) => void out.tables.set(name, columns),
      file: async (name: string, bytes: Uint8Array | string) =>
        void out.files.set(name, typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes),
      json: async (name: string, value: unknown) => void out.files.set(name, new TextEncoder().encode(JSON.stringify(value))),
    },
    progress: () => {},
    log: { info: (m: string) => out.logs.push(m), warn: (m: string) => out.logs.push(`warn: ${m}`) },
    scratchDir: '/nonexistent-scratch',
    lineage: async () => ({ nodes: [] }),
    signal: new AbortController().signal,
  };
  await stage.run(ctx as never);
  return out;
}
