// Experiments on request (PipelineSpec.onRequest): a plain plan leaves them out — their own nodes, and their
// names on nodes they share with another experiment — and `--only` brings them in with their upstream.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildGraph } from '../../engine/build.ts';
import { profileLayer } from '../../engine/config.ts';
import { planRun } from '../../engine/run.ts';
import type { PipelineSpec } from '../../engine/dag.ts';
import { Store } from '../../cache/store.ts';
import { toySpec } from '../fixtures/toy-pipeline.ts';
import numbers from '../fixtures/stages/numbers.ts';
import sum from '../fixtures/stages/sum.ts';

const dir = mkdtempSync(join(tmpdir(), 'on-request-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const store = new Store(join(dir, 'store'));

const spec: PipelineSpec = {
  ...toySpec,
  onRequest: ['study'],
  experiments(b) {
    const toy = b.experiment('toy');
    const nums = toy.add(numbers, { params: { n: 5 } });
    toy.add(sum, { inputs: { values: nums.out.values } });
    const study = b.experiment('study');
    // The same node as toy/numbers (one fingerprint), a node of its own, and a consumer of toy's output.
    study.add(numbers, { node: 'numbers-shared', params: { n: 5 } });
    const own = study.add(numbers, { node: 'numbers-own', params: { n: 9 } });
    study.add(sum, { node: 'sum-own', inputs: { values: own.out.values } });
    study.add(sum, { node: 'sum-toy', params: { offset: 1 }, inputs: { values: nums.out.values } });
  },
};

function planned(s: PipelineSpec, only?: string[]): string[] {
  const graph = buildGraph(s, [profileLayer(s, s.defaultProfile)], []);
  return planRun(s, graph, { store, only }).plans.flatMap((p) => p.node.decls.map((d) => `${d.experiment}/${d.node}`)).sort();
}

describe('experiments on request', () => {
  it('a plain plan leaves them out, also as names on the nodes they share', () => {
    expect(planned(spec)).toEqual(['toy/numbers', 'toy/sum']);
  });

  it('--only brings them in, with their upstream and their shared nodes', () => {
    expect(planned(spec, ['study'])).toEqual(['study/numbers-own', 'study/numbers-shared', 'study/sum-own', 'study/sum-toy', 'toy/numbers']);
  });

  it('without onRequest a plain plan is every node', () => {
    expect(planned({ ...spec, onRequest: undefined })).toHaveLength(6);
  });

  it('naming an experiment the DAG does not declare is an error', () => {
    expect(() => planned({ ...spec, onRequest: ['stduy'] })).toThrow(/onRequest names experiments the DAG does not declare: stduy/);
  });
});
