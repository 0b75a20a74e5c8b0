// `status`: the last run (a 'running' record whose process is gone shows as killed) and what is cached or stale now.
import { hostname } from 'node:os';
import { processAlive } from '../cache/lock.ts';
import type { RunRecord, Store } from '../cache/store.ts';
import type { PipelineSpec } from '../engine/dag.ts';
import { formatPlan, planRows } from '../engine/plan.ts';
import type { CliArgs } from './args.ts';
import { print } from './output.ts';
import { planFromArgs } from './plan.ts';

export async function statusCommand(spec: PipelineSpec, args: CliArgs, store: Store, onPhase: (name: string) => void): Promise<number> {
  const { plan } = await planFromArgs(spec, args, store, onPhase);
  const lastId = store.listRunIds()[0];
  const last = lastId ? store.readRun(lastId) : undefined;
  const dead = new Set(store.deadRuns(processAlive, hostname()));
  const shown = (r: RunRecord) => (r.status === 'running' && (dead.has(r.runId) || (r.host === hostname() && r.pid !== undefined && !processAlive(r.pid))) ? 'killed' : r.status);
  const rows = planRows(plan.plans);
  if (args.json) {
    print(JSON.stringify({ lastRun: last ? { runId: last.runId, status: shown(last), startedAt: last.startedAt, finishedAt: last.finishedAt } : null, plan: rows }, null, 1));
    return 0;
  }
  const lastStatus = last && shown(last) === 'killed' && last.status === 'running' ? 'killed (its process is gone)' : last?.status;
  print(last ? `last run ${last.runId}: ${lastStatus}, ${last.startedAt} → ${last.finishedAt}, ${last.nodes.length} nodes` : 'no run recorded yet');
  const others = [...dead].filter((id) => id !== lastId);
  if (others.length) print(`killed runs (record still 'running', process gone; the next run marks them killed): ${others.join(', ')}`);
  print(formatPlan(rows));
  return 0;
}
