// The gap resolution Δ is declared once (theory/resolution-param.ts), its open range included: every stage that
// detects gaps or counts the dimension drop rejects Δ outside (0, 1) at plan time, naming the parameter, the
// value and the range, through the real pipeline's command line.
import { describe, expect, it, afterEach, vi } from 'vitest';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../cli/index.ts';
import { declareDag } from '../../engine/dag.ts';
import { RESOLUTION_PARAMS } from '../../theory/resolution-param.ts';
import { spec } from '../../pipeline.ts';

const tmp = mkdtempSync(join(tmpdir(), 'resolution-param-'));
const store = join(tmp, 'store');
const out = join(tmp, 'out');
afterEach(() => {
  expect(existsSync(store)).toBe(false);
  expect(existsSync(out)).toBe(false);
  rmSync(tmp, { recursive: true, force: true });
});

const stages = [...new Map(declareDag(spec).nodes.map((n) => [n.stage.name, n.stage])).values()];
const shared = stages.filter((s) => s.params.delta === RESOLUTION_PARAMS.delta).map((s) => s.name);

describe('the gap resolution Δ: one declaration, one check', () => {
  it('theory, gaps and image-summary take it from RESOLUTION_PARAMS', () => {
    expect(shared).toEqual(expect.arrayContaining(['gaps', 'image-summary', 'theory']));
  });

  for (const value of ['0', '1']) {
    it(`all.delta=${value} stops each of them at plan time with the range (0, 1)`, async () => {
      let stderr = '';
      const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((stderr += String(s)), true));
      const o = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
      let code: number;
      try {
        code = await runCli(spec, ['--profile', 'smoke', '--dry-run', '--set', `all.delta=${value}`, '--store', store, '--out', out]);
      } finally {
        e.mockRestore();
        o.mockRestore();
      }
      expect(code).toBe(2);
      for (const name of shared) {
        expect(stderr).toMatch(new RegExp(`parameter ${name}\\.delta = "${value}" \\(from --set\\): out of range: allowed a number in \\(0, 1\\)`));
      }
    });
  }
});
