// The Slurm executor: one batch job per ready node. The job file and the script go to the run's log folder in
// the shared store (`<store>/logs/<run>/`), the job is submitted with `sbatch --parsable`, and its outcome is
// its done marker; Slurm's state (one squeue per interval for the whole run) explains a job that ended without
// one. Preempted and requeued jobs keep their node running; a pending reason that never resolves fails it fast.
import { existsSync, mkdirSync, openSync, readFileSync, readSync, closeSync, statSync, writeFileSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lockToken } from '../cache/lock.ts';
import type { ChildHooks, ChildOutcome, Executor, StageRun } from './executor.ts';
import type { BatchEvent, BatchJobFile, ChildJob, DoneMarker } from './job.ts';
import { slurm, slurmRetrying, type SlurmResult } from './slurm-cli.ts';
import { SlurmQueue, type JobState } from './slurm-queue.ts';

const BATCH_ENTRY = fileURLToPath(new URL('./slurm-job.ts', import.meta.url));

export interface SlurmSettings {
  partition?: string;
  account?: string;
  /** Slurm --time for every stage (minutes, or Slurm's [D-]HH:MM[:SS]); a stage's `timeMinutes` resource otherwise. */
  time?: string;
  /** --time per stage kind, over `time`. */
  stageTime: Record<string, string>;
  /** Appended to every sbatch command line. */
  sbatchArgs: string[];
}

interface SlurmExecutorOptions {
  settings: SlurmSettings;
  /** The run's log folder in the shared store. */
  logDir: string;
  runId: string;
  /** Notices for the user (retries, requeues), on the progress display. */
  notice(message: string): void;
  /** Poll intervals, ms (squeue backoff between them) and how long a controller outage is ridden out. */
  pollMinMs?: number;
  pollMaxMs?: number;
  patienceMs?: number;
  /** How long after Slurm says a job ended its done marker may still be on its way (shared-filesystem lag). */
  markerGraceMs?: number;
}

/** Pending reasons that never resolve by themselves: the node fails fast with the reason instead of waiting. */
const HOPELESS = /^(DependencyNeverSatisfied|PartitionConfig|BadConstraints|JobHeld(User|Admin)|InvalidAccount|InvalidQOS|PartitionTimeLimit|PartitionNodeLimit|QOSMaxWallDurationPerJobLimit|AssocMaxWallDurationPerJobLimit)/;
const ENDED = /^(COMPLETED|FAILED|CANCELLED|TIMEOUT|OUT_OF_MEMORY|NODE_FAIL|BOOT_FAIL|DEADLINE|SPECIAL_EXIT|REVOKED|GONE)/;
const TAIL_LINES = 20;

function whyEnded(state: string, time: string | undefined): string {
  if (state.startsWith('TIMEOUT')) return `over its time limit${time ? ` (--time ${time})` : ''}`;
  if (state.startsWith('CANCELLED')) return 'cancelled (scancel, or an administrator)';
  if (state.startsWith('OUT_OF_MEMORY')) return 'out of memory (raise the stage\'s memoryMiB)';
  if (state.startsWith('NODE_FAIL')) return 'its compute node failed';
  if (state === 'GONE') return 'it left the queue without a done marker';
  return `it ended ${state} without a done marker`;
}

function tailOf(path: string): string {
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-TAIL_LINES).join('\n');
  } catch {
    return '';
  }
}

function jobName(runId: string, label: string): string {
  return `pipeline.${runId}.${label.replace('/', '.')}`.replace(/[^A-Za-z0-9._-]/g, '_');
}

export class SlurmExecutor implements Executor {
  readonly name = 'slurm';
  readonly placesResources = true;
  private readonly queue: SlurmQueue;
  private readonly live = new Set<string>();
  private readonly patienceMs: number;
  private readonly markerGraceMs: number;
  private outage = false;

  constructor(private readonly opts: SlurmExecutorOptions) {
    this.queue = new SlurmQueue({ minMs: opts.pollMinMs ?? 250, maxMs: opts.pollMaxMs ?? 5000 });
    this.patienceMs = opts.patienceMs ?? 300_000;
    this.markerGraceMs = opts.markerGraceMs ?? 15_000;
    mkdirSync(opts.logDir, { recursive: true });
  }

  timeFor(stage: string, timeMinutes: number | undefined): string | undefined {
    const s = this.opts.settings;
    return s.stageTime[stage] ?? s.time ?? (timeMinutes ? String(Math.ceil(timeMinutes)) : undefined);
  }

  sbatchArgs(job: ChildJob, run: StageRun, base: string, name: string): string[] {
    const s = this.opts.settings;
    const time = this.timeFor(job.stage, run.resources.timeMinutes);
    return [
      '--parsable', `--job-name=${name}`, `--chdir=${run.cwd}`, `--output=${base}.out`, `--error=${base}.err`,
      `--cpus-per-task=${Math.max(1, Math.ceil(run.resources.cpu))}`,
      ...(run.resources.memoryMiB ? [`--mem=${Math.ceil(run.resources.memoryMiB)}M`] : []),
      ...(run.resources.gpu > 0 ? [`--gres=gpu:${Math.ceil(run.resources.gpu)}`] : []),
      ...(s.partition ? [`--partition=${s.partition}`] : []),
      ...(s.account ? [`--account=${s.account}`] : []),
      ...(time ? [`--time=${time}`] : []),
      ...s.sbatchArgs,
      `${base}.sh`,
    ];
  }

  async run(job: ChildJob, run: StageRun, hooks: ChildHooks): Promise<ChildOutcome> {
    const fail = (error: string, stderrTail = ''): ChildOutcome => ({ ok: false, error, stderrTail, rows: {} });
    const token = lockToken(run.lockPath);
    if (!token) return fail('the key\'s lock is not held');
    const name = jobName(this.opts.runId, run.label);
    const base = join(this.opts.logDir, run.label.replace('/', '.'));
    const file: BatchJobFile = {
      job, gpus: Math.ceil(run.resources.gpu), lock: { path: run.lockPath, token }, events: `${base}.events.jsonl`, done: `${base}.done.json`, stderr: `${base}.err`,
    };
    writeFileSync(`${base}.job.json`, JSON.stringify(file, null, 1));
    writeFileSync(file.events, '');
    const sh = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
    writeFileSync(`${base}.sh`, `#!/bin/sh\n# stage ${job.stage} at ${run.label}, run ${this.opts.runId}\nexec ${sh(process.execPath)} --import tsx ${sh(BATCH_ENTRY)} ${sh(`${base}.job.json`)}\n`);
    const args = this.sbatchArgs(job, run, base, name);
    const time = this.timeFor(job.stage, run.resources.timeMinutes);

    const submittedAt = Date.now();
    const submitted = await this.submit(name, args, run.signal);
    if (typeof submitted !== 'string') return run.signal.aborted ? fail('interrupted') : fail(`sbatch failed: ${submitted.stderr}`);
    let jobId = submitted;
    this.live.add(jobId);
    this.record({ node: run.label, jobId, submittedAt });

    return await new Promise<ChildOutcome>((resolve) => {
      let offset = 0;
      let partial = '';
      let startedAt: number | undefined;
      let endedAt: number | undefined;
      let endedState = '';
      let hopeless: { reason: string; since: number } | undefined;
      let preemptedSince: number | undefined;
      let settled = false;
      const follow = () => {
        // New bytes of the events file: progress and logs as a local child would send them.
        try {
          const size = statSync(file.events).size;
          if (size > offset) {
            const fd = openSync(file.events, 'r');
            const buf = Buffer.alloc(size - offset);
            readSync(fd, buf, 0, buf.length, offset);
            closeSync(fd);
            offset = size;
            const lines = (partial + buf.toString('utf8')).split('\n');
            partial = lines.pop() ?? '';
            for (const line of lines) if (line) onEvent(JSON.parse(line) as BatchEvent);
          }
        } catch {
          // not visible yet on this host
        }
      };
      const onEvent = (e: BatchEvent) => {
        if (e.type === 'progress') hooks.onProgress(e.fraction, e.message);
        else if (e.type === 'log') hooks.onLog(e.level, e.message);
        else if (e.type === 'start') {
          startedAt ??= e.at;
          if (e.restart > 0) this.opts.notice(`${run.label}: Slurm job ${jobId} requeued, running again on ${e.host} (restart ${e.restart})`);
        }
      };
      const finish = (o: ChildOutcome, state: string) => {
        if (settled) return;
        settled = true;
        clearInterval(ticker);
        this.queue.unwatch(jobId);
        run.signal.removeEventListener('abort', onAbort);
        this.live.delete(jobId);
        this.record({ node: run.label, jobId, state, submittedAt, startedAt, doneAt: Date.now() });
        resolve(o);
      };
      const checkMarker = (): boolean => {
        if (!existsSync(file.done)) return false;
        follow();
        let m: DoneMarker;
        try {
          m = JSON.parse(readFileSync(file.done, 'utf8')) as DoneMarker;
        } catch {
          return false;
        }
        finish({ ok: m.ok, error: m.error, stderrTail: m.stderrTail || tailOf(`${base}.err`), rows: m.rows }, m.ok ? 'DONE' : 'FAILED');
        return true;
      };
      const ticker = setInterval(() => {
        follow();
        if (checkMarker()) return;
        if (preemptedSince !== undefined && Date.now() - preemptedSince > this.markerGraceMs) {
          // Preempted and not requeued (PreemptMode=CANCEL): not a failure of the stage, so submit it again.
          preemptedSince = undefined;
          void resubmit();
        } else if (endedAt !== undefined && Date.now() - endedAt > this.markerGraceMs) {
          finish(fail(`Slurm job ${jobId} (${name}): ${whyEnded(endedState, time)}`, tailOf(`${base}.err`)), endedState);
        }
      }, 250);
      const resubmit = async () => {
        this.queue.unwatch(jobId);
        this.live.delete(jobId);
        const again = await this.submit(name, args, run.signal, new Set([jobId]));
        if (settled) return;
        if (typeof again !== 'string') return finish(fail(`resubmitting after preemption: sbatch failed: ${again.stderr}`), 'PREEMPTED');
        this.opts.notice(`${run.label}: Slurm job ${jobId} was preempted and not requeued; resubmitted as ${again}`);
        jobId = again;
        this.live.add(jobId);
        this.queue.watch(jobId, onState);
      };
      const onState = (s: JobState | { error: string }) => {
        if ('error' in s) {
          // Once per outage for the whole run, not once per job.
          if (!this.outage) this.opts.notice(`squeue failed (${s.error.split('\n')[0]}); the jobs keep running, retrying with backoff`);
          this.outage = true;
          return;
        }
        this.outage = false;
        if (s.state.startsWith('PREEMPTED')) {
          preemptedSince ??= Date.now();
          return;
        }
        preemptedSince = undefined;
        if (ENDED.test(s.state)) {
          endedAt ??= Date.now();
          endedState = s.state;
          return;
        }
        // PREEMPTED, REQUEUED, REQUEUE_FED, RESIZING, SUSPENDED: the node is not failed; Slurm runs it again.
        endedAt = undefined;
        const reason = s.state === 'REQUEUE_HOLD' ? 'JobHeldAdmin' : s.state === 'PENDING' ? s.reason : '';
        if (HOPELESS.test(reason)) {
          hopeless ??= { reason, since: Date.now() };
          // Seen on two polls at least a second apart: not a momentary state at submission.
          if (Date.now() - hopeless.since >= 1000) {
            void this.cancel([jobId]);
            finish(fail(`Slurm job ${jobId} (${name}) pends with reason ${reason}, which never resolves by itself; cancelled it`), `PENDING ${reason}`);
          }
        } else hopeless = undefined;
      };
      const onAbort = () => {
        void this.cancel([jobId]);
        finish(fail('interrupted'), 'CANCELLED by the pipeline');
      };
      run.signal.addEventListener('abort', onAbort, { once: true });
      if (run.signal.aborted) onAbort();
      else this.queue.watch(jobId, onState);
    });
  }

  /** sbatch, retried through controller outages; a submit that seemed to fail is looked up by its job name first. */
  private async submit(name: string, args: string[], signal: AbortSignal, exclude = new Set<string>()): Promise<string | SlurmResult> {
    const t0 = Date.now();
    let delay = 500;
    for (let attempt = 0; ; attempt++) {
      if (attempt > 0) {
        const found = await slurmRetrying(() => slurm('squeue', ['-h', '-t', 'all', '--me', `--name=${name}`, '-o', '%i']), { patienceMs: this.patienceMs, signal });
        const ids = found.ok ? found.stdout.split('\n').map((l) => l.trim()).filter((id) => id && !exclude.has(id)) : [];
        if (ids.length) return ids.sort((a, b) => Number(a) - Number(b))[ids.length - 1];
      }
      const r = await slurm('sbatch', args);
      const id = r.ok ? r.stdout.trim().split(';')[0] : '';
      if (r.ok && /^\d+$/.test(id)) return id;
      if ((r.ok || r.transient) && !signal.aborted && Date.now() - t0 < this.patienceMs) {
        this.opts.notice(`sbatch ${name}: ${r.ok ? `unexpected output ${JSON.stringify(r.stdout)}` : r.stderr.split('\n')[0]}; checking whether it went through, then retrying`);
        await new Promise((res) => setTimeout(res, delay));
        delay = Math.min(delay * 2, 15_000);
        continue;
      }
      return r;
    }
  }

  private cancel(ids: string[]): Promise<SlurmResult> {
    return slurmRetrying(() => slurm('scancel', ids), { patienceMs: 60_000 });
  }

  private record(entry: Record<string, unknown>): void {
    appendFileSync(join(this.opts.logDir, 'jobs.jsonl'), `${JSON.stringify(entry)}\n`);
  }

  async close(): Promise<void> {
    this.queue.close();
    // Ctrl-C or an error: nothing of this run may keep running on the cluster.
    if (this.live.size) await this.cancel([...this.live]);
    this.live.clear();
  }
}
