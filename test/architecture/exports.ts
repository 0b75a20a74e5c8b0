// Who uses each exported name: the exports of every source file against the imports of every other one
// (production, bench, scripts and tests). Read with regular expressions over formatted code — top-level
// statements start a line — and resolved with the fingerprint's resolver (cache/import-graph.ts).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { relative } from 'node:path';
import { resolveImports } from '../../cache/import-graph.ts';
import { PROJECT_ROOT } from './source-graph.ts';

const DECLARATION = /^export\s+(?:declare\s+)?(?:async\s+)?(?:abstract\s+)?(?:function\*?|const|let|var|class|interface|type|enum|namespace)\s+([\w$]+)/gm;
const DEFAULT = /^export\s+default\b/m;
const LOCAL_LIST = /^export\s+(?:type\s+)?\{([^}]*)\}(\s*from\b)?/gm;
const IMPORT = /^[ \t]*import\s+(?:type\s+)?(?:([\w$]+)\s*,?\s*)?(?:\{([^}]*)\}|\*\s+as\s+([\w$]+))?\s*from\s*(['"])([^'"\n]+)\4/gm;
const REEXPORT = /^[ \t]*export\s+(?:type\s+)?(?:\{([^}]*)\}|(\*)(?:\s+as\s+([\w$]+))?)\s*from\s*(['"])([^'"\n]+)\4/gm;
const DYNAMIC = /\bimport\s*\(\s*(['"])([^'"\n]+)\1\s*\)/g;

/** `a, b as c, type d` → [[imported, local]]: [['a','a'], ['b','c'], ['d','d']]. */
function names(list: string): Array<[string, string]> {
  return list
    .split(',')
    .map((s) => s.trim().replace(/^type\s+/, ''))
    .filter(Boolean)
    .map((s) => {
      const [a, b] = s.split(/\s+as\s+/);
      return [a.trim(), (b ?? a).trim()];
    });
}

interface FileExports {
  /** Names this file declares or re-exports by name. */
  own: Set<string>;
  /** Files whose every export this file re-exports (`export * from`). */
  stars: string[];
}

interface ExportUse {
  exports: Map<string, FileExports>;
  /** file → names other files use from it. */
  used: Map<string, Set<string>>;
}

/** Every file's exports and which of them other files use. */
function exportUse(files: string[], root = PROJECT_ROOT): ExportUse {
  const text = new Map(files.map((f) => [f, readFileSync(join(root, f), 'utf8')]));
  const target = (from: string, spec: string) => {
    if (!spec.startsWith('.')) return undefined;
    const [abs] = resolveImports(join(root, from), [spec]).locals;
    return abs === undefined ? undefined : relative(root, abs);
  };
  const exports = new Map<string, FileExports>();
  for (const [f, src] of text) {
    const own = new Set<string>();
    const stars: string[] = [];
    for (const m of src.matchAll(DECLARATION)) own.add(m[1]);
    if (DEFAULT.test(src)) own.add('default');
    for (const m of src.matchAll(LOCAL_LIST)) if (!m[2]) for (const [, exported] of names(m[1])) own.add(exported);
    for (const m of src.matchAll(REEXPORT)) {
      if (m[1] !== undefined) for (const [, exported] of names(m[1])) own.add(exported);
      else if (m[3]) own.add(m[3]);
      else {
        const t = target(f, m[5]);
        if (t) stars.push(t);
      }
    }
    exports.set(f, { own, stars });
  }
  const allExports = (f: string, seen = new Set<string>()): Set<string> => {
    const e = exports.get(f);
    if (!e || seen.has(f)) return new Set();
    seen.add(f);
    return new Set([...e.own, ...e.stars.flatMap((s) => [...allExports(s, seen)])]);
  };
  const used = new Map<string, Set<string>>();
  const use = (f: string, name: string) => {
    const e = exports.get(f);
    if (!e) return;
    const set = used.get(f) ?? new Set<string>();
    if (set.has(name)) return;
    set.add(name);
    used.set(f, set);
    // A name a barrel does not declare itself comes from one of the files it re-exports wholesale.
    if (!e.own.has(name)) for (const s of e.stars) use(s, name);
  };
  for (const [f, src] of text) {
    let words: Set<string> | undefined;
    for (const m of src.matchAll(IMPORT)) {
      const t = target(f, m[5]);
      if (!t || t === f) continue;
      if (m[1]) use(t, 'default');
      if (m[2] !== undefined) for (const [imported] of names(m[2])) use(t, imported);
      if (m[3]) for (const x of src.matchAll(new RegExp(`\\b${m[3].replace(/\$/g, '\\$')}\\.([\\w$]+)`, 'g'))) use(t, x[1]);
    }
    for (const m of src.matchAll(REEXPORT)) {
      const t = target(f, m[5]);
      if (!t) continue;
      if (m[1] !== undefined) for (const [imported] of names(m[1])) use(t, imported);
      else if (m[3]) for (const n of allExports(t)) use(t, n);
    }
    // A dynamic import is read through whatever the file names: any export of the target it mentions is used.
    for (const m of src.matchAll(DYNAMIC)) {
      const t = target(f, m[2]);
      if (!t || t === f) continue;
      words ??= new Set(src.match(/[\w$]+/g) ?? []);
      for (const n of allExports(t)) if (words.has(n) || n === 'default') use(t, n);
    }
  }
  return { exports, used };
}

/** `file: name` for every export no other file uses, except what `allowed(file, name)` admits by rule. */
export function unusedExports(files: string[], allowed: (file: string, name: string, source: string) => boolean, root = PROJECT_ROOT): string[] {
  const { exports, used } = exportUse(files, root);
  const out: string[] = [];
  for (const [f, e] of exports) {
    const source = readFileSync(join(root, f), 'utf8');
    for (const n of e.own) if (!used.get(f)?.has(n) && !allowed(f, n, source)) out.push(`${f}: ${n}`);
  }
  return out.sort();
}
