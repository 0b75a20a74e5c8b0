// Which nodes a command is about: `--only`, `--force`, `explain NODE` name a stage kind, a node, experiment/node
// or an experiment; a name that matches nothing is bad input.
import type { BuiltGraph, PhysicalNode } from './build.ts';
import { UsageError } from '../core/errors.ts';
import { didYouMean } from './errors.ts';

/** Nodes matched by the selectors; `flag` names the option in the error for a name that matches none. */
export function selectNodes(graph: BuiltGraph, selectors: string[], flag: string): Set<PhysicalNode> {
  const out = new Set<PhysicalNode>();
  const problems: string[] = [];
  for (const sel of selectors) {
    const hits = graph.nodes.filter((n) =>
      n.stage.name === sel ||
      n.decls.some((d) => d.node === sel || [d.experiment, d.sweptFrom].some((e) => e !== undefined && (e === sel || `${e}/${d.node}` === sel))),
    );
    if (!hits.length) {
      const names = new Set<string>();
      for (const n of graph.nodes) {
        names.add(n.stage.name);
        for (const d of n.decls) names.add(`${d.experiment}/${d.node}`).add(d.node);
      }
      problems.push(`${flag} ${JSON.stringify(sel)}: no stage kind, node or experiment/node of that name${didYouMean(sel, names)}`);
    }
    for (const h of hits) out.add(h);
  }
  if (problems.length) throw new UsageError(problems);
  return out;
}

/** The roots and everything upstream of them, in the order of `nodes`. */
export function withUpstream(nodes: PhysicalNode[], roots: Set<PhysicalNode>): PhysicalNode[] {
  const keep = new Set<PhysicalNode>();
  const visit = (n: PhysicalNode) => {
    if (keep.has(n)) return;
    keep.add(n);
    for (const i of Object.values(n.inputs)) visit(i.from);
  };
  for (const r of roots) visit(r);
  return nodes.filter((n) => keep.has(n));
}
