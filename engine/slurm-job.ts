// Entry point of a Slurm batch job (`node --import tsx engine/slurm-job.ts JOB_FILE`): runs the stage with the
// same runner a local child uses (stage-runner.ts), here in the job's own process, appends its progress and log
// lines to the events file the parent follows, and writes the done marker (write, then rename) after the outputs.
// SIGTERM (scancel, time limit, preemption) stops the stage without a marker: the parent reads the job's state
// from Slurm. A lost lock (the parent died and its lease ran out, or a re-run took it over) stops it too:
// nobody would commit its work.
import { appendFileSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { abandonment, readLockOwner } from '../cache/lock.ts';
import { runJob } from './stage-runner.ts';
import type { BatchEvent, BatchJobFile, ChildMessage, DoneMarker } from './job.ts';

const TAIL_LINES = 20;
const file = JSON.parse(readFileSync(process.argv[2], 'utf8')) as BatchJobFile;
const event = (e: BatchEvent) => appendFileSync(file.events, `${JSON.stringify(e)}\n`);
const jobId = process.env.SLURM_JOB_ID;
const abort = new AbortController();
let why: string | undefined;
const stop = (reason: string) => {
  why ??= reason;
  abort.abort();
  // A stage that ignores its signal must not outlive the reason (Slurm's KillWait would end it later anyway).
  setTimeout(() => {
    process.stderr.write(`stage stopped: ${why}\n`);
    process.exit(1);
  }, 3000).unref();
};
for (const sig of ['SIGTERM', 'SIGINT'] as const) process.on(sig, () => stop(`${sig} from Slurm`));
const watch = setInterval(() => {
  const owner = readLockOwner(file.lock.path);
  if (owner?.token !== file.lock.token) stop('its lock was released or taken over');
  else if (abandonment(owner)) stop(`its parent is gone (${abandonment(owner)})`);
}, 2000);
watch.unref();

event({ type: 'start', at: Date.now(), host: hostname(), jobId, restart: Number(process.env.SLURM_RESTART_COUNT ?? 0) });
// With no GPU requested the stage must not pick up one the submitting shell could see.
if (file.gpus === 0) process.env.CUDA_VISIBLE_DEVICES = '';
const rows: Record<string, number | undefined> = {};
const send = async (m: ChildMessage) => {
  if (m.type === 'progress' || m.type === 'log') event(m);
  else if (m.type === 'written') rows[m.output] = m.rows;
};
let error: string | undefined;
try {
  await runJob(file.job, send, abort.signal);
} catch (e) {
  const err = e instanceof Error ? e : new Error(String(e));
  process.stderr.write(`${err.stack ?? err.message}\n`);
  error = err.message;
}
clearInterval(watch);
if (why) {
  process.stderr.write(`stage stopped: ${why}\n`);
  process.exit(1);
}
let stderrTail = '';
try {
  stderrTail = error ? readFileSync(file.stderr, 'utf8').trimEnd().split('\n').slice(-TAIL_LINES).join('\n') : '';
} catch {
  // no log file (run outside Slurm)
}
const marker: DoneMarker = { ok: !error, error, stderrTail, rows, jobId, host: hostname(), at: Date.now() };
writeFileSync(`${file.done}.tmp`, JSON.stringify(marker));
renameSync(`${file.done}.tmp`, file.done);
process.exit(error ? 1 : 0);
