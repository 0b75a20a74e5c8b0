// Lease locks on a store shared by hosts: the owner record, the heartbeat, and when a lock may be taken over.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { abandonment, holdsLock, readLockOwner, releaseLock, tryLock, type LockOwner } from '../../cache/lock.ts';

const dir = mkdtempSync(join(tmpdir(), 'lock-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const path = () => join(dir, `k${n++}.lock`);
afterEach(() => {
  delete process.env.PIPELINE_LOCK_LEASE_MS;
  delete process.env.SLURM_JOB_ID;
});
// A pid that is certainly dead: a child that has exited.
const deadPid = spawnSync(process.execPath, ['-e', '0']).pid!;
const forge = (p: string, owner: Partial<LockOwner>) => {
  const now = new Date().toISOString();
  writeFileSync(p, JSON.stringify({ token: 'other', host: hostname(), pid: deadPid, acquiredAt: now, heartbeatAt: now, leaseMs: 60_000, ...owner }));
};

describe('lease locks', () => {
  it('name their owner (host, pid, Slurm job) and renew their heartbeat while held', async () => {
    process.env.PIPELINE_LOCK_LEASE_MS = '1200';
    process.env.SLURM_JOB_ID = '4242';
    const p = path();
    expect(tryLock(p)).toBe(true);
    const first = readLockOwner(p)!;
    expect(first).toMatchObject({ host: hostname(), pid: process.pid, slurmJobId: '4242', leaseMs: 1200 });
    await new Promise((r) => setTimeout(r, 900));
    const later = readLockOwner(p)!;
    expect(later.token).toBe(first.token);
    expect(Date.parse(later.heartbeatAt)).toBeGreaterThan(Date.parse(first.heartbeatAt));
    expect(tryLock(p)).toBe(false);
    releaseLock(p);
    expect(readLockOwner(p)).toBeUndefined();
  });

  it('a lock of this host whose process is gone is taken over at once', () => {
    const p = path();
    forge(p, {});
    expect(abandonment(readLockOwner(p)!)).toMatch(/is gone/);
    expect(tryLock(p)).toBe(true);
    expect(readLockOwner(p)!.pid).toBe(process.pid);
    releaseLock(p);
  });

  it('a lock from another host is never taken over on a pid check, only once its heartbeat is older than its lease', () => {
    const p = path();
    // The same (dead here) pid on another host says nothing about that process.
    forge(p, { host: 'other-host' });
    expect(tryLock(p)).toBe(false);
    expect(readLockOwner(p)!.host).toBe('other-host');
    forge(p, { host: 'other-host', heartbeatAt: new Date(Date.now() - 61_000).toISOString() });
    expect(abandonment(readLockOwner(p)!)).toMatch(/no heartbeat from other-host pid \d+ for 6\d s \(lease 60 s\)/);
    expect(tryLock(p)).toBe(true);
    releaseLock(p);
  });

  it('a holder whose lock was taken over knows it, and its release leaves the new owner\'s lock alone', () => {
    const p = path();
    expect(tryLock(p)).toBe(true);
    expect(holdsLock(p)).toBe(true);
    forge(p, { host: 'other-host', pid: 1, token: 'new-owner' });
    expect(holdsLock(p)).toBe(false);
    releaseLock(p);
    expect(readLockOwner(p)!.token).toBe('new-owner');
  });
});
