// Nothing stale: every exported name is used by another file (production, bench, scripts or tests), every
// package.json script runs files that exist, and every project file a comment or a Markdown page names exists. Allowed by rule, not by name: a stage module's default export (the
// engine loads it by URL), the exports of a program's entry file (it runs when `process.argv[1]` is itself),
// a tool's root config file (`*.config.ts`), and Node's module hooks (`resolve`, `load`, `initialize`).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { unusedExports } from './exports.ts';
import { PROJECT_ROOT, sourceFiles } from './source-graph.ts';

/** Project paths (`<folder>/<file>.ts`) named in comments of source files and anywhere in Markdown. */
function namedPaths(file: string, text: string, folders: string[]): string[] {
  const lines = file.endsWith('.md') ? text.split('\n') : text.split('\n').filter((l) => /^\s*(\/\/|\*|\/\*)/.test(l));
  const path = new RegExp(`(?<![\\w./-])(?:${folders.join('|')})/[\\w./-]+\\.(?:ts|mjs|c|md|sh)\\b`, 'g');
  return lines.flatMap((l) => l.match(path) ?? []);
}

const MODULE_HOOKS = new Set(['resolve', 'load', 'initialize']);

function allowedByRule(file: string, name: string, source: string): boolean {
  if (name === 'default' && /\bdefineStage\(/.test(source)) return true;
  if (name === 'default' && !file.includes('/') && file.endsWith('.config.ts')) return true;
  if (file.endsWith('.mjs') && MODULE_HOOKS.has(name)) return true;
  return /process\.argv\[1\]/.test(source);
}

/** The check's own fixture, whose unused exports are its point. */
const FIXTURE = 'test/fixtures/unused-exports';

describe('stale pieces', () => {
  const unused = unusedExports(sourceFiles().filter((f) => !f.startsWith(`${FIXTURE}/`)), allowedByRule);

  it('every exported name is imported by another file', () => {
    expect(unused, 'unused exports: drop the `export` (or the code, if nothing uses it)').toEqual([]);
  });

  it('the check finds an unused export, a used one, one used through a barrel and one read by a dynamic import', () => {
    const files = ['barrel.ts', 'lib.ts', 'main.ts', 'lazy.ts', 'inner.ts'].map((f) => `${FIXTURE}/${f}`);
    expect(unusedExports(files, () => false)).toEqual([`${FIXTURE}/inner.ts: unusedInner`, `${FIXTURE}/lazy.ts: lazyUnused`, `${FIXTURE}/lib.ts: unused`, `${FIXTURE}/main.ts: main`]);
  });

  it('every project file named in a comment or a Markdown page exists', () => {
    const files = execFileSync('git', ['ls-files', '*.ts', '*.mjs', '*.c', '*.md'], { cwd: PROJECT_ROOT, encoding: 'utf8' }).split('\n').filter((f) => f && !f.startsWith('data/'));
    const folders = [...new Set(files.filter((f) => f.includes('/')).map((f) => f.split('/')[0]))];
    expect(namedPaths('x.ts', '// see engine/validate.ts\nconst s = "engine/inline.ts";', folders)).toEqual(['engine/validate.ts']);
    const missing = files.flatMap((f) => namedPaths(f, readFileSync(join(PROJECT_ROOT, f), 'utf8'), folders).filter((p) => !existsSync(join(PROJECT_ROOT, p))).map((p) => `${f}: ${p}`));
    expect(missing).toEqual([]);
  });

  it('every package.json script runs files that exist', () => {
    const { scripts } = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    const missing: string[] = [];
    for (const [name, command] of Object.entries(scripts)) {
      for (const path of command.match(/[\w./-]+\.(?:ts|mts|mjs|js|cjs|sh|py)\b/g) ?? []) {
        if (!existsSync(join(PROJECT_ROOT, path))) missing.push(`${name}: ${path}`);
      }
    }
    expect(missing).toEqual([]);
    expect(Object.keys(scripts)).toContain('test');
  });
});
