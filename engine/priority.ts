// Which ready node a free slot takes. Slots go to the node with the most work still behind it (its critical
// path: its own estimated duration plus the longest chain of estimated durations downstream), so long
// trainings start before short side branches fill the cores; first-come order had the quick profile's two
// 4-minute image trainings take both cores ahead of three 10-minute linear trainings.
// Estimates come from the store's recent run records (the last computed duration of the same
// experiment/node); a node never computed counts as DEFAULT_ESTIMATE_MS, so on a fresh store the priority
// is the length of the longest chain below the node.

import type { RunRecord } from '../cache/store.ts';
import type { PhysicalNode } from './build.ts';

export const DEFAULT_ESTIMATE_MS = 1000;

/** Last computed duration per "experiment/node", from run records given newest first. */
export function durationEstimates(runs: Iterable<RunRecord | undefined>): Map<string, number> {
  const out = new Map<string, number>();
  for (const run of runs) {
    for (const n of run?.nodes ?? []) {
      const name = `${n.experiment}/${n.node}`;
      if (n.status === 'computed' && !out.has(name)) out.set(name, n.durationMs);
    }
  }
  return out;
}

/**
 * Critical-path length of every node in `nodes` (restricted to those nodes: cached ones weigh 0 and
 * outside ones are ignored). `estimateMs` gives a node's own expected duration.
 */
export function criticalPaths(nodes: PhysicalNode[], estimateMs: (n: PhysicalNode) => number): Map<PhysicalNode, number> {
  const inPlan = new Set(nodes);
  const children = new Map<PhysicalNode, PhysicalNode[]>();
  for (const n of nodes) {
    for (const { from } of Object.values(n.inputs)) {
      if (!inPlan.has(from)) continue;
      const list = children.get(from) ?? [];
      if (!list.includes(n)) list.push(n);
      children.set(from, list);
    }
  }
  const length = new Map<PhysicalNode, number>();
  const visit = (n: PhysicalNode): number => {
    const known = length.get(n);
    if (known !== undefined) return known;
    let below = 0;
    for (const c of children.get(n) ?? []) below = Math.max(below, visit(c));
    const total = estimateMs(n) + below;
    length.set(n, total);
    return total;
  };
  for (const n of nodes) visit(n);
  return length;
}
