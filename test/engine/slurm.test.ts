// The Slurm executor on a real cluster (scripts/slurm-cluster.sh start: one node, four cpu slots, two fake GPUs):
// a job cancelled with scancel, a job over its time limit, kill -9 of the pipeline while its jobs run, GPUs,
// two pipelines sharing one store, a held job, a controller that fails calls and a submit that seemed to fail.
// Skipped with the reason when no cluster answers; required under CI=true.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { makeToyProject, listDirSafe, waitFor, type ToyProject, type ToyRun } from '../fixtures/toy-project.ts';
import { clusterRequired, jobState, jobsNamed, probeCluster } from '../support/slurm.ts';

const cluster = probeCluster();
if (!cluster.ok && !clusterRequired) console.warn(`Slurm tests skipped: ${cluster.why} (scripts/slurm-cluster.sh start makes a local cluster)`);

describe.runIf(clusterRequired)('a Slurm cluster under CI=true', () => {
  it('is reachable (the Slurm tests are required in CI)', () => {
    expect(cluster.why).toBe('');
  });
});

// Slurm reports a job killed from outside at once; the done marker's grace for shared filesystems is not needed here.
const SLURM = { PIPELINE_SLURM_MARKER_GRACE_MS: '1500' };
const onSlurm = (toy: ToyProject, args: string[], env: Record<string, string> = {}) => toy.start([...args, '--executor', 'slurm'], { ...SLURM, ...env });

interface JobRecord { node: string; jobId: string; submittedAt: number; startedAt?: number; doneAt?: number; state?: string }
const jobRecords = (toy: ToyProject): JobRecord[] =>
  listDirSafe(join(toy.store, 'logs')).flatMap((run) => {
    const f = join(toy.store, 'logs', run, 'jobs.jsonl');
    return existsSync(f) ? readFileSync(f, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as JobRecord) : [];
  });
const manifests = (toy: ToyProject) =>
  listDirSafe(join(toy.store, 'artifacts'))
    .map((k) => join(toy.store, 'artifacts', k, 'manifest.json'))
    .filter((m) => existsSync(m))
    .map((m) => JSON.parse(readFileSync(m, 'utf8')) as { stage: string; node: string; params: Record<string, unknown>; runId: string });
const artifactFile = (toy: ToyProject, node: string, file: string) => {
  const key = listDirSafe(join(toy.store, 'artifacts')).find((k) => {
    const m = join(toy.store, 'artifacts', k, 'manifest.json');
    return existsSync(m) && (JSON.parse(readFileSync(m, 'utf8')) as { node: string }).node === node;
  })!;
  return readFileSync(join(toy.store, 'artifacts', key, file), 'utf8');
};
const noStaleLocks = (toy: ToyProject) => expect(listDirSafe(join(toy.store, 'locks'))).toEqual([]);

describe.skipIf(!cluster.ok)(`the Slurm executor${cluster.ok ? '' : ` (skipped: ${cluster.why})`}`, () => {
  const toy = makeToyProject();
  // The time-limit case waits at least a minute (Slurm's limits are minute-granular and fire up to 30 s late):
  // it runs in its own project beside the other cases and is checked last.
  const timed = makeToyProject();
  let overTime: { child: ChildProcess; done: Promise<ToyRun> };
  beforeAll(() => {
    overTime = onSlurm(timed, ['--only', 'toy/slow', '--slurm-time', '1'], { TOY_SLOW_MS: '300000' });
  });
  afterAll(async () => {
    // Only when the time-limit case did not run to its end (a filtered run): stop it and its job.
    overTime.child.kill('SIGINT');
    await overTime.done;
    timed.cleanup();
    toy.cleanup();
  });

  it('runs nodes as jobs with the stage\'s resources; job file, logs and staging live in the store', async () => {
    const r = await onSlurm(toy, ['--only', 'toy/sum', '--only', 'wide/wide']).done;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/done\s+toy\/sum/);
    // Progress and log lines come through the events file as from a local child.
    expect(r.stderr).toMatch(/log\s+wide\/wide: resumed from step 0/);
    const jobs = jobRecords(toy).filter((j) => j.state);
    expect(jobs.map((j) => j.node).sort()).toEqual(['toy/numbers', 'toy/sum', 'wide/wide']);
    for (const j of jobs) expect(j.state).toBe('DONE');
    const logs = join(toy.store, 'logs', readdirSync(join(toy.store, 'logs'))[0]);
    const script = readFileSync(join(logs, 'wide.wide.sh'), 'utf8');
    expect(script).toMatch(/slurm-job\.ts/);
    const jobFile = JSON.parse(readFileSync(join(logs, 'wide.wide.job.json'), 'utf8')) as { job: { staging: string }; gpus: number };
    // Staging on the store's filesystem: commit stays a rename.
    expect(jobFile.job.staging.startsWith(join(toy.store, 'staging'))).toBe(true);
    expect(jobFile.gpus).toBe(0);
    noStaleLocks(toy);
  });

  it('a failing stage\'s job is reported with the stage\'s name and the tail of its stderr, as locally', async () => {
    const r = await onSlurm(toy, ['--only', 'broken', '--set', 'broken.fail.fail=true']).done;
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/stage fail failed at broken\/fail: toy failure requested \(fail=true\)/);
    expect(r.stderr).toMatch(/stderr \(tail\)[\s\S]*TOY-FAILURE-MARKER/);
    expect(r.stderr).toMatch(/not run because an upstream stage failed: broken\/after-fail/);
    noStaleLocks(toy);
  });

  it('scancel of a running stage\'s job is reported with the stage\'s name; a re-run recovers', async () => {
    writeFileSync(toy.pids, '');
    const run = onSlurm(toy, ['--only', 'toy/slow'], { TOY_SLOW_MS: '120000' });
    await waitFor('the slow stage to run', () => readFileSync(toy.pids, 'utf8').trim() !== '');
    const job = jobRecords(toy).find((j) => j.node === 'toy/slow')!;
    expect(jobState(job.jobId)).toBe('RUNNING');
    const { execFileSync } = await import('node:child_process');
    execFileSync('scancel', [job.jobId]);
    const r = await run.done;
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`stage slow failed at toy/slow: Slurm job ${job.jobId} \\(pipeline\\.[^)]*toy\\.slow\\): cancelled`));
    noStaleLocks(toy);
    const again = await onSlurm(toy, ['--only', 'toy/slow'], { TOY_SLOW_MS: '100' }).done;
    expect(again.code, again.stderr).toBe(0);
    expect(manifests(toy).filter((m) => m.node === 'slow' && m.params.tag === 'a')).toHaveLength(1);
    noStaleLocks(toy);
  });

  it('kill -9 of the pipeline while its job runs: the re-run resubmits, commits once, leaves no stale lock', async () => {
    const args = ['--only', 'toy/slow', '--set', 'toy.slow.tag=kill9'];
    writeFileSync(toy.pids, '');
    const run = onSlurm(toy, args, { TOY_SLOW_MS: '120000' });
    await waitFor('the slow stage to run', () => readFileSync(toy.pids, 'utf8').trim() !== '');
    const orphan = jobRecords(toy).filter((j) => j.node === 'toy/slow').at(-1)!;
    run.child.kill('SIGKILL');
    await run.done;
    expect(listDirSafe(join(toy.store, 'locks'))).toHaveLength(1);
    const again = await onSlurm(toy, args, { TOY_SLOW_MS: '100' }).done;
    expect(again.code, again.stderr).toBe(0);
    noStaleLocks(toy);
    // The orphan saw its lock taken over and stopped without a done marker; only the re-run committed.
    await waitFor('the orphaned job to end', () => jobState(orphan.jobId) !== 'RUNNING', 20_000);
    const killed = manifests(toy).filter((m) => m.stage === 'slow' && m.params.tag === 'kill9');
    expect(killed).toHaveLength(1);
    expect(again.stderr).toContain(`run ${killed[0].runId}:`);
    expect(listDirSafe(join(toy.store, 'trash'))).toEqual([]);
    const resubmitted = jobRecords(toy).filter((j) => j.node === 'toy/slow' && j.state === 'DONE').at(-1)!;
    expect(resubmitted.jobId).not.toBe(orphan.jobId);
    expect(readFileSync(join(toy.store, 'logs', readdirSync(join(toy.store, 'logs')).find((d) => readFileSync(join(toy.store, 'logs', d, 'jobs.jsonl'), 'utf8').includes(`"jobId":"${orphan.jobId}"`))!, 'toy.slow.err'), 'utf8'))
      .toMatch(/stage stopped: (its lock was released or taken over|its parent is gone)/);
  });

  it('Ctrl-C (SIGINT) cancels the run\'s jobs and leaves no lock', async () => {
    writeFileSync(toy.pids, '');
    const run = onSlurm(toy, ['--only', 'toy/slow', '--set', 'toy.slow.tag=ctrl-c'], { TOY_SLOW_MS: '120000' });
    await waitFor('the slow stage to run', () => readFileSync(toy.pids, 'utf8').trim() !== '');
    const job = jobRecords(toy).filter((j) => j.node === 'toy/slow').at(-1)!;
    run.child.kill('SIGINT');
    const r = await run.done;
    expect(r.code).toBe(130);
    await waitFor('the job to be cancelled', () => jobState(job.jobId) === 'CANCELLED', 10_000);
    noStaleLocks(toy);
  });

  it('a requeued job (as after preemption) is not a failure: its node runs again and commits', async () => {
    writeFileSync(toy.pids, '');
    const run = onSlurm(toy, ['--only', 'toy/slow', '--set', 'toy.slow.tag=requeue'], { TOY_SLOW_MS: '6000' });
    await waitFor('the slow stage to run', () => readFileSync(toy.pids, 'utf8').trim() !== '');
    const job = jobRecords(toy).filter((j) => j.node === 'toy/slow').at(-1)!;
    const { execFileSync } = await import('node:child_process');
    execFileSync('scontrol', ['requeue', job.jobId]);
    // Slurm holds a requeued job back for two minutes (reason BeginTime); let it go now.
    await waitFor('the job to pend again', () => jobState(job.jobId) === 'PENDING', 20_000);
    execFileSync('scontrol', ['update', `jobid=${job.jobId}`, 'StartTime=now']);
    const r = await run.done;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`toy/slow: Slurm job ${job.jobId} requeued, running again on .* \\(restart 1\\)`));
    expect(manifests(toy).filter((m) => m.params.tag === 'requeue')).toHaveLength(1);
    noStaleLocks(toy);
  });

  it('GPU stages receive distinct CUDA_VISIBLE_DEVICES from Slurm\'s --gres', async () => {
    const r = await onSlurm(toy, ['--only', 'gpu'], { TOY_GPU_MS: '4000', CUDA_VISIBLE_DEVICES: '7' }).done;
    expect(r.code, r.stderr).toBe(0);
    const devices = ['probe-a', 'probe-b'].map((n) => (JSON.parse(artifactFile(toy, n, 'device.json')) as { cuda: string }).cuda);
    expect(devices.sort()).toEqual(['0', '1']);
  });

  it('two pipeline processes on one store, both on Slurm, compute each node once', async () => {
    const pair = makeToyProject();
    try {
      const [a, b] = await Promise.all([onSlurm(pair, ['--only', 'toy']).done, onSlurm(pair, ['--only', 'toy']).done]);
      expect(a.code, a.stderr).toBe(0);
      expect(b.code, b.stderr).toBe(0);
      const counts: Record<string, number> = {};
      for (const line of pair.computations()) counts[line.split(' ')[0]] = (counts[line.split(' ')[0]] ?? 0) + 1;
      expect(counts).toEqual({ numbers: 1, sum: 2, parity: 1, slow: 1 });
      noStaleLocks(pair);
    } finally {
      pair.cleanup();
    }
  });

  it('a job pending for a reason that never resolves (held) fails fast with Slurm\'s reason', async () => {
    const r = await onSlurm(toy, ['--only', 'toy/parity', '--sbatch-arg=--hold']).done;
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/stage parity failed at toy\/parity: Slurm job \d+ .* pends with reason JobHeldUser, which never resolves/);
    const held = jobRecords(toy).find((j) => j.node === 'toy/parity')!;
    await waitFor('the held job to be cancelled', () => jobState(held.jobId) === 'CANCELLED', 10_000);
    noStaleLocks(toy);
  });

  it('controller failures are retried; a submit that seemed to fail is found by its job name, not resubmitted', async () => {
    // Shims in front of the real commands: the first sbatch submits but reports a timeout, the first two
    // squeue calls fail as when slurmctld is down.
    const bin = join(toy.root, 'flaky-bin');
    mkdirSync(bin, { recursive: true });
    const flaky = (cmd: string, fails: number, afterReal: boolean) => {
      const path = join(bin, cmd);
      writeFileSync(path, `#!/bin/sh
n=$(cat "$0.count" 2>/dev/null || echo 0); echo $((n + 1)) > "$0.count"
if [ "$n" -lt ${fails} ]; then
  ${afterReal ? `/usr/bin/${cmd} "$@" >/dev/null` : ':'}
  echo "${cmd}: error: Socket timed out on send/recv operation" >&2; exit 1
fi
exec /usr/bin/${cmd} "$@"
`);
      chmodSync(path, 0o755);
    };
    flaky('sbatch', 1, true);
    flaky('squeue', 2, false);
    const r = await onSlurm(toy, ['--only', 'toy/numbers', '--force', 'numbers'], { PATH: `${bin}:${process.env.PATH}` }).done;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/sbatch pipeline\.[^ ]*toy\.numbers: sbatch: error: Socket timed out[^\n]*checking whether it went through/);
    const runId = readdirSync(join(toy.store, 'runs')).sort().at(-1)!.replace(/\.json$/, '');
    expect(jobsNamed(`pipeline.${runId}.toy.numbers`)).toHaveLength(1);
    expect(Number(readFileSync(join(bin, 'sbatch.count'), 'utf8'))).toBe(1);
  });

  it('gc removes the job files and logs of runs it does not keep', async () => {
    expect(listDirSafe(join(toy.store, 'logs')).length).toBeGreaterThan(1);
    const gc = await toy.run(['gc', '--keep', '1']);
    expect(gc.code, gc.stderr).toBe(0);
    const latest = readdirSync(join(toy.store, 'runs')).sort().at(-1)!.replace(/\.json$/, '');
    expect(listDirSafe(join(toy.store, 'logs'))).toEqual([latest]);
  });

  it('a job over its time limit is reported as such', async () => {
    const r = await overTime.done;
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/stage slow failed at toy\/slow: Slurm job \d+ \([^)]*\): over its time limit \(--time 1\)/);
    noStaleLocks(timed);
  }, 200_000);
});
