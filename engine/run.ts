// A run as a library call: `runPipeline(spec, options)` builds the graph from the configuration layers, plans
// the selected nodes, executes what is stale on an executor, exports out/ and records the run. The command line
// (cli/run.ts) calls the same steps, stopping after `planRun` for --dry-run; another executor plugs in through
// `options.executor` without touching it.
import { rmSync } from 'node:fs';
import { availableParallelism, hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ExportResult } from '../artifacts/export.ts';
import { ImportGraph } from '../cache/import-graph.ts';
import { lockInUse, processAlive } from '../cache/lock.ts';
import { StatCache } from '../cache/stat-cache.ts';
import { Store, type RunRecord } from '../cache/store.ts';
import { buildGraph, label, resolveExternalFiles, type BuiltGraph, type PhysicalNode, type Sweep } from './build.ts';
import { profileLayer, type ConfigLayer } from './config.ts';
import type { PipelineSpec } from './dag.ts';
import { ioMessage, RunNotStarted } from './errors.ts';
import type { NodeOutcome } from './execute.ts';
import type { Executor } from './executor.ts';
import { openExecutor, type ExecutorChoice } from './executor-settings.ts';
import { Planner, type NodePlan } from './plan.ts';
import { ProgressReporter } from './progress.ts';
import { finishedRecord, newRunId, startedRecord, type RunIdentity } from './run-record.ts';
import { selectNodes, withUpstream } from './select.ts';

/** The store a spec uses unless told otherwise: `$PIPELINE_STORE`, else `.pipeline/` in the project. */
export function storeFor(spec: Pick<PipelineSpec, 'projectRoot'>, dir?: string): Store {
  return new Store(resolve(dir ?? (process.env.PIPELINE_STORE || join(resolve(spec.projectRoot), '.pipeline'))));
}

/** Where exports go unless told otherwise: `out/` in the project. */
export function outDirFor(spec: Pick<PipelineSpec, 'projectRoot'>, dir?: string): string {
  return resolve(dir ?? join(resolve(spec.projectRoot), 'out'));
}

interface PlanOptions {
  store: Store;
  /** Stage kinds, nodes or experiment/node names to plan, with their upstream (default: every node). */
  only?: string[];
  /** Nodes to recompute even when cached. */
  force?: string[];
  /** Re-hash every artifact the plan trusts, not only those the run reads. */
  verify?: boolean;
  /** Called as each phase ends, with its name: start-up timings (PIPELINE_TIMINGS). */
  onPhase?(name: string): void;
}

export interface RunPlan {
  projectRoot: string;
  store: Store;
  graph: BuiltGraph;
  /** The selected nodes with their upstream. */
  nodes: PhysicalNode[];
  forced: Set<PhysicalNode>;
  planner: Planner;
  plans: NodePlan[];
  stat: StatCache;
}

/** Fingerprints and run/cached decisions for the selected nodes of a built graph; writes nothing but the stat cache's memory. */
export function planRun(spec: Pick<PipelineSpec, 'projectRoot' | 'onRequest'>, graph: BuiltGraph, opts: PlanOptions): RunPlan {
  const phase = opts.onPhase ?? (() => {});
  const projectRoot = resolve(spec.projectRoot);
  const nodes = withUpstream(graph.nodes, opts.only?.length ? selectNodes(graph, opts.only, '--only') : plainRunRoots(graph, spec.onRequest ?? []));
  if (!opts.only?.length) dropOnRequestDecls(nodes, spec.onRequest ?? []);
  const forced = opts.force?.length ? selectNodes(graph, opts.force, '--force') : new Set<PhysicalNode>();
  // Files read from outside the store (datasets), for the nodes this run plans: missing ones are bad input.
  resolveExternalFiles(nodes);
  phase('declare + validate');
  const stat = new StatCache(opts.store.statCachePath());
  const importGraph = new ImportGraph(projectRoot, stat);
  for (const n of nodes) importGraph.codeOf(fileURLToPath(n.stage.module));
  phase('fingerprint code');
  const planner = new Planner(opts.store, importGraph, stat, projectRoot);
  planner.deep = opts.verify ?? false;
  const plans = planner.plan(nodes, forced);
  phase('plan');
  return { projectRoot, store: opts.store, graph, nodes, forced, planner, plans, stat };
}

/** What a run without --only plans: every node some experiment not in `onRequest` declares (a sweep copy counts as its origin). */
function plainRunRoots(graph: BuiltGraph, onRequest: readonly string[]): Set<PhysicalNode> {
  const declared = new Set(graph.nodes.flatMap((n) => n.decls.map((d) => d.sweptFrom ?? d.experiment)));
  const unknown = onRequest.filter((e) => !declared.has(e));
  if (unknown.length) throw new Error(`onRequest names experiments the DAG does not declare: ${unknown.join(', ')}`);
  return new Set(graph.nodes.filter((n) => n.decls.some((d) => !onRequest.includes(d.sweptFrom ?? d.experiment))));
}

/**
 * A plain run neither plans nor exports under an on-request experiment's names: a node it shares with another
 * experiment (the data of fig3-left) keeps only the other's declarations. This graph serves this one plan.
 */
function dropOnRequestDecls(nodes: PhysicalNode[], onRequest: readonly string[]): void {
  for (const n of nodes) {
    const kept = n.decls.filter((d) => !onRequest.includes(d.sweptFrom ?? d.experiment));
    if (kept.length > 0) n.decls = kept;
  }
}

/** Opens the executor for one run; `logDir` is the run's log folder in the store. */
export type ExecutorFactory = (ctx: { logDir: string; runId: string; notice(message: string): void }) => Promise<Executor>;

interface ExecuteRunOptions {
  outDir: string;
  /** The profile and configuration layers the graph was built from, for the run record. */
  profile: string;
  layers: ConfigLayer[];
  /** `--executor` settings, or a factory for any other executor (default: a child process per stage here). */
  executor?: ExecutorChoice | ExecutorFactory;
  /** Cpu slots (default: the cores here), or the cap on jobs in flight for an executor that places resources (default 256). */
  jobs?: number;
  /** Aborting it stops the running stages; the store is left consistent. */
  signal?: AbortSignal;
  progress?: ProgressReporter;
  /** The command line, for the run record. */
  argv?: string[];
  onPhase?(name: string): void;
}

export interface RunResult {
  runId: string;
  /** As recorded: 'failed' when a node or an export failed. */
  status: Extract<RunRecord['status'], 'succeeded' | 'failed' | 'interrupted'>;
  outcomes: NodeOutcome[];
  counts: Record<NodeOutcome['status'], number>;
  exported: ExportResult;
  exportErrors: string[];
  /** The run record could not be written (the committed artifacts are intact). */
  recordError?: string;
  /** Problems that did not fail the run (the stat cache could not be saved). */
  warnings: string[];
}

/** Executes a plan: stale nodes run, outputs are exported as nodes settle, the run is recorded. */
export async function executeRun(plan: RunPlan, opts: ExecuteRunOptions): Promise<RunResult> {
  const { store, planner, stat, projectRoot, nodes, forced } = plan;
  const phase = opts.onPhase ?? (() => {});
  const progress = opts.progress ?? new ProgressReporter();
  const signal = opts.signal ?? new AbortController().signal;
  const run: RunIdentity = {
    runId: newRunId(), startedAt: new Date().toISOString(), argv: opts.argv ?? [], profile: opts.profile,
    config: { layers: opts.layers.map((l) => ({ source: l.source, tree: l.tree })) },
  };
  const { runId } = run;
  let plans = plan.plans;
  const isLocked = (key: Parameters<Store['lockPath']>[0]) => lockInUse(store.lockPath(key));
  try {
    store.init();
    // Leftovers of killed runs: their records say 'running' for ever, their staging directories are never used.
    const killed = store.tidyDeadRuns(processAlive, hostname());
    const stale = store.tidyStaging(isLocked);
    if (killed.length || stale) {
      progress.info(`tidied after killed runs: ${killed.length ? `${killed.length} run record${killed.length > 1 ? 's' : ''} marked killed (${killed.join(', ')})` : ''}${killed.length && stale ? ', ' : ''}${stale ? `${stale} abandoned staging director${stale > 1 ? 'ies' : 'y'} removed` : ''}`);
    }
    // A record of the run in progress: `status` shows it and `gc` refuses to collect while it works.
    store.writeRun(startedRecord(run, plans));
    store.markActive(runId, process.pid, hostname());
  } catch (e) {
    progress.close();
    // Nothing ran: leave no record of it either (a 'running' record without its marker would never be tidied).
    try {
      rmSync(join(store.runs, `${runId}.json`), { force: true });
    } catch {
      // the store is unwritable: there is nothing of ours to remove
    }
    throw new RunNotStarted(ioMessage(`cannot start the run in the store ${store.root}`, e));
  }
  let outcomes: Map<PhysicalNode, NodeOutcome>;
  // Outputs are exported as each node settles, overlapping with stages still running.
  const { OutputExporter } = await import('../artifacts/export.ts');
  const exporter = new OutputExporter({ store, outDir: opts.outDir, projectRoot, runId, stat }, plans.flatMap((p) => p.node.decls));
  // Cached artifacts this run will export are read: re-hash them first, and recompute (in this run) any that is corrupt.
  const exportReads = (ps: NodePlan[]): Array<[NodePlan, string[]]> =>
    ps.filter((p) => p.action === 'cached' && p.manifest).flatMap((p) => p.node.decls.map((d) => [p, exporter.staleOutputs(d, p.manifest!)] as [NodePlan, string[]]));
  const corruptBefore = planner.corrupt.size;
  for (const [p, outputs] of exportReads(plans)) if (outputs.length) planner.verifyContent(p.manifest!, outputs);
  if (planner.corrupt.size > corruptBefore) plans = planner.plan(nodes, forced, exportReads);
  for (const [key, problem] of planner.corrupt) progress.info(`artifact ${key.slice(0, 12)} is corrupt (${problem}): recomputing it`);
  const exportOutcome = (o: NodeOutcome) => {
    if (!o.manifest || signal.aborted) return;
    for (const d of o.plan.node.decls) void exporter.add(d, o.manifest);
  };
  try {
    if (plans.every((p) => p.action === 'cached')) {
      // A no-op run: nothing to schedule, so the scheduler and the child runner are never loaded.
      outcomes = new Map(plans.map((p) => {
        progress.cached(label(p.node));
        const o: NodeOutcome = { plan: p, status: 'cached', manifest: p.manifest, key: p.key, fingerprint: p.fingerprint, durationMs: 0 };
        exportOutcome(o);
        return [p.node, o];
      }));
    } else {
      const { executePlan } = await import('./execute.ts');
      const open = opts.executor;
      const ctx = { logDir: join(store.root, 'logs', runId), runId, notice: (m: string) => progress.info(m) };
      const executor = open === undefined ? undefined : typeof open === 'function' ? await open(ctx) : await openExecutor(open, ctx);
      outcomes = await executePlan(plans, {
        store, planner, progress, projectRoot, runId, signal, executor,
        // On a cluster the cap is on jobs in flight; Slurm queues the rest.
        jobs: opts.jobs ?? (executor?.placesResources ? 256 : availableParallelism()),
        onSettled: exportOutcome,
      });
    }
  } finally {
    progress.close();
  }
  phase('execute');
  const interrupted = signal.aborted;
  const all = [...outcomes.values()];
  const failed = all.some((o) => o.status === 'failed');
  const exported = await exporter.finish();
  if (exported.written) progress.info(`exported ${exported.written} outputs to ${opts.outDir} (${exported.upToDate} up to date${exported.repaired ? `, ${exported.repaired} repaired: changed on disk` : ''})`);
  const exportErrors = exporter.errors;
  phase('export (what was left after the stages)');
  const status = interrupted ? 'interrupted' : failed || exportErrors.length ? 'failed' : 'succeeded';
  let recordError: string | undefined;
  try {
    store.writeRun(finishedRecord(run, status, all));
    store.clearActive(runId);
  } catch (e) {
    recordError = ioMessage(`could not write the run record ${join(store.runs, `${runId}.json`)}`, e);
  }
  const warnings: string[] = [];
  const statWarning = stat.save();
  if (statWarning) warnings.push(statWarning);
  const counts = { computed: 0, cached: 0, failed: 0, skipped: 0, interrupted: 0 };
  for (const o of all) counts[o.status]++;
  return { runId, status, outcomes: all, counts, exported, exportErrors, recordError, warnings };
}

interface RunPipelineOptions extends Omit<PlanOptions, 'store'>, Omit<ExecuteRunOptions, 'outDir' | 'profile' | 'layers'> {
  /** Default: the spec's default profile. */
  profile?: string;
  /** Layers above the profile (a --config tree, --set values), later wins. */
  layers?: ConfigLayer[];
  sweeps?: Sweep[];
  /** The store directory and the exports' directory (defaults: storeFor, outDirFor). */
  store?: string;
  out?: string;
}

/** Plans and runs a pipeline: bad input throws a UsageError before anything is written. */
export async function runPipeline(spec: PipelineSpec, options: RunPipelineOptions = {}): Promise<RunResult> {
  const profile = options.profile ?? spec.defaultProfile;
  const layers = [profileLayer(spec, profile), ...(options.layers ?? [])];
  const graph = buildGraph(spec, layers, options.sweeps ?? []);
  const plan = planRun(spec, graph, { ...options, store: storeFor(spec, options.store) });
  return executeRun(plan, { ...options, outDir: outDirFor(spec, options.out), profile, layers });
}
