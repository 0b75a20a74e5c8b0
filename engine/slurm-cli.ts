// The Slurm commands the executor calls (sbatch, squeue, scancel, sacct), each with a timeout, and which of
// their failures are transient: a controller that is down or busy makes them fail after 9–18 s with one of a
// few messages, and those are retried; anything else (a bad partition, account or request) is not.
import { execFile } from 'node:child_process';

export interface SlurmResult {
  ok: boolean;
  stdout: string;
  stderr: string;
  /** The controller could not be reached (or the command timed out): worth retrying. */
  transient: boolean;
}

const TRANSIENT = /unable to contact slurm controller|socket timed out|connection refused|communication connection failure|zero bytes were transmitted|transport endpoint|temporarily unavailable|slurm_load_jobs error: (unable|socket)|connection timed out|try again/i;

export function slurm(command: 'sbatch' | 'squeue' | 'scancel' | 'sacct', args: string[], opts: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<SlurmResult> {
  return new Promise((resolve) => {
    execFile(command, args, { timeout: opts.timeoutMs ?? 30_000, env: opts.env ?? process.env, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (!err) return resolve({ ok: true, stdout, stderr, transient: false });
      const e = err as NodeJS.ErrnoException & { killed?: boolean };
      if (e.code === 'ENOENT') return resolve({ ok: false, stdout, stderr: `${command}: not found on PATH`, transient: false });
      const timedOut = e.killed === true;
      resolve({ ok: false, stdout, stderr: (stderr || e.message).trim() + (timedOut ? ` (${command} timed out)` : ''), transient: timedOut || TRANSIENT.test(stderr) });
    });
  });
}

/** Retry a command while its failures are transient, with exponential backoff, until `patienceMs` has passed. */
export async function slurmRetrying(
  run: () => Promise<SlurmResult>,
  opts: { patienceMs: number; signal?: AbortSignal; onRetry?(r: SlurmResult, delayMs: number): void },
): Promise<SlurmResult> {
  const t0 = Date.now();
  let delay = 500;
  for (;;) {
    const r = await run();
    if (r.ok || !r.transient || Date.now() - t0 + delay > opts.patienceMs || opts.signal?.aborted) return r;
    opts.onRetry?.(r, delay);
    await new Promise((res) => setTimeout(res, delay));
    delay = Math.min(delay * 2, 15_000);
  }
}
