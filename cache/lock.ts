// Per-key lock, correct on a store shared by several hosts: a lease. The lock file names its owner (token, host,
// pid, the Slurm job the owner runs in) and a heartbeat time that the owner renews every lease/3; the lock is
// created by link(2) from a complete temporary file, so it is never seen half-written (NFS-safe).
// Taken over only when provably abandoned: its pid is dead on this very host, or its heartbeat is older than its
// lease. A lock from another host is never taken over on a pid check.
import { closeSync, existsSync, linkSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { randomBytes } from 'node:crypto';

export interface LockOwner {
  /** Unique per acquisition: the holder checks it before renewing, committing or releasing. */
  token: string;
  host: string;
  pid: number;
  /** The Slurm job the holder runs in ($SLURM_JOB_ID), when it does. */
  slurmJobId?: string;
  acquiredAt: string;
  heartbeatAt: string;
  leaseMs: number;
}

/** How long a silent holder keeps its lock; $PIPELINE_LOCK_LEASE_MS (default 60 s, so clock skew between hosts must stay well below it). */
function leaseMs(env: NodeJS.ProcessEnv = process.env): number {
  const v = Number(env.PIPELINE_LOCK_LEASE_MS);
  return Number.isFinite(v) && v >= 1000 ? v : 60_000;
}

const held = new Map<string, string>();
let heartbeat: NodeJS.Timeout | undefined;

/** Whether a process of this host is alive (a process we may not signal still exists). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function readLockOwner(path: string): LockOwner | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as LockOwner;
  } catch {
    return undefined;
  }
}

/** Why a lock may be taken over, or undefined while its owner may still be working. */
export function abandonment(owner: LockOwner, now = Date.now(), host = hostname()): string | undefined {
  if (owner.host === host && !processAlive(owner.pid)) return `its process ${owner.pid} on ${host} is gone`;
  const silentMs = now - Date.parse(owner.heartbeatAt);
  if (!(silentMs <= owner.leaseMs)) return `no heartbeat from ${owner.host} pid ${owner.pid} for ${Math.round(silentMs / 1000)} s (lease ${Math.round(owner.leaseMs / 1000)} s)`;
  return undefined;
}

function writeNewFile(path: string, text: string): void {
  const fd = openSync(path, 'wx');
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
}

function renew(): void {
  for (const [path, token] of held) {
    const owner = readLockOwner(path);
    // Lost (taken over after our lease ran out, or removed): stop renewing; holdsLock() now says so.
    if (owner?.token !== token) {
      held.delete(path);
      continue;
    }
    const tmp = `${path}.${token}.hb`;
    try {
      writeNewFile(tmp, JSON.stringify({ ...owner, heartbeatAt: new Date().toISOString() }));
      renameSync(tmp, path);
    } catch {
      try {
        unlinkSync(tmp);
      } catch {
        // not created
      }
    }
  }
  if (!held.size && heartbeat) {
    clearInterval(heartbeat);
    heartbeat = undefined;
  }
}

export function tryLock(path: string): boolean {
  mkdirSync(dirname(path), { recursive: true });
  for (let attempt = 0; attempt < 3; attempt++) {
    const now = new Date().toISOString();
    const owner: LockOwner = {
      token: randomBytes(8).toString('hex'), host: hostname(), pid: process.pid, slurmJobId: process.env.SLURM_JOB_ID,
      acquiredAt: now, heartbeatAt: now, leaseMs: leaseMs(),
    };
    const tmp = `${path}.${owner.token}.new`;
    writeNewFile(tmp, JSON.stringify(owner));
    try {
      linkSync(tmp, path);
      held.set(path, owner.token);
      heartbeat ??= setInterval(renew, Math.max(250, owner.leaseMs / 3)).unref();
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    } finally {
      unlinkSync(tmp);
    }
    const current = readLockOwner(path);
    // Unreadable right after link means it vanished between our link and read: try again.
    if (current && !abandonment(current)) return false;
    // Move the abandoned lock aside under a unique name: of two processes taking it over, one wins the rename.
    const aside = `${path}.${owner.token}.stale`;
    try {
      renameSync(path, aside);
      unlinkSync(aside);
    } catch {
      // someone else took it over first: try again
    }
  }
  return false;
}

/** This process's token for a lock it acquired, while it still holds it on disk. */
export function lockToken(path: string): string | undefined {
  const token = held.get(path);
  return token !== undefined && readLockOwner(path)?.token === token ? token : undefined;
}

export function holdsLock(path: string): boolean {
  return lockToken(path) !== undefined;
}

/** Whether another live process holds the lock at `path` (a stale lock, whose owner is dead, is not in use). */
export function lockInUse(path: string): boolean {
  if (!existsSync(path)) return false;
  if (tryLock(path)) {
    releaseLock(path);
    return false;
  }
  return true;
}

export function releaseLock(path: string): void {
  const token = held.get(path);
  held.delete(path);
  if (token === undefined || readLockOwner(path)?.token !== token) return;
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}
