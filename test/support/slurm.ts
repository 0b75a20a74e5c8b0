// Whether a Slurm cluster answers here (scripts/slurm-cluster.sh start makes one): the Slurm tests run when it
// does, are skipped with the reason when it does not, and fail under CI=true, where the cluster is required.
import { execFileSync } from 'node:child_process';

interface ClusterProbe {
  ok: boolean;
  /** Why the Slurm tests are skipped. */
  why: string;
}

export function probeCluster(): ClusterProbe {
  try {
    const states = execFileSync('sinfo', ['-h', '-N', '-o', '%t'], { encoding: 'utf8', timeout: 20_000, stdio: ['ignore', 'pipe', 'pipe'] }).split('\n').filter(Boolean);
    if (states.some((s) => /^(idle|mix|alloc)/.test(s))) return { ok: true, why: '' };
    return { ok: false, why: `no Slurm node is up (sinfo: ${states.join(', ') || 'no nodes'})` };
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: string };
    return { ok: false, why: err.code === 'ENOENT' ? 'Slurm is not installed (no sinfo on PATH)' : `no Slurm controller answers (sinfo: ${String(err.stderr ?? err.message).trim().split('\n')[0]})` };
  }
}

export const clusterRequired = process.env.CI === 'true';

/** The state of a job in squeue (-t all keeps finished jobs for MinJobAge), or undefined when not listed. */
export function jobState(jobId: string): string | undefined {
  const out = execFileSync('squeue', ['-h', '-t', 'all', '-j', jobId, '-o', '%T'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  return out || undefined;
}

/** Job ids squeue lists under one job name. */
export function jobsNamed(name: string): string[] {
  return execFileSync('squeue', ['-h', '-t', 'all', `--name=${name}`, '-o', '%i'], { encoding: 'utf8' }).split('\n').map((l) => l.trim()).filter(Boolean);
}
