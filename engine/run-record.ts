// The record of a run in the store (runs/<run_id>.json): written as 'running' before any work, so `status` shows
// it and `gc` waits, then rewritten with every logical node's outcome.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { RunNodeRecord, RunRecord } from '../cache/store.ts';
import type { NodeOutcome } from './execute.ts';
import type { NodePlan } from './plan.ts';

/** Sortable by start time, unique across processes: 20261201T234000Z-a1b2c3. */
export function newRunId(): string {
  return `${new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${randomBytes(3).toString('hex')}`;
}

/** What a record says about the run apart from its status and nodes. */
export interface RunIdentity {
  runId: string;
  startedAt: string;
  argv: string[];
  profile: string;
  config: unknown;
}

/** The record of a run that has started: cached nodes as such, the rest not run yet. */
export function startedRecord(run: RunIdentity, plans: NodePlan[]): RunRecord {
  return {
    ...run, finishedAt: '', status: 'running', pid: process.pid, host: hostname(),
    nodes: plans.flatMap((p) => p.node.decls.map((d) => ({ experiment: d.experiment, node: d.node, stage: p.node.stage.name, key: p.key, status: p.action === 'cached' ? 'cached' as const : 'skipped' as const, durationMs: 0 }))),
  };
}

/** The record of a finished run: one entry per logical node of every outcome. */
export function finishedRecord(run: RunIdentity, status: RunRecord['status'], outcomes: Iterable<NodeOutcome>): RunRecord {
  const nodes: RunNodeRecord[] = [];
  for (const o of outcomes) {
    for (const d of o.plan.node.decls) {
      nodes.push({ experiment: d.experiment, node: d.node, stage: o.plan.node.stage.name, key: o.key, fingerprint: o.fingerprint, status: o.status, durationMs: o.durationMs, error: o.error });
    }
  }
  return { ...run, finishedAt: new Date().toISOString(), status, pid: process.pid, host: hostname(), nodes };
}
