// The bad-input table of issue 14 (a campaign of bad invocations): each one exits 2 before any work, with a
// message naming the parameter (or argument), its value and what is allowed, and leaves an existing store and
// out/ exactly as they were (every file's bytes and mtime). Runs runCli in-process, on the toy pipeline for
// the engine's own checks and on the real pipeline for the stages' (the SDE, memory estimates, figure choices,
// U-Net levels, neighbour counts, dataset paths).
import { describe, expect, it, afterAll, beforeAll, afterEach, vi } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { runCli } from '../../cli/index.ts';
import type { PipelineSpec } from '../../engine/dag.ts';
import { toySpec } from '../fixtures/toy-pipeline.ts';
import { spec as realSpec } from '../../pipeline.ts';

const tmp = mkdtempSync(join(tmpdir(), 'bad-input-table-'));
const store = join(tmp, 'store');
const out = join(tmp, 'out');
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? [join(dir, e.name), ...walk(join(dir, e.name))] : [join(dir, e.name)]));
}
const snapshot = () =>
  Object.fromEntries([store, out].flatMap(walk).map((f) => {
    const st = statSync(f);
    return [relative(tmp, f), st.isDirectory() ? `dir ${st.mtimeMs}` : `${createHash('sha256').update(readFileSync(f)).digest('hex')} ${st.mtimeMs}`];
  }));

async function cli(spec: PipelineSpec, args: string[], env: Record<string, string> = {}): Promise<{ code: number; stderr: string; stdout: string }> {
  let stderr = '';
  let stdout = '';
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((stderr += String(s)), true));
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((stdout += String(s)), true));
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  try {
    const code = await runCli(spec, [...args, '--store', store, '--out', out]);
    return { code, stderr, stdout };
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    e.mockRestore();
    o.mockRestore();
  }
}

// A store and out/ with something in them: a bad invocation must leave every byte and timestamp alone.
let before: Record<string, string>;
beforeAll(() => {
  mkdirSync(join(store, 'artifacts', 'a'.repeat(64)), { recursive: true });
  writeFileSync(join(store, 'artifacts', 'a'.repeat(64), 'values.parquet'), 'not really parquet');
  mkdirSync(join(store, 'runs'), { recursive: true });
  writeFileSync(join(store, 'runs', '20200101T000000Z-000000.json'), JSON.stringify({ runId: '20200101T000000Z-000000', status: 'succeeded', nodes: [] }));
  writeFileSync(join(store, 'stat-cache.json'), '{}');
  mkdirSync(join(out, 'toy'), { recursive: true });
  writeFileSync(join(out, 'catalog.json'), '[]');
  before = snapshot();
});
afterEach(() => {
  expect(snapshot()).toEqual(before);
});

const file = (name: string, text: string) => {
  const p = join(tmp, name);
  writeFileSync(p, text);
  return p;
};
const configDir = join(tmp, 'a-directory.yaml');
mkdirSync(configDir, { recursive: true });
// An IDX image file without its labels.
const unlabelled = join(tmp, 'unlabelled');
mkdirSync(unlabelled, { recursive: true });
const idx = Buffer.alloc(16 + 2 * 28 * 28);
idx.writeUInt32BE(0x00000803, 0);
idx.writeUInt32BE(2, 4);
idx.writeUInt32BE(28, 8);
idx.writeUInt32BE(28, 12);
writeFileSync(join(unlabelled, 'train-images-idx3-ubyte.gz'), gzipSync(idx));

interface Case { what: string; args: string[]; expect: RegExp[]; env?: Record<string, string> }

const toyCases: Case[] = [
  { what: '--config names a directory', args: ['--config', configDir], expect: [/--config .*a-directory\.yaml: is a directory, not a file: expects a YAML or JSON file/] },
  { what: 'YAML .nan', args: ['--config', file('nan.yaml', 'numbers:\n  scale: .nan\n')], expect: [/numbers\.scale = NaN \(from --config .*nan\.yaml\): not a finite number: allowed a number ≥ 0/] },
  { what: 'YAML .inf', args: ['--config', file('inf.yaml', 'numbers:\n  scale: .inf\n')], expect: [/numbers\.scale = Infinity .*not a finite number: allowed a number ≥ 0/] },
  { what: 'JSON 1e400', args: ['--config', file('big.json', '{"numbers": {"scale": 1e400}}')], expect: [/numbers\.scale = Infinity \(from --config .*big\.json\): not a finite number/] },
  { what: '--set 1e400', args: ['--set', 'numbers.scale=1e400'], expect: [/numbers\.scale = "1e400" \(from --set\): not a finite number: allowed a number ≥ 0/] },
  { what: 'an integer past 2^53', args: ['--set', 'numbers.n=99999999999999999999'], expect: [/numbers\.n = "99999999999999999999"/, /too large to be an exact integer: allowed an integer in \[1, 1000\]/] },
  { what: 'a key under a parameter (train.steps.x=1)', args: ['--set', 'numbers.n.x=1'], expect: [/"numbers\.n" is a parameter of stage numbers \(an integer in \[1, 1000\]\), not a node: "numbers\.n\.x" means nothing; write numbers\.n=VALUE/] },
  { what: 'verify extra', args: ['verify', 'extra'], expect: [/verify takes no arguments, got the extra argument "extra"/] },
  { what: 'status extra', args: ['status', 'extra'], expect: [/status takes no arguments, got the extra argument "extra"/] },
  { what: 'gc extra', args: ['gc', 'now'], expect: [/gc takes no arguments, got the extra argument "now"/] },
  { what: 'run run', args: ['run', 'run'], expect: [/run takes no arguments, got the extra argument "run" \(one command per invocation\)/] },
  { what: 'explain with two nodes', args: ['explain', 'numbers', 'sum'], expect: [/explain takes one NODE, got the extra argument "sum"/] },
  { what: "--store ''", args: ['--store', ''], expect: [/--store "": expects a path to the store directory, got an empty one/] },
  { what: "--out ''", args: ['--out', ''], expect: [/--out "": expects a path to the directory for exports, got an empty one/] },
  { what: 'a missing external file', args: ['--set', `ext.external.path=${join(tmp, 'nope.bin')}`], expect: [/ext\/external: stage external reads .*nope\.bin, which does not exist/] },
];

const REAL = ['--profile', 'smoke'];
const realCases: Case[] = [
  {
    what: 'the SDE set on one stage only (train.sigma_max=60)',
    args: ['--only', 'fig3-left', '--set', 'train.sigma_max=60'],
    expect: [/parameter sigma_max of the VE SDE differs between nodes whose results are combined: .*fig3-left\/train = 60 \(from --set\).*fig3-left\/sample = 50 \(default\)/, /set it once for all of them with all\.sigma_max=VALUE/],
  },
  { what: 'an absurd sigma_max (all.sigma_max=1e308)', args: ['--only', 'fig3-left', '--set', 'all.sigma_max=1e308'], expect: [/parameter train\.sigma_max = "1e308" \(from --set\): out of range: allowed a number in \[0, 10000\]/] },
  { what: 'd = 100 000: more memory than the machine', args: ['--only', 'fig3-left', '--set', 'data.d=100000'], env: { PIPELINE_MEMORY_MIB: '16000' }, expect: [/fig3-left\/spectra-trained: stage spectra needs about [\d,]+ MiB of memory with data\.d=100000 \(of its input samples\), more than this machine's 16,000 MiB: allowed are values whose estimate fits \(lower data\.d\)/] },
  { what: 'd = 100 000 at the quick sizes: the data alone', args: ['--profile', 'quick', '--only', 'fig3-left/data', '--set', 'data.d=100000'], env: { PIPELINE_MEMORY_MIB: '16000' }, expect: [/fig3-left\/data: stage data needs about [\d,]+ MiB of memory with data\.d=100000, data\.n_train=20000, more than this machine's 16,000 MiB/] },
  { what: 'n_train = 10⁹', args: ['--only', 'fig3-left/data', '--set', 'data.n_train=1e9'], env: { PIPELINE_MEMORY_MIB: '16000' }, expect: [/stage data needs about [\d,]+ MiB of memory with data\.d=16, data\.n_train=1000000000/] },
  { what: 'train.steps past any plan', args: ['--only', 'fig3-left/train', '--set', 'train.steps=99999999999999999999'], expect: [/train\.steps = "99999999999999999999" \(from --set\): too large to be an exact integer: allowed an integer in \[1, 100000000\]/] },
  { what: 'train.steps = 10⁹', args: ['--only', 'fig3-left/train', '--set', 'train.steps=1000000000'], expect: [/train\.steps = "1000000000" \(from --set\): out of range: allowed an integer in \[1, 100000000\]/] },
  { what: 'train.steps.x=1', args: ['--only', 'fig3-left/train', '--set', 'train.steps.x=1'], expect: [/"train\.steps" is a parameter of stage train \(an integer in \[1, 100000000\]\), not a node/] },
  { what: 'figure3.score=bogus', args: ['--only', 'figures/figure3', '--set', 'figure3.score=bogus'], expect: [/figure3\.score = "bogus" \(from --set\): not allowed: choose one of auto, trained, analytic, empirical/] },
  { what: 'figure4.method=bogus', args: ['--only', 'figures/figure4', '--set', 'figure4.method=bogus'], expect: [/figure4\.method = "bogus" \(from --set\): not allowed: choose one of auto, exact, alg1, alg2/] },
  { what: 'a U-Net with six levels on 28 × 28 images', args: ['--only', 'mnist/train-images', '--set', 'train-images.model=unet', '--set', 'train-images.widths=8,8,8,8,8,8'], expect: [/mnist\/train-images: .*widths: 6 levels \[8, 8, 8, 8, 8, 8\] halve the image 5 times, but images\.dataset=mnist gives 28 × 28 images: allowed at most 3 levels/] },
  { what: 'intrinsic-dimension.k=5000', args: ['--only', 'mnist/intrinsic-dimension', '--set', 'intrinsic-dimension.k=5000'], expect: [/mnist\/intrinsic-dimension: .*k: 5000 neighbours need more than k points, but n=200: allowed k < n/] },
  { what: 'a missing data path', args: ['--only', 'mnist/images', '--set', 'mnist.images.dataset=idx', '--set', `mnist.images.path=${join(tmp, 'no-such-dir')}`], expect: [/mnist\/images: stage images: path: .*no-such-dir does not exist \(expected an IDX image file or a directory holding one\)/] },
  { what: 'an IDX directory without labels', args: ['--only', 'mnist/images', '--set', 'mnist.images.dataset=idx', '--set', `mnist.images.path=${unlabelled}`], expect: [/path: .*unlabelled holds images \(train-images-idx3-ubyte\.gz\) but no train-labels-idx1-ubyte\[\.gz\]: labels are required/] },
  { what: 'cifar10 without a path', args: ['--only', 'mnist/images', '--set', 'mnist.images.dataset=cifar10'], expect: [/mnist\/images: inconsistent parameters for stage images: path: dataset 'cifar10' needs a path/] },
];

describe('bad input → exit 2 before any work, naming parameter, value and what is allowed; store and out/ unchanged', () => {
  for (const [name, spec, cases] of [['toy pipeline', toySpec, toyCases], ['real pipeline', realSpec, realCases]] as const) {
    describe(name, () => {
      for (const c of cases) {
        it(c.what, async () => {
          const r = await cli(spec, [...(spec === realSpec ? REAL : []), ...c.args], c.env);
          expect(r.code, r.stderr).toBe(2);
          for (const re of c.expect) expect(r.stderr).toMatch(re);
          expect(r.stderr).toMatch(/nothing was run/);
          expect(r.stderr).not.toMatch(/\n\s+at .*:\d+:\d+/); // a message, not a stack trace
        });
      }
    });
  }
});
