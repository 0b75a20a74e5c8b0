// Training checkpoints in the stage's scratch directory: written to a temporary name, fsynced, then
// renamed over the previous one, so a kill -9 at any instant leaves either the old or the new checkpoint,
// never a torn one. Reading validates everything (magic, checksum, shapes, the run's configuration) and
// treats anything unusable as "no checkpoint".

import fs from 'node:fs';
import path from 'node:path';
import { CHECKPOINT_MAGIC, decodeBlobs, encodeBlobs, type NamedTensor } from './mlp-weights.ts';
import type { ParameterLayout } from './score-network.ts';
import type { OptimizerState } from './train-adam.ts';

export const CHECKPOINT_FILE = 'train-checkpoint.bin';


export interface LossRow {
  step: number;
  loss: number;
  smoothed: number;
}

export interface Checkpoint {
  /** Everything that must match for the checkpoint to belong to this run (network, data, SDE, seed, ...). */
  config: Record<string, unknown>;
  state: OptimizerState;
  /** Loss-curve rows so far and the running sums of the current window and the smoother. */
  lossRows: LossRow[];
  window: { sum: number; count: number };
  smoother: { value: number; weight: number };
}

const GROUPS = ['params', 'm', 'v', 'ema'] as const;

export function encodeCheckpoint(c: Checkpoint, shapes: ParameterLayout): Uint8Array {
  const tensors: NamedTensor[] = [];
  for (const g of GROUPS) {
    c.state[g].forEach((data, i) => tensors.push({ name: `${g}/${shapes[i].name}`, shape: shapes[i].shape, data }));
  }
  return encodeBlobs(
    CHECKPOINT_MAGIC,
    { config: c.config, step: c.state.step, lossRows: c.lossRows, window: c.window, smoother: c.smoother },
    tensors,
  );
}

export function decodeCheckpoint(bytes: Uint8Array, shapes: ParameterLayout): Checkpoint {
  const { meta, tensors } = decodeBlobs(bytes, CHECKPOINT_MAGIC, 'training checkpoint');
  const n = shapes.length;
  if (tensors.length !== GROUPS.length * n) throw new Error(`training checkpoint: ${tensors.length} tensors, expected ${GROUPS.length * n}`);
  const group = (gi: number): Float32Array[] =>
    shapes.map((s, i) => {
      const t = tensors[gi * n + i];
      if (t.name !== `${GROUPS[gi]}/${s.name}` || t.shape.join('x') !== s.shape.join('x')) {
        throw new Error(`training checkpoint: tensor ${t.name} does not match ${GROUPS[gi]}/${s.name}`);
      }
      return Float32Array.from(t.data);
    });
  return {
    config: meta.config as Record<string, unknown>,
    state: { step: Number(meta.step), params: group(0), m: group(1), v: group(2), ema: group(3) },
    lossRows: meta.lossRows as LossRow[],
    window: meta.window as Checkpoint['window'],
    smoother: meta.smoother as Checkpoint['smoother'],
  };
}

export function writeCheckpointAtomically(dir: string, bytes: Uint8Array): void {
  fs.mkdirSync(dir, { recursive: true });
  const final = path.join(dir, CHECKPOINT_FILE);
  const temp = path.join(dir, `${CHECKPOINT_FILE}.${process.pid}.tmp`);
  const fd = fs.openSync(temp, 'w');
  try {
    fs.writeSync(fd, bytes);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(temp, final);
}

/**
 * The checkpoint in `dir` if there is one that decodes and whose config equals `config`; otherwise
 * undefined, with the reason passed to `warn` (a stale or corrupt file is not an error: training restarts).
 */
export function readCheckpoint(
  dir: string,
  shapes: ParameterLayout,
  config: Record<string, unknown>,
  warn: (line: string) => void,
): Checkpoint | undefined {
  const file = path.join(dir, CHECKPOINT_FILE);
  if (!fs.existsSync(file)) return undefined;
  try {
    const c = decodeCheckpoint(new Uint8Array(fs.readFileSync(file)), shapes);
    if (JSON.stringify(c.config) !== JSON.stringify(config)) {
      warn(`ignoring checkpoint ${file}: it belongs to a different training configuration`);
      return undefined;
    }
    return c;
  } catch (e) {
    warn(`ignoring unreadable checkpoint ${file}: ${(e as Error).message}`);
    return undefined;
  }
}
