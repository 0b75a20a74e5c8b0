// Outside references for the benchmarks, measured in the same run when present: numpy and PyTorch (CPU), run
// by whichever Python can import them (the PATH's python3 first, then Debian's /usr/bin/python3, where
// `apt-get install python3-torch` puts PyTorch). Optional: the product never needs Python. One thread each,
// like our single-threaded WebAssembly, so the comparison is per core.

import { spawnSync } from 'node:child_process';

export type Peer = 'numpy' | 'torch';
export const PEERS: Peer[] = ['numpy', 'torch'];

const INTERPRETERS = ['python3', '/usr/bin/python3'];
const ONE_THREAD = { OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };

const found = new Map<Peer, string | null>();

/** The first interpreter that imports `peer` (and numpy, which every peer script uses for its inputs), or null. */
export function interpreterFor(peer: Peer): string | null {
  if (!found.has(peer)) {
    const ok = INTERPRETERS.find((py) => spawnSync(py, ['-c', `import numpy, ${peer}`], { stdio: 'ignore', timeout: 60_000 }).status === 0);
    found.set(peer, ok ?? null);
  }
  return found.get(peer)!;
}

/** The peer's version string, or null when no interpreter imports it. */
export function peerVersion(peer: Peer): string | null {
  const out = runPeer(peer, `import ${peer}; print(${peer}.__version__)`);
  return out === undefined ? null : out.trim();
}

/**
 * Run `script` with the interpreter that has `peer`, single-threaded (for torch also torch.set_num_threads(1),
 * prepended); its stdout, or undefined when the peer is missing or the script fails.
 */
export function runPeer(peer: Peer, script: string, timeoutMs = 300_000): string | undefined {
  const py = interpreterFor(peer);
  if (py === null) return undefined;
  const prelude = peer === 'torch' ? 'import torch\ntorch.set_num_threads(1)\n' : '';
  const r = spawnSync(py, ['-c', prelude + script], { encoding: 'utf8', timeout: timeoutMs, env: { ...process.env, ...ONE_THREAD } });
  return r.status === 0 ? r.stdout : undefined;
}

/** "ours / peer" as a ratio, or — when either is missing. */
export const ratio = (ours: number, peer: number | undefined): string =>
  peer === undefined || !Number.isFinite(peer) || !Number.isFinite(ours) ? '—' : (ours / peer).toFixed(2);
