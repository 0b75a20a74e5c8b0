// The figures experiment is derived from the figure entries: one node per entry and the report, each
// input bound to the output its entry names in pipeline.ts's DAG, CIFAR-10's inputs bound only when its
// experiment is declared, and a source naming a node that does not exist stops the declaration.
import { afterEach, describe, expect, it } from 'vitest';
import { declareDag, type NodeDecl } from '../../engine/dag.ts';
import { FIGURES_EXPERIMENT, withFigures } from '../../config/figures.ts';
import { CIFAR10_ENV, spec } from '../../pipeline.ts';
import theory from '../../stages/theory.ts';
import report, { FIGURES, TABLE_SOURCES, figureInput } from '../../stages/report.ts';

const saved = process.env[CIFAR10_ENV];
afterEach(() => {
  if (saved === undefined) delete process.env[CIFAR10_ENV];
  else process.env[CIFAR10_ENV] = saved;
});

/** The figures experiment's nodes by name, with each bound input as '<experiment>/<node>.<output>'. */
function figuresNodes(): Map<string, { decl: NodeDecl; bound: Record<string, string> }> {
  const nodes = declareDag(spec).nodes.filter((n) => n.experiment === FIGURES_EXPERIMENT);
  return new Map(
    nodes.map((decl) => [
      decl.node,
      {
        decl,
        bound: Object.fromEntries(
          Object.entries(decl.inputs).flatMap(([k, v]) => (v ? [[k, `${v.from.experiment}/${v.from.node}.${v.output}`]] : [])),
        ),
      },
    ]),
  );
}

describe('figure entries', () => {
  it('name only inputs their stage declares, and give every required input a source', () => {
    const wired = [...FIGURES.map((f) => ({ stage: f.stage, sources: f.sources as Record<string, string> })), { stage: report, sources: TABLE_SOURCES }];
    for (const { stage, sources } of wired) {
      for (const input of Object.keys(sources)) expect(stage.inputs, `${stage.name}.${input}`).toHaveProperty(input);
      const required = Object.entries(stage.inputs).filter(([, spec]) => !(spec as { optional?: boolean }).optional);
      for (const [input] of required) expect(sources, `${stage.name}.${input}`).toHaveProperty(input);
    }
  });
});

describe('the figures experiment of pipeline.ts', () => {
  it('holds one node per figure entry and the report, each input bound to its source', () => {
    process.env[CIFAR10_ENV] = '/cifar-10-batches-bin';
    const nodes = figuresNodes();
    expect([...nodes.keys()]).toEqual([...FIGURES.map((f) => f.stage.name), report.name]);
    for (const f of FIGURES) {
      const n = nodes.get(f.stage.name)!;
      expect(n.decl.stage).toBe(f.stage);
      // With CIFAR-10 declared every source resolves: a misspelt experiment would leave its input unbound.
      expect(n.bound, f.stage.name).toEqual(f.sources);
    }
    const r = nodes.get(report.name)!;
    const figurePngs = Object.fromEntries(FIGURES.map((f) => [figureInput(f), `${FIGURES_EXPERIMENT}/${f.stage.name}.png`]));
    expect(r.bound).toEqual({ ...figurePngs, ...TABLE_SOURCES });
  });

  it('leaves the CIFAR-10 inputs unbound when its experiment is not declared', () => {
    delete process.env[CIFAR10_ENV];
    const nodes = figuresNodes();
    for (const [name, n] of nodes) {
      const cifar = Object.entries(n.decl.stage.inputs).map(([k]) => k).filter((k) => k.includes('cifar10'));
      for (const input of cifar) expect(n.bound, `${name}.${input}`).not.toHaveProperty(input);
    }
    expect(Object.keys(nodes.get('figure5')!.bound).some((k) => k.startsWith('mnist'))).toBe(true);
  });

  it('stops on a source whose experiment is declared without the node it names', () => {
    // fig2 is declared, but with its theory node only: figure2's Monte-Carlo source is missing.
    const declare = withFigures((b) => void b.experiment('fig2').add(theory));
    expect(() => declareDag({ experiments: declare })).toThrow(/figure2\.montecarlo: experiment fig2 has no node montecarlo/);
  });
});
