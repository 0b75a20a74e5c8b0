// Failures and interruptions: a failing stage fails only its descendants; kill -9 of a stage's child or of the
// whole pipeline process, Ctrl-C (SIGINT), a flipped byte in the store; each leaves a store the next run trusts.
import { describe, expect, it, afterAll } from 'vitest';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeToyProject, listDirSafe, waitFor } from '../fixtures/toy-project.ts';

const toy = makeToyProject();
afterAll(() => toy.cleanup());
const count = (stage: string) => toy.computations().filter((l) => l.startsWith(`${stage} `)).length;
const pids = () => (existsSync(toy.pids) ? readFileSync(toy.pids, 'utf8').split('\n').filter(Boolean).map(Number) : []);
const noLeftovers = () => {
  expect(listDirSafe(join(toy.store, 'staging'))).toEqual([]);
  expect(listDirSafe(join(toy.store, 'locks'))).toEqual([]);
};
const stagesInStore = () =>
  listDirSafe(join(toy.store, 'artifacts'))
    .map((k) => join(toy.store, 'artifacts', k, 'manifest.json'))
    .filter((m) => existsSync(m))
    .map((m) => (JSON.parse(readFileSync(m, 'utf8')) as { stage: string }).stage);
const latestRun = () => {
  const runs = readdirSync(join(toy.store, 'runs')).sort();
  return JSON.parse(readFileSync(join(toy.store, 'runs', runs[runs.length - 1]), 'utf8')) as { status: string; nodes: Array<{ experiment: string; node: string; status: string; key?: string }> };
};

describe('failures and interruptions', () => {
  it('a failing stage fails only its descendants, names the node and shows its stderr tail; exit code 1', async () => {
    const r = await toy.run(['--only', 'broken', '--set', 'broken.fail.fail=true']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/stage fail failed at broken\/fail: toy failure requested \(fail=true\)/);
    expect(r.stderr).toMatch(/stderr \(tail\)[\s\S]*TOY-FAILURE-MARKER/);
    expect(r.stderr).toMatch(/not run because an upstream stage failed: broken\/after-fail/);
    const statuses = Object.fromEntries(latestRun().nodes.map((n) => [n.node, n.status]));
    expect(statuses).toEqual({ fail: 'failed', 'after-fail': 'skipped', independent: 'computed' });
    expect(existsSync(join(toy.out, 'broken/independent/values.parquet'))).toBe(true);
    noLeftovers();
  });

  it('kill -9 of a stage child: the run fails cleanly, the re-run recomputes from scratch and trusts nothing', async () => {
    const run = toy.start(['--only', 'toy/slow'], { TOY_SLOW_MS: '60000' });
    await waitFor('the slow stage to start', () => pids().length === 1);
    const scratch = join(toy.store, 'scratch');
    await waitFor('a checkpoint in scratch', () => listDirSafe(scratch).some((k) => existsSync(join(scratch, k, 'checkpoint.json'))));
    process.kill(pids()[0], 'SIGKILL');
    const r = await run.done;
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/stage slow failed at toy\/slow: child process killed by SIGKILL/);
    noLeftovers();
    expect(stagesInStore()).not.toContain('slow');
    const again = await toy.run(['--only', 'toy/slow'], { TOY_SLOW_MS: '100' });
    expect(again.code, again.stderr).toBe(0);
    expect(count('slow')).toBe(2);
    // The stage may resume from its own (validated) checkpoint; the engine committed only the finished run.
    expect(again.stderr).toMatch(/done\s+toy\/slow/);
    const verify = await toy.run(['verify']);
    expect(verify.code).toBe(0);
    expect(verify.stdout).toMatch(/0 corrupt/);
  });

  it('kill -9 of the whole pipeline process: gc refuses while it runs; its stale lock is taken over, staging never trusted', async () => {
    const run = toy.start(['--only', 'toy/slow', '--force', 'slow'], { TOY_SLOW_MS: '60000' });
    await waitFor('a lock file', () => listDirSafe(join(toy.store, 'locks')).length > 0);
    const refused = await toy.run(['gc']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/is in progress on this store/);
    run.child.kill('SIGKILL');
    await run.done;
    expect(listDirSafe(join(toy.store, 'locks')).length).toBe(1); // left behind by the dead process
    const again = await toy.run(['--only', 'toy/slow', '--force', 'slow'], { TOY_SLOW_MS: '100' });
    expect(again.code, again.stderr).toBe(0);
    expect(listDirSafe(join(toy.store, 'locks'))).toEqual([]);
    const gc = await toy.run(['gc']);
    expect(gc.code).toBe(0);
    expect(listDirSafe(join(toy.store, 'staging'))).toEqual([]);
  });

  it('SIGINT stops the children, removes staging, releases locks, records the run as interrupted, exit 130', async () => {
    const before = pids().length;
    const run = toy.start(['--only', 'toy/slow', '--only', 'toy/numbers', '--force', 'slow'], { TOY_SLOW_MS: '60000' });
    await waitFor('the slow stage to start', () => pids().length === before + 1);
    run.child.kill('SIGINT');
    const r = await run.done;
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/interrupted/);
    noLeftovers();
    expect(latestRun().status).toBe('interrupted');
    // The interrupted child is gone.
    expect(() => process.kill(pids()[before], 0)).toThrow();
  });

  it('a flipped byte is reported by verify and recomputed by the next run', async () => {
    const ok = await toy.run(['--only', 'toy/numbers']);
    expect(ok.code, ok.stderr).toBe(0);
    // The key toy/numbers was stored under, from the run's record (broken/independent is a numbers node too).
    const manifestDir = latestRun().nodes.find((n) => n.experiment === 'toy' && n.node === 'numbers')!.key!;
    const file = join(toy.store, 'artifacts', manifestDir, 'values.parquet');
    const bytes = readFileSync(file);
    bytes[Math.floor(bytes.length / 2)] ^= 0xff;
    writeFileSync(file, bytes);
    const verify = await toy.run(['verify']);
    expect(verify.code).toBe(1);
    expect(verify.stdout).toMatch(new RegExp(`corrupt ${manifestDir.slice(0, 12)} toy/numbers \\(numbers\\): output values \\(values\\.parquet\\) has sha256`));
    const before = count('numbers');
    const dry = await toy.run(['--only', 'toy/numbers', '--dry-run']);
    expect(dry.stdout).toMatch(/run\s+toy\/numbers[^\n]*\n\s+- artifact [0-9a-f]{12} is corrupt/);
    const evict = await toy.run(['verify', '--evict']);
    expect(evict.code).toBe(0);
    expect(evict.stdout).toMatch(/toy\/numbers.*evicted/);
    expect(existsSync(join(toy.store, 'artifacts', manifestDir))).toBe(false);
    const again = await toy.run(['--only', 'toy/numbers']);
    expect(again.code, again.stderr).toBe(0);
    expect(count('numbers')).toBe(before + 1);
    expect((await toy.run(['verify'])).code).toBe(0);
  });

  it('each gpu stage gets one visible GPU of its own; with none visible, gpu stages run on cpu slots without a GPU', async () => {
    const device = (node: string) => {
      const dir = listDirSafe(join(toy.store, 'artifacts')).find((k) => {
        const m = join(toy.store, 'artifacts', k, 'manifest.json');
        return existsSync(m) && (JSON.parse(readFileSync(m, 'utf8')) as { node: string }).node === node;
      })!;
      return (JSON.parse(readFileSync(join(toy.store, 'artifacts', dir, 'device.json'), 'utf8')) as { cuda: string | null }).cuda;
    };
    const r = await toy.run(['--only', 'gpu'], { CUDA_VISIBLE_DEVICES: '3,5' });
    expect(r.code, r.stderr).toBe(0);
    expect(['3', '5']).toContain(device('probe-a'));
    expect(['3', '5']).toContain(device('probe-b'));
    const none = await toy.run(['--only', 'gpu', '--force', 'gpu-probe'], { CUDA_VISIBLE_DEVICES: '' });
    expect(none.code, none.stderr).toBe(0);
    expect(device('probe-a')).toBe('');
  });
});
