// The configuration layers a command line gives, above the DAG's declaration: profile → --config files →
// --set → --sweep (each sweep's first value checks its key; buildGraph applies one value per copy).
import { existsSync, readFileSync, statSync } from 'node:fs';
import type { ConfigTree, PipelineSpec } from '../engine/dag.ts';
import { parseAssignment, profileLayer, setInTree, type ConfigLayer } from '../engine/config.ts';
import type { Sweep } from '../engine/build.ts';
import { UsageError } from '../core/errors.ts';
import type { CliArgs } from './args.ts';

/** A --config file's parameter tree, and its `executor:` settings, which are not parameters. */
async function loadConfigFile(path: string): Promise<{ tree: ConfigTree; executor?: Record<string, unknown> }> {
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
}

export interface CliConfig {
  profile: string;
  layers: ConfigLayer[];
  sweeps: Sweep[];
  /** The merged `executor:` trees of the --config files. */
  executor?: Record<string, unknown>;
}

export async function configLayers(spec: PipelineSpec, args: CliArgs): Promise<CliConfig> {
  const problems: string[] = [];
  const profile = args.profile ?? spec.defaultProfile;
  const layers: ConfigLayer[] = [profileLayer(spec, profile)];
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
  return { layers, sweeps, profile, executor };
}
