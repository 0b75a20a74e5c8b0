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
  bytes: 'f64',
  created_at: 'utf8',
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

export async function exportOutputs(
  items: Array<{ decl: NodeDecl; manifest: Manifest }>,
  opts: { store: Store; outDir: string; projectRoot: string; runId: string },
): Promise<ExportResult> {
  const catalogJson = join(opts.outDir, 'catalog.json');
  let previous: CatalogRow[] = [];
  if (existsSync(catalogJson)) {
    try {
      previous = JSON.parse(readFileSync(catalogJson, 'utf8')) as CatalogRow[];
    } catch {
      previous = [];
    }
  }
  const rows = new Map(previous.map((r) => [r.path, r]));
  // A publish path claimed by several logical nodes (two experiments, a sweep) goes under each node's folder.
  const claims = new Map<string, number>();
  for (const { decl } of items) {
    for (const spec of Object.values(decl.stage.outputs as Record<string, OutputSpec>)) {
      if (spec.kind === 'file' && spec.publish) claims.set(spec.publish, (claims.get(spec.publish) ?? 0) + 1);
    }
  }
  let written = 0;
  let upToDate = 0;
  for (const { decl, manifest } of items) {
    for (const [name, spec] of Object.entries(decl.stage.outputs as Record<string, OutputSpec>)) {
      const stored = manifest.outputs[name];
      if (!stored) continue;
      let target: string;
      if (spec.kind === 'table') target = join(opts.outDir, decl.experiment, decl.node, `${name}.parquet`);
      else if ((spec as FileOutput).publish) {
        const publish = (spec as FileOutput).publish!;
        target = claims.get(publish)! > 1 ? join(opts.outDir, decl.experiment, decl.node, publish) : join(opts.outDir, publish);
      }
      else continue;
      const path = relative(opts.projectRoot, target);
      const prev = rows.get(path);
      if (prev && prev.key === manifest.key && prev.experiment === decl.experiment && existsSync(target)) {
        upToDate++;
        continue;
      }
      const source = join(opts.store.artifactDir(manifest.key), stored.file);
      let bytes = stored.bytes;
      if (spec.kind === 'table') {
        const { withPrefixColumn } = await import('./table-io.ts');
        const out = await withPrefixColumn(spec.schema, readFileSync(source), 'experiment', decl.experiment);
        atomicWrite(target, out);
        bytes = out.length;
      } else {
        atomicCopy(source, target);
      }
      written++;
      rows.set(path, {
        experiment: decl.experiment,
        stage: manifest.stage,
        artifact: name,
        path,
        key: manifest.key,
        params_json: canonicalJson(manifest.params),
        rows: stored.rows ?? 0,
        bytes,
        created_at: manifest.createdAt,
        run_id: opts.runId,
      });
    }
  }
  // Rows whose file disappeared are dropped; the catalog lists what is on disk.
  for (const [path] of rows) if (!existsSync(join(opts.projectRoot, path))) rows.delete(path);
  const catalog = [...rows.values()].sort((a, b) => a.path.localeCompare(b.path));
  if (written > 0 || catalog.length !== previous.length || !existsSync(join(opts.outDir, 'catalog.parquet'))) {
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
      bytes: Float64Array.from(col('bytes')),
      created_at: col('created_at'),
      run_id: col('run_id'),
    });
    atomicWrite(join(opts.outDir, 'catalog.parquet'), bytes);
    atomicWrite(catalogJson, JSON.stringify(catalog, null, 1));
  }
  return { written, upToDate };
}
