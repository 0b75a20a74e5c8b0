// `--help`: every parameter of every stage kind (default, range or choices, unit, help), experiments and nodes.
import type { AnyStage, NodeDecl } from '../engine/dag.ts';
import { describeParam } from '../engine/config.ts';
import type { ParamSpec } from '../core/params.ts';

export function helpText(nodes: NodeDecl[], profiles: string[], defaultProfile: string): string {
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
    `  --profile NAME         ${profiles.join(' | ')} (default ${defaultProfile})`,
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
    'parameters (set with --set <stage>.<param>=value):',
  ];
  const stages = new Map<string, AnyStage>();
  for (const n of nodes) stages.set(n.stage.name, n.stage);
  for (const s of [...stages.values()].sort((a, b) => a.name.localeCompare(b.name))) {
    lines.push(`  ${s.name} — ${s.description}`);
    for (const [name, spec] of Object.entries(s.params as Record<string, ParamSpec>)) {
      const unit = 'unit' in spec && spec.unit ? ` [${spec.unit}]` : '';
      const shared = spec.type === 'number' && spec.shared ? ` [${spec.shared}: one value for connected nodes, set all.${name}]` : '';
      lines.push(`    ${s.name}.${name} = ${JSON.stringify(spec.default)}${unit}  (${describeParam(spec)})${shared}  ${spec.help}`);
    }
  }
  lines.push('', 'experiments and nodes:');
  const byExp = new Map<string, NodeDecl[]>();
  for (const n of nodes) byExp.set(n.experiment, [...(byExp.get(n.experiment) ?? []), n]);
  for (const [e, ns] of byExp) lines.push(`  ${e}: ${ns.map((n) => (n.node === n.stage.name ? n.node : `${n.node} (${n.stage.name})`)).join(', ')}`);
  return lines.join('\n');
}
