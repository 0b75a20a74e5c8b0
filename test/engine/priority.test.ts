// Scheduling priority: the critical path (own estimate + longest estimated chain downstream) of each node,
// with estimates from the newest run record that computed the node.
import { describe, expect, it } from 'vitest';
import type { PhysicalNode } from '../../engine/build.ts';
import { criticalPaths, DEFAULT_ESTIMATE_MS, durationEstimates } from '../../engine/priority.ts';
import type { RunRecord } from '../../cache/store.ts';

/** A node named experiment/name reading the given upstream nodes (only the fields priority.ts reads). */
function node(name: string, ...from: PhysicalNode[]): PhysicalNode {
  const [experiment, n] = name.split('/');
  return {
    id: name,
    decls: [{ experiment, node: n }],
    inputs: Object.fromEntries(from.map((f, i) => [`in${i}`, { from: f, output: 'out' }])),
  } as unknown as PhysicalNode;
}

function run(nodes: Array<[string, RunRecord['nodes'][number]['status'], number]>): RunRecord {
  return {
    runId: 'r', startedAt: '', finishedAt: '', argv: [], profile: 'quick', status: 'succeeded',
    nodes: nodes.map(([name, status, durationMs]) => {
      const [experiment, n] = name.split('/');
      return { experiment, node: n, stage: n, status, durationMs };
    }),
  } as unknown as RunRecord;
}

describe('scheduling priority', () => {
  // data → train (long) → spectra → figure; images → train-images (shorter) → figure
  const data = node('lin/data');
  const train = node('lin/train', data);
  const spectra = node('lin/spectra', train, data);
  const images = node('img/images');
  const trainImages = node('img/train-images', images);
  const figure = node('figures/figure', spectra, trainImages);
  const all = [data, train, spectra, images, trainImages, figure];

  it('on a fresh store the priority is the longest chain of nodes below (and including) each node', () => {
    const cp = criticalPaths(all, () => DEFAULT_ESTIMATE_MS);
    expect(cp.get(figure)).toBe(1000);
    expect(cp.get(spectra)).toBe(2000);
    expect(cp.get(train)).toBe(3000);
    expect(cp.get(trainImages)).toBe(2000);
    expect(cp.get(data)).toBe(4000); // data → train → spectra → figure, not data → spectra → figure
    expect(cp.get(train)!).toBeGreaterThan(cp.get(trainImages)!);
  });

  it('uses the newest computed duration of each node, ignoring cached and failed entries', () => {
    const newest = run([['lin/train', 'computed', 600_000], ['img/train-images', 'cached', 0], ['lin/spectra', 'failed', 5]]);
    const older = run([['img/train-images', 'computed', 250_000], ['lin/train', 'computed', 1], ['lin/spectra', 'computed', 30_000]]);
    const est = durationEstimates([newest, undefined, older]);
    expect(est.get('lin/train')).toBe(600_000);
    expect(est.get('img/train-images')).toBe(250_000);
    expect(est.get('lin/spectra')).toBe(30_000);
    const cp = criticalPaths(all, (n) => est.get(`${n.decls[0].experiment}/${n.decls[0].node}`) ?? DEFAULT_ESTIMATE_MS);
    expect(cp.get(train)).toBe(600_000 + 30_000 + 1000);
    expect(cp.get(trainImages)).toBe(250_000 + 1000);
  });

  it('ignores upstream nodes outside the plan and weighs what the caller says is cached as it is told', () => {
    const cp = criticalPaths([spectra, figure], (n) => (n === spectra ? 0 : 500));
    expect(cp.get(spectra)).toBe(500);
    expect(cp.has(train)).toBe(false);
  });
});
