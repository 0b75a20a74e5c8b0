// Every stage of the paper's DAG keeps heavy packages (tfjs, parquet, arrow, vega, resvg, mnist) out of
// its static import graph: the engine's parent imports every stage module on every run, and a no-op
// re-run must stay fast.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { HEAVY_PACKAGES, heavyStaticImports } from '../../cache/import-graph.ts';
import { declareDag } from '../../engine/dag.ts';
import { spec } from '../../pipeline.ts';

describe('stage modules of pipeline.ts', () => {
  const stages = new Map(declareDag(spec).nodes.map((n) => [n.stage.name, n.stage]));

  it('declares every stage kind of docs/dag.md', () => {
    for (const name of ['data', 'train', 'sample', 'spectra', 'theory', 'montecarlo', 'gaps', 'fit', 'phase-times', 'collapse', 'images', 'train-images', 'spectra-images', 'intrinsic-dimension', 'report']) {
      expect(stages.has(name), name).toBe(true);
    }
  });

  it('import no heavy package statically', () => {
    for (const stage of stages.values()) {
      expect(heavyStaticImports(fileURLToPath(stage.module), HEAVY_PACKAGES), stage.name).toEqual([]);
    }
  });
});
