// `explain NODE`: a node's fingerprint field by field, its code files, inputs, and the diff with the fingerprint
// its last run recorded — why it would run or is cached.
import { diffFingerprints } from '../cache/fingerprint.ts';
import type { Store } from '../cache/store.ts';
import { label } from '../engine/build.ts';
import { nodeLabel, type PipelineSpec } from '../engine/dag.ts';
import { UsageError } from '../core/errors.ts';
import { selectNodes } from '../engine/select.ts';
import type { CliArgs } from './args.ts';
import { print } from './output.ts';
import { planFromArgs } from './plan.ts';

export async function explainCommand(spec: PipelineSpec, args: CliArgs, store: Store, onPhase: (name: string) => void): Promise<number> {
  if (args.positionals.length !== 1) throw new UsageError(['explain needs one NODE (a node name, experiment/node or stage kind)']);
  let { plan } = await planFromArgs(spec, args, store, onPhase);
  let explained = selectNodes(plan.graph, args.positionals, 'explain');
  // A node of an experiment on request is not in a plain plan: plan it with its upstream, as --only would.
  if ([...explained].some((n) => !plan.nodes.includes(n))) {
    ({ plan } = await planFromArgs(spec, { ...args, only: [...args.only, ...args.positionals] }, store, onPhase));
    explained = selectNodes(plan.graph, args.positionals, 'explain');
  }
  const { planner } = plan;
  for (const p of plan.plans.filter((x) => explained.has(x.node))) {
    for (const d of p.node.decls) {
      print(`${nodeLabel(d)} (stage ${p.node.stage.name}): ${p.action}${p.key ? `, key ${p.key}` : ', key pending (an input will be recomputed)'}`);
    }
    const fp = p.fingerprint ?? planner.fingerprint(p.node, () => undefined, {});
    if (!fp) continue;
    print(`  stage: ${fp.stage}`);
    print(`  params: ${JSON.stringify(fp.params)}`);
    print(`  environment: ${JSON.stringify(fp.environment)}`);
    print(`  format: ${fp.format}`);
    print('  code files:');
    for (const [f, dgst] of Object.entries(fp.code.files).sort()) print(`    ${f} ${dgst.slice(0, 16)}`);
    print(`  packages: ${Object.entries(fp.code.packages).sort().map(([k, v]) => `${k}@${v}`).join(', ') || 'none'}`);
    if (fp.external) {
      print('  external files (by content):');
      for (const [f, dgst] of Object.entries(fp.external).sort()) print(`    ${f} ${dgst.slice(0, 16)}`);
    }
    print('  inputs:');
    for (const [name, { from, output }] of Object.entries(p.node.inputs)) {
      const i = p.fingerprint?.inputs[name];
      print(`    ${name} ← ${label(from)}.${output}${i ? ` ${i.digest.slice(0, 16)}` : ' (pending)'}`);
    }
    const decl = p.node.decls[0];
    const prev = planner.previousFingerprint(decl.experiment, decl.node);
    if (!prev) print('  previous fingerprint: none recorded');
    else {
      const diff = diffFingerprints(prev, p.fingerprint ? fp : { ...fp, inputs: prev.inputs });
      print(diff.length ? `  changes since the previous fingerprint:\n${diff.map((r) => `    - ${r}`).join('\n')}` : '  unchanged since the previous fingerprint');
    }
    for (const r of p.reasons) print(`  reason to run: ${r}`);
  }
  return 0;
}
