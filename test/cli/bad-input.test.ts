// Bad input is caught before any work starts: exit code 2, a message naming the parameter or node, the value
// and what is allowed, and nothing written (not even the store or out/ directories). Runs runCli in-process.
import { describe, expect, it, afterEach, vi } from 'vitest';
import { existsSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../cli/index.ts';
import { toySpec } from '../fixtures/toy-pipeline.ts';

const tmp = mkdtempSync(join(tmpdir(), 'bad-input-'));
const store = join(tmp, 'store');
const out = join(tmp, 'out');

async function cli(args: string[], dag?: string): Promise<{ code: number; stderr: string; stdout: string }> {
  let stderr = '';
  let stdout = '';
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((stderr += String(s)), true));
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((stdout += String(s)), true));
  if (dag) process.env.TOY_DAG = dag;
  try {
    const code = await runCli(toySpec, [...args, '--store', store, '--out', out]);
    return { code, stderr, stdout };
  } finally {
    delete process.env.TOY_DAG;
    e.mockRestore();
    o.mockRestore();
  }
}

afterEach(() => {
  // Nothing written: neither the store nor out/ may exist after a rejected command line.
  expect(existsSync(store)).toBe(false);
  expect(existsSync(out)).toBe(false);
});

const cases: Array<{ what: string; args: string[]; dag?: string; expect: RegExp[] }> = [
  { what: 'unknown parameter (suggests the closest)', args: ['--set', 'numbers.nn=3'], expect: [/numbers\.nn/, /did you mean "n"/] },
  { what: 'all.<param> that no stage declares', args: ['--set', 'all.nn=3'], expect: [/all\.nn/, /no stage declares/, /did you mean "n"/] },
  { what: 'unknown stage or experiment', args: ['--set', 'numbrs.n=3'], expect: [/numbrs/, /did you mean "numbers"/] },
  { what: 'unknown node of an experiment', args: ['--set', 'toy.nums.n=3'], expect: [/toy\.nums/, /did you mean "numbers"/] },
  { what: 'wrong type', args: ['--set', 'numbers.n=abc'], expect: [/numbers\.n/, /"abc"/, /expects a number/] },
  { what: 'out of range', args: ['--set', 'numbers.n=5000'], expect: [/numbers\.n/, /5000/, /out of range/, /\[1, 1000\]/] },
  { what: 'not an integer', args: ['--set', 'toy.numbers.n=2.5'], expect: [/toy\/numbers/, /2\.5/, /integer/] },
  { what: 'not a choice', args: ['--set', 'numbers.mode=weird'], expect: [/numbers\.mode/, /weird/, /plain, fancy/] },
  { what: 'boolean', args: ['--set', 'fail.fail=maybe'], expect: [/fail\.fail/, /maybe/, /true or false/] },
  { what: 'inconsistent values (stage.check)', args: ['--set', 'broken.fail.n=20'], expect: [/broken\/fail/, /n \(20\) must not exceed limit \(10\)/] },
  { what: 'malformed --set (no =)', args: ['--set', 'numbers.n'], expect: [/--set "numbers\.n" is malformed/, /key\.path=value/] },
  { what: 'malformed --set (empty segment)', args: ['--set', 'numbers..n=1'], expect: [/malformed/] },
  { what: 'malformed --sweep', args: ['--sweep', 'numbers.n=1,,2'], expect: [/--sweep/, /empty value/] },
  { what: 'unknown profile', args: ['--profile', 'huge'], expect: [/unknown profile "huge"/, /smoke, quick, paper/] },
  { what: 'dangling DAG: a required input not bound', args: [], dag: 'dangling', expect: [/broken\/dangling/, /required input "values"/] },
  { what: 'binding to a missing output', args: [], dag: 'missing-output', expect: [/broken\/bad-binding/, /no output nope/] },
  { what: 'table schema mismatch', args: [], dag: 'schema', expect: [/broken\/bad-schema/, /schema mismatch/, /column vec/] },
  { what: 'cyclic DAG', args: [], dag: 'cycle', expect: [/cycle/, /broken\/cycle-a/, /broken\/cycle-b/] },
  { what: 'unknown --only target', args: ['--only', 'summ'], expect: [/--only "summ"/, /did you mean "sum"/] },
  { what: 'unknown option', args: ['--jbos', '2'], expect: [/unknown option --jbos/, /--jobs/] },
  { what: 'bad --jobs', args: ['--jobs', '0'], expect: [/--jobs "0"/, /integer ≥ 1/] },
];

describe('bad input → exit 2, clear message, nothing written', () => {
  for (const c of cases) {
    it(c.what, async () => {
      const r = await cli(c.args, c.dag);
      expect(r.code).toBe(2);
      for (const re of c.expect) expect(r.stderr).toMatch(re);
    });
  }

  it('a bad value in a YAML --config names the file and the parameter', async () => {
    const file = join(tmp, 'bad.yaml');
    writeFileSync(file, 'numbers:\n  n: -1\nsum:\n  ofset: 2\n');
    const r = await cli(['--config', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/numbers\.n = -1 \(from --config .*bad\.yaml\)/);
    expect(r.stderr).toMatch(/sum\.ofset.*did you mean "offset"/);
    expect(r.stderr).toMatch(/3 problems/); // one unknown key, the value rejected on both numbers nodes
  });

  it('--help lists every parameter with its value under the profile and its source, range, unit and help, plus experiments and nodes', async () => {
    const r = await cli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/numbers\.n = 5 \(pipeline\.ts; toy\/numbers\), 2 \(pipeline\.ts; broken\/independent\) \[rows\]\s+\(an integer in \[1, 1000\]; stage default 5\)\s+number of rows/);
    expect(r.stdout).toMatch(/numbers\.mode = "plain" \(stage default\)\s+\(plain \| fancy\)/);
    expect(r.stdout).toMatch(/fail\.fail = false/);
    expect(r.stdout).toMatch(/toy: numbers, sum, parity, sum-parity \(sum\), slow/);
    expect(r.stdout).toMatch(/smoke \| quick \| paper \(default quick\)/);
  });
});

process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));

describe('subcommands without a store', () => {
  it('status with no run recorded lists every node as to run, and writes nothing', async () => {
    const r = await cli(['status']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/no run recorded yet/);
    expect(r.stdout).toMatch(/run\s+toy\/numbers \(numbers\)[^\n]*\n\s+- no previous artifact/);
  });
});

describe('configuration layers', () => {
  const paramsOf = (stdout: string, node: string) => {
    const block = stdout.split(/\n(?=\S)/).find((b) => b.startsWith(`${node} (stage`))!;
    return JSON.parse(/params: (.*)/.exec(block)![1]) as Record<string, unknown>;
  };

  it('stage default → declaration → profile → --config → --set, node level beating stage level within a layer', async () => {
    const file = join(tmp, 'layers.json');
    writeFileSync(file, JSON.stringify({ numbers: { n: 9, scale: 3 }, toy: { numbers: { n: 8 } } }));
    const r = await cli(['explain', 'numbers', '--profile', 'smoke', '--config', file, '--set', 'numbers.scale=2', '--set', 'numbers.mode=fancy']);
    expect(r.code, r.stderr).toBe(0);
    expect(paramsOf(r.stdout, 'toy/numbers')).toEqual({ mode: 'fancy', n: 8, scale: 2 });
    expect(paramsOf(r.stdout, 'broken/independent')).toEqual({ mode: 'fancy', n: 9, scale: 2 });
  });

  it('a profile overrides the declaration; the declaration overrides the stage default', async () => {
    const smoke = await cli(['explain', 'numbers', '--profile', 'smoke']);
    expect(paramsOf(smoke.stdout, 'broken/independent')).toMatchObject({ n: 3 });
    const quick = await cli(['explain', 'numbers']);
    expect(paramsOf(quick.stdout, 'toy/numbers')).toMatchObject({ n: 5 });
    expect(paramsOf(quick.stdout, 'broken/independent')).toMatchObject({ n: 2 });
  });

  it('all.<param> sets every stage that declares the parameter, below stage and node level', async () => {
    const all = await cli(['explain', 'numbers', '--set', 'all.n=7', '--set', 'toy.numbers.n=8']);
    expect(all.code, all.stderr).toBe(0);
    expect(paramsOf(all.stdout, 'toy/numbers')).toMatchObject({ n: 8 });
    expect(paramsOf(all.stdout, 'broken/independent')).toMatchObject({ n: 7 });
    const parity = await cli(['explain', 'parity', '--set', 'all.n=7']);
    expect(paramsOf(parity.stdout, 'toy/parity')).toEqual({ n: 7 });
    const stageWins = await cli(['explain', 'parity', '--set', 'all.n=7', '--set', 'parity.n=6']);
    expect(paramsOf(stageWins.stdout, 'toy/parity')).toEqual({ n: 6 });
    // Stages without the parameter are untouched.
    const slow = await cli(['explain', 'slow', '--set', 'all.n=7']);
    expect(paramsOf(slow.stdout, 'toy/slow')).not.toHaveProperty('n');
  });

  it('--set parses list and boolean values by the declared type', async () => {
    const r = await cli(['explain', 'broken/fail', '--set', 'broken.fail.fail=false', '--set', 'fail.limit=12']);
    expect(paramsOf(r.stdout, 'broken/fail')).toEqual({ fail: false, limit: 12, n: 3 });
  });
});

describe('GPU discovery', () => {
  it('reads CUDA_VISIBLE_DEVICES, treats empty or -1 as none, and finds no GPU without nvidia-smi', async () => {
    const { visibleGpus } = await import('../../core/gpu.ts');
    expect(visibleGpus({ CUDA_VISIBLE_DEVICES: '0,2' })).toEqual(['0', '2']);
    expect(visibleGpus({ CUDA_VISIBLE_DEVICES: '' })).toEqual([]);
    expect(visibleGpus({ CUDA_VISIBLE_DEVICES: '-1' })).toEqual([]);
    expect(visibleGpus({ PATH: tmp })).toEqual([]);
  });
});
