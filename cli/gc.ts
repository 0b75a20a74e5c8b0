// `gc [--keep N]`: remove artifacts unreachable from the last N runs and the pinned ones; refused while a run
// works on the store.
import { hostname } from 'node:os';
import { lockInUse, processAlive } from '../cache/lock.ts';
import type { Store } from '../cache/store.ts';
import type { CliArgs } from './args.ts';
import { eprint, print } from './output.ts';

export function gcCommand(store: Store, args: CliArgs): number {
  if (!store.exists()) {
    print(`no store at ${store.root}`);
    return 0;
  }
  const running = store.runningRuns(processAlive, hostname());
  if (running.length) {
    eprint(`gc: run ${running[0].runId} (pid ${running[0].pid}) is in progress on this store; try again when it has finished`);
    return 1;
  }
  const r = store.gc(args.keep, (key) => lockInUse(store.lockPath(key)));
  print(`gc: removed ${r.removed} artifacts, freed ${r.bytesFreed} bytes (${(r.bytesFreed / 1048576).toFixed(1)} MiB); kept ${r.kept} reachable from the last ${args.keep} runs and ${store.pins().length} pinned`);
  return 0;
}
