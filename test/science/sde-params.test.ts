// The VE SDE's stage parameters are declared once (science/sde-params.ts), ranges included: every stage that
// takes the SDE spreads that declaration, so each one rejects an eps outside (0, 1) and a sigma_min ≤ 0 at plan
// time, with the parameter, the value and the allowed range, and writes nothing. Driven through the real
// pipeline's command line, as a user meets it.
import { describe, expect, it, afterEach, vi } from 'vitest';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../cli/index.ts';
import { declareDag } from '../../engine/dag.ts';
import { spec } from '../../pipeline.ts';

const tmp = mkdtempSync(join(tmpdir(), 'sde-params-'));
const store = join(tmp, 'store');
const out = join(tmp, 'out');
afterEach(() => {
  expect(existsSync(store)).toBe(false);
  expect(existsSync(out)).toBe(false);
  rmSync(tmp, { recursive: true, force: true });
});

async function cli(args: string[]): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((stderr += String(s)), true));
  const o = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  try {
    const code = await runCli(spec, ['--profile', 'smoke', '--dry-run', ...args, '--store', store, '--out', out]);
    return { code, stderr };
  } finally {
    e.mockRestore();
    o.mockRestore();
  }
}

// That every such stage spreads SDE_PARAMS (and rejects sigma_min ≥ sigma_max) is test/e2e/stage-imports.test.ts's.
const stages = [...new Map(declareDag(spec).nodes.map((n) => [n.stage.name, n.stage])).values()];
const withEps = stages.filter((s) => 'eps' in s.params);
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('the SDE parameters: one declaration, one check', () => {
  it('every stage on the SDE clock takes eps (so the cases below check them all)', () => {
    expect(withEps.length).toBeGreaterThan(0);
    expect(withEps.map((s) => s.name)).toEqual(stages.filter((s) => 'sigma_max' in s.params).map((s) => s.name));
  });

  for (const value of ['0', '1', '-1e-5']) {
    it(`all.eps=${value} stops every SDE stage at plan time, naming the parameter, the value and (0, 1)`, async () => {
      const r = await cli(['--set', `all.eps=${value}`]);
      expect(r.code).toBe(2);
      for (const s of withEps) {
        expect(r.stderr).toMatch(new RegExp(`parameter ${escape(s.name)}\\.eps = "${escape(value)}" \\(from --set\\): out of range: allowed a number in \\(0, 1\\)`));
      }
    });
  }

  it('eps just inside (0, 1) passes the same check', async () => {
    // The lower end of the open interval is allowed arbitrarily close: only eps itself is checked here, the plan
    // is a dry run.
    const r = await cli(['--only', 'fig2', '--set', 'all.eps=1e-300']);
    expect(r.stderr).not.toMatch(/eps/);
    expect(r.code).toBe(0);
    rmSync(store, { recursive: true, force: true });
    rmSync(out, { recursive: true, force: true });
  });

  it('sigma_min = 0 is out of range (σ(t) = σ_min (σ_max/σ_min)^t needs σ_min > 0)', async () => {
    const r = await cli(['--set', 'all.sigma_min=0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/parameter train\.sigma_min = "0" \(from --set\): out of range: allowed a number in \(0, 10000\]/);
  });

  it('--help shows the open interval', async () => {
    let stdout = '';
    const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((stdout += String(s)), true));
    try {
      expect(await runCli(spec, ['--help', '--store', store, '--out', out])).toBe(0);
    } finally {
      o.mockRestore();
    }
    expect(stdout).toMatch(/train\.eps = 0\.00001 \(stage default\) {2}\(a number in \(0, 1\)\)/);
  });
});
