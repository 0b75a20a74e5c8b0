// Slurm benchmark: `npx tsx bench/slurm.ts [--profile smoke] [--jobs N]` (a cluster must answer: scripts/slurm-cluster.sh start).
// (a) the DAG's wall time from an empty store on Slurm against a local run measured in the same invocation, both
//     with the same --jobs (default 2: the cores of the development machine);
// (b) per job: submit → start (the batch job's first line, after node and tsx have loaded) → done (its done marker seen by the pipeline), from
//     the run's `logs/<run>/jobs.jsonl`, as median and max.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
const flag = (name: string, dflt: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const profile = flag('--profile', 'smoke');
const jobs = flag('--jobs', '2');

const sinfo = spawnSync('sinfo', ['-h', '-N', '-o', '%N %c cpus %G %t'], { encoding: 'utf8' });
if (sinfo.status !== 0) {
  console.error(`no Slurm cluster answers (${sinfo.error?.message ?? sinfo.stderr.trim()}); scripts/slurm-cluster.sh start makes one`);
  process.exit(1);
}

const tmp = mkdtempSync(join(tmpdir(), 'bench-slurm-'));
function run(name: string, extra: string[]): { wallMs: number; store: string } {
  const store = join(tmp, name, 'store');
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'pipeline.ts', '--profile', profile, '--jobs', jobs, '--store', store, '--out', join(tmp, name, 'out'), ...extra], {
    cwd: ROOT, env: { ...process.env, CI: '1' }, encoding: 'utf8', maxBuffer: 64 << 20,
  });
  const wallMs = performance.now() - t0;
  if (r.status !== 0) {
    console.error(`${name} run failed (exit ${r.status}):\n${r.stderr.slice(-3000)}`);
    process.exit(1);
  }
  return { wallMs, store };
}

const local = run('local', []);
const slurm = run('slurm', ['--executor', 'slurm']);

interface JobRecord { node: string; jobId: string; submittedAt: number; startedAt?: number; doneAt?: number; state?: string }
const logs = join(slurm.store, 'logs');
const records = readdirSync(logs).flatMap((d) => readFileSync(join(logs, d, 'jobs.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as JobRecord)).filter((j) => j.state === 'DONE' && j.startedAt && j.doneAt);
const stat = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return `median ${(s[Math.floor(s.length / 2)] / 1000).toFixed(2)} s, max ${(s[s.length - 1] / 1000).toFixed(2)} s`;
};
const rows: Array<[string, string]> = [
  [`cluster`, sinfo.stdout.trim()],
  [`(a) ${profile} DAG from an empty store, local (--jobs ${jobs}), wall`, `${(local.wallMs / 1000).toFixed(1)} s`],
  [`    same on Slurm (--executor slurm --jobs ${jobs}), wall`, `${(slurm.wallMs / 1000).toFixed(1)} s (${(slurm.wallMs / local.wallMs).toFixed(2)}× local)`],
  [`(b) ${records.length} jobs: submit → start`, stat(records.map((j) => j.startedAt! - j.submittedAt))],
  ['    start → done (the stage, in the job\'s process)', stat(records.map((j) => j.doneAt! - j.startedAt!))],
  ['    submit → done', stat(records.map((j) => j.doneAt! - j.submittedAt))],
];
const w = Math.max(...rows.map((r) => r[0].length));
for (const [k, v] of rows) console.log(`${k.padEnd(w)}  ${v}`);
rmSync(tmp, { recursive: true, force: true });
