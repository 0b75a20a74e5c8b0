// Per-key lock: an O_EXCL lock file holding pid/host/time. Two processes on one store compute a key once;
// a lock left by a dead process on this host is taken over (a lock from another host is waited for).
import { openSync, writeSync, closeSync, readFileSync, unlinkSync, renameSync, mkdirSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';

export interface LockOwner {
  pid: number;
  host: string;
  time: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function tryLock(path: string): boolean {
  mkdirSync(dirname(path), { recursive: true });
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      const owner: LockOwner = { pid: process.pid, host: hostname(), time: new Date().toISOString() };
      writeSync(fd, JSON.stringify(owner));
      closeSync(fd);
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    let owner: LockOwner | undefined;
    try {
      const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockOwner> | null;
      owner = parsed && typeof parsed === 'object' && typeof parsed.pid === 'number' && typeof parsed.host === 'string' ? (parsed as LockOwner) : undefined;
    } catch {
      owner = undefined;
    }
    // No owner to read: being written right now (open and write are microseconds apart), or torn by a crash
    // between them, or not a lock at all ({}): held while young, stale once a few seconds old.
    let stale = owner ? owner.host === hostname() && !alive(owner.pid) : false;
    if (!owner) {
      try {
        stale = Date.now() - statSync(path).mtimeMs > 5000;
      } catch {
        stale = false; // gone meanwhile: try again
      }
    }
    if (!stale) return false;
    // Move the stale lock aside under a unique name: of two processes racing to take it over, one wins the rename.
    try {
      renameSync(path, `${path}.stale.${process.pid}`);
      unlinkSync(`${path}.stale.${process.pid}`);
    } catch {
      // someone else took it over first: try again
    }
  }
  return false;
}

export async function acquireLock(path: string, signal?: AbortSignal, onWait?: () => void): Promise<void> {
  let waited = false;
  while (!tryLock(path)) {
    if (signal?.aborted) throw new Error('interrupted while waiting for a lock');
    if (!waited) onWait?.();
    waited = true;
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function releaseLock(path: string): void {
  try {
    const owner = JSON.parse(readFileSync(path, 'utf8')) as LockOwner;
    if (owner.pid !== process.pid || owner.host !== hostname()) return;
    unlinkSync(path);
  } catch {
    // already gone
  }
}
