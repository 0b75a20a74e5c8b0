// `--help [--profile NAME]`: the commands and options, then every parameter of every stage kind with the value
// it takes under that profile and where the value came from (stage default, pipeline.ts, the profile at which
// key), its range or choices, unit and help; then the experiments and their nodes.
import type { ParamSpec } from '../core/params.ts';
import { declareDag, nodeLabel, type AnyStage, type NodeDecl, type PipelineSpec } from '../engine/dag.ts';
import { describeParam, profileLayer, resolveNodeParams, showValue } from '../engine/config.ts';
import type { CliArgs } from './args.ts';
import { print } from './output.ts';

export function helpCommand(spec: PipelineSpec, args: Pick<CliArgs, 'profile'>): number {
  print(helpText(spec, args.profile ?? spec.defaultProfile));
  return 0;
}

/** How a resolved value's source reads in the help. */
const sourceName = (source: string) => (source === 'default' ? 'stage default' : source === 'pipeline declaration' ? 'pipeline.ts' : source);

/** The values one parameter takes across the nodes of its stage kind: one group per (value, source). */
function valueGroups(nodes: NodeDecl[], resolved: Map<NodeDecl, { values: Record<string, unknown>; sources: Record<string, string> }>, name: string) {
  const groups = new Map<string, { value: unknown; source: string; nodes: string[] }>();
  for (const n of nodes) {
    const r = resolved.get(n)!;
    if (!(name in r.sources)) continue; // an invalid value: the run's own check reports it
    const id = `${showValue(r.values[name])} ${r.sources[name]}`;
    const g = groups.get(id) ?? { value: r.values[name], source: sourceName(r.sources[name]), nodes: [] };
    g.nodes.push(nodeLabel(n));
    groups.set(id, g);
  }
  return [...groups.values()];
}

export function helpText(spec: PipelineSpec, profile: string): string {
  const layers = [profileLayer(spec, profile)];
  const { nodes } = declareDag(spec);
  const resolved = new Map(nodes.map((n) => {
    const sources: Record<string, string> = {};
    const keys: Record<string, string> = {};
    const values = resolveNodeParams(n, layers, [], sources, keys);
    for (const [name, key] of Object.entries(keys)) sources[name] = `${sources[name]}: ${key}`;
    return [n, { values, sources }];
  }));
  const lines = [
    'usage: pipeline.ts [command] [options]',
    '',
    'commands:',
    '  run (default)          compute what is stale, export out/',
    '  status                 the last run and what is cached or stale now',
    '  verify [--evict]       re-hash the store and out/; report (and remove) corrupt artifacts and exports',
    '  gc [--keep N]          remove artifacts unreachable from the last N runs (default 5) and pinned runs',
    '  explain NODE           fingerprint fields, code files, inputs and the diff with the previous fingerprint',
    '  pin RUN | unpin RUN    keep a run\'s artifacts through gc',
    '  theory ...             the theory calculator',
    '',
    'options:',
    `  --profile NAME         ${Object.keys(spec.profiles).join(' | ')} (default ${spec.defaultProfile}); with --help, the values shown`,
    '  --config FILE          JSON or YAML configuration tree',
    '  --set key.path=value   all.<param>, <stage>.<param> or <experiment>.<node>.<param> (repeatable)',
    '  --sweep key.path=v1,v2 one experiment per value, sharing unchanged upstream nodes',
    '  --only NODE_OR_STAGE   a stage kind, node name or experiment/node, with its upstream (repeatable)',
    '  --force NODE_OR_STAGE  recompute even if cached (repeatable)',
    '  --jobs N               cpu slots (default: available cores)',
    '  --store DIR            the store (default .pipeline/, or $PIPELINE_STORE)',
    '  --out DIR              exported outputs (default out/)',
    '  --dry-run              print what would run or be cached, and why',
    '  --json                 the dry-run plan (or status) as JSON on stdout; runs nothing',
    '  --executor local|slurm where stages run: child processes here (default), or one Slurm job per ready node',
    '  --slurm-partition P    sbatch --partition',
    '  --slurm-account A      sbatch --account',
    '  --slurm-time [STAGE=]T sbatch --time for every stage, or one stage kind (minutes or [D-]HH:MM:SS; repeatable)',
    '  --sbatch-arg ARG       an extra sbatch option, e.g. --sbatch-arg=--qos=high (repeatable)',
    '                         (or `executor: {kind, partition, account, time, sbatch_args}` in a --config file)',
    '  --verify               re-hash every cached artifact before trusting it (a run re-hashes only what it reads)',
    '  PIPELINE_MEMORY_MIB=N  the memory stages may use (default: the machine\'s), checked against their estimates',
    '  PIPELINE_TIMINGS=1     print start-up, fingerprint and planning times',
    '',
    `parameters under profile ${profile}: value (where it comes from), and the nodes when they differ; set with --set <stage>.<param>=value:`,
  ];
  const stages = new Map<string, { stage: AnyStage; nodes: NodeDecl[] }>();
  for (const n of nodes) {
    const s = stages.get(n.stage.name) ?? { stage: n.stage, nodes: [] };
    s.nodes.push(n);
    stages.set(n.stage.name, s);
  }
  for (const { stage: s, nodes: ns } of [...stages.values()].sort((a, b) => a.stage.name.localeCompare(b.stage.name))) {
    lines.push(`  ${s.name} — ${s.description}`);
    for (const [name, p] of Object.entries(s.params as Record<string, ParamSpec>)) {
      const groups = valueGroups(ns, resolved, name);
      const values = groups.map((g) => `${showValue(g.value)} (${g.source}${groups.length > 1 ? `; ${g.nodes.length > 3 ? `${g.nodes.length} nodes` : g.nodes.join(', ')}` : ''})`).join(', ');
      const unit = 'unit' in p && p.unit ? ` [${p.unit}]` : '';
      const stageDefault = groups.some((g) => g.source !== 'stage default') ? `; stage default ${showValue(p.default)}` : '';
      const shared = p.type === 'number' && p.shared ? ` [${p.shared}: one value for connected nodes, set all.${name}]` : '';
      lines.push(`    ${s.name}.${name} = ${values}${unit}  (${describeParam(p)}${stageDefault})${shared}  ${p.help}`);
    }
  }
  lines.push('', 'experiments and nodes:');
  const byExp = new Map<string, NodeDecl[]>();
  for (const n of nodes) byExp.set(n.experiment, [...(byExp.get(n.experiment) ?? []), n]);
  const onRequest = new Set(spec.onRequest ?? []);
  for (const [e, ns] of byExp) {
    const when = onRequest.has(e) ? ` [on request: runs with --only ${e}]` : '';
    lines.push(`  ${e}${when}: ${ns.map((n) => (n.node === n.stage.name ? n.node : `${n.node} (${n.stage.name})`)).join(', ')}`);
  }
  return lines.join('\n');
}
