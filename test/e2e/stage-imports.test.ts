// Every stage file (stages/<name>.ts) defines the stage it is named after, the paper's DAG uses it, and it
// keeps heavy packages (tfjs, parquet, arrow, vega, resvg, mnist) out of its static import graph: the
// engine's parent imports every stage module on every run, and a no-op re-run must stay fast.
import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { HEAVY_PACKAGES, heavyStaticImports } from '../../cache/import-graph.ts';
import { declareDag, type AnyStage } from '../../engine/dag.ts';
import { spec } from '../../pipeline.ts';
import { SDE_PARAMS } from '../../science/sde-params.ts';

const STAGES_DIR = fileURLToPath(new URL('../../stages/', import.meta.url));
const stageFiles = readdirSync(STAGES_DIR).filter((f) => f.endsWith('.ts')).map((f) => join(STAGES_DIR, f));

describe('stage files', () => {
  const inDag = new Map(declareDag(spec).nodes.map((n) => [n.stage.name, n.stage]));

  it('are found', () => {
    expect(stageFiles.length).toBeGreaterThan(20);
  });

  it('each define the stage they are named after, declare their own module, and are used by pipeline.ts', async () => {
    for (const file of stageFiles) {
      const stage = (await import(file)).default as AnyStage;
      const name = basename(file, '.ts');
      expect(stage?.name, file).toBe(name);
      expect(fileURLToPath(stage.module), name).toBe(file);
      expect(inDag.get(name), `pipeline.ts declares a ${name} node`).toBe(stage);
    }
    // And the DAG uses no stage from elsewhere.
    expect([...inDag.values()].map((s) => fileURLToPath(s.module)).sort()).toEqual([...stageFiles].sort());
  });

  it('import no heavy package statically', () => {
    for (const file of stageFiles) expect(heavyStaticImports(file, HEAVY_PACKAGES), basename(file)).toEqual([]);
  });
});

describe('the SDE parameters', () => {
  const stages = [...new Map(declareDag(spec).nodes.map((n) => [n.stage.name, n.stage])).values()].filter((s) => 'sigma_max' in s.params);

  it('are declared once and shared by every stage that runs the SDE', () => {
    expect(stages.map((s) => s.name).sort()).toEqual(['collapse', 'image-summary', 'memorisation', 'montecarlo', 'sample', 'spectra', 'spectra-gaussian', 'spectra-images', 'theory', 'train', 'train-images']);
    for (const s of stages) for (const k of ['sigma_min', 'sigma_max', 'eps'] as const) expect(s.params[k], `${s.name}.${k}`).toBe(SDE_PARAMS[k]);
  });

  it('are checked alike: sigma_min ≥ sigma_max is rejected by every such stage, naming both values', () => {
    for (const s of stages) {
      const p = Object.fromEntries(Object.entries(s.params).map(([k, v]) => [k, (v as { default: unknown }).default]));
      expect(s.check?.({ ...p, sigma_min: 60, sigma_max: 50 } as never), s.name).toMatch(/sigma_min=60, sigma_max=50/);
    }
  });
});
