// The JSON job the parent hands a stage's child process, and the messages they exchange over IPC.
import type { TableSchema } from '../core/table.ts';
import type { InputOrigin, Lineage } from '../core/stage.ts';

export interface ChildJob {
  /** import.meta.url of the stage module. */
  module: string;
  stage: string;
  experiment: string;
  node: string;
  params: Record<string, unknown>;
  environment: Record<string, string>;
  inputs: Record<string, { path: string; kind: 'table' | 'file'; schema?: TableSchema; origin: InputOrigin }>;
  outputs: Record<string, { kind: 'table' | 'file'; file: string; schema?: TableSchema }>;
  staging: string;
  scratchDir: string;
  lineage: Lineage;
}

export type ParentMessage = { type: 'job'; job: ChildJob } | { type: 'abort' };
export type ChildMessage =
  | { type: 'progress'; fraction: number; message?: string }
  | { type: 'log'; level: 'info' | 'warn'; message: string }
  | { type: 'written'; output: string; rows?: number }
  | { type: 'done' }
  | { type: 'error'; message: string; stack?: string };

export function outputFileName(name: string, spec: { kind: 'table' } | { kind: 'file'; ext: string }): string {
  return spec.kind === 'table' ? `${name}.parquet` : `${name}.${spec.ext}`;
}

/** What a Slurm batch job reads (`<store>/logs/<run>/<node>.job.json`): the child job and where to report. */
export interface BatchJobFile {
  job: ChildJob;
  /** GPUs requested: with none, the stage must not see the node's GPUs. */
  gpus: number;
  /** The key's lock and the parent's token in it: the job stops once the lock is lost or abandoned. */
  lock: { path: string; token: string };
  /** Appended JSON lines (BatchEvent) that the parent follows for progress and logs. */
  events: string;
  /** Written (then renamed into place) after the outputs: the truth about the outcome. */
  done: string;
  /** The job's stderr log (sbatch --error), for the tail a failure shows. */
  stderr: string;
}

export type BatchEvent =
  | { type: 'start'; at: number; host: string; jobId?: string; restart: number }
  | { type: 'progress'; fraction: number; message?: string }
  | { type: 'log'; level: 'info' | 'warn'; message: string };

export interface DoneMarker {
  ok: boolean;
  error?: string;
  stderrTail: string;
  rows: Record<string, number | undefined>;
  jobId?: string;
  host: string;
  at: number;
}
