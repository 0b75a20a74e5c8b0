// Fingerprint pieces in-process: the import graph (transitive local modules, dynamic imports,
// locked package versions), the stat cache, and the reasons a diff of two fingerprints gives.
import { describe, expect, it, beforeEach, afterEach } from 'vitest';
import { mkdtempSync, writeFileSync, rmSync, mkdirSync, utimesSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImportGraph, scanImports } from '../../cache/import-graph.ts';
import { StatCache } from '../../cache/stat-cache.ts';
import { diffFingerprints, fingerprintKey, ARTIFACT_FORMAT, type Fingerprint } from '../../cache/fingerprint.ts';

let dir: string;
const old = (p: string) => utimesSync(p, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
function write(rel: string, text: string) {
  const p = join(dir, rel);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, text);
  old(p); // older than the stat cache's mtime-granularity guard, so it is remembered
  return p;
}
function lock(versions: Record<string, string>) {
  const packages: Record<string, { version: string }> = {};
  for (const [k, v] of Object.entries(versions)) packages[`node_modules/${k}`] = { version: v };
  write('package-lock.json', JSON.stringify({ packages }));
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fp-test-'));
  write('stages/a.ts', `import { b } from './lib/b.ts';\nimport { readFileSync } from 'node:fs';\nimport * as y from 'yaml';\nexport const a = b;\n`);
  write('stages/lib/b.ts', `export { c } from './c';\nexport const b = 1;\nexport async function later() { return import('./d.ts'); }\n`);
  write('stages/lib/c.ts', `export const c = 2;\n`);
  write('stages/lib/d.ts', `import { x } from '@scope/pkg/sub';\nexport const d = x;\n`);
  write('stages/unrelated.ts', `export const u = 3;\n`);
  lock({ yaml: '2.0.0', '@scope/pkg': '1.0.0', other: '9.9.9' });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const codeOf = () => new ImportGraph(dir, new StatCache()).codeOf(join(dir, 'stages/a.ts'));

describe('import graph', () => {
  it('scans static, re-export and dynamic specifiers', () => {
    expect(scanImports(`import a from 'x';\nexport * from "./y.ts";\nconst m = await import('./z');\nimport './side.ts';`).sort()).toEqual(
      ['./side.ts', './y.ts', './z', 'x'].sort(),
    );
  });

  it('collects local modules transitively (incl. dynamic imports) and the locked versions of imported packages only', () => {
    const code = codeOf();
    expect(Object.keys(code.files).sort()).toEqual(['stages/a.ts', 'stages/lib/b.ts', 'stages/lib/c.ts', 'stages/lib/d.ts']);
    expect(code.packages).toEqual({ yaml: '2.0.0', '@scope/pkg': '1.0.0' });
  });

  it('a transitively imported file changes the code digest; an unrelated file does not', () => {
    const before = codeOf();
    write('stages/unrelated.ts', 'export const u = 4;\n');
    expect(codeOf()).toEqual(before);
    write('stages/lib/d.ts', `import { x } from '@scope/pkg/sub';\nexport const d = x + 1;\n`);
    const after = codeOf();
    expect(after.files['stages/lib/d.ts']).not.toBe(before.files['stages/lib/d.ts']);
    expect(after.files['stages/a.ts']).toBe(before.files['stages/a.ts']);
  });

  it('a package version bump in the lock changes the code fingerprint only for packages in the graph', () => {
    const before = codeOf();
    lock({ yaml: '2.0.0', '@scope/pkg': '1.0.0', other: '10.0.0' });
    expect(codeOf()).toEqual(before);
    lock({ yaml: '2.1.0', '@scope/pkg': '1.0.0', other: '9.9.9' });
    expect(codeOf().packages.yaml).toBe('2.1.0');
  });
});

describe('stat cache', () => {
  it('re-reads a file only when its size, mtime or inode changed, and persists across instances', () => {
    const file = join(dir, 'cache.json');
    const p = write('data.bin', 'hello');
    const s1 = new StatCache(file);
    const d1 = s1.digest(p);
    s1.save();
    const s2 = new StatCache(file);
    expect(s2.digest(p)).toBe(d1);
    expect(s2.hits).toBe(1);
    expect(s2.misses).toBe(0);
    write('data.bin', 'hello, world');
    expect(s2.digest(p)).not.toBe(d1);
    expect(s2.misses).toBe(1);
  });

  it('a rewrite of the same size given its old mtime back (touch -r) is re-hashed: ctime is part of the key', async () => {
    const file = join(dir, 'cache-ctime.json');
    const p = write('ctime.bin', 'abcdef');
    const s1 = new StatCache(file);
    const d1 = s1.digest(p);
    s1.save();
    const st = statSync(p);
    await new Promise((r) => setTimeout(r, 20)); // a later ctime tick
    writeFileSync(p, 'abcdeX');
    utimesSync(p, st.atime, st.mtime);
    expect(statSync(p).mtimeMs).toBe(st.mtimeMs);
    const s2 = new StatCache(file);
    expect(s2.digest(p)).not.toBe(d1);
    expect(s2.misses).toBe(1);
  });

  it('a torn or foreign cache file costs a re-hash, never a crash', () => {
    const file = join(dir, 'cache-bad.json');
    const p = write('bad.bin', 'x');
    for (const bad of ['[1, 2]', '"x"', 'null', '{"' + p + '": {"size": "big"}}', '{trunc']) {
      writeFileSync(file, bad);
      const s = new StatCache(file);
      expect(s.digest(p)).toMatch(/^[0-9a-f]{64}$/);
      expect(s.misses).toBe(1);
    }
  });
});

describe('fingerprint diff', () => {
  const base: Fingerprint = {
    code: { files: { 'stages/a.ts': 'aa' as never }, packages: { yaml: '2.0.0' } },
    environment: { backend: 'wasm' },
    format: ARTIFACT_FORMAT,
    inputs: { samples: { digest: '11'.repeat(32) as never, output: 'data.samples' } },
    params: { steps: 1000, lr: 0.001 },
    stage: 'train',
  };
  it('names every changed field, and identical fingerprints give identical keys', () => {
    const next: Fingerprint = {
      ...base,
      code: { files: { 'stages/a.ts': 'bb' as never }, packages: { yaml: '2.1.0' } },
      environment: { backend: 'cpu' },
      inputs: { samples: { digest: '22'.repeat(32) as never, output: 'data.samples' } },
      params: { steps: 2000, lr: 0.001 },
    };
    const reasons = diffFingerprints(base, next);
    expect(reasons).toContain('parameter steps changed from 1000 to 2000');
    expect(reasons).toContain('source file stages/a.ts changed');
    expect(reasons).toContain('package yaml changed from 2.0.0 to 2.1.0');
    expect(reasons).toContain('environment backend changed from "wasm" to "cpu"');
    expect(reasons.some((r) => r.startsWith('input samples changed'))).toBe(true);
    expect(reasons).toHaveLength(5);
    expect(diffFingerprints(base, structuredClone(base))).toEqual([]);
    expect(fingerprintKey(base)).toBe(fingerprintKey(JSON.parse(JSON.stringify(base)) as Fingerprint));
    expect(fingerprintKey(base)).not.toBe(fingerprintKey(next));
  });
});
