// Where the browser tests find a Chromium: $PIPELINE_CHROMIUM, else Debian's `chromium` (or another
// Chromium-family binary) on the PATH. Without one the browser tests are skipped and say why, except under
// CI (CI=true), where a missing browser is a failure: .ci/run installs Debian's chromium.
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

const NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];

interface ChromiumLookup {
  path?: string;
  looked: string[];
}

function executable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function findChromium(env: NodeJS.ProcessEnv = process.env): ChromiumLookup {
  const given = env.PIPELINE_CHROMIUM;
  if (given) return executable(given) ? { path: given, looked: [given] } : { looked: [`PIPELINE_CHROMIUM=${given} (not an executable)`] };
  const dirs = (env.PATH ?? '').split(delimiter).filter(Boolean);
  for (const name of NAMES) for (const dir of dirs) if (executable(join(dir, name))) return { path: join(dir, name), looked: [] };
  return { looked: ['PIPELINE_CHROMIUM (not set)', `${NAMES.join(', ')} on the PATH`] };
}

/** True under CI, where tests that need a component must not skip. */
export function requiredByCi(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.CI === 'true' || env.CI === '1';
}
