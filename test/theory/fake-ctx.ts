// A small in-memory stand-in for the engine's StageContext: defaults merged with overrides, inputs from
// a map, written tables captured. Enough to call `stage.run(ctx)` in a test.
import type { ParamSchema, Table } from '../../engine/stage.ts';

/** The parts of a stage definition the fake needs (method syntax keeps `check` bivariant for any stage). */
interface StageLike {
  params: ParamSchema;
  check?(params: never): string | undefined;
}

export function fakeContext(
  stage: StageLike,
  overrides: Record<string, unknown> = {},
  inputs: Record<string, { numRows: number; columns: Record<string, unknown> }> = {},
) {
  const params: Record<string, unknown> = {};
  for (const [k, spec] of Object.entries(stage.params as ParamSchema)) params[k] = spec.default;
  Object.assign(params, overrides);
  const problem = stage.check?.(params as never);
  if (problem) throw new Error(problem);
  const written: Record<string, Record<string, unknown>> = {};
  const logs: string[] = [];
  const ctx = {
    params,
    experiment: 'test',
    environment: {},
    read: {
      table: async (name: string) => {
        if (!inputs[name]) throw new Error(`no input ${name}`);
        return inputs[name] as Table;
      },
      file: async () => new Uint8Array(),
      json: async () => ({}),
      has: (name: string) => name in inputs,
      origin: (name: string) => ({ stage: name, node: name, experiment: 'test', key: 'k' }),
    },
    write: {
      table: async (name: string, columns: Record<string, unknown>) => {
        written[name] = columns;
      },
      file: async () => {},
      json: async () => {},
    },
    progress: () => {},
    log: { info: (m: string) => logs.push(m), warn: (m: string) => logs.push(m) },
    scratchDir: '/tmp',
    lineage: async () => ({ nodes: [] }),
    signal: new AbortController().signal,
  };
  return { ctx: ctx as never, written, logs };
}

/** Number of rows of a captured table (length of its first column). */
export function rowCount(columns: Record<string, unknown>): number {
  const first = Object.values(columns)[0] as { length: number };
  return first.length;
}
