// From a PipelineSpec and the command line's configuration to a validated graph of physical nodes:
// parameters resolved and checked, bindings checked (required inputs bound, outputs exist, kinds and table
// schemas match, no cycles), sweeps fanned out, and logical nodes with the same identity merged (computed once).
import { existsSync, statSync } from 'node:fs';
import { totalmem } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import type { AnyStage, ConfigTree, NodeDecl, OutputRef, PipelineSpec } from './dag.ts';
import { declareDag, nodeLabel } from './dag.ts';
import { checkLayerKeys, resolveNodeParams, setInTree, showValue, type ConfigLayer } from './config.ts';
import { UsageError } from '../core/errors.ts';
import { didYouMean } from './errors.ts';
import { canonicalJson, sha256Hex } from '../core/digest.ts';
import type { ParamSpec } from '../core/params.ts';
import type { TableSchema } from '../core/table.ts';
import type { Resources } from '../core/resources.ts';
import type { InputSpec, OutputSpec } from '../core/stage.ts';

export interface PhysicalNode {
  /** Identity before keys are known: stage, parameters, environment and the identities of its inputs. */
  id: string;
  /** Logical nodes (experiment/node) that share this computation; the first names it in messages. */
  decls: NodeDecl[];
  stage: AnyStage;
  params: Record<string, unknown>;
  environment: Record<string, string>;
  /** Absolute paths of the files it reads from outside the store (stage.externalFiles): resolveExternalFiles. */
  externalFiles: string[];
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

/** Memory this machine offers a stage, MiB ($PIPELINE_MEMORY_MIB overrides: a scheduler's allocation, a test). */
function machineMemoryMiB(): number {
  const env = Number(process.env.PIPELINE_MEMORY_MIB);
  return Number.isFinite(env) && env > 0 ? env : Math.floor(totalmem() / 2 ** 20);
}

type Bound = Record<string, { stage: string; params: Record<string, unknown> }>;

function resourcesOf(stage: AnyStage, params: Record<string, unknown>, inputs: Bound): Resources {
  return typeof stage.resources === 'function' ? stage.resources(params as never, inputs as never) : (stage.resources ?? {});
}

function boundInputs(n: NodeDecl, params: Map<NodeDecl, Record<string, unknown>>): Bound {
  const bound: Bound = {};
  for (const [name, ref] of Object.entries(n.inputs)) if (ref && params.has(ref.from)) bound[name] = { stage: ref.from.stage.name, params: params.get(ref.from)! };
  return bound;
}

/** A stage's declared memory estimate against the machine: a problem naming the parameters it grows with. */
function checkMemory(n: NodeDecl, params: Record<string, unknown>, inputs: Bound, problems: string[]): void {
  let r: Resources;
  try {
    r = resourcesOf(n.stage, params, inputs);
  } catch (e) {
    problems.push(`${nodeLabel(n)}: cannot estimate the resources of stage ${n.stage.name}: ${(e as Error).message}`);
    return;
  }
  const need = r.memoryMiB;
  const have = machineMemoryMiB();
  if (need === undefined) return;
  if (!Number.isFinite(need) || need > have) {
    const named = (r.memoryFrom ?? []).map((k) => {
      if (!k.includes('.')) return { name: `${n.stage.name}.${k}`, value: params[k], via: '' };
      const [input, p] = k.split('.');
      return { name: `${inputs[input]?.stage ?? input}.${p}`, value: inputParam(inputs, k), via: ` (of its input ${input})` };
    });
    const by = named.map((x) => `${x.name}=${showValue(x.value)}${x.via}`).join(', ');
    problems.push(
      `${nodeLabel(n)}: stage ${n.stage.name} needs about ${Number.isFinite(need) ? Math.round(need).toLocaleString('en-US') : 'unbounded'} MiB of memory` +
        `${by ? ` with ${by}` : ''}, more than this machine's ${have.toLocaleString('en-US')} MiB: allowed are values whose estimate fits` +
        `${by ? ` (lower ${named.map((x) => x.name).join(' or ')})` : ''}`,
    );
  }
}

/** 'samples.d' → the d parameter of the node bound to input samples. */
function inputParam(inputs: Bound, path: string): unknown {
  const [input, name] = path.split('.');
  return inputs[input]?.params[name];
}

/**
 * The files each selected node reads from outside the store (stage.externalFiles), resolved to absolute paths
 * and checked to exist: called for the nodes a command plans (after --only), so a dataset missing on this
 * machine stops only the runs that need it, at plan time, with exit code 2.
 */
export function resolveExternalFiles(nodes: PhysicalNode[]): void {
  const problems: string[] = [];
  for (const n of nodes) n.externalFiles = externalFilesOf(n, problems);
  if (problems.length) throw new UsageError([...new Set(problems)]);
}

function externalFilesOf(node: PhysicalNode, problems: string[]): string[] {
  if (!node.stage.externalFiles) return [];
  const n = node.decls[0];
  let files: string[];
  try {
    files = node.stage.externalFiles(node.params as never);
  } catch (e) {
    problems.push(`${label(node)}: stage ${node.stage.name}: ${(e as Error).message}`);
    return [];
  }
  const out: string[] = [];
  for (const f of files) {
    const abs = isAbsolute(f) ? f : resolve(f);
    if (!existsSync(abs) || !statSync(abs).isFile()) {
      problems.push(`${nodeLabel(n)}: stage ${node.stage.name} reads ${abs}, which ${existsSync(abs) ? 'is not a file' : 'does not exist'}`);
      continue;
    }
    out.push(abs);
  }
  return [...new Set(out)].sort();
}

/**
 * Parameters declared `shared` (the VE SDE's) must agree between nodes whose results meet: nodes of one
 * experiment, and a node and its upstream. One problem per disagreeing group, with each value and its source.
 */
function checkShared(nodes: NodeDecl[], params: Map<NodeDecl, Record<string, unknown>>, sources: Map<NodeDecl, Record<string, string>>, problems: string[]): void {
  const sharedOf = (n: NodeDecl) => Object.entries(n.stage.params as Record<string, ParamSpec>).filter(([, s]) => s.type === 'number' && s.shared).map(([k, s]) => [k, (s as { shared: string }).shared] as const);
  const names = new Set(nodes.flatMap((n) => sharedOf(n).map(([k]) => k)));
  for (const name of names) {
    const holders = nodes.filter((n) => sharedOf(n).some(([k]) => k === name));
    // Union-find over the holders: same experiment, or one upstream of the other.
    const parent = new Map(holders.map((h) => [h, h]));
    const find = (x: NodeDecl): NodeDecl => (parent.get(x) === x ? x : find(parent.get(x)!));
    const join = (a: NodeDecl, b: NodeDecl) => parent.set(find(a), find(b));
    const byExperiment = new Map<string, NodeDecl>();
    for (const h of holders) {
      const first = byExperiment.get(h.experiment);
      if (first) join(h, first);
      else byExperiment.set(h.experiment, h);
    }
    const ancestors = (n: NodeDecl, acc: Set<NodeDecl>) => {
      for (const ref of Object.values(n.inputs)) {
        if (!ref || acc.has(ref.from)) continue;
        acc.add(ref.from);
        ancestors(ref.from, acc);
      }
      return acc;
    };
    for (const h of holders) {
      for (const a of ancestors(h, new Set())) if (parent.has(a)) join(h, a);
    }
    const groups = new Map<NodeDecl, NodeDecl[]>();
    for (const h of holders) groups.set(find(h), [...(groups.get(find(h)) ?? []), h]);
    for (const group of groups.values()) {
      const values = new Set(group.map((g) => canonicalJson(params.get(g)![name])));
      if (values.size <= 1) continue;
      const what = sharedOf(group[0]).find(([k]) => k === name)![1];
      const from = (src: string | undefined) => (!src || src === 'default' ? 'default' : `from ${src}`);
      const list = group.map((g) => `${nodeLabel(g)} = ${showValue(params.get(g)![name])} (${from(sources.get(g)?.[name])})`).join(', ');
      problems.push(
        `parameter ${name} of the ${what} differs between nodes whose results are combined: ${list}; ` +
          `they must agree: set it once for all of them with all.${name}=VALUE (or the same value on each)`,
      );
    }
  }
}

function resolveCopy(spec: PipelineSpec, layers: ConfigLayer[], problems: string[]): ResolvedCopy {
  const { nodes, problems: declProblems } = declareDag(spec);
  problems.push(...declProblems);
  for (const layer of layers) problems.push(...checkLayerKeys(layer, nodes));
  const params = new Map<NodeDecl, Record<string, unknown>>();
  const sources = new Map<NodeDecl, Record<string, string>>();
  for (const n of nodes) {
    const before = problems.length;
    const src: Record<string, string> = {};
    const p = resolveNodeParams(n, layers, problems, src);
    params.set(n, p);
    sources.set(n, src);
    if (problems.length === before && n.stage.check) {
      const why = n.stage.check(p as never);
      if (why) problems.push(`${nodeLabel(n)}: inconsistent parameters for stage ${n.stage.name}: ${why}`);
    }
  }
  if (problems.length === 0) {
    checkShared(nodes, params, sources, problems);
    for (const n of nodes) {
      const bound = boundInputs(n, params);
      const why = n.stage.checkInputs?.(params.get(n) as never, bound as never);
      if (why) problems.push(`${nodeLabel(n)}: parameters of stage ${n.stage.name} do not fit its inputs: ${why}`);
      else checkMemory(n, params.get(n)!, bound, problems);
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
      const r = resourcesOf(decl.stage, params, boundInputs(decl, copy.params));
      p = {
        id,
        decls: [],
        stage: decl.stage,
        params,
        environment: decl.stage.environment?.(params as never) ?? {},
        externalFiles: [],
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
