// Choosing the executor: flags over the --config file's `executor:` tree, and bad values stopped before any
// work (exit 2, nothing written), with or without a cluster.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chooseExecutor } from '../../engine/executor-settings.ts';
import { UsageError } from '../../core/errors.ts';
import { SlurmExecutor } from '../../engine/slurm-executor.ts';
import { makeToyProject } from '../fixtures/toy-project.ts';

const toy = makeToyProject();
afterAll(() => toy.cleanup());
const none = { times: [], sbatchArgs: [] };
const stages = new Set(['train', 'data']);
const problems = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    if (e instanceof UsageError) return e.problems.join('\n');
    throw e;
  }
  return '';
};

describe('executor settings', () => {
  // Choosing slurm checks that sbatch is on PATH; a stand-in is enough, nothing is submitted here.
  const bin = join(toy.root, 'fake-bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'sbatch'), '#!/bin/sh\nexit 1\n');
  chmodSync(join(bin, 'sbatch'), 0o755);
  const PATH = process.env.PATH;
  beforeAll(() => void (process.env.PATH = `${bin}:${PATH}`));
  afterAll(() => void (process.env.PATH = PATH));

  it('local by default; slurm from the config file, with flags winning and per-stage times', () => {
    expect(chooseExecutor(none, undefined, stages).kind).toBe('local');
    const c = chooseExecutor(
      { ...none, partition: 'gpu', times: ['train=1-00:00:00'], sbatchArgs: ['--qos=high'] },
      { kind: 'slurm', partition: 'cpu', account: 'lab', time: { default: 30, data: '10' }, sbatch_args: ['--exclusive'] },
      stages,
    );
    expect(c).toEqual({ kind: 'slurm', slurm: { partition: 'gpu', account: 'lab', time: '30', stageTime: { data: '10', train: '1-00:00:00' }, sbatchArgs: ['--exclusive', '--qos=high'] } });
  });

  it('names the parameter, the value and what is allowed', () => {
    expect(problems(() => chooseExecutor({ ...none, executor: 'slrum' }, undefined, stages))).toMatch(/--executor "slrum": choose one of local, slurm \(did you mean "slurm"\?\)/);
    expect(problems(() => chooseExecutor({ ...none, executor: 'slurm', times: ['2h'] }, undefined, stages))).toMatch(/--slurm-time "2h": expects minutes, MM:SS, HH:MM:SS or D-HH\[:MM\[:SS\]\]/);
    expect(problems(() => chooseExecutor({ ...none, executor: 'slurm', times: ['trian=5'] }, undefined, stages))).toMatch(/no stage kind "trian" \(did you mean "train"\?\)/);
    expect(problems(() => chooseExecutor({ ...none, partition: 'gpu' }, undefined, stages))).toMatch(/--slurm-partition: only apply with --executor slurm/);
    expect(problems(() => chooseExecutor(none, { kind: 'slurm', qos: 'x' }, stages))).toMatch(/--config executor\.qos: unknown key; allowed: kind, partition, account, time, sbatch_args/);
  });

  it('maps declared resources and the time limit onto sbatch options', () => {
    const ex = new SlurmExecutor({
      settings: { partition: 'p', account: 'a', stageTime: { train: '600' }, sbatchArgs: ['--qos=q'] },
      logDir: join(toy.root, 'logs'), runId: 'r1', notice: () => {},
    });
    const args = ex.sbatchArgs({ stage: 'train' } as never, { cwd: '/proj', resources: { cpu: 2, gpu: 1, memoryMiB: 1500.2, timeMinutes: 5 } } as never, '/s/logs/r1/e.n', 'pipeline.r1.e.n');
    expect(args).toEqual([
      '--parsable', '--job-name=pipeline.r1.e.n', '--chdir=/proj', '--output=/s/logs/r1/e.n.out', '--error=/s/logs/r1/e.n.err',
      '--cpus-per-task=2', '--mem=1501M', '--gres=gpu:1', '--partition=p', '--account=a', '--time=600', '--qos=q', '/s/logs/r1/e.n.sh',
    ]);
    // Without a configured limit, the stage's own timeMinutes resource applies.
    expect(ex.timeFor('data', 5)).toBe('5');
  });

  it('sbatch missing from PATH is named before any work', () => {
    process.env.PATH = '/nonexistent';
    try {
      expect(problems(() => chooseExecutor({ ...none, executor: 'slurm' }, undefined, stages))).toMatch(/--executor slurm: sbatch is not on PATH/);
    } finally {
      process.env.PATH = `${bin}:${PATH}`;
    }
  });

  it('a bad executor flag on the command line exits 2 before anything is written', async () => {
    const cfg = join(toy.root, 'exec.yaml');
    writeFileSync(cfg, 'executor:\n  kind: slurm\n  time: forever\n');
    const r = await toy.run(['--config', cfg]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--config executor.time "forever": expects minutes/);
    expect(existsSync(toy.store)).toBe(false);
  });
});
