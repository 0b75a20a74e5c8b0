// A minimal in-memory StageContext for calling a stage's run() without the engine.
import type { Table } from '../../engine/stage.ts';

export interface FakeRun {
  ctx: any;
  files: Map<string, Uint8Array>;
  tables: Map<string, Record<string, unknown>>;
  logs: string[];
}

export function fakeContext(params: Record<string, unknown>, inputs: Record<string, Table>, scratchDir: string, environment: Record<string, string>): FakeRun {
  const files = new Map<string, Uint8Array>();
  const tables = new Map<string, Record<string, unknown>>();
  const logs: string[] = [];
  const ctx = {
    params,
    experiment: 'test',
    environment,
    read: {
      table: async (name: string) => inputs[name],
      file: async () => {
        throw new Error('no file inputs in this fake');
      },
      json: async () => undefined,
      has: (name: string) => name in inputs,
      origin: () => ({ stage: 'data', node: 'data', experiment: 'test', key: 'k' }),
    },
    write: {
      table: async (name: string, columns: Record<string, unknown>) => void tables.set(name, columns),
      file: async (name: string, bytes: Uint8Array | string) =>
        void files.set(name, typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes),
      json: async (name: string, value: unknown) => void files.set(name, new TextEncoder().encode(JSON.stringify(value))),
    },
    progress: () => {},
    log: { info: (m: string) => logs.push(m), warn: (m: string) => logs.push(`warn: ${m}`) },
    scratchDir,
    lineage: async () => ({ nodes: [] }),
    signal: new AbortController().signal,
  };
  return { ctx, files, tables, logs };
}
