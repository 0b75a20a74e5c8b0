// Entry point of a stage's child process (`node --import tsx engine/child.ts`): receives one job over IPC,
// imports the stage module, runs it with a StageContext that writes into the staging directory, and reports
// progress, logs and the outcome back to the parent. A crash here stays in this process.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ChildJob, ChildMessage, ParentMessage } from './job.ts';
import type { StageContext, StageDefinition, Table } from './stage.ts';

const send = (m: ChildMessage) => new Promise<void>((resolve) => (process.send ? process.send(m, undefined, {}, () => resolve()) : resolve()));
const abort = new AbortController();

async function runJob(job: ChildJob): Promise<void> {
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
    signal: abort.signal,
  };
  await stage.run(ctx as never);
}

process.on('message', (m: ParentMessage) => {
  if (m.type === 'abort') {
    abort.abort();
    return;
  }
  if (m.type !== 'job') return;
  runJob(m.job).then(
    async () => {
      await send({ type: 'done' });
      process.exit(0);
    },
    async (e: unknown) => {
      const err = e instanceof Error ? e : new Error(String(e));
      process.stderr.write(`${err.stack ?? err.message}\n`);
      await send({ type: 'error', message: err.message, stack: err.stack });
      process.exit(1);
    },
  );
});
// The parent died (kill -9): nobody will commit this work, so stop computing it.
process.on('disconnect', () => process.exit(1));
// Interrupted by the parent (or Ctrl-C on the terminal's process group): let the stage see the abort, then go.
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    abort.abort();
    setTimeout(() => process.exit(130), 500).unref();
  });
}
