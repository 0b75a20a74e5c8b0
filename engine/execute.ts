// Executes a plan: ready nodes go to a p-queue per resource class (cpu, gpu), each in its own child process.
// Keys of nodes downstream of work are computed once their inputs are committed (early cutoff); a per-key lock
// makes concurrent processes on one store compute each key once. The lock is taken when a node gets its slot,
// not before: a node whose key another process holds gives its slot back at once and waits outside the queue,
// so a second process (or host) on the same store computes other ready nodes meanwhile. A failure fails only
// its descendants. Inputs are re-hashed (once per run) before a stage reads them.
import PQueue from 'p-queue';
import { rmSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { PhysicalNode } from './build.ts';
import { label } from './build.ts';
import { criticalPaths, DEFAULT_ESTIMATE_MS, durationEstimates } from './priority.ts';
import type { NodePlan, Planner } from './plan.ts';
import type { Manifest, RunNodeRecord, Store } from '../cache/store.ts';
import { holdsLock, releaseLock, tryLock } from '../cache/lock.ts';
import { fingerprintKey, type Fingerprint } from '../cache/fingerprint.ts';
import type { ArtifactKey } from '../core/digest.ts';
import type { ProgressReporter } from './progress.ts';
import { outputFileName, type ChildJob } from './job.ts';
import type { Lineage, OutputSpec, InputSpec } from '../core/stage.ts';
import { visibleGpus } from '../core/gpu.ts';
import type { Executor } from './executor.ts';

interface ExecuteOptions {
  store: Store;
  planner: Planner;
  progress: ProgressReporter;
  projectRoot: string;
  runId: string;
  jobs: number;
  signal: AbortSignal;
  /** Where stages run (default: a child process each on this host). */
  executor?: Executor;
  /** Called as each node settles (cached or computed), e.g. to export its outputs while others still run. */
  onSettled?(outcome: NodeOutcome): void;
}

export interface NodeOutcome {
  plan: NodePlan;
  status: RunNodeRecord['status'];
  manifest?: Manifest;
  key?: ArtifactKey;
  fingerprint?: Fingerprint;
  durationMs: number;
  error?: string;
}

export async function executePlan(plans: NodePlan[], opts: ExecuteOptions): Promise<Map<PhysicalNode, NodeOutcome>> {
  const { store, planner, progress, signal } = opts;
  // execa is loaded only when something runs: a no-op run never pays for it.
  const executor = opts.executor ?? (await import('./executor.ts')).localExecutor;
  const cpuSlots = Math.max(1, opts.jobs);
  const cpu = new PQueue({ concurrency: cpuSlots });
  let gpuIds: string[] | undefined;
  let gpu: PQueue | undefined;
  const freeGpus: string[] = [];
  const outcomes = new Map<PhysicalNode, Promise<NodeOutcome>>();
  const stagingDirs = new Set<string>();
  // Slots go to the ready node with the longest estimated chain of work behind it (priority.ts).
  const anyToRun = plans.some((p) => p.action === 'run');
  const estimates = anyToRun ? durationEstimates(store.listRunIds().slice(0, 10).map((id) => store.readRun(id))) : new Map<string, number>();
  const cached = new Set(plans.filter((p) => p.action === 'cached').map((p) => p.node));
  const priority = criticalPaths(
    plans.map((p) => p.node),
    (n) => {
      if (cached.has(n)) return 0;
      const known = n.decls.map((d) => estimates.get(`${d.experiment}/${d.node}`)).filter((e) => e !== undefined);
      return known.length ? Math.max(...known) : DEFAULT_ESTIMATE_MS;
    },
  );

  const lineageOf = async (node: PhysicalNode): Promise<Lineage> => {
    const seen = new Map<string, Lineage['nodes'][number]>();
    const visit = async (n: PhysicalNode) => {
      for (const { from } of Object.values(n.inputs)) {
        const m = (await outcomes.get(from)!).manifest!;
        if (seen.has(m.key)) continue;
        seen.set(m.key, { stage: m.stage, node: m.node, experiment: m.experiment, key: m.key, params: m.params, environment: m.environment, durationMs: m.durationMs, createdAt: m.createdAt });
        await visit(from);
      }
    };
    await visit(node);
    return { nodes: [...seen.values()] };
  };

  /** Poll until the key's lock is free (its holder finished, or died: a stale lock is taken over). */
  const waitForUnlock = async (lockPath: string): Promise<void> => {
    for (;;) {
      if (signal.aborted) throw new Error('interrupted while waiting for a lock');
      if (tryLock(lockPath)) {
        releaseLock(lockPath);
        return;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  type SlotResult =
    | { kind: 'held' }
    | { kind: 'cached'; manifest: Manifest }
    | { kind: 'ran'; result: Awaited<ReturnType<typeof import('./executor.ts')['runStageInChild']>>; staging: string; outputs: ChildJob['outputs'] };

  const compute = async (plan: NodePlan, key: ArtifactKey, fp: Fingerprint, inputs: Map<string, Manifest>): Promise<NodeOutcome> => {
    const node = plan.node;
    const decl = node.decls[0];
    const lockPath = store.lockPath(key);
    let locked = false;
    let staging: string | undefined;
    let t0 = Date.now();
    try {
      const outputs: ChildJob['outputs'] = {};
      for (const [name, spec] of Object.entries(node.stage.outputs as Record<string, OutputSpec>)) {
        outputs[name] = { kind: spec.kind, file: outputFileName(name, spec), schema: spec.kind === 'table' ? spec.schema : undefined };
      }
      const jobInputs: ChildJob['inputs'] = {};
      for (const [name, { from, output }] of Object.entries(node.inputs)) {
        const m = inputs.get(name)!;
        const spec = (node.stage.inputs as Record<string, InputSpec>)[name];
        jobInputs[name] = {
          path: join(store.artifactDir(m.key), m.outputs[output].file),
          kind: m.outputs[output].kind,
          schema: spec.kind === 'table' ? spec.schema : undefined,
          origin: { stage: from.stage.name, node: m.node, experiment: m.experiment, key: m.key },
        };
      }
      const lineage = await lineageOf(node);
      // A cluster executor requests GPUs from its scheduler: no device of this host is assigned.
      const wantsGpu = node.resources.gpu > 0 && !executor.placesResources;
      if (wantsGpu && gpuIds === undefined) {
        gpuIds = visibleGpus();
        freeGpus.push(...gpuIds);
        gpu = new PQueue({ concurrency: Math.max(1, gpuIds.length) });
      }
      const queue = wantsGpu && gpuIds!.length ? gpu! : cpu;
      const env: Record<string, string | undefined> = {};
      let waitingSaid = false;
      let slot: SlotResult | undefined;
      for (;;) {
        slot = await queue.add(
          async (): Promise<SlotResult | undefined> => {
            if (signal.aborted) return undefined;
            // The lock is taken now that the node has a slot; held elsewhere, the slot goes back to the queue.
            if (!tryLock(lockPath)) return { kind: 'held' };
            locked = true;
            // Another process may have committed it meanwhile.
            const existing = plan.forced ? undefined : planner.intactManifest(key);
            if (existing) return { kind: 'cached', manifest: existing };
            staging = store.newStagingDir(key);
            stagingDirs.add(staging);
            const job: ChildJob = {
              module: node.stage.module,
              stage: node.stage.name,
              experiment: decl.experiment,
              node: decl.node,
              params: node.params,
              environment: node.environment,
              inputs: jobInputs,
              outputs,
              staging,
              scratchDir: store.scratchDir(key),
              lineage,
            };
            // A stage taking k cpu slots lowers the queue's concurrency by k − 1 while it runs (set synchronously,
            // before p-queue considers starting another task), so fewer others start beside it.
            const extraSlots = queue === cpu && !executor.placesResources ? Math.min(Math.max(1, Math.round(node.resources.cpu)), cpuSlots) - 1 : 0;
            if (extraSlots > 0) cpu.concurrency = cpu.concurrency - extraSlots;
            const device = queue === gpu ? freeGpus.shift() : undefined;
            t0 = Date.now();
            // A cpu-slot child must not grab a GPU it was not given.
            env.CUDA_VISIBLE_DEVICES = device ?? (wantsGpu ? '' : process.env.CUDA_VISIBLE_DEVICES);
            progress.start(label(node));
            try {
              const result = await executor.run(job, { cwd: opts.projectRoot, env, signal, resources: node.resources, label: label(node), lockPath }, {
                onProgress: (f, m) => progress.progress(label(node), f, m),
                onLog: (level, m) => progress.log(label(node), level, m),
              });
              return { kind: 'ran', result, staging, outputs };
            } finally {
              if (device !== undefined) freeGpus.push(device);
              if (extraSlots > 0) cpu.concurrency = cpu.concurrency + extraSlots;
            }
          },
          { priority: priority.get(node) ?? 0 },
        );
        if (!slot || slot.kind !== 'held') break;
        if (!waitingSaid) progress.info(`waiting ${label(node)}: another process holds ${key.slice(0, 12)} (this one computes other nodes meanwhile)`);
        waitingSaid = true;
        await waitForUnlock(lockPath);
        if (!plan.forced) {
          const done = planner.intactManifest(key);
          if (done) {
            progress.cached(label(node));
            return { plan, status: 'cached', manifest: done, key, fingerprint: fp, durationMs: 0 };
          }
        }
      }
      if (slot?.kind === 'cached') {
        progress.cached(label(node));
        return { plan, status: 'cached', manifest: slot.manifest, key, fingerprint: fp, durationMs: 0 };
      }
      const result = slot?.kind === 'ran' ? slot.result : undefined;
      const durationMs = Date.now() - t0;
      if (!result || !result.ok || !staging) {
        const error = result?.error ?? 'interrupted';
        if (signal.aborted) return { plan, status: 'interrupted', key, fingerprint: fp, durationMs, error };
        const where = node.decls.map((d) => `${d.experiment}/${d.node}`).join(', ');
        const message = `stage ${node.stage.name} failed at ${where}: ${error}${result?.stderrTail ? `\n--- stderr (tail) ---\n${result.stderrTail}` : ''}`;
        progress.failed(label(node), error);
        return { plan, status: 'failed', key, fingerprint: fp, durationMs, error: message };
      }
      for (const [name, o] of Object.entries(outputs)) {
        if (!existsSync(join(staging, o.file))) {
          const error = `stage ${node.stage.name} failed at ${decl.experiment}/${decl.node}: it finished without writing output "${name}"`;
          progress.failed(label(node), `output ${name} not written`);
          return { plan, status: 'failed', key, fingerprint: fp, durationMs, error };
        }
      }
      const hashed = store.hashStaged(
        staging,
        Object.fromEntries(
          Object.entries(outputs).map(([name, o]) => [name, { file: o.file, kind: o.kind, schema: o.schema }]),
        ),
      );
      // Table row counts, for the catalog, from the child's report.
      for (const [name, rows] of Object.entries(result.rows ?? {})) if (hashed[name]) hashed[name].rows = rows;
      const manifest: Manifest = {
        key,
        stage: node.stage.name,
        node: decl.node,
        experiment: decl.experiment,
        fingerprint: fp,
        outputs: hashed,
        params: node.params,
        environment: node.environment,
        durationMs,
        createdAt: new Date().toISOString(),
        runId: opts.runId,
      };
      // A lease that ran out (this process stalled longer than the lease) may now be someone else's: never commit under it.
      if (!holdsLock(lockPath)) {
        progress.failed(label(node), 'lost its lock');
        return { plan, status: 'failed', key, fingerprint: fp, durationMs, error: `stage ${node.stage.name} at ${label(node)}: its lock ${key.slice(0, 12)} was taken over while it ran (lease expired); not committed` };
      }
      store.commit(staging, manifest);
      planner.rememberArtifact(manifest);
      stagingDirs.delete(staging);
      staging = undefined;
      rmSync(store.scratchDir(key), { recursive: true, force: true });
      progress.done(label(node), durationMs);
      return { plan, status: 'computed', manifest, key, fingerprint: fp, durationMs };
    } finally {
      if (staging) {
        rmSync(staging, { recursive: true, force: true });
        stagingDirs.delete(staging);
      }
      if (locked) releaseLock(lockPath);
    }
  };

  const outcomeOf = async (plan: NodePlan): Promise<NodeOutcome> => {
    const node = plan.node;
    const inputs = new Map<string, Manifest>();
    const upstream = new Map<PhysicalNode, Manifest>();
    for (const [name, { from }] of Object.entries(node.inputs)) {
      const up = await outcomes.get(from)!;
      if (!up.manifest) {
        return { plan, status: up.status === 'interrupted' ? 'interrupted' : 'skipped', durationMs: 0, error: `upstream ${label(from)} ${up.status}` };
      }
      inputs.set(name, up.manifest);
      upstream.set(from, up.manifest);
    }
    if (signal.aborted) return { plan, status: 'interrupted', durationMs: 0 };
    if (plan.action === 'cached') {
      progress.cached(label(node));
      return { plan, status: 'cached', manifest: plan.manifest, key: plan.key, fingerprint: plan.fingerprint, durationMs: 0 };
    }
    const fp = plan.fingerprint ?? planner.fingerprint(node, (n) => upstream.get(n))!;
    const key = plan.key ?? fingerprintKey(fp);
    if (!plan.forced) {
      // Early cutoff: the recomputed inputs came out byte-identical, so this node is cached after all.
      const m = planner.intactManifest(key);
      if (m) {
        progress.cached(label(node));
        return { plan, status: 'cached', manifest: m, key, fingerprint: fp, durationMs: 0 };
      }
    }
    // Re-hash the inputs before the stage reads them (free for those checked at plan time or just computed):
    // a corrupt one is evicted, so that the next run recomputes it, and this node fails naming it.
    for (const [name, { from, output }] of Object.entries(node.inputs)) {
      const m = inputs.get(name)!;
      const problem = planner.verifyContent(m, [output]);
      if (problem) {
        try {
          store.removeArtifact(m.key);
        } catch {
          // already gone
        }
        const error = `stage ${node.stage.name} at ${label(node)}: input ${name} from ${label(from)} (artifact ${m.key.slice(0, 12)}) is corrupt: ${problem}; it was evicted, and the next run recomputes it`;
        progress.failed(label(node), `input ${name} is corrupt`);
        return { plan, status: 'failed', key, fingerprint: fp, durationMs: 0, error };
      }
    }
    try {
      return await compute(plan, key, fp, inputs);
    } catch (e) {
      const error = `stage ${node.stage.name} at ${label(node)}: ${(e as Error).message}`;
      if (signal.aborted) return { plan, status: 'interrupted', key, fingerprint: fp, durationMs: 0, error };
      progress.failed(label(node), (e as Error).message);
      return { plan, status: 'failed', key, fingerprint: fp, durationMs: 0, error };
    }
  };

  for (const p of plans) {
    outcomes.set(
      p.node,
      outcomeOf(p).then((o) => {
        opts.onSettled?.(o);
        return o;
      }),
    );
  }
  const settled = new Map<PhysicalNode, NodeOutcome>();
  try {
    for (const p of plans) settled.set(p.node, await outcomes.get(p.node)!);
  } finally {
    await executor.close();
  }
  return settled;
}
