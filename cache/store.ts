// The content-addressed store: artifacts/<key>/ holds a node's output files and manifest.json, written last
// (no manifest = no artifact). Stages write into staging/, the engine hashes, renames into place, then writes
// the manifest. Run records, pins and the stat cache live beside them.
import {
  existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { ArtifactKey, FileSha256HexDigest } from '../engine/digest.ts';
import { fileDigest } from '../engine/digest.ts';
import type { Fingerprint } from './fingerprint.ts';
import type { TableSchema } from '../engine/stage.ts';

export interface ArtifactFile {
  /** File name inside the artifact directory. */
  file: string;
  kind: 'table' | 'file';
  digest: FileSha256HexDigest;
  bytes: number;
  rows?: number;
  schema?: TableSchema;
}

export interface Manifest {
  key: ArtifactKey;
  stage: string;
  node: string;
  experiment: string;
  fingerprint: Fingerprint;
  outputs: Record<string, ArtifactFile>;
  params: Record<string, unknown>;
  environment: Record<string, string>;
  durationMs: number;
  createdAt: string;
  runId: string;
}

export interface RunNodeRecord {
  experiment: string;
  node: string;
  stage: string;
  key?: ArtifactKey;
  fingerprint?: Fingerprint;
  status: 'computed' | 'cached' | 'failed' | 'skipped' | 'interrupted';
  durationMs: number;
  error?: string;
}

export interface RunRecord {
  runId: string;
  startedAt: string;
  finishedAt: string;
  argv: string[];
  profile: string;
  /** 'running' while the process works (a record whose pid is dead was killed before it could finish). */
  status: 'running' | 'succeeded' | 'failed' | 'interrupted';
  pid?: number;
  host?: string;
  config: unknown;
  nodes: RunNodeRecord[];
}

export function writeJsonAtomic(path: string, value: unknown): void {
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(tmp, JSON.stringify(value, null, 1));
  renameSync(tmp, path);
}

function dirBytes(dir: string): number {
  let total = 0;
  if (!existsSync(dir)) return 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    total += e.isDirectory() ? dirBytes(p) : statSync(p).size;
  }
  return total;
}

export class Store {
  readonly artifacts: string;
  readonly staging: string;
  readonly scratch: string;
  readonly locks: string;
  readonly runs: string;
  readonly trash: string;

  constructor(readonly root: string) {
    this.artifacts = join(root, 'artifacts');
    this.staging = join(root, 'staging');
    this.scratch = join(root, 'scratch');
    this.locks = join(root, 'locks');
    this.runs = join(root, 'runs');
    this.trash = join(root, 'trash');
  }

  exists(): boolean {
    return existsSync(this.root);
  }

  init(): void {
    for (const d of [this.artifacts, this.staging, this.scratch, this.locks, this.runs, this.trash]) mkdirSync(d, { recursive: true });
  }

  artifactDir(key: ArtifactKey): string {
    return join(this.artifacts, key);
  }
  lockPath(key: ArtifactKey): string {
    return join(this.locks, `${key}.lock`);
  }
  scratchDir(key: ArtifactKey): string {
    return join(this.scratch, key);
  }
  statCachePath(): string {
    return join(this.root, 'stat-cache.json');
  }

  readManifest(key: ArtifactKey): Manifest | undefined {
    try {
      return JSON.parse(readFileSync(join(this.artifactDir(key), 'manifest.json'), 'utf8')) as Manifest;
    } catch {
      return undefined;
    }
  }

  newStagingDir(key: ArtifactKey): string {
    const dir = join(this.staging, `${key}.${process.pid}.${randomBytes(4).toString('hex')}`);
    mkdirSync(dir, { recursive: true });
    return dir;
  }

  /** Hash the staged files. Call with the key's lock held. */
  hashStaged(staging: string, outputs: Record<string, Omit<ArtifactFile, 'digest' | 'bytes'>>): Record<string, ArtifactFile> {
    const out: Record<string, ArtifactFile> = {};
    for (const [name, o] of Object.entries(outputs)) {
      const bytes = readFileSync(join(staging, o.file));
      out[name] = { ...o, digest: fileDigest(bytes), bytes: bytes.length };
    }
    return out;
  }

  /** Rename the staging directory into place, then write the manifest (last). Call with the key's lock held. */
  commit(staging: string, manifest: Manifest): void {
    const dir = this.artifactDir(manifest.key);
    if (existsSync(dir)) {
      // An unfinished (manifest-less) directory from a crash, or a --force recompute: move it aside first.
      const aside = join(this.trash, `${manifest.key}.${process.pid}.${randomBytes(4).toString('hex')}`);
      renameSync(dir, aside);
      rmSync(aside, { recursive: true, force: true });
    }
    renameSync(staging, dir);
    writeJsonAtomic(join(dir, 'manifest.json'), manifest);
  }

  removeArtifact(key: ArtifactKey): number {
    const dir = this.artifactDir(key);
    const bytes = dirBytes(dir);
    // Manifest first: from then on the artifact is absent, even if the rest is not yet deleted.
    rmSync(join(dir, 'manifest.json'), { force: true });
    const aside = join(this.trash, `${key}.${process.pid}.${randomBytes(4).toString('hex')}`);
    mkdirSync(this.trash, { recursive: true });
    renameSync(dir, aside);
    rmSync(aside, { recursive: true, force: true });
    return bytes;
  }

  listArtifactKeys(): ArtifactKey[] {
    return existsSync(this.artifacts) ? (readdirSync(this.artifacts) as ArtifactKey[]) : [];
  }

  // ---- run records and pins

  writeRun(record: RunRecord): void {
    mkdirSync(this.runs, { recursive: true });
    writeJsonAtomic(join(this.runs, `${record.runId}.json`), record);
  }

  /** Run ids, newest first (ids start with a sortable UTC timestamp). */
  listRunIds(): string[] {
    if (!existsSync(this.runs)) return [];
    return readdirSync(this.runs)
      .filter((f) => f.endsWith('.json') && !f.startsWith('pins'))
      .map((f) => f.slice(0, -5))
      .sort()
      .reverse();
  }

  readRun(runId: string): RunRecord | undefined {
    try {
      return JSON.parse(readFileSync(join(this.runs, `${runId}.json`), 'utf8')) as RunRecord;
    } catch {
      return undefined;
    }
  }

  pins(): string[] {
    try {
      return JSON.parse(readFileSync(join(this.root, 'pins.json'), 'utf8')) as string[];
    } catch {
      return [];
    }
  }
  setPins(pins: string[]): void {
    writeJsonAtomic(join(this.root, 'pins.json'), [...new Set(pins)].sort());
  }

  // ---- maintenance

  /** Re-hash every artifact; corrupt ones (a file missing or with other bytes) are reported and, with evict, removed. */
  verify(evict: boolean): { checked: number; corrupt: Array<{ key: string; problem: string }>; incomplete: string[] } {
    const corrupt: Array<{ key: string; problem: string }> = [];
    const incomplete: string[] = [];
    let checked = 0;
    for (const key of this.listArtifactKeys()) {
      const m = this.readManifest(key);
      if (!m) {
        incomplete.push(key);
        continue;
      }
      checked++;
      for (const [name, f] of Object.entries(m.outputs)) {
        const p = join(this.artifactDir(key), f.file);
        let problem: string | undefined;
        if (!existsSync(p)) problem = `output ${name} (${f.file}) is missing`;
        else {
          const d = fileDigest(readFileSync(p));
          if (d !== f.digest) problem = `output ${name} (${f.file}) has sha256 ${d.slice(0, 12)}…, manifest says ${f.digest.slice(0, 12)}…`;
        }
        if (problem) {
          corrupt.push({ key, problem: `${m.experiment}/${m.node} (${m.stage}): ${problem}` });
          break;
        }
      }
    }
    if (evict) {
      for (const c of corrupt) this.removeArtifact(c.key as ArtifactKey);
    }
    return { checked, corrupt, incomplete };
  }

  /** Runs still in progress on this host (a live pid), which gc must not race with. */
  runningRuns(isAlive: (pid: number) => boolean, host: string): RunRecord[] {
    return this.listRunIds()
      .map((id) => this.readRun(id))
      .filter((r): r is RunRecord => !!r && r.status === 'running' && r.host === host && r.pid !== undefined && isAlive(r.pid));
  }

  /** Remove artifacts unreachable from the last `keep` runs and from pinned runs; returns what was freed. */
  gc(keep: number, isLocked: (key: ArtifactKey) => boolean): { removed: number; bytesFreed: number; kept: number } {
    const runIds = this.listRunIds();
    const roots = new Set([...runIds.slice(0, keep), ...this.pins()]);
    const live = new Set<string>();
    for (const id of roots) for (const n of this.readRun(id)?.nodes ?? []) if (n.key) live.add(n.key);
    let removed = 0;
    let bytesFreed = 0;
    for (const key of this.listArtifactKeys()) {
      if (live.has(key) || isLocked(key)) continue;
      bytesFreed += this.removeArtifact(key);
      removed++;
    }
    // Leftovers of interrupted runs: staging and trash are never trusted; scratch only for unlocked keys.
    for (const dir of [this.staging, this.trash]) {
      if (!existsSync(dir)) continue;
      for (const e of readdirSync(dir)) {
        const key = e.split('.')[0] as ArtifactKey;
        if (isLocked(key)) continue;
        bytesFreed += dirBytes(join(dir, e));
        rmSync(join(dir, e), { recursive: true, force: true });
      }
    }
    if (existsSync(this.scratch)) {
      for (const key of readdirSync(this.scratch) as ArtifactKey[]) {
        if (live.has(key) || isLocked(key)) continue;
        bytesFreed += dirBytes(join(this.scratch, key));
        rmSync(join(this.scratch, key), { recursive: true, force: true });
      }
    }
    // Slurm job files and logs of runs that are neither kept nor pinned, nor running on another host (gc refuses
    // to start while a run of this host works, so one recorded running here was killed).
    const logs = join(this.root, 'logs');
    if (existsSync(logs)) {
      for (const run of readdirSync(logs)) {
        const r = this.readRun(run);
        if (roots.has(run) || (r?.status === 'running' && r.host !== hostname())) continue;
        bytesFreed += dirBytes(join(logs, run));
        rmSync(join(logs, run), { recursive: true, force: true });
      }
    }
    return { removed, bytesFreed, kept: live.size };
  }
}
