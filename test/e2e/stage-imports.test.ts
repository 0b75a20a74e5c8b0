// Every stage of the paper's DAG keeps heavy packages (tfjs, parquet, arrow, vega, resvg, mnist) out of
// its static import graph: the engine's parent imports every stage module on every run, and a no-op
// re-run must stay fast.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { HEAVY_PACKAGES, heavyStaticImports } from '../../cache/import-graph.ts';
import { declareDag } from '../../engine/dag.ts';
import { spec } from '../../pipeline.ts';
import { SDE_PARAMS } from '../../science/sde-params.ts';

describe('stage modules of pipeline.ts', () => {
  const stages = new Map(declareDag(spec).nodes.map((n) => [n.stage.name, n.stage]));

  it('declares every stage kind of docs/dag.md', () => {
    for (const name of ['data', 'train', 'sample', 'spectra', 'theory', 'montecarlo', 'gaps', 'fit', 'phase-times', 'collapse', 'images', 'train-images', 'spectra-images', 'spectra-gaussian', 'image-summary', 'intrinsic-dimension', 'figure5', 'image-dimension', 'report']) {
      expect(stages.has(name), name).toBe(true);
    }
  });

  it('import no heavy package statically', () => {
    for (const stage of stages.values()) {
      expect(heavyStaticImports(fileURLToPath(stage.module), HEAVY_PACKAGES), stage.name).toEqual([]);
    }
  });
});

describe('the SDE parameters', () => {
  const stages = [...new Map(declareDag(spec).nodes.map((n) => [n.stage.name, n.stage])).values()].filter((s) => 'sigma_max' in s.params);

  it('are declared once and shared by every stage that runs the SDE', () => {
    expect(stages.map((s) => s.name).sort()).toEqual(['collapse', 'image-summary', 'montecarlo', 'sample', 'spectra', 'spectra-gaussian', 'spectra-images', 'theory', 'train', 'train-images']);
    for (const s of stages) for (const k of ['sigma_min', 'sigma_max', 'eps'] as const) expect(s.params[k], `${s.name}.${k}`).toBe(SDE_PARAMS[k]);
  });

  it('are checked alike: sigma_min ≥ sigma_max is rejected by every such stage, naming both values', () => {
    for (const s of stages) {
      const p = Object.fromEntries(Object.entries(s.params).map(([k, v]) => [k, (v as { default: unknown }).default]));
      expect(s.check?.({ ...p, sigma_min: 60, sigma_max: 50 } as never), s.name).toMatch(/sigma_min=60, sigma_max=50/);
    }
  });
});
