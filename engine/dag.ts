// The DAG declaration API pipeline.ts uses: experiments add nodes (uses of a stage) and bind their inputs
// to other nodes' outputs. Declaration only records; validation (bindings, cycles, parameters) happens in engine/build.ts.
import type { ParamValues } from '../core/params.ts';
import type { StageDefinition } from '../core/stage.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyStage = StageDefinition<any, any, any>;

/** A nested configuration tree: `{ train: { steps: 2000 }, 'fig3-left': { data: { m: 30 } } }`. */
export interface ConfigTree {
  [key: string]: unknown;
}

export interface PipelineSpec {
  /** Declares the nodes. */
  experiments: (b: DagBuilder) => void;
  /** Config trees by profile name: 'smoke' | 'quick' | 'paper' at least. */
  profiles: Record<string, ConfigTree>;
  defaultProfile: string;
  /**
   * Experiments a plain run leaves out (costly studies beyond the paper): planned only when `--only` names them,
   * one of their nodes or a stage kind. A node they share with another experiment runs with that one.
   */
  onRequest?: readonly string[];
  /** Where out/ and .pipeline/ go by default and where package-lock.json lives. */
  projectRoot: string;
}

export interface OutputRef {
  readonly from: NodeDecl;
  readonly output: string;
  /** Set when `.out.<name>` named an output the stage does not declare. */
  readonly missing?: boolean;
}

export interface NodeDecl {
  experiment: string;
  node: string;
  stage: AnyStage;
  /** Values declared in pipeline.ts (the second configuration layer). */
  params: Record<string, unknown>;
  inputs: Record<string, OutputRef | undefined>;
  /** For a sweep copy (`fig3-left[train.steps=1000]`), the experiment it was fanned out from. */
  sweptFrom?: string;
}

export type NodeRef<S extends AnyStage = AnyStage> = {
  readonly decl: NodeDecl;
  readonly out: { readonly [K in keyof S['outputs'] & string]: OutputRef };
};

interface AddOptions<S extends AnyStage> {
  node?: string;
  params?: Partial<ParamValues<S['params']>>;
  inputs?: Partial<Record<keyof S['inputs'] & string, OutputRef>>;
}

export interface ExperimentBuilder {
  readonly name: string;
  add<S extends AnyStage>(stage: S, options?: AddOptions<S>): NodeRef<S>;
}

export interface DagBuilder {
  experiment(name: string): ExperimentBuilder;
  /** Late binding of an input (for DAGs declared out of order; also how a cycle could be declared, which validation rejects). */
  connect(to: NodeRef, input: string, from: OutputRef): void;
}

interface DeclaredDag {
  nodes: NodeDecl[];
  /** Problems found while declaring (duplicate node names): reported with the other validation errors. */
  problems: string[];
}

function outputRefs(decl: NodeDecl): Record<string, OutputRef> {
  return new Proxy({} as Record<string, OutputRef>, {
    get(_t, prop) {
      if (typeof prop !== 'string') return undefined;
      return { from: decl, output: prop, missing: !(prop in decl.stage.outputs) };
    },
  });
}

export function declareDag(spec: Pick<PipelineSpec, 'experiments'>): DeclaredDag {
  const nodes: NodeDecl[] = [];
  const problems: string[] = [];
  const builder: DagBuilder = {
    experiment(name) {
      return {
        name,
        add(stage, options = {}) {
          const node = options.node ?? stage.name;
          if (nodes.some((n) => n.experiment === name && n.node === node)) {
            problems.push(`experiment ${name} declares node ${node} twice (give one of them another \`node\` name)`);
          }
          const decl: NodeDecl = {
            experiment: name,
            node,
            stage,
            params: { ...(options.params ?? {}) } as Record<string, unknown>,
            inputs: { ...(options.inputs ?? {}) } as Record<string, OutputRef | undefined>,
          };
          nodes.push(decl);
          return { decl, out: outputRefs(decl) } as NodeRef<typeof stage>;
        },
      };
    },
    connect(to, input, from) {
      to.decl.inputs[input] = from;
    },
  };
  spec.experiments(builder);
  return { nodes, problems };
}

export function nodeLabel(n: { experiment: string; node: string }): string {
  return `${n.experiment}/${n.node}`;
}
