// Plan time: fingerprints in topological order. A node whose inputs are all known gets its final key and is
// `cached` when a committed, intact artifact exists; a node downstream of work gets `run` now and its key
// once its inputs' bytes are known (early cutoff may then find it cached after all).
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { PhysicalNode } from './build.ts';
import { label } from './build.ts';
import type { ArtifactKey } from './digest.ts';
import { ARTIFACT_FORMAT, diffFingerprints, fingerprintKey, type Fingerprint, type InputFingerprint } from '../cache/fingerprint.ts';
import type { ImportGraph } from '../cache/import-graph.ts';
import type { Manifest, Store } from '../cache/store.ts';
import type { StatCache } from '../cache/stat-cache.ts';
import { nodeLabel, type NodeDecl } from './dag.ts';

export interface NodePlan {
  node: PhysicalNode;
  action: 'run' | 'cached';
  reasons: string[];
  /** Reasons for each logical node sharing this computation (their previous fingerprints may differ). */
  reasonsByDecl?: Map<NodeDecl, string[]>;
  key?: ArtifactKey;
  fingerprint?: Fingerprint;
  manifest?: Manifest;
  forced: boolean;
}

export class Planner {
  private previous: Map<string, Fingerprint> | undefined;

  constructor(
    private readonly store: Store,
    private readonly graph: ImportGraph,
    private readonly stat: StatCache,
  ) {}

  /** Fingerprint of a node given its inputs' manifests (all must be known). */
  fingerprint(
    node: PhysicalNode,
    manifestOf: (n: PhysicalNode) => Manifest | undefined,
    knownInputs?: Record<string, InputFingerprint>,
  ): Fingerprint | undefined {
    const inputs: Record<string, InputFingerprint> = { ...knownInputs };
    for (const [name, { from, output }] of knownInputs ? [] : Object.entries(node.inputs)) {
      const m = manifestOf(from);
      if (!m) return undefined;
      inputs[name] = { digest: m.outputs[output].digest, output: `${from.stage.name}.${output}` };
    }
    return {
      code: this.graph.codeOf(fileURLToPath(node.stage.module)),
      environment: node.environment,
      format: ARTIFACT_FORMAT,
      inputs,
      params: node.params,
      stage: node.stage.name,
    };
  }

  /** A committed artifact whose files still match their manifest (checked through the stat cache: cheap). */
  intactManifest(key: ArtifactKey): Manifest | undefined {
    const m = this.store.readManifest(key);
    if (!m) return undefined;
    for (const f of Object.values(m.outputs)) {
      const p = join(this.store.artifactDir(key), f.file);
      if (!existsSync(p)) return undefined;
      if (this.stat.digest(p) !== f.digest) {
        this.stat.forget(p);
        return undefined;
      }
    }
    return m;
  }

  /** A committed artifact's files are immutable: remember their digests so the next run only stats them. */
  rememberArtifact(m: Manifest): void {
    for (const f of Object.values(m.outputs)) this.stat.remember(join(this.store.artifactDir(m.key), f.file), f.digest);
  }

  /** The latest recorded fingerprint of each experiment/node, from run records newest first. */
  previousFingerprint(experiment: string, node: string): Fingerprint | undefined {
    if (!this.previous) {
      this.previous = new Map();
      for (const id of this.store.listRunIds().slice(0, 50)) {
        for (const n of this.store.readRun(id)?.nodes ?? []) {
          const k = `${n.experiment}/${n.node}`;
          if (n.fingerprint && !this.previous.has(k)) this.previous.set(k, n.fingerprint);
        }
      }
    }
    return this.previous.get(`${experiment}/${node}`);
  }

  /** Why a node with this (final) fingerprint must run. */
  reasonsToRun(decl: NodeDecl, fp: Fingerprint, key: ArtifactKey): string[] {
    const prev = this.previousFingerprint(decl.experiment, decl.node);
    if (!prev) return ['no previous artifact'];
    const diff = diffFingerprints(prev, fp);
    if (diff.length) return diff;
    return [this.store.readManifest(key) ? `artifact ${key.slice(0, 12)} is corrupt (a file no longer matches its manifest)` : `artifact ${key.slice(0, 12)} is no longer in the store (evicted or collected)`];
  }

  plan(nodes: PhysicalNode[], forced: Set<PhysicalNode>): NodePlan[] {
    const plans = new Map<PhysicalNode, NodePlan>();
    for (const node of nodes) {
      const upstreamRuns = Object.entries(node.inputs).filter(([, i]) => plans.get(i.from)!.action === 'run');
      const isForced = forced.has(node);
      if (upstreamRuns.length) {
        const pending = upstreamRuns.map(([name, i]) => `input ${name} will be recomputed (${label(i.from)} runs)`);
        const reasonsByDecl = new Map<NodeDecl, string[]>();
        for (const decl of node.decls) {
          const reasons = [...pending];
          // What else changed (parameters, code, environment), compared with the previous fingerprint's inputs.
          const prev = this.previousFingerprint(decl.experiment, decl.node);
          if (prev) {
            const own = this.fingerprint(node, () => undefined, prev.inputs);
            if (own) reasons.push(...diffFingerprints(prev, own).filter((r) => !r.startsWith('input ')));
          }
          if (isForced) reasons.unshift('forced (--force)');
          reasonsByDecl.set(decl, reasons);
        }
        plans.set(node, { node, action: 'run', reasons: reasonsByDecl.get(node.decls[0])!, reasonsByDecl, forced: isForced });
        continue;
      }
      const fp = this.fingerprint(node, (n) => plans.get(n)!.manifest)!;
      const key = fingerprintKey(fp);
      const manifest = this.intactManifest(key);
      if (manifest && !isForced) {
        plans.set(node, { node, action: 'cached', reasons: [], key, fingerprint: fp, manifest, forced: false });
      } else {
        const reasonsByDecl = new Map(node.decls.map((d) => [d, isForced ? ['forced (--force)'] : this.reasonsToRun(d, fp, key)]));
        plans.set(node, { node, action: 'run', reasons: reasonsByDecl.get(node.decls[0])!, reasonsByDecl, key, fingerprint: fp, forced: isForced });
      }
    }
    return nodes.map((n) => plans.get(n)!);
  }
}

export interface PlanRow {
  stage: string;
  node: string;
  experiment: string;
  key: string | null;
  action: 'run' | 'cached';
  reasons: string[];
}

export function planRows(plans: NodePlan[]): PlanRow[] {
  return plans.flatMap((p) =>
    p.node.decls.map((d) => ({
      stage: p.node.stage.name, node: d.node, experiment: d.experiment, key: p.key ?? null, action: p.action,
      reasons: p.reasonsByDecl?.get(d) ?? p.reasons,
    })),
  );
}

export function formatPlan(rows: PlanRow[]): string {
  const lines: string[] = [];
  for (const r of rows) {
    lines.push(`${r.action === 'run' ? 'run   ' : 'cached'} ${nodeLabel(r)} (${r.stage})${r.key ? ` ${r.key.slice(0, 12)}` : ''}`);
    for (const why of r.reasons) lines.push(`         - ${why}`);
  }
  const run = rows.filter((r) => r.action === 'run').length;
  lines.push(`${rows.length} nodes: ${run} to run, ${rows.length - run} cached`);
  return lines.join('\n');
}
