// Executors: where a ready node's stage runs. The scheduler hands every node to one Executor; `localExecutor`
// runs it in its own child process on this host (execa, `node --import tsx engine/child.ts`, IPC), forwarding
// progress and logs, keeping the tail of stderr for error messages, and stopping it on interrupt. The Slurm
// executor (slurm-executor.ts) runs the same stage runner (stage-runner.ts) inside a batch job.
import { execa } from 'execa';
import { fileURLToPath } from 'node:url';
import type { ChildJob, ChildMessage } from './job.ts';
import type { Resources } from '../core/resources.ts';

const CHILD = fileURLToPath(new URL('./child.ts', import.meta.url));

export interface ChildOutcome {
  ok: boolean;
  /** The stage's own error message, or how the process ended (signal, exit code). */
  error?: string;
  stderrTail: string;
  pid?: number;
  /** Row counts of the tables the child reported writing. */
  rows: Record<string, number | undefined>;
}

export interface ChildHooks {
  onProgress(fraction: number, message?: string): void;
  onLog(level: 'info' | 'warn', message: string): void;
  onStart?(pid: number | undefined): void;
}

export interface StageRun {
  cwd: string;
  env: Record<string, string | undefined>;
  signal: AbortSignal;
  /** The node's declared resources, for executors that request them from a cluster. */
  resources: Resources & { cpu: number; gpu: number };
  /** experiment/node, for job names and messages. */
  label: string;
  /** The key's lock, held by this process while the stage runs: a remote job stops when it is lost. */
  lockPath: string;
}

export interface Executor {
  readonly name: string;
  /** True when the executor places cpus and GPUs itself (a cluster): the scheduler then assigns no device and
   * counts no cpu slots, and `--jobs` only caps the stages in flight. */
  readonly placesResources: boolean;
  run(job: ChildJob, run: StageRun, hooks: ChildHooks): Promise<ChildOutcome>;
  /** Called once the plan has settled (after an interrupt too). */
  close(): Promise<void>;
}

export const localExecutor: Executor = {
  name: 'local',
  placesResources: false,
  run: (job, run, hooks) => runStageInChild(job, run, hooks),
  close: async () => {},
};

const TAIL_LINES = 20;

export async function runStageInChild(
  job: ChildJob,
  opts: { cwd: string; env: Record<string, string | undefined>; signal: AbortSignal },
  hooks: ChildHooks,
): Promise<ChildOutcome> {
  const sub = execa(process.execPath, ['--import', 'tsx', CHILD], {
    cwd: opts.cwd,
    env: opts.env,
    extendEnv: true,
    ipc: true,
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
    buffer: false,
    reject: false,
    // Own process group: Ctrl-C reaches the parent, which stops the children in order.
    detached: true,
  });
  hooks.onStart?.(sub.pid);
  let stderr = '';
  sub.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString('utf8');
    if (stderr.length > 64_000) stderr = stderr.slice(-32_000);
  });
  sub.stdout?.on('data', (d: Buffer) => {
    for (const line of d.toString('utf8').split('\n')) if (line.trim()) hooks.onLog('info', line);
  });
  let outcome: ChildMessage | undefined;
  const rows: Record<string, number | undefined> = {};
  sub.on('message', (m: ChildMessage) => {
    if (m.type === 'progress') hooks.onProgress(m.fraction, m.message);
    else if (m.type === 'log') hooks.onLog(m.level, m.message);
    else if (m.type === 'written') rows[m.output] = m.rows;
    else if (m.type === 'done' || m.type === 'error') outcome = m;
  });
  const onAbort = () => {
    try {
      sub.send({ type: 'abort' });
    } catch {
      // channel already closed
    }
    sub.kill('SIGTERM');
    setTimeout(() => sub.kill('SIGKILL'), 3000).unref();
  };
  if (opts.signal.aborted) onAbort();
  else opts.signal.addEventListener('abort', onAbort, { once: true });
  sub.send({ type: 'job', job });
  const result = await sub;
  opts.signal.removeEventListener('abort', onAbort);
  const stderrTail = stderr.trimEnd().split('\n').slice(-TAIL_LINES).join('\n');
  if (outcome?.type === 'done' && result.exitCode === 0) return { ok: true, stderrTail, pid: sub.pid, rows };
  const how = outcome?.type === 'error'
    ? outcome.message
    : result.signal
      ? `child process killed by ${result.signal}`
      : `child process exited with code ${result.exitCode}`;
  return { ok: false, error: how, stderrTail, pid: sub.pid, rows };
}
