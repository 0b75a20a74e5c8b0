// Configuration resolution (docs/dag.md "Configuration keys"): stage default → DAG declaration → profile →
// --config → --set; within a layer `all.<param>` applies to every node whose stage declares that parameter
// (one setting for a quantity several stages share, such as the SDE's sigma_max), `<stage>.<param>` to every
// node of that kind and `<experiment>.<node>.<param>` to one node (the more specific level wins).
// Every value is validated before any work starts.
import type { ParamSpec } from '../core/params.ts';
import type { ConfigTree, NodeDecl, PipelineSpec } from './dag.ts';
import { nodeLabel } from './dag.ts';
import { UsageError } from '../core/errors.ts';
import { didYouMean } from './errors.ts';

export interface ConfigLayer {
  /** For messages: 'profile quick', '--config run.yaml', '--set'. */
  source: string;
  tree: ConfigTree;
  /** Values are strings from the command line, parsed by the parameter's declared type. */
  raw: boolean;
}

interface ResolvedParam {
  value: unknown;
  source: string;
  /** The key that set it in its layer: `all.lr`, `train.lr` or `fig3-left.train.lr`. */
  key?: string;
}

/** The profile's layer, the first above the DAG's declaration; an unknown name is bad input. */
export function profileLayer(spec: Pick<PipelineSpec, 'profiles'>, profile: string): ConfigLayer {
  if (!(profile in spec.profiles)) {
    throw new UsageError([`unknown profile "${profile}": choose one of ${Object.keys(spec.profiles).join(', ')}${didYouMean(profile, Object.keys(spec.profiles))}`]);
  }
  return { source: `profile ${profile}`, tree: spec.profiles[profile], raw: false };
}

/** The top-level key that addresses every node declaring a parameter. */
const ALL_NODES = 'all';

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** A value as the user wrote it, for messages: NaN and ±Infinity (YAML .nan/.inf, JSON 1e400) stay themselves. */
export function showValue(v: unknown): string {
  if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
  if (Array.isArray(v)) return `[${v.map(showValue).join(', ')}]`;
  if (isObject(v)) return `{${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}: ${showValue(x)}`).join(', ')}}`;
  return JSON.stringify(v) ?? String(v);
}

/** `key.path=value` → a one-leaf tree; throws a message naming the argument when malformed. */
export function parseAssignment(flag: string, arg: string): { path: string[]; raw: string } {
  const eq = arg.indexOf('=');
  if (eq <= 0) throw new Error(`${flag} ${JSON.stringify(arg)} is malformed: expected key.path=value, e.g. ${flag} train.steps=2000`);
  const path = arg.slice(0, eq).split('.');
  const raw = arg.slice(eq + 1);
  if (path.some((p) => p.trim() === '') || path.length < 2 || path.length > 3) {
    throw new Error(
      `${flag} ${JSON.stringify(arg)} is malformed: the key must be all.<param>, <stage>.<param> or <experiment>.<node>.<param>`,
    );
  }
  if (raw === '') throw new Error(`${flag} ${JSON.stringify(arg)} is malformed: empty value`);
  return { path, raw };
}

export function setInTree(tree: ConfigTree, path: string[], value: unknown): void {
  let t: Record<string, unknown> = tree;
  for (const seg of path.slice(0, -1)) {
    if (!isObject(t[seg])) t[seg] = {};
    t = t[seg] as Record<string, unknown>;
  }
  t[path[path.length - 1]] = value;
}

/** Check a layer's keys against the DAG: unknown stage/experiment/node/parameter names, with a suggestion. */
export function checkLayerKeys(layer: ConfigLayer, nodes: NodeDecl[]): string[] {
  const problems: string[] = [];
  const stages = new Map<string, NodeDecl['stage']>();
  const experiments = new Map<string, Map<string, NodeDecl>>();
  for (const n of nodes) {
    stages.set(n.stage.name, n.stage);
    if (!experiments.has(n.experiment)) experiments.set(n.experiment, new Map());
    experiments.get(n.experiment)!.set(n.node, n);
  }
  for (const [top, sub] of Object.entries(layer.tree)) {
    if (top === ALL_NODES) {
      const declared = new Set([...stages.values()].flatMap((st) => Object.keys(st.params)));
      if (!isObject(sub)) problems.push(`${layer.source}: "${ALL_NODES}" must hold parameters (${ALL_NODES}.<param>=...), got ${JSON.stringify(sub)}`);
      else for (const p of Object.keys(sub)) {
        if (!declared.has(p)) problems.push(`${layer.source}: unknown key "${ALL_NODES}.${p}": no stage declares a parameter ${p}${didYouMean(p, [...declared])}`);
      }
      continue;
    }
    const stage = stages.get(top);
    const exp = experiments.get(top);
    if (!stage && !exp) {
      problems.push(`${layer.source}: unknown key "${top}": not a stage kind or experiment${didYouMean(top, [...stages.keys(), ...experiments.keys()])}`);
      continue;
    }
    if (!isObject(sub)) {
      problems.push(`${layer.source}: "${top}" must hold parameters (${top}.<param>=...) or nodes, got ${JSON.stringify(sub)}`);
      continue;
    }
    for (const [key, value] of Object.entries(sub)) {
      const node = exp?.get(key);
      if (node && isObject(value)) {
        for (const p of Object.keys(value)) {
          if (!(p in node.stage.params)) {
            problems.push(
              `${layer.source}: unknown parameter "${top}.${key}.${p}": stage ${node.stage.name} has no parameter ${p}${didYouMean(p, Object.keys(node.stage.params))}`,
            );
          }
        }
      } else if (stage && key in stage.params) {
        // stage-level value, checked when applied; a nested table under a parameter is a typo, not a value
        if (isObject(value) && !exp?.get(key)) {
          problems.push(
            `${layer.source}: "${top}.${key}" is a parameter of stage ${top} (${describeParam(stage.params[key] as ParamSpec)}), not a node: ` +
              `"${top}.${key}.${Object.keys(value).join('", "')}" means nothing; write ${top}.${key}=VALUE`,
          );
        }
      } else {
        const candidates = [...(stage ? Object.keys(stage.params) : []), ...(exp ? exp.keys() : [])];
        problems.push(`${layer.source}: unknown key "${top}.${key}"${didYouMean(key, candidates)}`);
      }
    }
  }
  return problems;
}

/** Resolve every node's parameters through the layers; problems are collected, not thrown. */
export function resolveNodeParams(
  node: NodeDecl,
  layers: ConfigLayer[],
  problems: string[],
  /** Filled with where each value came from ('default', 'pipeline declaration', 'profile quick', '--set', ...). */
  sources?: Record<string, string>,
  /** Filled, for values a layer set, with the key that set them: `all.lr`, `train.lr` or `fig3-left.train.lr`. */
  keys?: Record<string, string>,
): Record<string, unknown> {
  const resolved: Record<string, ResolvedParam> = {};
  const schema = node.stage.params as Record<string, ParamSpec>;
  for (const [name, spec] of Object.entries(schema)) resolved[name] = { value: spec.default, source: 'default' };
  for (const [name, value] of Object.entries(node.params)) {
    if (!(name in schema)) {
      problems.push(`${nodeLabel(node)}: pipeline declares unknown parameter "${name}" for stage ${node.stage.name}${didYouMean(name, Object.keys(schema))}`);
      continue;
    }
    resolved[name] = { value, source: 'pipeline declaration' };
  }
  for (const layer of layers) {
    const allLevel = layer.tree[ALL_NODES];
    const stageLevel = layer.tree[node.stage.name];
    const expLevel = layer.tree[node.experiment];
    const nodeLevel = isObject(expLevel) ? expLevel[node.node] : undefined;
    const levels: Array<[unknown, string]> = [[allLevel, ALL_NODES], [stageLevel, node.stage.name], [isObject(nodeLevel) ? nodeLevel : undefined, `${node.experiment}.${node.node}`]];
    for (const [level, prefix] of levels) {
      if (!isObject(level)) continue;
      for (const [name, value] of Object.entries(level)) {
        if (!(name in schema) || (level === stageLevel && isObject(value) && !(name in schema))) continue;
        if (level === stageLevel && isObject(value)) continue; // a node table of an experiment that shares the stage's name
        resolved[name] = { value, source: layer.source, key: `${prefix}.${name}` };
      }
    }
  }
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(schema)) {
    const r = resolved[name];
    const where = `${nodeLabel(node)}: parameter ${node.stage.name}.${name}`;
    try {
      const raw = r.source === '--set' || r.source.startsWith('--sweep') ? parseRaw(spec, r.value) : r.value;
      out[name] = checkValue(spec, raw);
      if (sources) sources[name] = r.source;
      if (keys && r.key) keys[name] = r.key;
    } catch (e) {
      problems.push(`${where} = ${showValue(r.value)} (from ${r.source}): ${(e as Error).message}`);
    }
  }
  return out;
}

const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/** Parse a command-line string by the declared type. Values already typed (JSON/YAML) pass through. */
function parseRaw(spec: ParamSpec, value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const s = value.trim();
  switch (spec.type) {
    case 'number':
      if (!NUMBER.test(s)) throw new Error(`expects a number${spec.integer ? ' (integer)' : ''}`);
      return Number(s);
    case 'boolean':
      if (['true', '1', 'yes'].includes(s)) return true;
      if (['false', '0', 'no'].includes(s)) return false;
      throw new Error('expects a boolean: true or false');
    case 'number[]':
      return s.split(',').map((x) => {
        if (!NUMBER.test(x.trim())) throw new Error(`expects a comma-separated list of numbers, "${x}" is not a number`);
        return Number(x);
      });
    case 'string[]':
      return s.split(',').map((x) => x.trim());
    case 'string':
      return value;
  }
}

interface NumberRange {
  min?: number;
  max?: number;
  exclusiveMin?: number;
  exclusiveMax?: number;
  integer?: boolean;
}

function describeRange(spec: NumberRange): string {
  const kind = spec.integer ? 'an integer' : 'a number';
  const lo = spec.exclusiveMin ?? spec.min;
  const hi = spec.exclusiveMax ?? spec.max;
  const loOpen = spec.exclusiveMin !== undefined;
  const hiOpen = spec.exclusiveMax !== undefined;
  if (lo !== undefined && hi !== undefined) return `${kind} in ${loOpen ? '(' : '['}${lo}, ${hi}${hiOpen ? ')' : ']'}`;
  if (lo !== undefined) return `${kind} ${loOpen ? '>' : '≥'} ${lo}`;
  if (hi !== undefined) return `${kind} ${hiOpen ? '<' : '≤'} ${hi}`;
  return kind;
}

function checkNumber(spec: NumberRange, v: unknown): number {
  if (typeof v === 'number' && !Number.isFinite(v)) throw new Error(`not a finite number: allowed ${describeRange(spec)}`);
  if (typeof v !== 'number') throw new Error(`wrong type: expects ${describeRange(spec)}`);
  if (spec.integer && !Number.isInteger(v)) throw new Error(`not an integer: allowed ${describeRange(spec)}`);
  if (spec.integer && !Number.isSafeInteger(v)) {
    throw new Error(`too large to be an exact integer: allowed ${describeRange({ ...spec, max: Math.min(spec.max ?? Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER) })}`);
  }
  const below = spec.exclusiveMin !== undefined ? v <= spec.exclusiveMin : spec.min !== undefined && v < spec.min;
  const above = spec.exclusiveMax !== undefined ? v >= spec.exclusiveMax : spec.max !== undefined && v > spec.max;
  if (below || above) throw new Error(`out of range: allowed ${describeRange(spec)}`);
  return v;
}

export function checkValue(spec: ParamSpec, v: unknown): unknown {
  switch (spec.type) {
    case 'number':
      return checkNumber(spec, v);
    case 'boolean':
      if (typeof v !== 'boolean') throw new Error('wrong type: expects a boolean (true or false)');
      return v;
    case 'string':
      if (typeof v !== 'string') throw new Error(`wrong type: expects a string${spec.choices ? ` (one of ${spec.choices.join(', ')})` : ''}`);
      if (spec.choices && !spec.choices.includes(v)) throw new Error(`not allowed: choose one of ${spec.choices.join(', ')}${didYouMean(v, spec.choices)}`);
      return v;
    case 'number[]': {
      if (!Array.isArray(v)) throw new Error(`wrong type: expects a list of numbers (each ${describeRange(spec)})`);
      if (spec.minLength !== undefined && v.length < spec.minLength) throw new Error(`too short: needs at least ${spec.minLength} values`);
      v.forEach((x, i) => {
        try {
          checkNumber(spec, x);
        } catch (e) {
          throw new Error(`element ${i} (${showValue(x)}): ${(e as Error).message}`);
        }
      });
      return v;
    }
    case 'string[]': {
      if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw new Error('wrong type: expects a list of strings');
      if (spec.minLength !== undefined && v.length < spec.minLength) throw new Error(`too short: needs at least ${spec.minLength} values`);
      for (const x of v) {
        if (spec.choices && !spec.choices.includes(x)) throw new Error(`"${x}" not allowed: choose from ${spec.choices.join(', ')}`);
      }
      return v;
    }
  }
}

export function describeParam(spec: ParamSpec): string {
  switch (spec.type) {
    case 'number':
      return describeRange(spec);
    case 'boolean':
      return 'true | false';
    case 'string':
      return spec.choices ? spec.choices.join(' | ') : 'string';
    case 'number[]':
      return `list of ${describeRange(spec)}${spec.minLength ? `, at least ${spec.minLength}` : ''}`;
    case 'string[]':
      return `list of ${spec.choices ? spec.choices.join(' | ') : 'strings'}`;
  }
}
