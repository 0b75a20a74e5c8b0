// Outputs for people and tools: every table artifact exported as out/<experiment>/<node>/<name>.parquet with
// an `experiment` column prepended, `publish` files copied to out/<publish>, and out/catalog.parquet with one
// row per published artifact. Writes go to a temp name then rename (atomic). A sidecar catalog.json lets a
// no-op run see that everything is up to date without loading the Parquet library.
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import type { Manifest, Store } from '../cache/store.ts';
import type { NodeDecl } from '../engine/dag.ts';
import { canonicalJson } from '../engine/digest.ts';
import type { FileOutput, OutputSpec } from '../engine/stage.ts';

export interface CatalogRow {
  experiment: string;
  stage: string;
  artifact: string;
  /** Relative to the project root. */
  path: string;
  key: string;
  params_json: string;
  rows: number;
  bytes: number;
  created_at: string;
  run_id: string;
}

export const CATALOG_SCHEMA = {
  experiment: 'utf8',
  stage: 'utf8',
  artifact: 'utf8',
  path: 'utf8',
  key: 'utf8',
  params_json: 'utf8',
  rows: 'i32',
  bytes: 'i64',
  created_at: 'timestamp',
  run_id: 'utf8',
} as const;

function atomicWrite(path: string, bytes: Uint8Array | string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, bytes);
  renameSync(tmp, path);
}
function atomicCopy(from: string, to: string): void {
  mkdirSync(dirname(to), { recursive: true });
  const tmp = `${to}.${process.pid}.tmp`;
  copyFileSync(from, tmp);
  renameSync(tmp, to);
}

export interface ExportResult {
  written: number;
  upToDate: number;
}

/**
 * Exports node outputs one at a time (as soon as each is committed, so that re-encoding overlaps with stages
 * still running), then writes the catalog once. A no-op run compares keys with catalog.json and writes nothing.
 */
export class OutputExporter {
  private readonly rows: Map<string, CatalogRow>;
  private readonly previousCount: number;
  private readonly claims = new Map<string, number>();
  private chain: Promise<void> = Promise.resolve();
  readonly result: ExportResult = { written: 0, upToDate: 0 };

  constructor(
    private readonly opts: { store: Store; outDir: string; projectRoot: string; runId: string },
    /** Every logical node that may be exported in this run: decides which publish paths are shared. */
    decls: NodeDecl[],
  ) {
    let previous: CatalogRow[] = [];
    const catalogJson = join(opts.outDir, 'catalog.json');
    if (existsSync(catalogJson)) {
      try {
        previous = JSON.parse(readFileSync(catalogJson, 'utf8')) as CatalogRow[];
      } catch {
        previous = [];
      }
    }
    this.rows = new Map(previous.map((r) => [r.path, r]));
    this.previousCount = previous.length;
    // A publish path claimed by several logical nodes (two experiments, a sweep) goes under each node's folder.
    for (const decl of decls) {
      for (const spec of Object.values(decl.stage.outputs as Record<string, OutputSpec>)) {
        if (spec.kind === 'file' && spec.publish) this.claims.set(spec.publish, (this.claims.get(spec.publish) ?? 0) + 1);
      }
    }
  }

  /** Queue one logical node's outputs for export (exports run one after another). */
  add(decl: NodeDecl, manifest: Manifest): Promise<void> {
    this.chain = this.chain.then(() => this.exportNode(decl, manifest));
    return this.chain;
  }

  private async exportNode(decl: NodeDecl, manifest: Manifest): Promise<void> {
    const { outDir, projectRoot, store, runId } = this.opts;
    for (const [name, spec] of Object.entries(decl.stage.outputs as Record<string, OutputSpec>)) {
      const stored = manifest.outputs[name];
      if (!stored) continue;
      let target: string;
      if (spec.kind === 'table') target = join(outDir, decl.experiment, decl.node, `${name}.parquet`);
      else if ((spec as FileOutput).publish) {
        const publish = (spec as FileOutput).publish!;
        target = this.claims.get(publish)! > 1 ? join(outDir, decl.experiment, decl.node, publish) : join(outDir, publish);
      } else continue;
      const path = relative(projectRoot, target);
      const prev = this.rows.get(path);
      if (prev && prev.key === manifest.key && prev.experiment === decl.experiment && existsSync(target)) {
        this.result.upToDate++;
        continue;
      }
      const source = join(store.artifactDir(manifest.key), stored.file);
      let bytes = stored.bytes;
      if (spec.kind === 'table') {
        const { withPrefixColumn } = await import('./table-io.ts');
        const out = await withPrefixColumn(spec.schema, readFileSync(source), 'experiment', decl.experiment);
        atomicWrite(target, out);
        bytes = out.length;
      } else {
        atomicCopy(source, target);
      }
      this.result.written++;
      this.rows.set(path, {
        experiment: decl.experiment,
        stage: manifest.stage,
        artifact: name,
        path,
        key: manifest.key,
        params_json: canonicalJson(manifest.params),
        rows: stored.rows ?? 0,
        bytes,
        created_at: manifest.createdAt,
        run_id: runId,
      });
    }
  }

  /** Wait for queued exports, then write the catalog if anything changed. */
  async finish(): Promise<ExportResult> {
    await this.chain;
    const { outDir, projectRoot } = this.opts;
    // Rows whose file disappeared are dropped; the catalog lists what is on disk.
    for (const [path] of this.rows) if (!existsSync(join(projectRoot, path))) this.rows.delete(path);
    const catalog = [...this.rows.values()].sort((a, b) => a.path.localeCompare(b.path));
    if (this.result.written > 0 || catalog.length !== this.previousCount || !existsSync(join(outDir, 'catalog.parquet'))) {
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
        bytes: BigInt64Array.from(col('bytes'), (b) => BigInt(b)),
        created_at: BigInt64Array.from(col('created_at'), (t) => BigInt(Date.parse(t))),
        run_id: col('run_id'),
      });
      atomicWrite(join(outDir, 'catalog.parquet'), bytes);
      atomicWrite(join(outDir, 'catalog.json'), JSON.stringify(catalog, null, 1));
    }
    return this.result;
  }
}
