// `verify [--evict]`: re-hash every artifact in the store and every export in out/ against the digests their
// manifests and the catalog recorded; with --evict, remove what is corrupt.
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Store } from '../cache/store.ts';
import type { CliArgs } from './args.ts';
import { print } from './output.ts';

export async function verifyCommand(store: Store, args: CliArgs, outDir: string, projectRoot: string): Promise<number> {
  let bad = 0;
  if (!store.exists()) print(`no store at ${store.root}`);
  else {
    const r = store.verify(args.evict);
    print(
      `verified ${r.checked} artifacts in ${store.root}: ${r.corrupt.length} corrupt` +
        `${r.malformed.length ? `, ${r.malformed.length} with a malformed manifest (treated as absent)` : ''}` +
        `${r.incomplete.length ? `, ${r.incomplete.length} incomplete (no manifest: treated as absent)` : ''}`,
    );
    for (const c of r.corrupt) print(`  corrupt ${c.key.slice(0, 12)} ${c.problem}${args.evict ? ' — evicted' : ''}`);
    for (const c of r.malformed) print(`  malformed ${c.key.slice(0, 12)}: its ${c.problem}${args.evict ? ' — evicted' : ''}`);
    bad += r.corrupt.length + r.malformed.length;
  }
  // The exports in out/, against the digests the catalog recorded.
  const { verifyExports } = await import('../artifacts/export.ts');
  if (existsSync(outDir)) {
    const e = verifyExports(outDir, projectRoot, (path, problem) => store.malformed.set(path, problem));
    print(`verified ${e.checked} exports in ${outDir}: ${e.problems.length} corrupt or missing`);
    for (const p of e.problems) {
      if (args.evict && !/is missing/.test(p.problem)) rmSync(join(projectRoot, p.path), { force: true });
      print(`  export ${p.path} ${p.problem}${args.evict && !/is missing/.test(p.problem) ? ' — removed' : ''}`);
    }
    bad += e.problems.length;
  }
  if (bad && !args.evict) print('run `verify --evict` to remove them, or just run: the next run recomputes corrupt artifacts it needs and rewrites changed exports');
  return bad && !args.evict ? 1 : 0;
}
