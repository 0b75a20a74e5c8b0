// Visible GPUs: CUDA_VISIBLE_DEVICES when set, else `nvidia-smi -L` when that binary exists, else none.
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { execFileSync } from 'node:child_process';

export function visibleGpus(env: NodeJS.ProcessEnv = process.env): string[] {
  const cvd = env.CUDA_VISIBLE_DEVICES;
  if (cvd !== undefined) {
    const ids = cvd.split(',').map((s) => s.trim()).filter((s) => s !== '' && s !== '-1');
    return ids;
  }
  const smi = (env.PATH ?? '').split(delimiter).map((d) => join(d, 'nvidia-smi')).find((p) => existsSync(p));
  if (!smi) return [];
  try {
    const out = execFileSync(smi, ['-L'], { encoding: 'utf8', timeout: 5000 });
    return out.split('\n').filter((l) => l.startsWith('GPU ')).map((_, i) => String(i));
  } catch {
    return [];
  }
}
