// A small in-memory stand-in for the engine's StageContext, enough to run a figure or report stage:
// inputs from a record (tables or file bytes), outputs captured in a map, lineage supplied by the test.
import type { Lineage, ParamSchema, Table } from '../../engine/stage.ts';

export function defaultParams(schema: ParamSchema, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...Object.fromEntries(Object.entries(schema).map(([k, spec]) => [k, spec.default])), ...overrides };
}

export interface FakeRun {
  // The stage's own context type is generic in its schemas; tests hand this object to `stage.run`.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  ctx: any;
  files: Map<string, Uint8Array | string>;
  logs: string[];
}

export function fakeContext(params: Record<string, unknown>, inputs: Record<string, Table | Uint8Array>, lineage: Lineage = { nodes: [] }): FakeRun {
  const files = new Map<string, Uint8Array | string>();
  const logs: string[] = [];
  const input = (name: string) => {
    if (!(name in inputs)) throw new Error(`input ${name} is not bound`);
    return inputs[name];
  };
  const ctx = {
    params,
    experiment: 'figures',
    environment: { backend: 'cpu', precision: 'float64' },
    read: {
      table: async (name: string) => input(name),
      file: async (name: string) => input(name),
      json: async (name: string) => JSON.parse(new TextDecoder().decode(input(name) as Uint8Array)),
      has: (name: string) => name in inputs,
      origin: (name: string) => ({ stage: 'synthetic', node: name, experiment: 'test', key: '0'.repeat(64) }),
    },
    write: {
      table: async (name: string) => {
        throw new Error(`figure stages write no tables (tried ${name})`);
      },
      file: async (name: string, bytes: Uint8Array | string) => void files.set(name, bytes),
      json: async (name: string, value: unknown) => void files.set(name, JSON.stringify(value)),
    },
    progress: () => {},
    log: { info: (m: string) => void logs.push(m), warn: (m: string) => void logs.push(`warn: ${m}`) },
    scratchDir: '/nonexistent',
    lineage: async () => lineage,
    signal: new AbortController().signal,
  };
  return { ctx, files, logs };
}
