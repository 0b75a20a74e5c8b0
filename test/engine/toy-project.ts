// Test helper: a throw-away copy of the engine and the toy pipeline in a temp directory (so tests can edit
// source files and package-lock.json), and a way to run the toy pipeline there as a real child process.
import { cpSync, mkdtempSync, symlinkSync, rmSync, readFileSync, existsSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';

const REPO = resolve(import.meta.dirname, '../..');

export interface ToyRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface ToyProject {
  root: string;
  store: string;
  out: string;
  counter: string;
  pids: string;
  /** Run `node --import tsx test/fixtures/toy-pipeline.ts ...args` in the copy. */
  run(args: string[], env?: Record<string, string>): Promise<ToyRun>;
  start(args: string[], env?: Record<string, string>, nodeArgs?: string[]): { child: ChildProcess; done: Promise<ToyRun> };
  /** Lines appended by toy stages, one per computation: "stage experiment pid". */
  computations(): string[];
  cleanup(): void;
}

export function makeToyProject(): ToyProject {
  const root = mkdtempSync(join(tmpdir(), 'engine-test-'));
  for (const dir of ['core', 'engine', 'cache', 'artifacts', 'cli', 'test/fixtures']) cpSync(join(REPO, dir), join(root, dir), { recursive: true });
  cpSync(join(REPO, 'package-lock.json'), join(root, 'package-lock.json'));
  cpSync(join(REPO, 'package.json'), join(root, 'package.json'));
  symlinkSync(join(REPO, 'node_modules'), join(root, 'node_modules'));
  const store = join(root, '.pipeline');
  const out = join(root, 'out');
  const counter = join(root, 'counter.txt');
  const pids = join(root, 'pids.txt');
  writeFileSync(counter, '');
  const start = (args: string[], env: Record<string, string> = {}, nodeArgs: string[] = []) => {
    const baseEnv = { ...process.env };
    delete baseEnv.PIPELINE_STORE;
    const child = spawn(process.execPath, ['--import', 'tsx', ...nodeArgs, 'test/fixtures/toy-pipeline.ts', ...args], {
      cwd: root,
      env: { ...baseEnv, TOY_COUNTER: counter, TOY_PIDS: pids, CI: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    const done = new Promise<ToyRun>((res) => child.on('close', (code, signal) => res({ code, signal, stdout, stderr })));
    return { child, done };
  };
  return {
    root, store, out, counter, pids,
    start,
    run: (args, env) => start(args, env).done,
    computations: () => readFileSync(counter, 'utf8').split('\n').filter(Boolean),
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}

export function listDirSafe(path: string): string[] {
  return existsSync(path) ? readdirSync(path) : [];
}

/** Wait until a predicate holds (polling), or fail after a while. */
export async function waitFor(what: string, predicate: () => boolean, timeoutMs = 60_000): Promise<void> {
  const t0 = Date.now();
  while (!predicate()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
