// Fault injection at toy size, repeatable (fixed seeds): bit-rot with restored timestamps, rot that even the
// stat cache cannot see, corrupt exports, replaced external files, malformed records, crash leftovers,
// kill -9 of the parent and of a child at random points, two processes on one store, and full disks (a small
// tmpfs for the store and for out/, where this process may mount one: root on Linux; skipped elsewhere).
import { describe, expect, it, afterAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import {
  appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync,
} from 'node:fs';
import { createHash } from 'node:crypto';
import { join, relative } from 'node:path';
import { tmpdir } from 'node:os';
import { makeToyProject, listDirSafe, waitFor, type ToyProject } from '../fixtures/toy-project.ts';

const projects: ToyProject[] = [];
const project = () => {
  const p = makeToyProject();
  projects.push(p);
  return p;
};
afterAll(() => {
  for (const p of projects) p.cleanup();
});

/** Seeded uniform [0, 1) (mulberry32): the random kill points are the same on every run of the suite. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');
function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
}
/** The exported files of out/ by relative path → sha256 (the catalog names the run, so it is left out). */
const exportsOf = (out: string) =>
  Object.fromEntries(walk(out).filter((f) => !/catalog\.(json|parquet)$/.test(f)).map((f) => [relative(out, f), sha(f)]));
/** Every file of a tree with its bytes' hash and mtime: "nothing changed" means this is equal. */
const snapshot = (dir: string) => Object.fromEntries(walk(dir).map((f) => [relative(dir, f), `${sha(f)} ${statSync(f).mtimeMs}`]));

interface Manifest { key: string; stage: string; node: string; experiment: string; outputs: Record<string, { file: string; digest: string }> }
const manifests = (toy: ToyProject): Manifest[] =>
  listDirSafe(join(toy.store, 'artifacts'))
    .map((k) => join(toy.store, 'artifacts', k, 'manifest.json'))
    .filter((m) => existsSync(m))
    .map((m) => JSON.parse(readFileSync(m, 'utf8')) as Manifest);
const artifactOf = (toy: ToyProject, experiment: string, node: string) => {
  const m = manifests(toy).find((x) => x.experiment === experiment && x.node === node);
  if (!m) throw new Error(`no artifact for ${experiment}/${node}`);
  return m;
};
const fileOf = (toy: ToyProject, m: Manifest, output = 'values') => join(toy.store, 'artifacts', m.key, m.outputs[output].file);

/** Flip one byte in place and give the file its old atime and mtime back (`touch -r`). */
function rot(path: string, at = 0.5): void {
  const st = statSync(path);
  const bytes = readFileSync(path);
  bytes[Math.floor(bytes.length * at)] ^= 0x5a;
  writeFileSync(path, bytes);
  utimesSync(path, st.atime, st.mtime);
}

const count = (toy: ToyProject, stage: string) => toy.computations().filter((l) => l.startsWith(`${stage} `)).length;
const runRecords = (toy: ToyProject) =>
  listDirSafe(join(toy.store, 'runs'))
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(join(toy.store, 'runs', f), 'utf8')) as { runId: string; status: string; nodes: Array<{ experiment: string; node: string; status: string }> });
const tmpFiles = (dir: string) => walk(dir).filter((f) => /\.tmp$/.test(f));
const noStackTrace = (s: string) => expect(s).not.toMatch(/\n\s+at .*\(.*:\d+:\d+\)/);

describe('bit-rot and corrupt exports', () => {
  const toy = project();
  const ONLY = ['--only', 'toy', '--only', 'many'];
  let reference: Record<string, string>;

  it('bit-rot in 4 artifacts with restored timestamps: the plan finds 4/4 before use, the run recomputes exactly them, identical', async () => {
    const first = await toy.run(ONLY);
    expect(first.code, first.stderr).toBe(0);
    reference = exportsOf(toy.out);
    const ROTTEN = ['toy/numbers', 'toy/parity', 'toy/slow', 'many/m1'];
    const rotten = ROTTEN.map((n) => artifactOf(toy, ...(n.split('/') as [string, string])));
    for (const m of rotten) rot(fileOf(toy, m, Object.keys(m.outputs)[0]));
    const dry = await toy.run([...ONLY, '--dry-run', '--json']);
    expect(dry.code, dry.stderr).toBe(0);
    const rows = JSON.parse(dry.stdout) as Array<{ experiment: string; node: string; action: string; reasons: string[] }>;
    for (const n of ROTTEN) {
      const row = rows.find((r) => `${r.experiment}/${r.node}` === n)!;
      expect(row.action, n).toBe('run');
      expect(row.reasons.join(' '), n).toMatch(/is corrupt/);
    }
    const verify = await toy.run(['verify']);
    expect(verify.code).toBe(1);
    expect(verify.stdout.match(/^ {2}corrupt /gm)).toHaveLength(4);
    const before = { numbers: count(toy, 'numbers'), parity: count(toy, 'parity'), slow: count(toy, 'slow'), sum: count(toy, 'sum') };
    const again = await toy.run(ONLY);
    expect(again.code, again.stderr).toBe(0);
    expect(count(toy, 'numbers')).toBe(before.numbers + 1);
    expect(count(toy, 'parity')).toBe(before.parity + 1);
    expect(count(toy, 'slow')).toBe(before.slow + 2);
    // Their consumers are found cached by early cutoff: the recomputed bytes are identical.
    expect(count(toy, 'sum')).toBe(before.sum);
    expect(exportsOf(toy.out)).toEqual(reference);
    expect((await toy.run(['verify'])).code).toBe(0);
  });

  it('rot the stat cache cannot see (stat fields forged) is caught by the re-hash before a stage reads it, and recomputed in the same run', async () => {
    const m = artifactOf(toy, 'toy', 'numbers');
    const file = fileOf(toy, m);
    rot(file);
    // Forge the stat cache: the new stat fields with the manifest's digest, as if the medium rotted underneath.
    const cachePath = join(toy.store, 'stat-cache.json');
    const cache = JSON.parse(readFileSync(cachePath, 'utf8')) as Record<string, Record<string, unknown>>;
    const st = statSync(file);
    cache[file] = { size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, ino: st.ino, digest: m.outputs.values.digest };
    writeFileSync(cachePath, JSON.stringify(cache));
    const plain = await toy.run([...ONLY, '--dry-run']);
    expect(plain.stdout).toMatch(/0 to run/); // nothing reads it: trusted through the (forged) stat cache
    // --verify re-hashes every artifact the plan trusts.
    const deep = await toy.run([...ONLY, '--dry-run', '--verify']);
    expect(deep.stdout).toMatch(/run\s+toy\/numbers[^\n]*\n\s+- artifact [0-9a-f]{12} is corrupt: output values \(values\.parquet\) has sha256/);
    // A run in which a stage reads it re-hashes it first: numbers is recomputed before sum reads it.
    const numbers = count(toy, 'numbers');
    const r = await toy.run([...ONLY, '--force', 'toy/sum']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/artifact [0-9a-f]{12} is corrupt .*recomputing it/);
    expect(count(toy, 'numbers')).toBe(numbers + 1);
    expect(exportsOf(toy.out)).toEqual(reference);
    expect((await toy.run(['verify'])).code).toBe(0);
  });

  it('a corrupt export in out/ is found by verify and repaired by the next run', async () => {
    const target = join(toy.out, 'toy/numbers/values.parquet');
    rot(target, 0.6);
    const verify = await toy.run(['verify']);
    expect(verify.code).toBe(1);
    expect(verify.stdout).toMatch(/export out\/toy\/numbers\/values\.parquet has sha256 [0-9a-f]{12}…, the catalog says/);
    const computed = toy.computations().length;
    const r = await toy.run(ONLY);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/1 repaired/);
    expect(toy.computations().length).toBe(computed); // the artifact is intact: only the export is rewritten
    expect(sha(target)).toBe(reference['toy/numbers/values.parquet']);
    expect((await toy.run(['verify'])).code).toBe(0);
  });
});

describe('external data files', () => {
  const toy = project();
  it('a replaced file (same size, old mtime) recomputes the node; a missing one stops the run at plan time (exit 2), nothing written', async () => {
    const data = join(toy.root, 'data.bin');
    writeFileSync(data, Buffer.alloc(1000, 1));
    utimesSync(data, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
    const args = ['--only', 'ext', '--set', `ext.external.path=${data}`];
    const first = await toy.run(args);
    expect(first.code, first.stderr).toBe(0);
    expect(count(toy, 'external')).toBe(1);
    expect((await toy.run(args)).stderr).toMatch(/cached\s+ext\/external/);
    const st = statSync(data);
    writeFileSync(data, Buffer.alloc(1000, 2)); // same size, other bytes, timestamps put back
    utimesSync(data, st.atime, st.mtime);
    const dry = await toy.run([...args, '--dry-run']);
    expect(dry.stdout).toMatch(/run\s+ext\/external[^\n]*\n\s+- external file .*data\.bin changed \(content [0-9a-f]{12} → [0-9a-f]{12}\)/);
    const again = await toy.run(args);
    expect(again.code, again.stderr).toBe(0);
    expect(count(toy, 'external')).toBe(2);
    expect(count(toy, 'sum')).toBe(2); // the byte sum changed: its consumer too
    rmSync(data);
    const store = snapshot(toy.store);
    const out = snapshot(toy.out);
    const missing = await toy.run(args);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/ext\/external: stage external reads .*data\.bin, which does not exist/);
    expect(snapshot(toy.store)).toEqual(store);
    expect(snapshot(toy.out)).toEqual(out);
  });
});

describe('external files inside the project', () => {
  const a = project();
  const b = project();
  it('are named relative to the project in the fingerprint: two checkouts with the same bytes agree on the key', async () => {
    const keyOf = async (toy: ToyProject) => {
      writeFileSync(join(toy.root, 'data.bin'), Buffer.alloc(100, 7));
      const r = await toy.run(['explain', 'ext/external', '--set', 'ext.external.path=data.bin']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('data.bin');
      expect(r.stdout).not.toContain(toy.root);
      return /key ([0-9a-f]{16,})/.exec(r.stdout)?.[1];
    };
    const ka = await keyOf(a);
    expect(ka).toBeDefined();
    expect(a.root).not.toBe(b.root);
    expect(await keyOf(b)).toBe(ka);
    writeFileSync(join(b.root, 'data.bin'), Buffer.alloc(100, 8));
    const r = await b.run(['explain', 'ext/external', '--set', 'ext.external.path=data.bin']);
    expect(/key ([0-9a-f]{16,})/.exec(r.stdout)?.[1]).not.toBe(ka);
  });
});

describe('malformed records are absent, and said to be', () => {
  const toy = project();
  const ONLY = ['--only', 'toy/numbers'];
  const BAD = ['{}', '"x"', '[]', 'null', '42', '{"key": "nope"}', '{"key": "KEY", "stage": "numbers"}', '{"key": "KEY", "stage": "numbers", "node": "numbers", "experiment": "toy", "fingerprint": {}, "params": {}, "outputs": {"values": {"file": "../../x", "kind": "table", "digest": "00", "bytes": 1}}}', '{"trunc'];

  it('a manifest that is valid JSON but not a manifest: run, verify, verify --evict, gc and status neither crash nor trust it', async () => {
    const first = await toy.run(ONLY);
    expect(first.code, first.stderr).toBe(0);
    for (const bad of BAD) {
      const m = artifactOf(toy, 'toy', 'numbers');
      const path = join(toy.store, 'artifacts', m.key, 'manifest.json');
      writeFileSync(path, bad.replace('KEY', m.key));
      for (const cmd of BAD.indexOf(bad) < 2 ? [['status'], ['gc', '--keep', '50'], ['verify']] : [['verify']]) {
        const r = await toy.run([...cmd, ...(cmd[0] === 'status' ? ONLY : [])]);
        noStackTrace(r.stderr);
        expect(r.code, `${cmd.join(' ')} with manifest ${bad}: ${r.stderr}`).toBe(cmd[0] === 'verify' ? 1 : 0);
        // gc reads no manifest (it keeps what run records reach); the others say what they ignored.
        if (cmd[0] !== 'gc') expect(r.stderr, `${cmd[0]}, manifest ${bad}`).toMatch(/warning: .*manifest\.json .*treated as absent/);
      }
      const n = count(toy, 'numbers');
      const r = await toy.run(ONLY);
      expect(r.code, `run with manifest ${bad}: ${r.stderr}`).toBe(0);
      noStackTrace(r.stderr);
      expect(count(toy, 'numbers'), bad).toBe(n + 1); // treated as absent: recomputed
    }
    expect((await toy.run(['verify'])).code).toBe(0);
    // verify --evict removes a malformed one.
    const m = artifactOf(toy, 'toy', 'numbers');
    writeFileSync(join(toy.store, 'artifacts', m.key, 'manifest.json'), '{}');
    const evict = await toy.run(['verify', '--evict']);
    expect(evict.code, evict.stderr).toBe(0);
    expect(evict.stdout).toMatch(/malformed [0-9a-f]{12}: its manifest is not a manifest: .* — evicted/);
    expect(existsSync(join(toy.store, 'artifacts', m.key))).toBe(false);
  }, 400_000);

  it('malformed run records, pins, stat cache, catalog and run markers: every command still works', async () => {
    const ok = await toy.run(ONLY);
    expect(ok.code, ok.stderr).toBe(0);
    const runs = listDirSafe(join(toy.store, 'runs')).filter((f) => f.endsWith('.json'));
    writeFileSync(join(toy.store, 'runs', runs[0]), '{}');
    writeFileSync(join(toy.store, 'runs', '29990101T000000Z-ffffff.json'), '"x"'); // sorts first: the "last run"
    writeFileSync(join(toy.store, 'pins.json'), '{"not": "a list"}');
    writeFileSync(join(toy.store, 'stat-cache.json'), '[1, 2, 3]');
    writeFileSync(join(toy.out, 'catalog.json'), '{}');
    mkdirSync(join(toy.store, 'active'), { recursive: true });
    writeFileSync(join(toy.store, 'active', '29990101T000000Z-eeeeee'), 'garbage');
    for (const cmd of [['status', ...ONLY], ONLY, ['gc'], ['verify'], ['pin', 'nope']]) {
      const r = await toy.run(cmd);
      noStackTrace(r.stderr);
      expect(r.code, `${cmd.join(' ')}: ${r.stderr}`).toBe(cmd[0] === 'pin' ? 2 : 0);
    }
    const status = await toy.run(['status', ...ONLY]);
    expect(status.stderr).toMatch(/warning: .*29990101T000000Z-ffffff\.json is not a run record: not a JSON object \(string "x"\): treated as absent/);
    const gc = await toy.run(['gc']);
    expect(gc.stderr).toMatch(/warning: .*pins\.json is not a list of run ids/);
    // A lock file that names no owner ({}), left for a while: stale, taken over, not waited for for ever.
    const key = artifactOf(toy, 'toy', 'numbers').key;
    mkdirSync(join(toy.store, 'locks'), { recursive: true });
    const lock = join(toy.store, 'locks', `${key}.lock`);
    writeFileSync(lock, '{}');
    utimesSync(lock, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
    const forced = await toy.run([...ONLY, '--force', 'numbers']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(existsSync(lock)).toBe(false);
  });
});

describe('crash leftovers', () => {
  const toy = project();
  it('staging directories of dead runs are removed and their "running" records marked killed by the next run; status shows them dead', async () => {
    const ok = await toy.run(['--only', 'toy/numbers']);
    expect(ok.code, ok.stderr).toBe(0);
    const deadPid = 2 ** 22 + 12345; // above pid_max's default: never alive
    const id = '20200101T000000Z-dead00';
    const host = execFileSync('hostname', { encoding: 'utf8' }).trim();
    writeFileSync(join(toy.store, 'runs', `${id}.json`), JSON.stringify({ runId: id, startedAt: '2020-01-01T00:00:00.000Z', finishedAt: '', argv: [], profile: 'quick', status: 'running', pid: deadPid, host, config: {}, nodes: [] }));
    mkdirSync(join(toy.store, 'active'), { recursive: true });
    writeFileSync(join(toy.store, 'active', id), JSON.stringify({ pid: deadPid, host }));
    for (const k of ['a', 'b', 'c']) mkdirSync(join(toy.store, 'staging', `${k.repeat(64)}.${deadPid}.0000000${k}`), { recursive: true });
    const status = await toy.run(['status', '--only', 'toy/numbers']);
    expect(status.stdout).toMatch(new RegExp(`killed runs .*${id}`));
    const r = await toy.run(['--only', 'toy/numbers']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/tidied after killed runs: 1 run record marked killed .*3 abandoned staging directories removed/);
    expect(listDirSafe(join(toy.store, 'staging'))).toEqual([]);
    expect(runRecords(toy).find((x) => x.runId === id)!.status).toBe('killed');
    expect(listDirSafe(join(toy.store, 'active'))).toEqual([]);
  });
});

describe('kill -9 at random points', () => {
  const toy = project();
  const ARGS = ['--only', 'toy', '--only', 'many', '--jobs', '2'];
  const next = rng(14);

  it('of the parent (3 seeded kill points): each re-run completes, identical, verify clean, leftovers tidied', async () => {
    const ref = await toy.run(ARGS);
    expect(ref.code, ref.stderr).toBe(0);
    const reference = exportsOf(toy.out);
    for (let trial = 0; trial < 3; trial++) {
      // A random point after the run has started (its record says 'running'), within its 2–3 s of work.
      const delay = Math.floor(next() * 2500);
      const known = new Set(runRecords(toy).map((r) => r.runId));
      const run = toy.start([...ARGS, '--force', 'many', '--force', 'toy/numbers']);
      await waitFor('the run record', () => runRecords(toy).some((r) => !known.has(r.runId)));
      await new Promise((r) => setTimeout(r, delay));
      run.child.kill('SIGKILL');
      await run.done;
      const status = await toy.run(['status', ...ARGS]);
      expect(status.code).toBe(0);
      const mine = runRecords(toy).find((r) => !known.has(r.runId))!;
      if (mine.status === 'running') expect(status.stdout, `trial ${trial} (kill at ${delay} ms)`).toMatch(/killed \(its process is gone\)/);
      const again = await toy.run(ARGS);
      expect(again.code, `trial ${trial} (kill at ${delay} ms): ${again.stderr}`).toBe(0);
      expect(exportsOf(toy.out)).toEqual(reference);
      expect((await toy.run(['verify'])).code).toBe(0);
      expect(listDirSafe(join(toy.store, 'staging'))).toEqual([]);
      expect(runRecords(toy).filter((r) => r.status === 'running')).toEqual([]);
    }
  }, 300_000);

  it('of a stage child (3 seeded kill points): only that node fails, the others finish; the re-run recomputes exactly it', async () => {
    for (let trial = 0; trial < 3; trial++) {
      // An empty store each time (a forced node that fails would keep its previous, intact artifact).
      expect((await toy.run(['gc', '--keep', '0'])).code).toBe(0);
      writeFileSync(toy.pids, '');
      const before = count(toy, 'slow');
      const run = toy.start(['--only', 'many', '--jobs', '2']);
      const which = Math.floor(next() * 2); // one of the first two children
      await waitFor('two slow children', () => readFileSync(toy.pids, 'utf8').split('\n').filter(Boolean).length >= 2);
      await new Promise((r) => setTimeout(r, 100 + Math.floor(next() * 600)));
      const pid = Number(readFileSync(toy.pids, 'utf8').split('\n').filter(Boolean)[which]);
      process.kill(pid, 'SIGKILL');
      const r = await run.done;
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(/stage slow failed at many\/m\d: child process killed by SIGKILL/);
      expect(r.stderr).toMatch(/3 computed, 0 cached, 1 failed/);
      const again = await toy.run(['--only', 'many']);
      expect(again.code, again.stderr).toBe(0);
      expect(again.stderr).toMatch(/1 computed, 3 cached/);
      expect(count(toy, 'slow')).toBe(before + 5);
      expect(listDirSafe(join(toy.store, 'staging'))).toEqual([]);
    }
  }, 300_000);
});

describe('concurrent processes', () => {
  const toy = project();
  it('two processes on one empty store split the work: every key computed once, both compute', async () => {
    const a = toy.start(['--only', 'many', '--jobs', '1']);
    await new Promise((r) => setTimeout(r, 150));
    const b = toy.start(['--only', 'many', '--jobs', '1']);
    const [ra, rb] = await Promise.all([a.done, b.done]);
    expect(ra.code, ra.stderr).toBe(0);
    expect(rb.code, rb.stderr).toBe(0);
    expect(count(toy, 'slow')).toBe(4);
    const computed = runRecords(toy).map((r) => r.nodes.filter((n) => n.status === 'computed').length).sort();
    expect(computed.reduce((x, y) => x + y, 0)).toBe(4);
    expect(computed[0], `split ${computed.join('/')}`).toBeGreaterThanOrEqual(1);
  });
});

// ---- full disks: a small tmpfs where this process may mount one.
function mountTmpfs(dir: string, size: string): boolean {
  mkdirSync(dir, { recursive: true });
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const umount = (dir: string) => {
  try {
    execFileSync('umount', [dir], { stdio: 'ignore' });
  } catch {
    // not mounted
  }
};
/** Fill the file system holding `dir` to the last byte; returns the filler to delete. */
function fill(dir: string): string {
  const filler = join(dir, `filler-${Date.now()}`);
  const chunk = Buffer.alloc(64 * 1024, 7);
  for (;;) {
    try {
      appendFileSync(filler, chunk);
    } catch {
      break;
    }
  }
  for (let size = 4096; size >= 1; size = Math.floor(size / 2)) {
    for (;;) {
      try {
        appendFileSync(filler, chunk.subarray(0, size));
      } catch {
        break;
      }
    }
  }
  return filler;
}
const probe = join(mkdtempSync(join(tmpdir(), 'tmpfs-probe-')), 'probe');
const canMount = process.platform === 'linux' && mountTmpfs(probe, '64k');
umount(probe);
rmSync(join(probe, '..'), { recursive: true, force: true });
const WHY = 'needs a tmpfs mount (Linux, root)';

describe.skipIf(!canMount)(`full disks (${canMount ? 'tmpfs' : `skipped: ${WHY}`})`, () => {
  const toy = project();
  const ARGS = ['--only', 'toy'];
  let reference: Record<string, string>;
  const mounts: string[] = [];
  afterAll(() => mounts.forEach(umount));

  it('reference run on an ordinary disk', async () => {
    const r = await toy.run([...ARGS, '--store', join(toy.root, 'ref-store'), '--out', join(toy.root, 'ref-out')]);
    expect(r.code, r.stderr).toBe(0);
    reference = exportsOf(join(toy.root, 'ref-out'));
  });

  it('a store that fills up while a stage works: a clear message naming what failed, exit 1, nothing half-written; the re-run is identical', async () => {
    const disk = join(toy.root, 'small-store');
    expect(mountTmpfs(disk, '4m')).toBe(true);
    mounts.push(disk);
    const store = join(disk, 'store');
    const out = join(toy.root, 'out-a');
    const first = await toy.run([...ARGS, '--store', store, '--out', out, '--only', 'many/m1']);
    expect(first.code, first.stderr).toBe(0);
    // The slow stage runs for 3 s; the disk fills meanwhile, so its output, its commit and the run record fail.
    writeFileSync(toy.pids, '');
    const run = toy.start([...ARGS, '--store', store, '--out', out, '--force', 'slow'], { TOY_SLOW_MS: '3000' });
    await waitFor('the slow stage to start', () => readFileSync(toy.pids, 'utf8').trim().length > 0);
    const filler = fill(disk);
    const r = await run.done;
    expect(r.code).toBe(1);
    // The failed stage's own stderr tail is part of its message; the engine itself does not crash.
    expect(r.stderr).not.toMatch(/at (writeJsonAtomic|writeAtomic|Store\.|runCli|main) /);
    expect(r.stderr).toMatch(/ENOSPC|no space left/i);
    expect(r.stderr).toMatch(/error: stage slow failed at toy\/slow/);
    expect(r.stderr).toMatch(/could not write the run record .*ENOSPC.*the disk is full/);
    // (scratch/ is the stage's own: its checkpoints are never trusted by the engine)
    expect(tmpFiles(store).filter((f) => !f.includes('/scratch/'))).toEqual([]);
    expect(listDirSafe(join(store, 'staging'))).toEqual([]);
    // Every artifact directory has its manifest: nothing half-committed.
    for (const k of listDirSafe(join(store, 'artifacts'))) expect(existsSync(join(store, 'artifacts', k, 'manifest.json')), k).toBe(true);
    rmSync(filler);
    const again = await toy.run([...ARGS, '--store', store, '--out', out]);
    expect(again.code, again.stderr).toBe(0);
    const { 'many/m1/values.parquet': _m1, ...exported } = exportsOf(out);
    expect(exported).toEqual(reference);
    expect((await toy.run(['verify', '--store', store, '--out', out])).code).toBe(0);
  });

  it('a full store at the start: exit 1, "nothing was run", nothing written', async () => {
    const disk = join(toy.root, 'full-store');
    expect(mountTmpfs(disk, '1m')).toBe(true);
    mounts.push(disk);
    const store = join(disk, 'store');
    mkdirSync(join(store, 'runs'), { recursive: true });
    const filler = fill(disk);
    const r = await toy.run([...ARGS, '--store', store, '--out', join(toy.root, 'out-b')]);
    expect(r.code).toBe(1);
    noStackTrace(r.stderr);
    expect(r.stderr).toMatch(/cannot start the run in the store .*ENOSPC.*\nnothing was run/);
    expect(tmpFiles(store)).toEqual([]);
    expect(listDirSafe(join(store, 'runs'))).toEqual([]);
    rmSync(filler);
  });

  it('a full out/: every export is attempted and reported, the run record says failed, no partial file; the re-run is identical', async () => {
    const disk = join(toy.root, 'small-out');
    expect(mountTmpfs(disk, '1m')).toBe(true);
    mounts.push(disk);
    const out = join(disk, 'out');
    const store = join(toy.root, 'store-c');
    mkdirSync(out);
    const filler = fill(disk);
    const r = await toy.run([...ARGS, '--store', store, '--out', out]);
    expect(r.code).toBe(1);
    noStackTrace(r.stderr);
    const failures = r.stderr.match(/error: export of toy\/\S+ output \S+ to \S+ failed: ENOSPC/g) ?? [];
    expect(failures.length).toBeGreaterThanOrEqual(5); // one failure does not stop the others
    expect(r.stderr).toMatch(/writing the catalog .* failed: ENOSPC/);
    expect(runRecords({ store } as ToyProject).map((x) => x.status)).toEqual(['failed']);
    expect(tmpFiles(out)).toEqual([]);
    rmSync(filler);
    const again = await toy.run([...ARGS, '--store', store, '--out', out]);
    expect(again.code, again.stderr).toBe(0);
    expect(exportsOf(out)).toEqual(reference);
    expect((await toy.run(['verify', '--store', store, '--out', out])).code).toBe(0);
  });
});

describe('one failed export does not stop the others', () => {
  const toy = project();
  it('an export whose target cannot be written fails alone; the others and the catalog are written; exit 1 naming it', async () => {
    mkdirSync(join(toy.out, 'toy/numbers/values.parquet/blocker'), { recursive: true });
    const r = await toy.run(['--only', 'toy']);
    expect(r.code).toBe(1);
    noStackTrace(r.stderr);
    expect(r.stderr).toMatch(/error: export of toy\/numbers output values to out\/toy\/numbers\/values\.parquet failed/);
    expect(r.stderr.match(/error: export of/g)).toHaveLength(1);
    for (const f of ['toy/parity/values.parquet', 'toy/sum/total.parquet', 'toy/slow/values.parquet', 'catalog.parquet']) expect(existsSync(join(toy.out, f)), f).toBe(true);
    rmSync(join(toy.out, 'toy/numbers/values.parquet'), { recursive: true });
    const again = await toy.run(['--only', 'toy']);
    expect(again.code, again.stderr).toBe(0);
    expect(existsSync(join(toy.out, 'toy/numbers/values.parquet'))).toBe(true);
  });
});
