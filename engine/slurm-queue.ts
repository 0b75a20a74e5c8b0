// One `squeue` call per interval for all of a run's jobs (per-job polling overloads controllers), with
// backoff: the interval grows while nothing changes and drops back when something does. Jobs that have left
// the queue are looked up with `sacct` only where accounting works (it needs slurmdbd).
import { slurm } from './slurm-cli.ts';

export interface JobState {
  /** squeue's %T: PENDING, RUNNING, COMPLETED, CANCELLED, TIMEOUT, PREEMPTED, REQUEUED, ...; GONE: not listed. */
  state: string;
  /** squeue's %r: why a job pends (JobHeldUser, DependencyNeverSatisfied, ...). */
  reason: string;
}

type QueueListener = (s: JobState | { error: string }) => void;

export class SlurmQueue {
  private readonly listeners = new Map<string, QueueListener>();
  private readonly last = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private interval: number;
  private sacctWorks: boolean | undefined;
  /** squeue calls made, for tests and the benchmark. */
  polls = 0;

  constructor(private readonly opts: { minMs: number; maxMs: number }) {
    this.interval = opts.minMs;
  }

  watch(jobId: string, listener: QueueListener): void {
    this.listeners.set(jobId, listener);
    // A new job: look soon.
    this.interval = this.opts.minMs;
    this.schedule();
  }

  unwatch(jobId: string): void {
    this.listeners.delete(jobId);
    this.last.delete(jobId);
    if (!this.listeners.size && this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
  }

  private schedule(): void {
    if (this.timer || !this.listeners.size) return;
    this.timer = setTimeout(() => void this.poll(), this.interval);
  }

  private async poll(): Promise<void> {
    const ids = [...this.listeners.keys()];
    this.polls++;
    const r = await slurm('squeue', ['-h', '-t', 'all', '--me', '-o', '%i|%T|%r'], { timeoutMs: 30_000 });
    this.timer = undefined;
    let changed = false;
    if (!r.ok) {
      for (const id of ids) this.listeners.get(id)?.({ error: r.stderr });
      this.interval = this.opts.maxMs;
    } else {
      const listed = new Map<string, JobState>();
      for (const line of r.stdout.split('\n')) {
        const [id, state, reason] = line.trim().split('|');
        if (id) listed.set(id, { state, reason: reason ?? '' });
      }
      for (const id of ids) {
        const s = listed.get(id) ?? (await this.accounted(id));
        const seen = `${s.state}|${s.reason}`;
        if (this.last.get(id) !== seen) changed = true;
        this.last.set(id, seen);
        this.listeners.get(id)?.(s);
      }
      this.interval = changed ? this.opts.minMs : Math.min(this.opts.maxMs, this.interval * 1.5);
    }
    this.schedule();
  }

  /** A job squeue no longer lists: sacct's state when accounting works, else GONE. */
  private async accounted(id: string): Promise<JobState> {
    if (this.sacctWorks !== false) {
      const r = await slurm('sacct', ['-n', '-P', '-X', '-j', id, '-o', 'State'], { timeoutMs: 15_000 });
      this.sacctWorks = r.ok;
      const state = r.ok ? r.stdout.trim().split('\n')[0]?.split(' ')[0] : undefined;
      if (state) return { state, reason: 'sacct' };
    }
    return { state: 'GONE', reason: '' };
  }

  /** Poll now (a done marker, a cancel): the next look is not worth waiting a long backoff for. */
  hurry(): void {
    this.interval = this.opts.minMs;
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.schedule();
    }
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.listeners.clear();
  }
}
