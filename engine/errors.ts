// Errors as typed values (bad input, UsageError, lives in core/errors.ts), suggestions for misspelt names,
// and I/O messages.

/** The store could not be written when a run started (a full disk, no permission): nothing was run. */
export class RunNotStarted extends Error {
  override readonly name = 'RunNotStarted';
}

/** An error of the file system (a full disk, no permission), as one line naming what failed. */
export function ioMessage(what: string, e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  const hint = err.code === 'ENOSPC' ? ' (the disk is full: free space and run again)' : err.code === 'EACCES' || err.code === 'EROFS' ? ' (not writable)' : '';
  return `${what}: ${err.message}${hint}`;
}

/** Closest candidate by edit distance, for "did you mean ...?" (undefined when nothing is close). */
function closestName(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    // An abbreviation ("nums" for "numbers") is a likelier meaning than a short name a few edits away.
    const d = isAbbreviation(name.toLowerCase(), c.toLowerCase()) ? 1 : editDistance(name.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      bestDistance = d;
      best = c;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(name.length / 2)) ? best : undefined;
}

export function didYouMean(name: string, candidates: Iterable<string>): string {
  const list = [...candidates];
  const c = closestName(name, list);
  return c ? ` (did you mean "${c}"?)` : list.length ? ` (known: ${list.slice(0, 12).join(', ')}${list.length > 12 ? ', ...' : ''})` : '';
}

function isAbbreviation(short: string, long: string): boolean {
  if (short.length < 3 || short.length >= long.length || short[0] !== long[0]) return false;
  let j = 0;
  for (const ch of long) if (ch === short[j]) j++;
  return j === short.length;
}

function editDistance(a: string, b: string): number {
  const prev = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length];
}
