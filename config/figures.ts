// The `figures` experiment: one node per figure entry of the report (stages/report.ts, FIGURES) and the
// report, each input bound to the upstream output its entry names ('<experiment>/<node>.<output>').
import type { DagBuilder, ExperimentBuilder, NodeRef, OutputRef } from '../engine/dag.ts';
import report, { FIGURES, TABLE_SOURCES, figureInput } from '../stages/report.ts';

export const FIGURES_EXPERIMENT = 'figures';

/** Declares `declare`'s experiments, then the figures experiment bound to their nodes by name. */
export function withFigures(declare: (b: DagBuilder) => void): (b: DagBuilder) => void {
  return (b) => {
    const nodes = new Map<string, NodeRef>();
    // The same builder, remembering every node it adds by '<experiment>/<node>'.
    const recording: DagBuilder = {
      experiment(name) {
        const x = b.experiment(name);
        return {
          name: x.name,
          add(stage, options) {
            const ref = x.add(stage, options);
            nodes.set(`${name}/${ref.decl.node}`, ref);
            return ref;
          },
        };
      },
      connect: (to, input, from) => b.connect(to, input, from),
    };
    declare(recording);
    figureNodes(b.experiment(FIGURES_EXPERIMENT), nodes);
  };
}

function figureNodes(x: ExperimentBuilder, nodes: Map<string, NodeRef>): void {
  const pngs: Record<string, OutputRef> = {};
  for (const f of FIGURES) pngs[figureInput(f)] = x.add(f.stage, { inputs: bind(f.sources, nodes, f.stage.name) }).out.png;
  x.add(report, { inputs: { ...pngs, ...bind(TABLE_SOURCES, nodes, report.name) } });
}

/** Each source as an output reference; sources in an experiment that was not declared stay unbound. */
function bind(sources: Readonly<Record<string, string | undefined>>, nodes: Map<string, NodeRef>, stage: string): Record<string, OutputRef> {
  const declared = new Set([...nodes.keys()].map((k) => k.slice(0, k.indexOf('/'))));
  const bound: Record<string, OutputRef> = {};
  for (const [input, source] of Object.entries(sources)) {
    const m = /^([^/]+)\/([^.]+)\.(.+)$/.exec(source ?? '');
    if (!m) throw new Error(`${stage}.${input}: source '${source}' is not '<experiment>/<node>.<output>'`);
    const [, experiment, node, output] = m;
    if (!declared.has(experiment)) continue;
    const ref = nodes.get(`${experiment}/${node}`);
    if (!ref) throw new Error(`${stage}.${input}: experiment ${experiment} has no node ${node}`);
    if (!(output in ref.decl.stage.outputs)) throw new Error(`${stage}.${input}: node ${experiment}/${node} has no output ${output}`);
    bound[input] = ref.out[output];
  }
  return bound;
}
