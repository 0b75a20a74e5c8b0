// A stage's run, in whatever process hosts it: imports the stage module and runs it with a StageContext that
// reads inputs, writes into the staging directory and reports progress, logs and written tables through `send`
// (IPC in a local child, the events file in a Slurm batch job).
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ChildJob, ChildMessage } from './job.ts';
import type { Table } from '../core/table.ts';
import type { StageContext, StageDefinition } from '../core/stage.ts';

export async function runJob(job: ChildJob, send: (m: ChildMessage) => Promise<void>, signal: AbortSignal): Promise<void> {
  const mod = (await import(job.module)) as { default: StageDefinition };
  const stage = mod.default;
  if (!stage || typeof stage.run !== 'function') throw new Error(`${job.module} has no default-exported stage`);
  mkdirSync(job.scratchDir, { recursive: true });
  const inputOf = (name: string) => {
    const i = job.inputs[name];
    if (!i) throw new Error(`stage ${job.stage} read input "${name}", which is not bound (declared optional and unbound, or not declared)`);
    return i;
  };
  const outputOf = (name: string, kind: 'table' | 'file') => {
    const o = job.outputs[name];
    if (!o) throw new Error(`stage ${job.stage} wrote output "${name}", which it does not declare (${Object.keys(job.outputs).join(', ')})`);
    if (o.kind !== kind) throw new Error(`stage ${job.stage} output "${name}" is a ${o.kind}, written as a ${kind}`);
    return o;
  };
  let lastProgress = 0;
  const ctx: StageContext<never, never, never> = {
    params: job.params as never,
    experiment: job.experiment,
    environment: job.environment,
    read: {
      async table(name: string) {
        const i = inputOf(name);
        const { decodeParquet } = await import('../artifacts/table-io.ts');
        return (await decodeParquet(i.schema ?? {}, readFileSync(i.path), `input ${name}`)) as Table as never;
      },
      async file(name: string) {
        return new Uint8Array(readFileSync(inputOf(name).path));
      },
      async json(name: string) {
        return JSON.parse(readFileSync(inputOf(name).path, 'utf8'));
      },
      has: (name: string) => name in job.inputs,
      origin: (name: string) => inputOf(name).origin,
    } as never,
    write: {
      async table(name: string, columns: Record<string, unknown>) {
        const o = outputOf(name, 'table');
        const { encodeParquet, checkColumns } = await import('../artifacts/table-io.ts');
        const rows = checkColumns(`stage ${job.stage} output ${name}`, o.schema ?? {}, columns);
        writeFileSync(join(job.staging, o.file), await encodeParquet(o.schema ?? {}, columns));
        await send({ type: 'written', output: name, rows });
      },
      async file(name: string, bytes: Uint8Array | string) {
        const o = outputOf(name, 'file');
        writeFileSync(join(job.staging, o.file), bytes);
        await send({ type: 'written', output: name });
      },
      async json(name: string, value: unknown) {
        const o = outputOf(name, 'file');
        writeFileSync(join(job.staging, o.file), JSON.stringify(value, null, 1));
        await send({ type: 'written', output: name });
      },
    } as never,
    progress(fraction: number, message?: string) {
      const now = Date.now();
      // Throttle: a tight loop reporting every iteration must not flood the IPC channel.
      if (now - lastProgress < 100 && fraction < 1) return;
      lastProgress = now;
      void send({ type: 'progress', fraction: Math.min(1, Math.max(0, fraction)), message });
    },
    log: {
      info: (message: string) => void send({ type: 'log', level: 'info', message }),
      warn: (message: string) => void send({ type: 'log', level: 'warn', message }),
    },
    scratchDir: job.scratchDir,
    lineage: async () => job.lineage,
    signal,
  };
  await stage.run(ctx as never);
}
