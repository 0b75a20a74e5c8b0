// The content-addressed store: artifacts/<key>/ holds a node's output files and manifest.json, written last
// (no manifest = no artifact). Stages write into staging/, the engine hashes, renames into place, then writes
// the manifest. Run records, pins and the stat cache live beside them.
// Every reader validates what it parses: a record that is not what it should be (valid JSON but not an object,
// a field missing, a key that is not its directory's) is treated as absent and reported through `malformed`,
// never trusted and never a crash.
import {
  existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { ArtifactKey, FileSha256HexDigest } from '../core/digest.ts';
import { fileDigest } from '../core/digest.ts';
import type { Fingerprint } from './fingerprint.ts';
import type { TableSchema } from '../core/table.ts';

interface ArtifactFile {
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
  /**
   * 'running' while the process works; a record whose pid is dead was killed before it could finish, and the
   * next run on this host rewrites it as 'killed' (Store.tidyDeadRuns).
   */
  status: 'running' | 'succeeded' | 'failed' | 'interrupted' | 'killed';
  pid?: number;
  host?: string;
  config: unknown;
  nodes: RunNodeRecord[];
}

/** Write to a unique temporary name, then rename. On failure (a full disk) the temporary file is removed. */
function writeJsonAtomic(path: string, value: unknown): void {
  writeAtomic(path, JSON.stringify(value, null, 1));
}
export function writeAtomic(path: string, bytes: Uint8Array | string): void {
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    writeFileSync(tmp, bytes);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

const RUN_STATUSES = ['running', 'succeeded', 'failed', 'interrupted', 'killed'];
const NODE_STATUSES = ['computed', 'cached', 'failed', 'skipped', 'interrupted'];
const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const HEX64 = /^[0-9a-f]{64}$/;
const describe = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : `${typeof v} ${JSON.stringify(v)?.slice(0, 40)}`);

/** Why a parsed manifest.json is not a usable manifest of `key` (undefined when it is). */
function manifestProblem(m: unknown, key: string): string | undefined {
  if (!isObject(m)) return `not a JSON object (${describe(m)})`;
  if (m.key !== key) return `its key ${JSON.stringify(m.key)?.slice(0, 20)} is not its directory's`;
  for (const f of ['stage', 'node', 'experiment'] as const) if (typeof m[f] !== 'string') return `field ${f} is ${describe(m[f])}, not a string`;
  if (!isObject(m.fingerprint)) return `field fingerprint is ${describe(m.fingerprint)}, not an object`;
  if (!isObject(m.params)) return `field params is ${describe(m.params)}, not an object`;
  if (!isObject(m.outputs)) return `field outputs is ${describe(m.outputs)}, not an object`;
  for (const [name, o] of Object.entries(m.outputs)) {
    if (!isObject(o)) return `output ${name} is ${describe(o)}, not an object`;
    if (typeof o.file !== 'string' || o.file === '' || /[/\\]/.test(o.file) || o.file.startsWith('.')) return `output ${name} has no plain file name`;
    if (o.kind !== 'table' && o.kind !== 'file') return `output ${name} has kind ${describe(o.kind)}`;
    if (typeof o.digest !== 'string' || !HEX64.test(o.digest)) return `output ${name} has no sha256 digest`;
    if (typeof o.bytes !== 'number') return `output ${name} has no byte count`;
  }
  return undefined;
}

/** Why a parsed run record is not a usable record of `runId` (undefined when it is). */
function runProblem(r: unknown, runId: string): string | undefined {
  if (!isObject(r)) return `not a JSON object (${describe(r)})`;
  if (r.runId !== runId) return `its runId ${JSON.stringify(r.runId)?.slice(0, 30)} is not its file name's`;
  if (typeof r.status !== 'string' || !RUN_STATUSES.includes(r.status)) return `status ${describe(r.status)} is not one of ${RUN_STATUSES.join(', ')}`;
  if (!Array.isArray(r.nodes)) return `field nodes is ${describe(r.nodes)}, not a list`;
  for (const n of r.nodes) {
    if (!isObject(n) || typeof n.experiment !== 'string' || typeof n.node !== 'string' || typeof n.stage !== 'string' || typeof n.status !== 'string' || !NODE_STATUSES.includes(n.status)) {
      return 'a node entry lacks experiment, node, stage or a known status';
    }
    if (n.key !== undefined && (typeof n.key !== 'string' || !HEX64.test(n.key))) return 'a node entry has a key that is not a sha256';
    if (n.fingerprint !== undefined && !isObject(n.fingerprint)) return 'a node entry has a fingerprint that is not an object';
  }
  return undefined;
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

  /**
   * Records that were found malformed and treated as absent, by path: the command line reports them. A reader
   * that finds one says so here instead of throwing.
   */
  readonly malformed = new Map<string, string>();

  private reportMalformed(path: string, problem: string): void {
    this.malformed.set(path, problem);
  }

  /** Parsed JSON of a record file; undefined when the file is absent; a malformed one is reported. */
  private readJson(path: string): { value?: unknown; absent?: true; problem?: string } {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { absent: true };
      const problem = `cannot be read (${(e as Error).message})`;
      this.reportMalformed(path, problem);
      return { problem };
    }
    try {
      return { value: JSON.parse(text) };
    } catch (e) {
      const problem = `is not valid JSON (${(e as Error).message})`;
      this.reportMalformed(path, problem);
      return { problem };
    }
  }

  /** The manifest of `key`, or undefined when absent or malformed (malformed ones are reported: treated as absent). */
  readManifest(key: ArtifactKey): Manifest | undefined {
    return this.readManifestChecked(key).manifest;
  }

  readManifestChecked(key: ArtifactKey): { manifest?: Manifest; problem?: string } {
    const path = join(this.artifactDir(key), 'manifest.json');
    const r = this.readJson(path);
    if (r.absent) return {};
    if (r.problem) return { problem: `manifest ${r.problem}` };
    const problem = manifestProblem(r.value, key);
    if (problem) {
      this.reportMalformed(path, `is not a manifest: ${problem}`);
      return { problem: `manifest is not a manifest: ${problem}` };
    }
    return { manifest: r.value as Manifest };
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
    try {
      writeJsonAtomic(join(dir, 'manifest.json'), manifest);
    } catch (e) {
      // No manifest, no artifact: do not leave its files behind either (a full disk must not leave half-commits).
      rmSync(dir, { recursive: true, force: true });
      throw e;
    }
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

  /** A run record, or undefined when absent or malformed (reported). */
  readRun(runId: string): RunRecord | undefined {
    const path = join(this.runs, `${runId}.json`);
    const r = this.readJson(path);
    if (r.absent || r.problem) return undefined;
    const problem = runProblem(r.value, runId);
    if (problem) {
      this.reportMalformed(path, `is not a run record: ${problem}`);
      return undefined;
    }
    return r.value as RunRecord;
  }

  pins(): string[] {
    const path = join(this.root, 'pins.json');
    const r = this.readJson(path);
    if (r.absent || r.problem) return [];
    if (!Array.isArray(r.value) || r.value.some((p) => typeof p !== 'string')) {
      this.reportMalformed(path, `is not a list of run ids (${describe(r.value)})`);
      return [];
    }
    return r.value as string[];
  }

  // ---- runs in progress: one marker per run (active/<id>, {pid, host}) while its process works, so that
  // finding the runs a kill left 'running' costs a directory listing, not reading every record.

  private activeDir(): string {
    return join(this.root, 'active');
  }

  markActive(runId: string, pid: number, host: string): void {
    mkdirSync(this.activeDir(), { recursive: true });
    writeAtomic(join(this.activeDir(), runId), JSON.stringify({ pid, host }));
  }

  clearActive(runId: string): void {
    rmSync(join(this.activeDir(), runId), { force: true });
  }

  /** Runs marked active whose process is gone (on this host): killed before they could finish. */
  deadRuns(isAlive: (pid: number) => boolean, host: string): string[] {
    if (!existsSync(this.activeDir())) return [];
    const dead: string[] = [];
    for (const id of readdirSync(this.activeDir())) {
      if (id.endsWith('.tmp')) continue;
      const r = this.readJson(join(this.activeDir(), id));
      const owner = isObject(r.value) ? r.value : undefined;
      if (!owner || typeof owner.pid !== 'number' || typeof owner.host !== 'string') {
        this.malformed.delete(join(this.activeDir(), id));
        dead.push(id); // a torn marker: its run record decides
        continue;
      }
      if (owner.host === host && !isAlive(owner.pid)) dead.push(id);
    }
    return dead;
  }

  /** Rewrite the records of dead runs (status 'running', process gone) as 'killed' and drop their markers. */
  tidyDeadRuns(isAlive: (pid: number) => boolean, host: string): string[] {
    const tidied: string[] = [];
    for (const id of this.deadRuns(isAlive, host)) {
      const rec = this.readRun(id);
      if (rec && rec.status === 'running') {
        if (rec.host !== undefined && rec.host !== host) continue;
        if (rec.pid !== undefined && isAlive(rec.pid)) continue;
        writeJsonAtomic(join(this.runs, `${id}.json`), { ...rec, status: 'killed' });
        tidied.push(id);
      }
      this.clearActive(id);
    }
    return tidied;
  }

  /**
   * Remove what crashed runs left in staging/ and trash/ (never trusted): an entry belongs to a key, and is in
   * use only while that key's lock is held. Returns how many entries were removed.
   */
  tidyStaging(isLocked: (key: ArtifactKey) => boolean): number {
    let removed = 0;
    for (const dir of [this.staging, this.trash]) {
      if (!existsSync(dir)) continue;
      for (const e of readdirSync(dir)) {
        const key = e.split('.')[0] as ArtifactKey;
        if (isLocked(key)) continue;
        rmSync(join(dir, e), { recursive: true, force: true });
        removed++;
      }
    }
    return removed;
  }
  setPins(pins: string[]): void {
    writeJsonAtomic(join(this.root, 'pins.json'), [...new Set(pins)].sort());
  }

  // ---- maintenance

  /** Re-hash every artifact; corrupt ones (a file missing or with other bytes) are reported and, with evict, removed. */
  verify(evict: boolean): {
    checked: number;
    corrupt: Array<{ key: string; problem: string }>;
    incomplete: string[];
    malformed: Array<{ key: string; problem: string }>;
  } {
    const corrupt: Array<{ key: string; problem: string }> = [];
    const incomplete: string[] = [];
    const malformed: Array<{ key: string; problem: string }> = [];
    let checked = 0;
    for (const key of this.listArtifactKeys()) {
      const { manifest: m, problem: bad } = this.readManifestChecked(key);
      if (bad) {
        malformed.push({ key, problem: bad });
        continue;
      }
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
      for (const c of [...corrupt, ...malformed]) this.removeArtifact(c.key as ArtifactKey);
    }
    return { checked, corrupt, incomplete, malformed };
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
    bytesFreed += dirBytes(this.staging) + dirBytes(this.trash);
    this.tidyStaging(isLocked);
    bytesFreed -= dirBytes(this.staging) + dirBytes(this.trash);
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
