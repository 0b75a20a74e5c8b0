// Outputs for people and tools: every table artifact exported as out/<experiment>/<node>/<name>.parquet with
// an `experiment` column prepended, `publish` files copied to out/<publish>, and out/catalog.parquet with one
// row per published artifact. Writes go to a temp name then rename (atomic); a failed write (a full disk)
// removes its temp file. A sidecar catalog.json lets a no-op run see that everything is up to date without
// loading the Parquet library.
// Exports are verified like artifacts: the catalog records each exported file's sha256, a run checks every
// export through the stat cache (size, mtime, ctime, inode) and re-exports one whose bytes changed, and
// `verify` re-hashes them all (verifyExports). The source bytes are checked against their manifest before
// they are exported, so a corrupt artifact is never published.
// One failed export does not stop the others: each error is collected, and the run reports them all.
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { randomBytes } from 'node:crypto';
import { writeAtomic, type Manifest, type Store } from '../cache/store.ts';
import type { StatCache } from '../cache/stat-cache.ts';
import { canonicalJson, fileDigest } from '../core/digest.ts';
import type { FileOutput, OutputSchema, OutputSpec } from '../core/stage.ts';

/** What the exporter reads of a declared node (the engine's NodeDecl is one): where its outputs go under out/. */
interface ExportedNode {
  experiment: string;
  node: string;
  stage: { outputs: OutputSchema };
}

interface CatalogRow {
  experiment: string;
  stage: string;
  artifact: string;
  /** Relative to the project root. */
  path: string;
  key: string;
  params_json: string;
  rows: number;
  bytes: number;
  /** sha256 of the exported file's bytes (what `verify` checks out/ against). */
  sha256: string;
  created_at: string;
  run_id: string;
}

const CATALOG_SCHEMA = {
  experiment: 'utf8',
  stage: 'utf8',
  artifact: 'utf8',
  path: 'utf8',
  key: 'utf8',
  params_json: 'utf8',
  rows: 'i32',
  bytes: 'i64',
  sha256: 'utf8',
  created_at: 'timestamp',
  run_id: 'utf8',
} as const;

const tmpName = (path: string) => `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;

function atomicWrite(path: string, bytes: Uint8Array | string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeAtomic(path, bytes);
}
function atomicCopy(from: string, to: string): void {
  mkdirSync(dirname(to), { recursive: true });
  const tmp = tmpName(to);
  try {
    copyFileSync(from, tmp);
    renameSync(tmp, to);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

const isRow = (r: unknown): r is CatalogRow => {
  if (r === null || typeof r !== 'object') return false;
  const o = r as Record<string, unknown>;
  return ['experiment', 'stage', 'artifact', 'path', 'key', 'params_json', 'created_at', 'run_id'].every((k) => typeof o[k] === 'string') &&
    typeof o.rows === 'number' && typeof o.bytes === 'number' && (o.sha256 === undefined || typeof o.sha256 === 'string');
};

/** The rows of out/catalog.json; a malformed file (or row) is reported and treated as absent. */
function readCatalog(outDir: string, onMalformed?: (path: string, problem: string) => void): CatalogRow[] {
  const path = join(outDir, 'catalog.json');
  if (!existsSync(path)) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    onMalformed?.(path, `is not valid JSON (${(e as Error).message})`);
    return [];
  }
  if (!Array.isArray(parsed)) {
    onMalformed?.(path, 'is not a list of catalog rows');
    return [];
  }
  const rows = parsed.filter(isRow);
  if (rows.length !== parsed.length) onMalformed?.(path, `has ${parsed.length - rows.length} malformed rows (ignored)`);
  return rows;
}

export interface ExportResult {
  written: number;
  upToDate: number;
  /** Exports found changed on disk (corrupt or edited) and written again. */
  repaired: number;
}

/**
 * Exports node outputs one at a time (as soon as each is committed, so that re-encoding overlaps with stages
 * still running), then writes the catalog once. A no-op run compares keys and digests with catalog.json
 * (through the stat cache) and writes nothing.
 */
export class OutputExporter {
  private readonly rows: Map<string, CatalogRow>;
  private readonly previousCount: number;
  private readonly claims = new Map<string, number>();
  private chain: Promise<void> = Promise.resolve();
  readonly result: ExportResult = { written: 0, upToDate: 0, repaired: 0 };
  /** One message per failed export (a node's output, or the catalog), in order. */
  readonly errors: string[] = [];

  constructor(
    private readonly opts: { store: Store; outDir: string; projectRoot: string; runId: string; stat?: StatCache },
    /** Every logical node that may be exported in this run: decides which publish paths are shared. */
    decls: ExportedNode[],
  ) {
    const previous = readCatalog(opts.outDir, (path, problem) => opts.store.malformed.set(path, problem));
    this.rows = new Map(previous.map((r) => [r.path, r]));
    this.previousCount = previous.length;
    // A publish path claimed by several logical nodes (two experiments, a sweep) goes under each node's folder.
    for (const decl of decls) {
      for (const spec of Object.values(decl.stage.outputs)) {
        if (spec.kind === 'file' && spec.publish) this.claims.set(spec.publish, (this.claims.get(spec.publish) ?? 0) + 1);
      }
    }
  }

  private targets(decl: ExportedNode, manifest: Manifest): Array<{ name: string; spec: OutputSpec; target: string; path: string }> {
    const { outDir, projectRoot } = this.opts;
    const out: Array<{ name: string; spec: OutputSpec; target: string; path: string }> = [];
    for (const [name, spec] of Object.entries(decl.stage.outputs)) {
      if (!manifest.outputs[name]) continue;
      let target: string;
      if (spec.kind === 'table') target = join(outDir, decl.experiment, decl.node, `${name}.parquet`);
      else if ((spec as FileOutput).publish) {
        const publish = (spec as FileOutput).publish!;
        target = this.claims.get(publish)! > 1 ? join(outDir, decl.experiment, decl.node, publish) : join(outDir, publish);
      } else continue;
      out.push({ name, spec, target, path: relative(projectRoot, target) });
    }
    return out;
  }

  /** Whether the export at `target` is this artifact's and still has the bytes the catalog recorded. */
  private upToDate(prev: CatalogRow | undefined, manifest: Manifest, decl: ExportedNode, target: string): 'yes' | 'no' | 'changed' {
    if (!prev || prev.key !== manifest.key || prev.experiment !== decl.experiment || !existsSync(target)) return 'no';
    if (!prev.sha256) return 'no'; // written before exports had digests: write it again, with one
    let digest: string;
    try {
      digest = this.opts.stat ? this.opts.stat.digest(target) : fileDigest(readFileSync(target));
    } catch {
      return 'no';
    }
    return digest === prev.sha256 ? 'yes' : 'changed';
  }

  /** The outputs of a node that this run will export (missing, outdated or changed on disk): their sources are read. */
  staleOutputs(decl: ExportedNode, manifest: Manifest): string[] {
    return this.targets(decl, manifest).filter((t) => this.upToDate(this.rows.get(t.path), manifest, decl, t.target) !== 'yes').map((t) => t.name);
  }

  /** Queue one logical node's outputs for export (exports run one after another; a failure is recorded, not thrown). */
  add(decl: ExportedNode, manifest: Manifest): Promise<void> {
    this.chain = this.chain.then(() => this.exportNode(decl, manifest));
    return this.chain;
  }

  private async exportNode(decl: ExportedNode, manifest: Manifest): Promise<void> {
    const { store, runId } = this.opts;
    for (const { name, spec, target, path } of this.targets(decl, manifest)) {
      const stored = manifest.outputs[name];
      const prev = this.rows.get(path);
      const state = this.upToDate(prev, manifest, decl, target);
      if (state === 'yes') {
        this.result.upToDate++;
        continue;
      }
      try {
        const source = join(store.artifactDir(manifest.key), stored.file);
        const raw = readFileSync(source);
        const digest = fileDigest(raw);
        if (digest !== stored.digest) {
          throw new Error(
            `artifact ${manifest.key.slice(0, 12)} output ${name} (${stored.file}) is corrupt: sha256 ${digest.slice(0, 12)}…, its manifest says ${stored.digest.slice(0, 12)}…; ` +
              'not exported (run `verify --evict`, then run again to recompute it)',
          );
        }
        let bytes: Uint8Array = raw;
        if (spec.kind === 'table') {
          const { withPrefixColumn } = await import('./table-io.ts');
          bytes = await withPrefixColumn(raw, 'experiment', decl.experiment);
          atomicWrite(target, bytes);
        } else {
          atomicCopy(source, target);
        }
        const sha256 = fileDigest(bytes);
        try {
          this.opts.stat?.remember(target, sha256 as never);
        } catch {
          // stat failed right after writing: the next run re-hashes
        }
        this.result.written++;
        if (state === 'changed') this.result.repaired++;
        this.rows.set(path, {
          experiment: decl.experiment,
          stage: manifest.stage,
          artifact: name,
          path,
          key: manifest.key,
          params_json: canonicalJson(manifest.params),
          rows: stored.rows ?? 0,
          bytes: bytes.length,
          sha256,
          created_at: manifest.createdAt,
          run_id: runId,
        });
      } catch (e) {
        // A failed export leaves the previous file (or none), never a partial one; a file found changed on disk
        // that could not be rewritten is removed with its catalog row, so nothing describes corrupt bytes.
        if (state === 'changed') {
          this.rows.delete(path);
          rmSync(target, { force: true });
        }
        this.errors.push(`export of ${decl.experiment}/${decl.node} output ${name} to ${path} failed: ${(e as Error).message}`);
      }
    }
  }

  /** Wait for queued exports, then write the catalog if anything changed (a failure is recorded in `errors`). */
  async finish(): Promise<ExportResult> {
    await this.chain;
    const { outDir, projectRoot } = this.opts;
    // Rows whose file disappeared are dropped; the catalog lists what is on disk.
    for (const [path] of this.rows) if (!existsSync(join(projectRoot, path))) this.rows.delete(path);
    const catalog = [...this.rows.values()].sort((a, b) => a.path.localeCompare(b.path));
    if (this.result.written > 0 || catalog.length !== this.previousCount || !existsSync(join(outDir, 'catalog.parquet'))) {
      try {
        const { encodeParquet } = await import('./table-io.ts');
        const col = <K extends keyof CatalogRow>(k: K) => catalog.map((r) => r[k]);
        const bytes = await encodeParquet(CATALOG_SCHEMA, {
          experiment: col('experiment'),
          stage: col('stage'),
          artifact: col('artifact'),
          path: col('path'),
          key: col('key'),
          params_json: col('params_json'),
          rows: Int32Array.from(col('rows')),
          bytes: BigInt64Array.from(col('bytes'), (v) => BigInt(v)),
          sha256: col('sha256'),
          created_at: BigInt64Array.from(col('created_at'), (t) => BigInt(Date.parse(t))),
          run_id: col('run_id'),
        });
        // catalog.json last: it is what the next run trusts, so it never describes a catalog.parquet not written.
        atomicWrite(join(outDir, 'catalog.parquet'), bytes);
        atomicWrite(join(outDir, 'catalog.json'), JSON.stringify(catalog, null, 1));
      } catch (e) {
        this.errors.push(`writing the catalog ${relative(projectRoot, join(outDir, 'catalog.parquet'))} failed: ${(e as Error).message}`);
      }
    }
    return this.result;
  }
}

/** Re-hash every export the catalog lists: the problems found (a missing file, other bytes, no digest recorded). */
export function verifyExports(outDir: string, projectRoot: string, onMalformed?: (path: string, problem: string) => void): { checked: number; problems: Array<{ path: string; problem: string }> } {
  const problems: Array<{ path: string; problem: string }> = [];
  const rows = readCatalog(outDir, onMalformed);
  for (const r of rows) {
    const file = join(projectRoot, r.path);
    if (!existsSync(file)) problems.push({ path: r.path, problem: 'is missing' });
    else if (!r.sha256) problems.push({ path: r.path, problem: 'has no digest in the catalog (exported before exports were hashed)' });
    else {
      const d = fileDigest(readFileSync(file));
      if (d !== r.sha256) problems.push({ path: r.path, problem: `has sha256 ${d.slice(0, 12)}…, the catalog says ${r.sha256.slice(0, 12)}…` });
    }
  }
  return { checked: rows.length, problems };
}
