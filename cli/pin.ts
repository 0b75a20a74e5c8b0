// `pin RUN` / `unpin RUN`: keep (or stop keeping) a run's artifacts through gc.
import type { Store } from '../cache/store.ts';
import { UsageError } from '../core/errors.ts';
import { didYouMean } from '../engine/errors.ts';
import type { CliArgs } from './args.ts';
import { print } from './output.ts';

export function pinCommand(store: Store, args: CliArgs): number {
  const [runId] = args.positionals;
  if (!runId || args.positionals.length !== 1) throw new UsageError([`${args.command} needs one RUN id (see \`status\`)`]);
  const ids = store.listRunIds();
  if (args.command === 'pin') {
    if (!ids.includes(runId)) throw new UsageError([`pin ${runId}: no such run${didYouMean(runId, ids)}`]);
    store.setPins([...store.pins(), runId]);
    print(`pinned run ${runId}`);
  } else {
    if (!store.pins().includes(runId)) throw new UsageError([`unpin ${runId}: not pinned (pinned: ${store.pins().join(', ') || 'none'})`]);
    store.setPins(store.pins().filter((p) => p !== runId));
    print(`unpinned run ${runId}`);
  }
  return 0;
}
