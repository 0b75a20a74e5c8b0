// The command line: `process.exitCode = await runCli(spec, process.argv.slice(2))` in pipeline.ts.
// Everything the user can get wrong is checked before any work starts (exit 2, nothing written).
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import type { ConfigTree, PipelineSpec } from '../engine/dag.ts';
import { declareDag, nodeLabel } from '../engine/dag.ts';
import { parseAssignment, setInTree, type ConfigLayer } from '../engine/config.ts';
import { UsageError, didYouMean } from '../engine/errors.ts';
import { buildGraph, label, resolveExternalFiles, type BuiltGraph, type PhysicalNode, type Sweep } from '../engine/build.ts';
import { Planner, formatPlan, planRows, type NodePlan } from '../engine/plan.ts';
import { Store, type RunNodeRecord, type RunRecord } from '../cache/store.ts';
import { StatCache } from '../cache/stat-cache.ts';
import { ImportGraph } from '../cache/import-graph.ts';
import { diffFingerprints } from '../cache/fingerprint.ts';
import { ProgressReporter } from '../engine/progress.ts';
import type { NodeOutcome } from '../engine/execute.ts';
import { parseArgs, type CliArgs } from './args.ts';
import { helpText } from './help.ts';
import { tryLock, releaseLock } from '../cache/lock.ts';
import { chooseExecutor, openExecutor } from '../engine/executor-settings.ts';
import type { ArtifactKey } from '../core/digest.ts';

const print = (s: string) => process.stdout.write(`${s}\n`);
const eprint = (s: string) => process.stderr.write(`${s}\n`);

/** A --config file's parameter tree, and its `executor:` settings, which are not parameters. */
function loadConfigFile(path: string): Promise<{ tree: ConfigTree; executor?: Record<string, unknown> }> {
  return (async () => {
    if (!existsSync(path)) throw new UsageError([`--config ${path}: no such file`]);
    if (!statSync(path).isFile()) throw new UsageError([`--config ${path}: is a directory, not a file: expects a YAML or JSON file`]);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      throw new UsageError([`--config ${path}: cannot be read: ${(e as Error).message}`]);
    }
    let tree: unknown;
    try {
      tree = /\.json$/i.test(path) ? JSON.parse(text) : (await import('yaml')).parse(text);
    } catch (e) {
      throw new UsageError([`--config ${path}: cannot parse: ${(e as Error).message}`]);
    }
    if (tree === null || typeof tree !== 'object' || Array.isArray(tree)) {
      throw new UsageError([`--config ${path}: expected a mapping of <stage> or <experiment> keys, got ${JSON.stringify(tree)}`]);
    }
    const { executor, ...params } = (tree ?? {}) as ConfigTree & { executor?: unknown };
    if (executor !== undefined && (typeof executor !== 'object' || executor === null || Array.isArray(executor))) {
      throw new UsageError([`--config ${path}: executor ${JSON.stringify(executor)}: expects a mapping (kind, partition, account, time, sbatch_args)`]);
    }
    return { tree: params as ConfigTree, executor: executor as Record<string, unknown> | undefined };
  })();
}

async function configLayers(spec: PipelineSpec, args: CliArgs): Promise<{ layers: ConfigLayer[]; sweeps: Sweep[]; profile: string; executor?: Record<string, unknown> }> {
  const problems: string[] = [];
  const profile = args.profile ?? spec.defaultProfile;
  if (!(profile in spec.profiles)) {
    throw new UsageError([`unknown profile "${profile}": choose one of ${Object.keys(spec.profiles).join(', ')}${didYouMean(profile, Object.keys(spec.profiles))}`]);
  }
  const layers: ConfigLayer[] = [{ source: `profile ${profile}`, tree: spec.profiles[profile], raw: false }];
  let executor: Record<string, unknown> | undefined;
  for (const f of args.configFiles) {
    const loaded = await loadConfigFile(f);
    layers.push({ source: `--config ${f}`, tree: loaded.tree, raw: false });
    if (loaded.executor) executor = { ...executor, ...loaded.executor };
  }
  const setTree: ConfigTree = {};
  for (const s of args.sets) {
    try {
      const { path, raw } = parseAssignment('--set', s);
      setInTree(setTree, path, raw);
    } catch (e) {
      problems.push((e as Error).message);
    }
  }
  layers.push({ source: '--set', tree: setTree, raw: true });
  const sweeps: Sweep[] = [];
  for (const s of args.sweeps) {
    try {
      const { path, raw } = parseAssignment('--sweep', s);
      const values = raw.split(',').map((v) => v.trim());
      if (values.some((v) => v === '')) throw new Error(`--sweep ${JSON.stringify(s)} is malformed: an empty value in the list`);
      sweeps.push({ path, raw, values: [...new Set(values)] });
      // Check the key exists like a --set would.
      const t: ConfigTree = {};
      setInTree(t, path, values[0]);
      layers.push({ source: `--sweep ${path.join('.')}`, tree: t, raw: true });
    } catch (e) {
      problems.push((e as Error).message);
    }
  }
  if (problems.length) throw new UsageError(problems);
  // The sweep layers above only check keys and values; buildGraph applies one value per copy.
  return { layers, sweeps, profile, executor };
}

/** Nodes matched by a selector: a stage kind, a node name, experiment/node, or an experiment. */
function select(graph: BuiltGraph, selectors: string[], flag: string): Set<PhysicalNode> {
  const out = new Set<PhysicalNode>();
  const problems: string[] = [];
  for (const sel of selectors) {
    const hits = graph.nodes.filter((n) =>
      n.stage.name === sel ||
      n.decls.some((d) => d.node === sel || [d.experiment, d.sweptFrom].some((e) => e !== undefined && (e === sel || `${e}/${d.node}` === sel))),
    );
    if (!hits.length) {
      const names = new Set<string>();
      for (const n of graph.nodes) {
        names.add(n.stage.name);
        for (const d of n.decls) names.add(`${d.experiment}/${d.node}`).add(d.node);
      }
      problems.push(`${flag} ${JSON.stringify(sel)}: no stage kind, node or experiment/node of that name${didYouMean(sel, names)}`);
    }
    for (const h of hits) out.add(h);
  }
  if (problems.length) throw new UsageError(problems);
  return out;
}

function withUpstream(nodes: PhysicalNode[], roots: Set<PhysicalNode>): PhysicalNode[] {
  const keep = new Set<PhysicalNode>();
  const visit = (n: PhysicalNode) => {
    if (keep.has(n)) return;
    keep.add(n);
    for (const i of Object.values(n.inputs)) visit(i.from);
  };
  for (const r of roots) visit(r);
  return nodes.filter((n) => keep.has(n));
}

function newRunId(): string {
  return `${new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${randomBytes(3).toString('hex')}`;
}

export async function runCli(spec: PipelineSpec, argv: string[]): Promise<number> {
  const timings: Array<[string, number]> = [['process start + imports', performance.now()]];
  let mark = performance.now();
  const lap = (name: string) => {
    const now = performance.now();
    timings.push([name, now - mark]);
    mark = now;
  };
  const report = () => {
    if (process.env.PIPELINE_TIMINGS) {
      lap('rest');
      eprint(`timings: ${timings.map(([k, v]) => `${k} ${v.toFixed(0)}ms`).join(', ')}, total ${performance.now().toFixed(0)}ms`);
    }
  };
  const seen: { store?: Store } = {};
  try {
    const code = await main(spec, argv, lap, seen);
    report();
    return code;
  } catch (e) {
    if (e instanceof UsageError) {
      eprint(`error: ${e.problems.length > 1 ? `${e.problems.length} problems:\n  ` : ''}${e.problems.join('\n  ')}`);
      eprint('nothing was run; see --help for parameters, their ranges and the node names');
      return 2;
    }
    eprint(`error: ${(e as Error).stack ?? String(e)}`);
    return 1;
  } finally {
    // Every reader treats a malformed record as absent; say which ones were.
    for (const [path, problem] of seen.store?.malformed ?? []) eprint(`warning: ${path} ${problem}: treated as absent`);
  }
}

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** An error of the file system (a full disk, no permission), as one line naming what failed. */
function ioMessage(what: string, e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  const hint = err.code === 'ENOSPC' ? ' (the disk is full: free space and run again)' : err.code === 'EACCES' || err.code === 'EROFS' ? ' (not writable)' : '';
  return `${what}: ${err.message}${hint}`;
}

async function main(spec: PipelineSpec, argv: string[], lap: (name: string) => void, seen: { store?: Store }): Promise<number> {
  const args = parseArgs(argv);
  if (args.command === 'theory') {
    // The theory helper's file, loaded only for this command, so that its absence breaks nothing else.
    const path = new URL('../theory/calculator.ts', import.meta.url).href;
    let mod: { runTheoryCommand?(argv: string[]): Promise<number> };
    try {
      mod = (await import(path)) as typeof mod;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND' || !String((e as Error).message).includes('calculator')) throw e;
      eprint('error: the theory calculator (theory/calculator.ts) is not available in this checkout');
      return 1;
    }
    if (typeof mod.runTheoryCommand !== 'function') {
      eprint('error: theory/calculator.ts does not export runTheoryCommand(argv)');
      return 1;
    }
    return mod.runTheoryCommand(args.positionals);
  }
  const projectRoot = resolve(spec.projectRoot);
  const store = new Store(resolve(args.store ?? (process.env.PIPELINE_STORE || join(projectRoot, '.pipeline'))));
  const outDir = resolve(args.out ?? join(projectRoot, 'out'));
  seen.store = store;
  if (args.help) {
    print(helpText(declareDag(spec).nodes, Object.keys(spec.profiles), spec.defaultProfile));
    return 0;
  }
  if (args.command === 'verify') return verify(store, args, outDir, projectRoot);
  if (args.command === 'gc') return gc(store, args);
  if (args.command === 'pin' || args.command === 'unpin') return pin(store, args);

  const { layers, sweeps, profile, executor: executorConfig } = await configLayers(spec, args);
  const graph = buildGraph(spec, layers, sweeps);
  const executorChoice = chooseExecutor(
    { executor: args.executor, partition: args.slurmPartition, account: args.slurmAccount, times: args.slurmTimes, sbatchArgs: args.sbatchArgs },
    executorConfig,
    new Set(graph.nodes.map((n) => n.stage.name)),
  );
  let nodes = graph.nodes;
  if (args.only.length) nodes = withUpstream(nodes, select(graph, args.only, '--only'));
  const forced = args.force.length ? select(graph, args.force, '--force') : new Set<PhysicalNode>();
  if (args.command === 'explain' && args.positionals.length !== 1) throw new UsageError(['explain needs one NODE (a node name, experiment/node or stage kind)']);
  const explained = args.command === 'explain' ? select(graph, args.positionals, 'explain') : undefined;
  // Files read from outside the store (datasets), for the nodes this command plans: missing ones are bad input.
  resolveExternalFiles(nodes);
  lap('declare + validate');

  const stat = new StatCache(store.statCachePath());
  const importGraph = new ImportGraph(projectRoot, stat);
  for (const n of nodes) importGraph.codeOf(fileURLToPath(n.stage.module));
  lap('fingerprint code');
  const planner = new Planner(store, importGraph, stat);
  planner.deep = args.verify;
  let plans = planner.plan(nodes, forced);
  lap('plan');

  if (args.command === 'explain') return explain(plans.filter((p) => explained!.has(p.node)), planner);
  if (args.command === 'status') return status(store, plans, args);
  // --json is the machine-readable form of the dry-run plan: it never runs anything.
  if (args.dryRun || args.json) {
    const rows = planRows(plans);
    print(args.json ? JSON.stringify(rows, null, 1) : formatPlan(rows));
    return 0;
  }

  // ---- run: from here on the store and out/ are written.
  const runId = newRunId();
  const startedAt = new Date().toISOString();
  const config = { layers: layers.map((l) => ({ source: l.source, tree: l.tree })) };
  const progress = new ProgressReporter();
  try {
    store.init();
    // Leftovers of killed runs: their records say 'running' for ever, their staging directories are never used.
    const killed = store.tidyDeadRuns(isAlive, hostname());
    const stale = store.tidyStaging(isLockedBy(store));
    if (killed.length || stale) {
      progress.info(`tidied after killed runs: ${killed.length ? `${killed.length} run record${killed.length > 1 ? 's' : ''} marked killed (${killed.join(', ')})` : ''}${killed.length && stale ? ', ' : ''}${stale ? `${stale} abandoned staging director${stale > 1 ? 'ies' : 'y'} removed` : ''}`);
    }
    // A record of the run in progress: `status` shows it and `gc` refuses to collect while it works.
    store.writeRun({
      runId, startedAt, finishedAt: '', argv, profile, status: 'running', pid: process.pid, host: hostname(), config,
      nodes: plans.flatMap((p) => p.node.decls.map((d) => ({ experiment: d.experiment, node: d.node, stage: p.node.stage.name, key: p.key, status: p.action === 'cached' ? 'cached' as const : 'skipped' as const, durationMs: 0 }))),
    });
    store.markActive(runId, process.pid, hostname());
  } catch (e) {
    progress.close();
    // Nothing ran: leave no record of it either (a 'running' record without its marker would never be tidied).
    try {
      rmSync(join(store.runs, `${runId}.json`), { force: true });
    } catch {
      // the store is unwritable: there is nothing of ours to remove
    }
    eprint(`error: ${ioMessage(`cannot start the run in the store ${store.root}`, e)}`);
    eprint('nothing was run');
    return 1;
  }
  const controller = new AbortController();
  const onSignal = (sig: NodeJS.Signals) => {
    if (!controller.signal.aborted) progress.info(`${sig}: stopping the running stages...`);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let outcomes: Map<PhysicalNode, NodeOutcome>;
  // Outputs are exported as each node settles, overlapping with stages still running.
  const { OutputExporter } = await import('../artifacts/export.ts');
  const exporter = new OutputExporter({ store, outDir, projectRoot, runId, stat }, plans.flatMap((p) => p.node.decls));
  // Cached artifacts this run will export are read: re-hash them first, and recompute (in this run) any that is corrupt.
  const exportReads = (ps: NodePlan[]): Array<[NodePlan, string[]]> =>
    ps.filter((p) => p.action === 'cached' && p.manifest).flatMap((p) => p.node.decls.map((d) => [p, exporter.staleOutputs(d, p.manifest!)] as [NodePlan, string[]]));
  const corruptBefore = planner.corrupt.size;
  for (const [p, outputs] of exportReads(plans)) if (outputs.length) planner.verifyContent(p.manifest!, outputs);
  if (planner.corrupt.size > corruptBefore) plans = planner.plan(nodes, forced, exportReads);
  for (const [key, problem] of planner.corrupt) progress.info(`artifact ${key.slice(0, 12)} is corrupt (${problem}): recomputing it`);
  const exportOutcome = (o: NodeOutcome) => {
    if (!o.manifest || controller.signal.aborted) return;
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
      const { executePlan } = await import('../engine/execute.ts');
      const executor = await openExecutor(executorChoice, { logDir: join(store.root, 'logs', runId), runId, notice: (m) => progress.info(m) });
      outcomes = await executePlan(plans, {
        store, planner, progress, projectRoot, runId, signal: controller.signal, executor,
        // On a cluster --jobs caps the jobs in flight; Slurm queues the rest.
        jobs: args.jobs ?? (executor.placesResources ? 256 : availableParallelism()),
        onSettled: exportOutcome,
      });
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    progress.close();
  }
  lap('execute');
  const interrupted = controller.signal.aborted;
  const failed = [...outcomes.values()].filter((o) => o.status === 'failed');
  const records: RunNodeRecord[] = [];
  for (const o of outcomes.values()) {
    for (const d of o.plan.node.decls) {
      records.push({ experiment: d.experiment, node: d.node, stage: o.plan.node.stage.name, key: o.key, fingerprint: o.fingerprint, status: o.status, durationMs: o.durationMs, error: o.error });
    }
  }
  const exported = await exporter.finish();
  if (exported.written) progress.info(`exported ${exported.written} outputs to ${outDir} (${exported.upToDate} up to date${exported.repaired ? `, ${exported.repaired} repaired: changed on disk` : ''})`);
  const exportErrors = exporter.errors;
  lap('export (what was left after the stages)');
  const record: RunRecord = {
    runId, startedAt, finishedAt: new Date().toISOString(), argv, profile,
    status: interrupted ? 'interrupted' : failed.length || exportErrors.length ? 'failed' : 'succeeded',
    pid: process.pid, host: hostname(), config,
    nodes: records,
  };
  let recordError: string | undefined;
  try {
    store.writeRun(record);
    store.clearActive(runId);
  } catch (e) {
    recordError = ioMessage(`could not write the run record ${join(store.runs, `${runId}.json`)}`, e);
  }
  const statWarning = stat.save();
  if (statWarning) eprint(`warning: ${statWarning}`);
  const counts = { computed: 0, cached: 0, failed: 0, skipped: 0, interrupted: 0 };
  for (const o of outcomes.values()) counts[o.status]++;
  progress.info(`run ${runId}: ${counts.computed} computed, ${counts.cached} cached, ${counts.failed} failed, ${counts.skipped} skipped${counts.interrupted ? `, ${counts.interrupted} interrupted` : ''}${exportErrors.length ? `, ${exportErrors.length} exports failed` : ''}`);
  if (interrupted) {
    if (recordError) eprint(`error: ${recordError}`);
    eprint('interrupted: the store is consistent (staging removed, locks released)');
    return 130;
  }
  if (failed.length || exportErrors.length || recordError) {
    for (const f of failed) eprint(`\nerror: ${f.error}`);
    for (const e of exportErrors) eprint(`\nerror: ${e}`);
    const skipped = [...outcomes.values()].filter((o) => o.status === 'skipped');
    if (skipped.length) eprint(`\nnot run because an upstream stage failed: ${skipped.map((o) => label(o.plan.node)).join(', ')}`);
    if (recordError) {
      eprint(`\nerror: ${recordError}`);
      eprint('the artifacts committed so far are intact; the next run on this store marks this run killed and recomputes only what is missing');
    }
    return 1;
  }
  return 0;
}

function status(store: Store, plans: NodePlan[], args: CliArgs): number {
  const lastId = store.listRunIds()[0];
  const last = lastId ? store.readRun(lastId) : undefined;
  // Runs whose process is gone while their record still says 'running' were killed: shown as such.
  const dead = new Set(store.deadRuns(isAlive, hostname()));
  const shown = (r: RunRecord) => (r.status === 'running' && (dead.has(r.runId) || (r.host === hostname() && r.pid !== undefined && !isAlive(r.pid))) ? 'killed' : r.status);
  const rows = planRows(plans);
  if (args.json) {
    print(JSON.stringify({ lastRun: last ? { runId: last.runId, status: shown(last), startedAt: last.startedAt, finishedAt: last.finishedAt } : null, plan: rows }, null, 1));
    return 0;
  }
  const lastStatus = last && shown(last) === 'killed' && last.status === 'running' ? 'killed (its process is gone)' : last?.status;
  print(last ? `last run ${last.runId}: ${lastStatus}, ${last.startedAt} → ${last.finishedAt}, ${last.nodes.length} nodes` : 'no run recorded yet');
  const others = [...dead].filter((id) => id !== lastId);
  if (others.length) print(`killed runs (record still 'running', process gone; the next run marks them killed): ${others.join(', ')}`);
  print(formatPlan(rows));
  return 0;
}

function explain(plans: NodePlan[], planner: Planner): number {
  for (const p of plans) {
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

async function verify(store: Store, args: CliArgs, outDir: string, projectRoot: string): Promise<number> {
  let bad = 0;
  if (!store.exists()) print(`no store at ${store.root}`);
  else {
    const r = store.verify(args.evict);
    print(
      `verified ${r.checked} artifacts in ${store.root}: ${r.corrupt.length} corrupt` +
        `${r.malformed.length ? `, ${r.malformed.length} with a malformed manifest (treated as absent)` : ''}` +
        `${r.incomplete.length ? `, ${r.incomplete.length} incomplete (no manifest: treated as absent)` : ''}`,
    );
    for (const c of r.corrupt) print(`  corrupt ${c.key.slice(0, 12)} ${c.problem}${args.evict ? ' — evicted' : ''}`);
    for (const c of r.malformed) print(`  malformed ${c.key.slice(0, 12)}: its ${c.problem}${args.evict ? ' — evicted' : ''}`);
    bad += r.corrupt.length + r.malformed.length;
  }
  // The exports in out/, against the digests the catalog recorded.
  const { verifyExports } = await import('../artifacts/export.ts');
  if (existsSync(outDir)) {
    const e = verifyExports(outDir, projectRoot, (path, problem) => store.malformed.set(path, problem));
    print(`verified ${e.checked} exports in ${outDir}: ${e.problems.length} corrupt or missing`);
    for (const p of e.problems) {
      if (args.evict && !/is missing/.test(p.problem)) rmSync(join(projectRoot, p.path), { force: true });
      print(`  export ${p.path} ${p.problem}${args.evict && !/is missing/.test(p.problem) ? ' — removed' : ''}`);
    }
    bad += e.problems.length;
  }
  if (bad && !args.evict) print('run `verify --evict` to remove them, or just run: the next run recomputes corrupt artifacts it needs and rewrites changed exports');
  return bad && !args.evict ? 1 : 0;
}

function isLockedBy(store: Store) {
  return (key: ArtifactKey) => {
    const path = store.lockPath(key);
    if (!existsSync(path)) return false;
    // A lock we can take is stale (dead process): not in use.
    if (tryLock(path)) {
      releaseLock(path);
      return false;
    }
    return true;
  };
}

function gc(store: Store, args: CliArgs): number {
  if (!store.exists()) {
    print(`no store at ${store.root}`);
    return 0;
  }
  const running = store.runningRuns(isAlive, hostname());
  if (running.length) {
    eprint(`gc: run ${running[0].runId} (pid ${running[0].pid}) is in progress on this store; try again when it has finished`);
    return 1;
  }
  const r = store.gc(args.keep, isLockedBy(store));
  print(`gc: removed ${r.removed} artifacts, freed ${r.bytesFreed} bytes (${(r.bytesFreed / 1048576).toFixed(1)} MiB); kept ${r.kept} reachable from the last ${args.keep} runs and ${store.pins().length} pinned`);
  return 0;
}

function pin(store: Store, args: CliArgs): number {
  const [runId] = args.positionals;
  if (!runId || args.positionals.length !== 1) throw new UsageError([`${args.command} needs one RUN id (see \`status\`)`]);
  const ids = store.listRunIds();
  if (args.command === 'pin') {
    if (!ids.includes(runId)) throw new UsageError([`pin ${runId}: no such run${didYouMean(runId, ids)}`]);
    store.setPins([...store.pins(), runId]);
    print(`pinned run ${runId}`);
  } else {
    if (!store.pins().includes(runId)) throw new UsageError([`unpin ${runId}: not pinned (pinned: ${store.pins().join(', ') || 'none'})`]);
    store.setPins(store.pins().filter((p) => p !== runId));
    print(`unpinned run ${runId}`);
  }
  return 0;
}
