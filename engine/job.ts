// The JSON job the parent hands a stage's child process, and the messages they exchange over IPC.
import type { InputOrigin, Lineage, TableSchema } from './stage.ts';

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
