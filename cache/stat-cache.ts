// File digests remembered by (path, size, mtime, ctime, inode): a no-op run stats files instead of re-reading them.
// The imports a source file declares are cached with its digest, so the import graph is not re-scanned either.
// ctime is part of the key because nobody can set it: a file rewritten in place and given its old mtime back
// (`touch -r`, a restore, a careless tool) still has a new ctime, so its bytes are hashed again. Corruption that
// bypasses the file system (bit-rot on the medium) keeps every stat field: the engine re-hashes what it reads
// (plan.ts `verifyContent`) and `verify` re-hashes everything.
import { readFileSync, statSync, writeFileSync, renameSync, mkdirSync, existsSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileDigest, type FileSha256HexDigest } from '../core/digest.ts';

interface Entry {
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  ino: number;
  digest: FileSha256HexDigest;
  imports?: string[];
}

const isEntry = (e: unknown): e is Entry => {
  if (e === null || typeof e !== 'object') return false;
  const r = e as Record<string, unknown>;
  return typeof r.size === 'number' && typeof r.mtimeMs === 'number' && typeof r.ctimeMs === 'number' && typeof r.ino === 'number' &&
    typeof r.digest === 'string' && (r.imports === undefined || (Array.isArray(r.imports) && r.imports.every((i) => typeof i === 'string')));
};

export class StatCache {
  private entries: Record<string, Entry> = {};
  private dirty = false;
  hits = 0;
  misses = 0;

  constructor(private readonly file?: string) {
    if (file && existsSync(file)) {
      try {
        const parsed = JSON.parse(readFileSync(file, 'utf8')) as unknown;
        // A torn or foreign cache file only costs a re-hash: keep the well-formed entries, drop the rest.
        if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
          for (const [path, e] of Object.entries(parsed)) if (isEntry(e)) this.entries[path] = e;
        }
      } catch {
        this.entries = {};
      }
    }
  }

  private lookup(path: string): { entry?: Entry; size: number; mtimeMs: number; ctimeMs: number; ino: number } {
    const st = statSync(path);
    const e = this.entries[path];
    const fresh = e && e.size === st.size && e.mtimeMs === st.mtimeMs && e.ctimeMs === st.ctimeMs && e.ino === st.ino ? e : undefined;
    return { entry: fresh, size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, ino: st.ino };
  }

  /** Digest of a file, re-hashed only when its size, mtime, ctime or inode changed. */
  digest(path: string): FileSha256HexDigest {
    return this.digestWith(path).digest;
  }

  /** Digest plus a derived value computed from the bytes once (the import specifiers of a source file). */
  digestWith(path: string, derive?: (text: string) => string[]): Entry {
    const { entry, size, mtimeMs, ctimeMs, ino } = this.lookup(path);
    if (entry && (!derive || entry.imports)) {
      this.hits++;
      return entry;
    }
    this.misses++;
    const bytes = readFileSync(path);
    const fresh: Entry = { size, mtimeMs, ctimeMs, ino, digest: fileDigest(bytes) };
    if (derive) fresh.imports = derive(bytes.toString('utf8'));
    // A file modified within the timestamp granularity could change again unseen: do not remember it.
    if (Date.now() - mtimeMs > 2000) {
      this.entries[path] = fresh;
      this.dirty = true;
    }
    return fresh;
  }

  /** Record the digest of a file just written and hashed by the engine (committed artifacts never change). */
  remember(path: string, digest: FileSha256HexDigest): void {
    const st = statSync(path);
    this.entries[path] = { size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, ino: st.ino, digest };
    this.dirty = true;
  }

  forget(path: string): void {
    if (this.entries[path]) {
      delete this.entries[path];
      this.dirty = true;
    }
  }

  /** Write the cache (atomically). A failure (a full disk) only costs re-hashing next time: it is reported, not thrown. */
  save(): string | undefined {
    if (!this.file || !this.dirty) return undefined;
    const tmp = `${this.file}.${process.pid}.tmp`;
    try {
      mkdirSync(dirname(this.file), { recursive: true });
      writeFileSync(tmp, JSON.stringify(this.entries));
      renameSync(tmp, this.file);
      this.dirty = false;
      return undefined;
    } catch (e) {
      rmSync(tmp, { force: true });
      return `could not save the stat cache ${this.file}: ${(e as Error).message} (the next run re-hashes instead)`;
    }
  }
}
