// The plan every command but verify, gc and pin starts from: the command line's layers, the built graph, the
// executor settings (checked with everything else, before any work) and the fingerprints of the selected nodes.
import type { PipelineSpec } from '../engine/dag.ts';
import { buildGraph } from '../engine/build.ts';
import { chooseExecutor, type ExecutorChoice } from '../engine/executor-settings.ts';
import { planRun, type RunPlan } from '../engine/run.ts';
import type { Store } from '../cache/store.ts';
import type { CliArgs } from './args.ts';
import { configLayers, type CliConfig } from './config-layers.ts';

interface CliPlan {
  config: CliConfig;
  executor: ExecutorChoice;
  plan: RunPlan;
}

export async function planFromArgs(spec: PipelineSpec, args: CliArgs, store: Store, onPhase: (name: string) => void): Promise<CliPlan> {
  const config = await configLayers(spec, args);
  const graph = buildGraph(spec, config.layers, config.sweeps);
  const executor = chooseExecutor(
    { executor: args.executor, partition: args.slurmPartition, account: args.slurmAccount, times: args.slurmTimes, sbatchArgs: args.sbatchArgs },
    config.executor,
    new Set(graph.nodes.map((n) => n.stage.name)),
  );
  const plan = planRun(spec, graph, { store, only: args.only, force: args.force, verify: args.verify, onPhase });
  return { config, executor, plan };
}
