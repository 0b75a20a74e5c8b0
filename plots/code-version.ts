// The code version a report names: the git commit of the checkout, or 'unknown' outside a repository
// (an exported tarball, a machine without git).
import { execFileSync } from 'node:child_process';

export function gitCommit(cwd: string): string {
  try {
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 }).trim();
    if (!/^[0-9a-f]{40}$/.test(commit)) return 'unknown';
    // Uncommitted edits to tracked files make the commit an approximation: say so.
    try {
      execFileSync('git', ['diff', '--quiet', 'HEAD', '--'], { cwd, stdio: 'ignore', timeout: 5000 });
      return commit;
    } catch {
      return `${commit} (with uncommitted changes)`;
    }
  } catch {
    return 'unknown';
  }
}
