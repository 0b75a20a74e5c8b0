// Engine benchmark: `npx tsx bench/engine.ts [pipeline-file] [--profile NAME]`.
// (a) a no-op re-run of a fully cached DAG through a real `npx tsx <pipeline>` process, split into process start +
//     imports / fingerprinting / planning (PIPELINE_TIMINGS=1), against a bare `npx tsx` start measured now;
// (b) fingerprinting 200 stage modules, cold and stat-cached;
// (c) hashing throughput against `sha256sum` (or, without it, a single node crypto call) on the same bytes;
// (d) what content verification costs on the same store: the no-op run's checks (stat cache keyed by size,
//     mtime, ctime and inode, exports included) are in (a); here `--dry-run` against `--dry-run --verify`
//     (re-hash every artifact the plan trusts) and `verify` (re-hash the whole store and out/), with the bytes
//     they read.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createHash, randomFillSync } from 'node:crypto';
import { ImportGraph } from '../cache/import-graph.ts';
import { StatCache } from '../cache/stat-cache.ts';
import { fingerprintKey, ARTIFACT_FORMAT } from '../cache/fingerprint.ts';
import { fileDigest } from '../core/digest.ts';

const ROOT = resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
const profileAt = args.indexOf('--profile');
const pipeline = args.find((a, i) => !a.startsWith('--') && (profileAt < 0 || i !== profileAt + 1)) ?? (existsSync(join(ROOT, 'pipeline.ts')) ? 'pipeline.ts' : 'test/fixtures/toy-pipeline.ts');
const isToy = pipeline.includes('toy-pipeline');
const profile = profileAt >= 0 ? args[profileAt + 1] : isToy ? 'quick' : 'smoke';
const rows: Array<[string, string, string]> = [];
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const time = (f: () => void) => {
  const t = performance.now();
  f();
  return performance.now() - t;
};

// ---- (a) no-op re-run
{
  const tmp = mkdtempSync(join(tmpdir(), 'bench-engine-'));
  const common = ['tsx', pipeline, '--profile', profile, ...(isToy ? ['--store', join(tmp, 'store'), '--out', join(tmp, 'out')] : [])];
  const env = { ...process.env, PIPELINE_TIMINGS: '1', CI: '1' };
  const warm = spawnSync('npx', common, { cwd: ROOT, env, encoding: 'utf8' });
  if (warm.status !== 0) {
    console.error(`warm-up run of ${pipeline} failed (exit ${warm.status}):\n${warm.stderr.slice(-2000)}`);
    process.exit(1);
  }
  const bare: number[] = [];
  const noop: number[] = [];
  const bareNode: number[] = [];
  const noopNode: number[] = [];
  const direct = ['--import', 'tsx', ...common.slice(1)];
  const splits: Record<string, number[]> = {};
  let nodes = 0;
  for (let i = 0; i < 5; i++) {
    bare.push(time(() => execFileSync('npx', ['tsx', '-e', '0'], { cwd: ROOT, env })));
    let out = '';
    noop.push(time(() => (out = spawnSync('npx', common, { cwd: ROOT, env, encoding: 'utf8' }).stderr)));
    const line = /timings: (.*)/.exec(out)?.[1] ?? '';
    for (const m of line.matchAll(/([a-z +]+?) (\d+)ms/g)) (splits[m[1].trim()] ??= []).push(Number(m[2]));
    bareNode.push(time(() => execFileSync(process.execPath, ['--import', 'tsx', '-e', '0'], { cwd: ROOT, env })));
    noopNode.push(time(() => spawnSync(process.execPath, direct, { cwd: ROOT, env })));
    nodes = Number(/(\d+) computed, (\d+) cached/.exec(out)?.[2] ?? 0);
    if (/ [1-9]\d* computed/.test(out)) console.error('warning: the "no-op" run computed something');
  }
  rows.push([`(a) no-op run of ${pipeline} (${nodes} nodes, profile ${profile}), wall`, `${median(noop).toFixed(0)} ms`, `bare \`npx tsx -e 0\`: ${median(bare).toFixed(0)} ms`]);
  rows.push(['    same without npx: `node --import tsx <pipeline>`', `${median(noopNode).toFixed(0)} ms`, `bare \`node --import tsx -e 0\`: ${median(bareNode).toFixed(0)} ms`]);
  for (const [k, v] of Object.entries(splits)) rows.push([`    ${k}`, `${median(v).toFixed(0)} ms`, '']);

  // ---- (d) content verification on the same store
  const storeArgs = common.slice(2).filter((a, i, all) => a === '--store' || all[i - 1] === '--store' || a === '--out' || all[i - 1] === '--out');
  const storeDir = isToy ? join(tmp, 'store') : process.env.PIPELINE_STORE || join(ROOT, '.pipeline');
  const outDir = isToy ? join(tmp, 'out') : join(ROOT, 'out');
  const bytesUnder = (dir: string): number => {
    if (!existsSync(dir)) return 0;
    let total = 0;
    for (const e of readdirSync(dir, { withFileTypes: true })) total += e.isDirectory() ? bytesUnder(join(dir, e.name)) : statSync(join(dir, e.name)).size;
    return total;
  };
  const mib = (b: number) => `${(b / 1048576).toFixed(1)} MiB`;
  const plainDry = median([0, 1, 2].map(() => time(() => spawnSync(process.execPath, [...direct, '--dry-run'], { cwd: ROOT, env }))));
  const deepDry = median([0, 1, 2].map(() => time(() => spawnSync(process.execPath, [...direct, '--dry-run', '--verify'], { cwd: ROOT, env }))));
  const verifyAll = median([0, 1, 2].map(() => time(() => spawnSync(process.execPath, ['--import', 'tsx', pipeline, 'verify', ...storeArgs], { cwd: ROOT, env }))));
  const storeBytes = bytesUnder(join(storeDir, 'artifacts'));
  const outBytes = bytesUnder(outDir);
  rows.push(['(d) --dry-run (stat-cached trust: size, mtime, ctime, inode)', `${plainDry.toFixed(0)} ms`, '']);
  rows.push(['    --dry-run --verify (re-hash every trusted artifact)', `${deepDry.toFixed(0)} ms`, `+${(deepDry - plainDry).toFixed(0)} ms for ${mib(storeBytes)} of artifacts`]);
  rows.push(['    verify (re-hash the store and out/)', `${verifyAll.toFixed(0)} ms`, `${mib(storeBytes)} + ${mib(outBytes)} of exports`]);
  // The hashing alone, in this process (without the process start that dominates the rows above).
  const files = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)])) : []);
  const all = [...files(join(storeDir, 'artifacts')), ...files(outDir)];
  const hashAll = median([0, 1, 2].map(() => time(() => { for (const f of all) fileDigest(readFileSync(f)); })));
  rows.push(['    re-hash alone (read + sha256 of every artifact and export)', `${hashAll.toFixed(0)} ms`, `${all.length} files, ${mib(storeBytes + outBytes)}: the cost --verify and verify add`]);
  rm(tmp);
}

// ---- (b) fingerprinting 200 stage modules
{
  const tmp = mkdtempSync(join(tmpdir(), 'bench-fp-'));
  const old = new Date(Date.now() - 60_000);
  const put = (rel: string, text: string) => {
    const p = join(tmp, rel);
    mkdirSync(join(p, '..'), { recursive: true });
    writeFileSync(p, text);
    utimesSync(p, old, old);
    return p;
  };
  put('package-lock.json', JSON.stringify({ packages: { 'node_modules/yaml': { version: '2.0.0' } } }));
  for (let l = 0; l < 20; l++) put(`lib/l${l}.ts`, `import { x } from './l${(l + 1) % 20}.ts';\nexport const y${l} = ${'1 + '.repeat(500)}1;\n`);
  const stages = Array.from({ length: 200 }, (_, s) =>
    put(`stages/s${s}.ts`, `import { y${s % 20} } from '../lib/l${s % 20}.ts';\nimport 'yaml';\nexport default { name: 's${s}', v: ${'2 * '.repeat(2000)}1 };\n`),
  );
  const fingerprintAll = (stat: StatCache) => {
    const graph = new ImportGraph(tmp, stat);
    for (const [i, s] of stages.entries()) {
      fingerprintKey({ code: graph.codeOf(s), environment: {}, format: ARTIFACT_FORMAT, inputs: {}, params: { i }, stage: `s${i}` });
    }
  };
  const cacheFile = join(tmp, 'stat-cache.json');
  const cold = time(() => {
    const stat = new StatCache(cacheFile);
    fingerprintAll(stat);
    stat.save();
  });
  const cached = median([0, 1, 2].map(() => time(() => fingerprintAll(new StatCache(cacheFile)))));
  rows.push(['(b) fingerprint 200 stages (220 modules), cold', `${cold.toFixed(0)} ms`, 'reads + hashes every file']);
  rows.push(['    same, stat-cached (fresh process state)', `${cached.toFixed(0)} ms`, `${(cold / cached).toFixed(1)}× faster than cold`]);
  rm(tmp);
}

// ---- (c) hashing throughput
{
  const tmp = mkdtempSync(join(tmpdir(), 'bench-hash-'));
  const size = 256 * 1024 * 1024;
  const buf = randomFillSync(Buffer.alloc(size));
  const file = join(tmp, 'blob.bin');
  writeFileSync(file, buf);
  const ours = median([0, 1, 2].map(() => time(() => fileDigest(new Uint8Array(buf)))));
  const viaStat = median([0, 1, 2].map(() => time(() => new StatCache().digest(file))));
  const mbps = (ms: number) => `${(size / 1048576 / (ms / 1000)).toFixed(0)} MB/s`;
  let reference = 'node crypto, one update()';
  let refMs: number;
  const hasSha256sum = spawnSync('sha256sum', ['--version']).status === 0;
  if (hasSha256sum) {
    reference = 'sha256sum on the same file';
    refMs = median([0, 1, 2].map(() => time(() => execFileSync('sha256sum', [file]))));
  } else {
    refMs = median([0, 1, 2].map(() => time(() => createHash('sha256').update(buf).digest())));
  }
  rows.push(['(c) fileDigest, 256 MiB in memory', mbps(ours), '']);
  rows.push(['    StatCache.digest (read file + hash), cold', mbps(viaStat), '']);
  rows.push([`    reference: ${reference}`, mbps(refMs), `ours/ref ${(refMs / ours).toFixed(2)}`]);
  rm(tmp);
}

function rm(p: string) {
  rmSync(p, { recursive: true, force: true });
}

const w0 = Math.max(...rows.map((r) => r[0].length));
const w1 = Math.max(...rows.map((r) => r[1].length));
console.log(`${'measure'.padEnd(w0)}  ${'value'.padStart(w1)}  reference / note`);
for (const [a, b, c] of rows) console.log(`${a.padEnd(w0)}  ${b.padStart(w1)}  ${c}`);
