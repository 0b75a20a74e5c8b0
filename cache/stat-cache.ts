// File digests remembered by (path, size, mtime, inode): a no-op run stats files instead of re-reading them.
// The imports a source file declares are cached with its digest, so the import graph is not re-scanned either.
import { readFileSync, statSync, writeFileSync, renameSync, mkdirSync, existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileDigest, type FileSha256HexDigest } from '../engine/digest.ts';

interface Entry {
  size: number;
  mtimeMs: number;
  ino: number;
  digest: FileSha256HexDigest;
  imports?: string[];
}

export class StatCache {
  private entries: Record<string, Entry> = {};
  private dirty = false;
  hits = 0;
  misses = 0;

  constructor(private readonly file?: string) {
    if (file && existsSync(file)) {
      try {
        this.entries = JSON.parse(readFileSync(file, 'utf8')) as Record<string, Entry>;
      } catch {
        this.entries = {}; // a torn cache file only costs a re-hash
      }
    }
  }

  private lookup(path: string): { entry?: Entry; size: number; mtimeMs: number; ino: number } {
    const st = statSync(path);
    const e = this.entries[path];
    const fresh = e && e.size === st.size && e.mtimeMs === st.mtimeMs && e.ino === st.ino ? e : undefined;
    return { entry: fresh, size: st.size, mtimeMs: st.mtimeMs, ino: st.ino };
  }

  /** Digest of a file, re-hashed only when its size, mtime or inode changed. */
  digest(path: string): FileSha256HexDigest {
    return this.digestWith(path).digest;
  }

  /** Digest plus a derived value computed from the bytes once (the import specifiers of a source file). */
  digestWith(path: string, derive?: (text: string) => string[]): Entry {
    const { entry, size, mtimeMs, ino } = this.lookup(path);
    if (entry && (!derive || entry.imports)) {
      this.hits++;
      return entry;
    }
    this.misses++;
    const bytes = readFileSync(path);
    const fresh: Entry = { size, mtimeMs, ino, digest: fileDigest(bytes) };
    if (derive) fresh.imports = derive(bytes.toString('utf8'));
    // A file modified within the mtime granularity could change again unseen: do not remember it.
    if (Date.now() - mtimeMs > 2000) {
      this.entries[path] = fresh;
      this.dirty = true;
    }
    return fresh;
  }

  /** Record the digest of a file just written and hashed by the engine (committed artifacts never change). */
  remember(path: string, digest: FileSha256HexDigest): void {
    const st = statSync(path);
    this.entries[path] = { size: st.size, mtimeMs: st.mtimeMs, ino: st.ino, digest };
    this.dirty = true;
  }

  forget(path: string): void {
    if (this.entries[path]) {
      delete this.entries[path];
      this.dirty = true;
    }
  }

  save(): void {
    if (!this.file || !this.dirty) return;
    mkdirSync(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.entries));
    renameSync(tmp, this.file);
    this.dirty = false;
  }
}
