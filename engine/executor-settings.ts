// Which executor runs the nodes, and its settings: `--executor local|slurm`, `--slurm-partition`,
// `--slurm-account`, `--slurm-time [STAGE=]LIMIT`, `--sbatch-arg ARG`, or the same under `executor:` in a
// --config file (flags win). Checked before any work starts: a bad value is a UsageError (exit 2).
import { delimiter, join } from 'node:path';
import { existsSync } from 'node:fs';
import { UsageError } from '../core/errors.ts';
import { didYouMean } from './errors.ts';
import type { Executor } from './executor.ts';
import type { SlurmSettings } from './slurm-executor.ts';

const EXECUTORS = ['local', 'slurm'] as const;

export interface ExecutorChoice {
  kind: (typeof EXECUTORS)[number];
  slurm: SlurmSettings;
}

interface ExecutorFlags {
  executor?: string;
  partition?: string;
  account?: string;
  /** `LIMIT` (every stage) or `STAGE=LIMIT`. */
  times: string[];
  sbatchArgs: string[];
}

// Slurm's --time formats: minutes, minutes:seconds, hours:minutes:seconds, days-hours[:minutes[:seconds]].
const TIME = /^(\d+(:\d{1,2}){0,2}|\d+-\d+(:\d{1,2}){0,2}|UNLIMITED|INFINITE)$/;
const TIME_HELP = 'minutes, MM:SS, HH:MM:SS or D-HH[:MM[:SS]] (Slurm --time)';

function onPath(command: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((d) => d && existsSync(join(d, command)));
}

/** Flags over the `executor:` tree of the --config files; `stages` are the stage kinds a per-stage time may name. */
export function chooseExecutor(flags: ExecutorFlags, config: Record<string, unknown> | undefined, stages: Set<string>): ExecutorChoice {
  const problems: string[] = [];
  const c = config ?? {};
  for (const k of Object.keys(c)) {
    if (!['kind', 'partition', 'account', 'time', 'sbatch_args'].includes(k)) problems.push(`--config executor.${k}: unknown key; allowed: kind, partition, account, time, sbatch_args`);
  }
  const str = (v: unknown, where: string): string | undefined => {
    if (v === undefined) return undefined;
    if (typeof v === 'string' || typeof v === 'number') return String(v);
    problems.push(`${where} ${JSON.stringify(v)}: expects a string`);
    return undefined;
  };
  const kind = flags.executor ?? str(c.kind, '--config executor.kind') ?? 'local';
  if (!(EXECUTORS as readonly string[]).includes(kind)) problems.push(`--executor ${JSON.stringify(kind)}: choose one of ${EXECUTORS.join(', ')}${didYouMean(kind, EXECUTORS)}`);
  const slurm: SlurmSettings = {
    partition: flags.partition ?? str(c.partition, '--config executor.partition'),
    account: flags.account ?? str(c.account, '--config executor.account'),
    stageTime: {},
    sbatchArgs: [],
  };
  const setTime = (stage: string | undefined, limit: string, where: string) => {
    if (!TIME.test(limit)) return problems.push(`${where} ${JSON.stringify(limit)}: expects ${TIME_HELP}`);
    if (stage === undefined) slurm.time = limit;
    else if (!stages.has(stage)) problems.push(`${where}: no stage kind "${stage}"${didYouMean(stage, stages)}`);
    else slurm.stageTime[stage] = limit;
  };
  if (c.time !== undefined && typeof c.time === 'object' && c.time !== null) {
    for (const [k, v] of Object.entries(c.time)) setTime(k === 'default' ? undefined : k, String(v), `--config executor.time.${k}`);
  } else if (c.time !== undefined) setTime(undefined, String(c.time), '--config executor.time');
  for (const t of flags.times) {
    const eq = t.indexOf('=');
    setTime(eq < 0 ? undefined : t.slice(0, eq), eq < 0 ? t : t.slice(eq + 1), '--slurm-time');
  }
  if (c.sbatch_args !== undefined) {
    if (Array.isArray(c.sbatch_args) && c.sbatch_args.every((a) => typeof a === 'string')) slurm.sbatchArgs.push(...c.sbatch_args);
    else problems.push(`--config executor.sbatch_args ${JSON.stringify(c.sbatch_args)}: expects a list of strings`);
  }
  slurm.sbatchArgs.push(...flags.sbatchArgs);
  for (const a of slurm.sbatchArgs) {
    if (!a.startsWith('-')) problems.push(`--sbatch-arg ${JSON.stringify(a)}: expects an sbatch option (starting with -), e.g. --sbatch-arg=--qos=high`);
  }
  if (kind === 'local') {
    const given = [flags.partition && '--slurm-partition', flags.account && '--slurm-account', flags.times.length && '--slurm-time', flags.sbatchArgs.length && '--sbatch-arg'].filter(Boolean);
    if (given.length) problems.push(`${given.join(', ')}: only apply with --executor slurm`);
  }
  if (kind === 'slurm' && !onPath('sbatch')) problems.push('--executor slurm: sbatch is not on PATH (run where Slurm\'s client commands are installed, e.g. a login node)');
  if (problems.length) throw new UsageError(problems);
  return { kind: kind as ExecutorChoice['kind'], slurm };
}

/** The executor for one run; `logDir` is the run's log folder in the shared store. */
export async function openExecutor(choice: ExecutorChoice, ctx: { logDir: string; runId: string; notice(m: string): void }): Promise<Executor> {
  if (choice.kind === 'local') return (await import('./executor.ts')).localExecutor;
  const { SlurmExecutor } = await import('./slurm-executor.ts');
  const ms = (name: string) => (process.env[name] ? Number(process.env[name]) : undefined);
  return new SlurmExecutor({
    settings: choice.slurm, logDir: ctx.logDir, runId: ctx.runId, notice: ctx.notice,
    // For tests of outages and of a job killed from outside, which should not wait out the defaults.
    markerGraceMs: ms('PIPELINE_SLURM_MARKER_GRACE_MS'),
    patienceMs: ms('PIPELINE_SLURM_PATIENCE_MS'),
  });
}
