// The project's source files and who imports whom, read with the fingerprint's own import scanner
// (cache/import-graph.ts: static, re-export and literal dynamic `import('...')` specifiers).
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { resolveImports, scanImports } from '../../cache/import-graph.ts';

export const PROJECT_ROOT = join(import.meta.dirname, '..', '..');

/** Folders that are tools around the product, not the product: they may import anything below them. */
const TOOL_FOLDERS = ['test', 'bench', 'scripts'];
const NOT_SOURCE = new Set(['node_modules', 'docs', 'data', 'out', '.pipeline', '.git']);

/** Every .ts/.mjs file under the project (relative paths), skipping node_modules, data and outputs. */
export function sourceFiles(root = PROJECT_ROOT): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.name.startsWith('.') || NOT_SOURCE.has(e.name)) continue;
      const path = join(dir, e.name);
      if (e.isDirectory()) walk(path);
      else if (/\.(ts|mjs)$/.test(e.name) && !e.name.endsWith('.d.ts')) out.push(relative(root, path));
    }
  };
  walk(root);
  return out.sort();
}

/** The top-level folder a file belongs to; a file at the root is its own unit ('pipeline.ts'). */
function folderOf(file: string): string {
  const i = file.indexOf(sep);
  return i < 0 ? file : file.slice(0, i);
}

/** File → the project files it imports (relative paths). */
function fileImports(files: string[], root = PROJECT_ROOT): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const f of files) {
    const abs = join(root, f);
    graph.set(f, resolveImports(abs, scanImports(readFileSync(abs, 'utf8'))).locals.map((l) => relative(root, l)));
  }
  return graph;
}

/** Folder → folder edges of production code, each with one file-level import that makes it. */
export function folderGraph(files: string[], root = PROJECT_ROOT): Map<string, Map<string, string>> {
  const production = files.filter((f) => !TOOL_FOLDERS.includes(folderOf(f)));
  const graph = new Map<string, Map<string, string>>();
  for (const [file, imports] of fileImports(production, root)) {
    const from = folderOf(file);
    const edges = graph.get(from) ?? new Map<string, string>();
    graph.set(from, edges);
    for (const target of imports) {
      const to = folderOf(target);
      if (to !== from && !edges.has(to)) edges.set(to, `${file} → ${target}`);
    }
  }
  return graph;
}

/** Every elementary cycle's strongly connected component (Tarjan), each as a closed path of nodes: [a, b, a]. */
export function findCycles(graph: Map<string, Iterable<string>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  let next = 0;
  const adjacency = new Map([...graph].map(([n, to]) => [n, [...to]]));
  const successors = (n: string) => adjacency.get(n) ?? [];
  const connect = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of successors(v)) {
      if (!index.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    const members = new Set(component);
    if (component.length > 1 || successors(v).includes(v)) cycles.push(pathWithin(v, members, successors));
  };
  for (const v of graph.keys()) if (!index.has(v)) connect(v);
  return cycles;
}

/** A shortest closed path from `start` back to itself inside one strongly connected component. */
function pathWithin(start: string, members: Set<string>, successors: (n: string) => string[]): string[] {
  const previous = new Map<string, string>();
  const queue = [start];
  while (queue.length) {
    const n = queue.shift()!;
    for (const w of successors(n)) {
      if (!members.has(w)) continue;
      if (w === start) {
        const path = [start];
        for (let p: string | undefined = n; p !== start && p !== undefined; p = previous.get(p)) path.splice(1, 0, p);
        return [...path, start];
      }
      if (!previous.has(w)) {
        previous.set(w, n);
        queue.push(w);
      }
    }
  }
  return [start, start];
}
