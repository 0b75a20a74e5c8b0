// Entry point of a Slurm batch job (`node --import tsx engine/slurm-job.ts JOB_FILE`): runs the stage in the
// same child process a local run uses, appends its progress and log lines to the events file the parent
// follows, copies its stderr to the job's log, and writes the done marker (write, then rename) after the
// outputs. SIGTERM (scancel, time limit, preemption) stops the stage without a marker: the parent reads the
// job's state from Slurm. A lost lock (the parent died and its lease ran out, or a re-run took it over)
// stops the stage too: nobody would commit its work.
import { appendFileSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { abandonment, readLockOwner } from '../cache/lock.ts';
import { runStageInChild } from './executor.ts';
import type { BatchEvent, BatchJobFile, DoneMarker } from './job.ts';

const file = JSON.parse(readFileSync(process.argv[2], 'utf8')) as BatchJobFile;
const event = (e: BatchEvent) => appendFileSync(file.events, `${JSON.stringify(e)}\n`);
const jobId = process.env.SLURM_JOB_ID;
const abort = new AbortController();
let why: string | undefined;
const stop = (reason: string) => {
  why ??= reason;
  abort.abort();
};
for (const sig of ['SIGTERM', 'SIGINT'] as const) process.on(sig, () => stop(`${sig} from Slurm`));
const watch = setInterval(() => {
  const owner = readLockOwner(file.lock.path);
  if (owner?.token !== file.lock.token) stop('its lock was released or taken over');
  else if (abandonment(owner)) stop(`its parent is gone (${abandonment(owner)})`);
}, 2000);

event({ type: 'start', at: Date.now(), host: hostname(), jobId, restart: Number(process.env.SLURM_RESTART_COUNT ?? 0) });
// With no GPU requested the stage must not pick up one the submitting shell could see.
const env: Record<string, string | undefined> = file.gpus > 0 ? {} : { CUDA_VISIBLE_DEVICES: '' };
const outcome = await runStageInChild(file.job, { cwd: process.cwd(), env, signal: abort.signal }, {
  onProgress: (fraction, message) => event({ type: 'progress', fraction, message }),
  onLog: (level, message) => event({ type: 'log', level, message }),
  onStderr: (chunk) => process.stderr.write(chunk),
});
clearInterval(watch);
if (why) {
  process.stderr.write(`stage stopped: ${why}\n`);
  process.exit(1);
}
const marker: DoneMarker = { ok: outcome.ok, error: outcome.error, stderrTail: outcome.stderrTail, rows: outcome.rows, jobId, host: hostname(), at: Date.now() };
writeFileSync(`${file.done}.tmp`, JSON.stringify(marker));
renameSync(`${file.done}.tmp`, file.done);
process.exit(outcome.ok ? 0 : 1);
