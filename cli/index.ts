// The command line: `process.exitCode = await runCli(spec, process.argv.slice(2))` in pipeline.ts. Parses the
// arguments and hands them to the subcommand's file; bad input anywhere is exit 2 with nothing written.
import { resolve } from 'node:path';
import type { PipelineSpec } from '../engine/dag.ts';
import { UsageError } from '../core/errors.ts';
import { outDirFor, storeFor } from '../engine/run.ts';
import type { Store } from '../cache/store.ts';
import { parseArgs } from './args.ts';
import { explainCommand } from './explain.ts';
import { gcCommand } from './gc.ts';
import { helpCommand } from './help.ts';
import { eprint } from './output.ts';
import { pinCommand } from './pin.ts';
import { runCommand } from './run.ts';
import { statusCommand } from './status.ts';
import { theoryCommand } from './theory.ts';
import { verifyCommand } from './verify.ts';

export async function runCli(spec: PipelineSpec, argv: string[]): Promise<number> {
  // PIPELINE_TIMINGS=1: where a start goes (process start, declaration, fingerprints, planning, ...).
  const timings: Array<[string, number]> = [['process start + imports', performance.now()]];
  let mark = performance.now();
  const lap = (name: string) => {
    const now = performance.now();
    timings.push([name, now - mark]);
    mark = now;
  };
  const seen: { store?: Store } = {};
  try {
    const code = await dispatch(spec, argv, lap, seen);
    if (process.env.PIPELINE_TIMINGS) {
      lap('rest');
      eprint(`timings: ${timings.map(([k, v]) => `${k} ${v.toFixed(0)}ms`).join(', ')}, total ${performance.now().toFixed(0)}ms`);
    }
    return code;
  } catch (e) {
    if (e instanceof UsageError) {
      eprint(`error: ${e.problems.length > 1 ? `${e.problems.length} problems:\n  ` : ''}${e.problems.join('\n  ')}`);
      eprint('nothing was run; see --help for parameters, their ranges and the node names');
      return 2;
    }
    eprint(`error: ${(e as Error).stack ?? String(e)}`);
    return 1;
  } finally {
    // Every reader treats a malformed record as absent; say which ones were.
    for (const [path, problem] of seen.store?.malformed ?? []) eprint(`warning: ${path} ${problem}: treated as absent`);
  }
}

async function dispatch(spec: PipelineSpec, argv: string[], lap: (name: string) => void, seen: { store?: Store }): Promise<number> {
  const args = parseArgs(argv);
  if (args.command === 'theory') return theoryCommand(args.positionals);
  const store = storeFor(spec, args.store);
  const outDir = outDirFor(spec, args.out);
  seen.store = store;
  if (args.help) return helpCommand(spec, args);
  switch (args.command) {
    case 'verify': return verifyCommand(store, args, outDir, resolve(spec.projectRoot));
    case 'gc': return gcCommand(store, args);
    case 'pin':
    case 'unpin': return pinCommand(store, args);
    case 'status': return statusCommand(spec, args, store, lap);
    case 'explain': return explainCommand(spec, args, store, lap);
    case 'run': return runCommand(spec, args, argv, store, outDir, lap);
  }
}
