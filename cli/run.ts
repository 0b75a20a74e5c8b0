// `run` (the default command): the plan, then — unless --dry-run or --json, which print it — the run itself
// through engine/run.ts, and its outcome for people: a summary line, each failure, what was not run.
import type { PipelineSpec } from '../engine/dag.ts';
import { label } from '../engine/build.ts';
import { RunNotStarted } from '../engine/errors.ts';
import { formatPlan, planRows } from '../engine/plan.ts';
import { ProgressReporter } from '../engine/progress.ts';
import { executeRun, type RunResult } from '../engine/run.ts';
import type { Store } from '../cache/store.ts';
import type { CliArgs } from './args.ts';
import { eprint, print } from './output.ts';
import { planFromArgs } from './plan.ts';
import { withInterrupts } from './signals.ts';

export async function runCommand(spec: PipelineSpec, args: CliArgs, argv: string[], store: Store, outDir: string, onPhase: (name: string) => void): Promise<number> {
  const { config, executor, plan } = await planFromArgs(spec, args, store, onPhase);
  // --json is the machine-readable form of the dry-run plan: it never runs anything.
  if (args.dryRun || args.json) {
    const rows = planRows(plan.plans);
    print(args.json ? JSON.stringify(rows, null, 1) : formatPlan(rows));
    return 0;
  }
  const progress = new ProgressReporter();
  let result: RunResult;
  try {
    result = await withInterrupts(progress, (signal) =>
      executeRun(plan, { outDir, profile: config.profile, layers: config.layers, executor, jobs: args.jobs, signal, progress, argv, onPhase }),
    );
  } catch (e) {
    if (!(e instanceof RunNotStarted)) throw e;
    eprint(`error: ${e.message}`);
    eprint('nothing was run');
    return 1;
  }
  for (const w of result.warnings) eprint(`warning: ${w}`);
  const { counts, exportErrors, recordError } = result;
  progress.info(`run ${result.runId}: ${counts.computed} computed, ${counts.cached} cached, ${counts.failed} failed, ${counts.skipped} skipped${counts.interrupted ? `, ${counts.interrupted} interrupted` : ''}${exportErrors.length ? `, ${exportErrors.length} exports failed` : ''}`);
  if (result.status === 'interrupted') {
    if (recordError) eprint(`error: ${recordError}`);
    eprint('interrupted: the store is consistent (staging removed, locks released)');
    return 130;
  }
  if (result.status === 'failed' || recordError) {
    for (const f of result.outcomes.filter((o) => o.status === 'failed')) eprint(`\nerror: ${f.error}`);
    for (const e of exportErrors) eprint(`\nerror: ${e}`);
    const skipped = result.outcomes.filter((o) => o.status === 'skipped');
    if (skipped.length) eprint(`\nnot run because an upstream stage failed: ${skipped.map((o) => label(o.plan.node)).join(', ')}`);
    if (recordError) {
      eprint(`\nerror: ${recordError}`);
      eprint('the artifacts committed so far are intact; the next run on this store marks this run killed and recomputes only what is missing');
    }
    return 1;
  }
  return 0;
}
