// Entry point of a stage's child process (`node --import tsx engine/child.ts`): receives one job over IPC,
// runs it (stage-runner.ts) and reports progress, logs and the outcome back to the parent. A crash here stays in
// this process.
import type { ChildMessage, ParentMessage } from './job.ts';
import { runJob } from './stage-runner.ts';

const send = (m: ChildMessage) => new Promise<void>((resolve) => (process.send ? process.send(m, undefined, {}, () => resolve()) : resolve()));
const abort = new AbortController();

process.on('message', (m: ParentMessage) => {
  if (m.type === 'abort') {
    abort.abort();
    return;
  }
  if (m.type !== 'job') return;
  runJob(m.job, send, abort.signal).then(
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
