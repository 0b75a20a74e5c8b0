// Figures and report through the real engine (child processes, store, export): theory → phase diagram
// and gap widths → report. Outputs land at their publish paths, the report inlines the figures and
// records the engine's lineage, and a second run computes nothing.
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const REPO = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'figures-e2e-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function runPipeline() {
  const env: NodeJS.ProcessEnv = { ...process.env, CI: '1' };
  delete env.PIPELINE_STORE;
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', 'test/fixtures/plots/figures-pipeline.ts', 'run', '--store', join(dir, 'store'), '--out', join(dir, 'out'), '--jobs', '2'],
    { cwd: REPO, env, encoding: 'utf8', timeout: 150_000 },
  );
  return { code: r.status, log: `${r.stdout}\n${r.stderr}` };
}

describe('figures through the engine', () => {
  it('publishes figures and a self-contained report, then caches everything', () => {
    const first = runPipeline();
    expect(first.code, first.log).toBe(0);
    for (const name of ['phase-diagram', 'gap-widths']) {
      for (const ext of ['svg', 'png', 'vl.json']) expect(existsSync(join(dir, 'out/figures', `${name}.${ext}`)), `${name}.${ext}`).toBe(true);
    }
    const html = readFileSync(join(dir, 'out/report/index.html'), 'utf8');
    expect(html.match(/<img src="data:image\/png;base64,/g)).toHaveLength(1);
    expect(html.match(/<img src="data:image\/svg\+xml;base64,/g)).toHaveLength(1);
    expect(html).toContain('not run: the figure2 node produced no figure');
    // Lineage from the engine: the theory node upstream, with its key and parameters.
    expect(html).toMatch(/<td>fig2<\/td><td>theory<\/td><td>theory<\/td><td><code title="[0-9a-f]{64}">/);
    expect(html).toContain('&quot;s_points&quot;: 30');

    const second = runPipeline();
    expect(second.code, second.log).toBe(0);
    expect(second.log).toMatch(/0 computed, 4 cached/);
  });
});
