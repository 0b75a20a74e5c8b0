// A run as a library call: runPipeline plans, executes on whatever executor it is given, exports and records,
// with no command line involved; a second call finds everything cached.
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runPipeline, type ExecutorFactory } from '../../engine/run.ts';
import { localExecutor } from '../../engine/executor.ts';
import { UsageError } from '../../core/errors.ts';
import { Store } from '../../cache/store.ts';
import { toySpec } from '../fixtures/toy-pipeline.ts';

const dir = mkdtempSync(join(tmpdir(), 'run-pipeline-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const store = join(dir, 'store');
const out = join(dir, 'out');

/** An executor added without touching the command line: the local one, recording what it was asked to run. */
const ran: string[] = [];
const recording: ExecutorFactory = async () => ({
  ...localExecutor,
  name: 'recording',
  run: (job, run, hooks) => {
    ran.push(run.label);
    return localExecutor.run(job, run, hooks);
  },
});

describe('runPipeline', () => {
  it('runs the selected nodes on the executor it is given, exports them and records the run', async () => {
    const r = await runPipeline(toySpec, { store, out, only: ['toy/sum'], executor: recording, jobs: 2 });
    expect(r.status).toBe('succeeded');
    // toy/sum and its upstream toy/numbers, each run once on the given executor.
    expect(ran.sort()).toEqual(['toy/numbers', 'toy/sum']);
    expect(r.counts).toMatchObject({ computed: 2, cached: 0, failed: 0 });
    expect(r.outcomes.map((o) => o.plan.node.stage.name).sort()).toEqual(['numbers', 'sum']);
    expect(existsSync(join(out, 'toy/numbers/values.parquet'))).toBe(true);
    expect(r.exported.written).toBeGreaterThan(0);
    const record = new Store(store).readRun(r.runId)!;
    expect(record.status).toBe('succeeded');
    expect(record.profile).toBe(toySpec.defaultProfile);
    expect(record.nodes.map((n) => `${n.experiment}/${n.node}:${n.status}`).sort()).toEqual(['toy/numbers:computed', 'toy/sum:computed']);
  });

  it('a second call with the same configuration runs nothing', async () => {
    const before = ran.length;
    const r = await runPipeline(toySpec, { store, out, only: ['toy/sum'], executor: recording });
    expect(ran.length).toBe(before);
    expect(r.counts).toMatchObject({ computed: 0, cached: 2 });
    expect(JSON.parse(readFileSync(join(new Store(store).runs, `${r.runId}.json`), 'utf8')).status).toBe('succeeded');
  });

  it('a layer above the profile changes what runs; bad input throws before anything is written', async () => {
    const r = await runPipeline(toySpec, { store, out, only: ['toy/numbers'], executor: recording, layers: [{ source: '--set', tree: { numbers: { n: '7' } }, raw: true }] });
    expect(r.counts).toMatchObject({ computed: 1 });
    const runs = new Store(store).listRunIds().length;
    await expect(runPipeline(toySpec, { store, out, profile: 'nope' })).rejects.toThrow(UsageError);
    await expect(runPipeline(toySpec, { store, out, only: ['no-such-node'] })).rejects.toThrow(/--only "no-such-node": no stage kind, node or experiment\/node of that name/);
    expect(new Store(store).listRunIds().length).toBe(runs);
  });
});
