// Command-line parsing: a subcommand (run by default) and options. Malformed input is a UsageError (exit 2).
import { UsageError } from '../core/errors.ts';
import { didYouMean } from '../engine/errors.ts';

const COMMANDS = ['run', 'status', 'verify', 'gc', 'explain', 'pin', 'unpin', 'theory'] as const;
type Command = (typeof COMMANDS)[number];

export interface CliArgs {
  command: Command;
  positionals: string[];
  help: boolean;
  configFiles: string[];
  sets: string[];
  sweeps: string[];
  profile?: string;
  only: string[];
  force: string[];
  jobs?: number;
  store?: string;
  out?: string;
  dryRun: boolean;
  json: boolean;
  keep: number;
  evict: boolean;
  executor?: string;
  slurmPartition?: string;
  slurmAccount?: string;
  slurmTimes: string[];
  sbatchArgs: string[];
  /** `run --verify`: re-hash every artifact the plan trusts, not only those the run reads. */
  verify: boolean;
}

/** How many positional arguments each command takes. */
const POSITIONALS: Record<Command, { count: number; what: string }> = {
  run: { count: 0, what: '' },
  status: { count: 0, what: '' },
  verify: { count: 0, what: '' },
  gc: { count: 0, what: '' },
  explain: { count: 1, what: 'one NODE' },
  pin: { count: 1, what: 'one RUN id' },
  unpin: { count: 1, what: 'one RUN id' },
  theory: { count: Infinity, what: '' },
};

const VALUE_FLAGS = [
  '--config', '--set', '--sweep', '--profile', '--only', '--force', '--jobs', '--store', '--out', '--keep',
  '--executor', '--slurm-partition', '--slurm-account', '--slurm-time', '--sbatch-arg',
];
const BOOL_FLAGS = ['--help', '-h', '--dry-run', '--json', '--evict', '--verify'];

function positiveInt(flag: string, v: string, min: number): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < min) throw new UsageError([`${flag} ${JSON.stringify(v)}: expects an integer ≥ ${min}`]);
  return n;
}

export function parseArgs(argv: string[]): CliArgs {
  const a: CliArgs = {
    command: 'run', positionals: [], help: false, configFiles: [], sets: [], sweeps: [], only: [], force: [],
    dryRun: false, json: false, keep: 5, evict: false, slurmTimes: [], sbatchArgs: [], verify: false,
  };
  let commandSeen = false;
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i];
    let inline: string | undefined;
    if (arg.startsWith('--') && arg.includes('=') && VALUE_FLAGS.includes(arg.slice(0, arg.indexOf('=')))) {
      inline = arg.slice(arg.indexOf('=') + 1);
      arg = arg.slice(0, arg.indexOf('='));
    }
    if (VALUE_FLAGS.includes(arg)) {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new UsageError([`${arg} needs a value`]);
      switch (arg) {
        case '--config': a.configFiles.push(v); break;
        case '--set': a.sets.push(v); break;
        case '--sweep': a.sweeps.push(v); break;
        case '--profile': a.profile = v; break;
        case '--only': a.only.push(v); break;
        case '--force': a.force.push(v); break;
        case '--jobs': a.jobs = positiveInt(arg, v, 1); break;
        case '--store': a.store = nonEmpty(arg, v, 'the store directory'); break;
        case '--out': a.out = nonEmpty(arg, v, 'the directory for exports'); break;
        case '--keep': a.keep = positiveInt(arg, v, 0); break;
        case '--executor': a.executor = v; break;
        case '--slurm-partition': a.slurmPartition = v; break;
        case '--slurm-account': a.slurmAccount = v; break;
        case '--slurm-time': a.slurmTimes.push(v); break;
        case '--sbatch-arg': a.sbatchArgs.push(v); break;
      }
    } else if (BOOL_FLAGS.includes(arg)) {
      if (arg === '--help' || arg === '-h') a.help = true;
      else if (arg === '--dry-run') a.dryRun = true;
      else if (arg === '--json') a.json = true;
      else if (arg === '--evict') a.evict = true;
      else if (arg === '--verify') a.verify = true;
    } else if (arg.startsWith('-')) {
      throw new UsageError([`unknown option ${arg}${didYouMean(arg, [...VALUE_FLAGS, ...BOOL_FLAGS])}`]);
    } else if (!commandSeen && a.positionals.length === 0) {
      if (!(COMMANDS as readonly string[]).includes(arg)) throw new UsageError([`unknown command "${arg}"${didYouMean(arg, COMMANDS)}`]);
      a.command = arg as Command;
      commandSeen = true;
      if (a.command === 'theory') {
        a.positionals = argv.slice(i + 1);
        break;
      }
    } else {
      a.positionals.push(arg);
    }
  }
  // Stray arguments are mistakes (`verify extra`, `run run`), not something to ignore.
  const takes = POSITIONALS[a.command];
  if (a.positionals.length > takes.count && takes.count !== Infinity) {
    const extra = a.positionals.slice(takes.count).map((p) => JSON.stringify(p)).join(', ');
    throw new UsageError([
      `${a.command} takes ${takes.count ? takes.what : 'no arguments'}, got the extra argument${a.positionals.length - takes.count > 1 ? 's' : ''} ${extra}` +
        `${(COMMANDS as readonly string[]).includes(a.positionals[takes.count]) ? ' (one command per invocation)' : ''}`,
    ]);
  }
  return a;
}

function nonEmpty(flag: string, v: string, what: string): string {
  if (v.trim() === '') throw new UsageError([`${flag} ${JSON.stringify(v)}: expects a path to ${what}, got an empty one`]);
  return v;
}
