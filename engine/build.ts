// From a PipelineSpec and the command line's configuration to a validated graph of physical nodes:
// parameters resolved and checked, bindings checked (required inputs bound, outputs exist, kinds and table
// schemas match, no cycles), sweeps fanned out, and logical nodes with the same identity merged (computed once).
import type { AnyStage, ConfigTree, NodeDecl, OutputRef, PipelineSpec } from './dag.ts';
import { declareDag, nodeLabel } from './dag.ts';
import { checkLayerKeys, resolveNodeParams, setInTree, type ConfigLayer } from './config.ts';
import { UsageError, didYouMean } from './errors.ts';
import { canonicalJson, sha256Hex } from './digest.ts';
import type { InputSpec, OutputSpec, Resources, TableSchema } from './stage.ts';

export interface PhysicalNode {
  /** Identity before keys are known: stage, parameters, environment and the identities of its inputs. */
  id: string;
  /** Logical nodes (experiment/node) that share this computation; the first names it in messages. */
  decls: NodeDecl[];
  stage: AnyStage;
  params: Record<string, unknown>;
  environment: Record<string, string>;
  resources: Required<Pick<Resources, 'cpu' | 'gpu'>> & Resources;
  inputs: Record<string, { from: PhysicalNode; output: string }>;
}

export interface BuiltGraph {
  /** Topological order. */
  nodes: PhysicalNode[];
  /** Sweep experiment names, for messages. */
  experiments: string[];
}

export interface Sweep {
  path: string[];
  raw: string;
  values: string[];
}

export function label(n: PhysicalNode): string {
  const [first, ...rest] = n.decls;
  return `${nodeLabel(first)}${rest.length ? ` (+${rest.length} shared)` : ''}`;
}

function schemaMismatch(input: TableSchema, output: TableSchema): string | undefined {
  for (const [col, type] of Object.entries(input)) {
    if (!(col in output)) return `column ${col} (${type}) is not produced (it has ${Object.keys(output).join(', ')})`;
    if (output[col] !== type) return `column ${col} is ${output[col]}, the input expects ${type}`;
  }
  return undefined;
}

function checkBindings(nodes: NodeDecl[], problems: string[]): void {
  for (const n of nodes) {
    const inputs = n.stage.inputs as Record<string, InputSpec>;
    for (const [name, ref] of Object.entries(n.inputs)) {
      if (!(name in inputs)) {
        problems.push(`${nodeLabel(n)}: binds input "${name}", which stage ${n.stage.name} does not declare${didYouMean(name, Object.keys(inputs))}`);
      }
      if (ref === undefined && name in inputs && !inputs[name].optional) {
        problems.push(`${nodeLabel(n)}: input "${name}" is bound to nothing (undefined)`);
      }
    }
    for (const [name, spec] of Object.entries(inputs)) {
      const ref = n.inputs[name] as OutputRef | undefined;
      if (!ref) {
        if (!spec.optional) problems.push(`${nodeLabel(n)}: required input "${name}" (${spec.kind}: ${spec.help}) is not bound`);
        continue;
      }
      const from = ref.from;
      if (!nodes.includes(from)) {
        problems.push(`${nodeLabel(n)}: input "${name}" is bound to ${nodeLabel(from)}, which is not part of this DAG`);
        continue;
      }
      const out = (from.stage.outputs as Record<string, OutputSpec>)[ref.output];
      if (ref.missing || !out) {
        problems.push(
          `${nodeLabel(n)}: input "${name}" is bound to ${nodeLabel(from)}.out.${ref.output}, but stage ${from.stage.name} has no output ${ref.output}${didYouMean(ref.output, Object.keys(from.stage.outputs))}`,
        );
        continue;
      }
      if (out.kind !== spec.kind) {
        problems.push(`${nodeLabel(n)}: input "${name}" expects a ${spec.kind} but ${nodeLabel(from)}.${ref.output} is a ${out.kind}`);
        continue;
      }
      if (spec.kind === 'table' && out.kind === 'table') {
        const why = schemaMismatch(spec.schema, out.schema);
        if (why) problems.push(`${nodeLabel(n)}: table schema mismatch on input "${name}" from ${nodeLabel(from)}.${ref.output}: ${why}`);
      }
    }
  }
}

/** Topological order of declarations; a cycle is reported with the nodes on it. */
function topoOrder(nodes: NodeDecl[], problems: string[]): NodeDecl[] {
  const order: NodeDecl[] = [];
  const state = new Map<NodeDecl, 'visiting' | 'done'>();
  const visit = (n: NodeDecl, path: NodeDecl[]) => {
    const s = state.get(n);
    if (s === 'done') return;
    if (s === 'visiting') {
      const cycle = [...path.slice(path.indexOf(n)), n].map(nodeLabel).join(' → ');
      problems.push(`the DAG has a cycle: ${cycle}`);
      return;
    }
    state.set(n, 'visiting');
    for (const ref of Object.values(n.inputs)) if (ref && nodes.includes(ref.from)) visit(ref.from, [...path, n]);
    state.set(n, 'done');
    order.push(n);
  };
  for (const n of nodes) visit(n, []);
  return order;
}

interface ResolvedCopy {
  decls: NodeDecl[];
  order: NodeDecl[];
  params: Map<NodeDecl, Record<string, unknown>>;
  identity: Map<NodeDecl, string>;
}

function resolveCopy(spec: PipelineSpec, layers: ConfigLayer[], problems: string[]): ResolvedCopy {
  const { nodes, problems: declProblems } = declareDag(spec);
  problems.push(...declProblems);
  for (const layer of layers) problems.push(...checkLayerKeys(layer, nodes));
  const params = new Map<NodeDecl, Record<string, unknown>>();
  for (const n of nodes) {
    const before = problems.length;
    const p = resolveNodeParams(n, layers, problems);
    params.set(n, p);
    if (problems.length === before && n.stage.check) {
      const why = n.stage.check(p as never);
      if (why) problems.push(`${nodeLabel(n)}: inconsistent parameters for stage ${n.stage.name}: ${why}`);
    }
  }
  checkBindings(nodes, problems);
  const order = topoOrder(nodes, problems);
  const identity = new Map<NodeDecl, string>();
  if (problems.length === 0) {
    for (const n of order) {
      const p = params.get(n)!;
      const inputs: Record<string, string> = {};
      for (const [name, ref] of Object.entries(n.inputs)) if (ref) inputs[name] = `${identity.get(ref.from)}:${ref.output}`;
      identity.set(
        n,
        sha256Hex(canonicalJson({ stage: n.stage.name, module: n.stage.module, params: p, env: n.stage.environment?.(p as never) ?? {}, inputs })),
      );
    }
  }
  return { decls: nodes, order, params, identity };
}

export function buildGraph(spec: PipelineSpec, layers: ConfigLayer[], sweeps: Sweep[]): BuiltGraph {
  const problems: string[] = [];
  // One copy of the DAG per combination of sweep values.
  let combos: Array<Array<{ sweep: Sweep; value: string }>> = [[]];
  for (const s of sweeps) combos = combos.flatMap((c) => s.values.map((value) => [...c, { sweep: s, value }]));
  const copies = combos.map((combo) => {
    const extra: ConfigLayer[] = combo.map(({ sweep, value }) => {
      const tree: ConfigTree = {};
      setInTree(tree, sweep.path, value);
      return { source: `--sweep ${sweep.path.join('.')}`, tree, raw: true };
    });
    return { combo, copy: resolveCopy(spec, [...layers, ...extra], problems) };
  });
  if (problems.length) throw new UsageError([...new Set(problems)]);

  // An experiment keeps its name when every copy of it is identical; otherwise each copy is named by its values.
  const base = copies[0].copy;
  const experimentNames = [...new Set(base.decls.map((d) => d.experiment))];
  const fanned = new Set<string>();
  for (const e of experimentNames) {
    const ids = (c: ResolvedCopy) => c.decls.filter((d) => d.experiment === e).map((d) => c.identity.get(d)).join();
    if (copies.some(({ copy }) => ids(copy) !== ids(base))) fanned.add(e);
  }
  const kept: Array<{ decl: NodeDecl; copy: ResolvedCopy }> = [];
  copies.forEach(({ combo, copy }, i) => {
    for (const d of copy.order) {
      if (fanned.has(d.experiment)) {
        d.sweptFrom = d.experiment;
        d.experiment = `${d.experiment}[${combo.map(({ sweep, value }) => `${sweep.path.join('.')}=${value}`).join(',')}]`;
        kept.push({ decl: d, copy });
      } else if (i === 0) kept.push({ decl: d, copy });
    }
  });

  // Merge logical nodes by identity, in topological order (each copy's order is topological, and identities
  // of inputs are computed before their consumers').
  const byId = new Map<string, PhysicalNode>();
  const physicalOf = new Map<NodeDecl, PhysicalNode>();
  const nodes: PhysicalNode[] = [];
  const ensure = (decl: NodeDecl, copy: ResolvedCopy): PhysicalNode => {
    const existing = physicalOf.get(decl);
    if (existing) return existing;
    const id = copy.identity.get(decl)!;
    let p = byId.get(id);
    if (!p) {
      const params = copy.params.get(decl)!;
      const inputs: PhysicalNode['inputs'] = {};
      for (const [name, ref] of Object.entries(decl.inputs)) if (ref) inputs[name] = { from: ensure(ref.from, copy), output: ref.output };
      const r = typeof decl.stage.resources === 'function' ? decl.stage.resources(params as never) : (decl.stage.resources ?? {});
      p = {
        id,
        decls: [],
        stage: decl.stage,
        params,
        environment: decl.stage.environment?.(params as never) ?? {},
        resources: { cpu: 1, gpu: 0, ...r },
        inputs,
      };
      byId.set(id, p);
      nodes.push(p);
    }
    physicalOf.set(decl, p);
    return p;
  };
  for (const { decl, copy } of kept) ensure(decl, copy).decls.push(decl);
  // Nodes reached only as upstream of a fanned copy (identical to a kept one) already merged; drop decl-less ones.
  return { nodes: nodes.filter((n) => n.decls.length > 0 || nodes.some((m) => Object.values(m.inputs).some((i) => i.from === n))), experiments: [...new Set(kept.map((k) => k.decl.experiment))] };
}
