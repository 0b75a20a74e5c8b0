// The cache key of a node: everything that can change its output and nothing else, as a data object with
// sorted fields, stored with the artifact and in run records so that "why did this re-run?" is a diff.
import { canonicalJson, sha256Hex, type ArtifactKey, type FileSha256HexDigest } from '../core/digest.ts';
import type { CodeFingerprint } from './import-graph.ts';

export interface InputFingerprint {
  /** Content hash of the bound output's bytes: identical bytes from a re-run invalidate nothing (early cutoff). */
  digest: FileSha256HexDigest;
  /** Which output of which stage kind fed it: a rebinding to another output with the same bytes is still the same data. */
  output: string;
}

export interface Fingerprint {
  /** Code of the stage module and its local imports, and the locked versions of the packages they import. */
  code: CodeFingerprint;
  /** Compute backend and precision change the numbers a stage produces. */
  environment: Record<string, string>;
  /**
   * Files the stage reads from outside the store (a dataset), by absolute path: their content digests. Absent
   * for stages that read none, so their keys do not depend on this field's existence.
   */
  external?: Record<string, string>;
  /** Bumped when the engine changes how artifacts are written (table encoding), which changes the bytes. */
  format: number;
  /** Content hashes of the inputs, by input name. */
  inputs: Record<string, InputFingerprint>;
  /** Every declared parameter, resolved (defaults included), canonical JSON. */
  params: Record<string, unknown>;
  /** The stage kind: two kinds with equal parameters still compute different things. */
  stage: string;
}

export const ARTIFACT_FORMAT = 1;

export function fingerprintKey(fp: Fingerprint): ArtifactKey {
  return sha256Hex(canonicalJson(fp)) as ArtifactKey;
}

const show = (v: unknown) => (v === undefined ? 'nothing' : JSON.stringify(v));

/** Human reasons why `next` differs from `prev`, one per changed field. */
export function diffFingerprints(prev: Fingerprint, next: Fingerprint): string[] {
  const reasons: string[] = [];
  if (prev.stage !== next.stage) reasons.push(`stage kind changed from ${prev.stage} to ${next.stage}`);
  if (prev.format !== next.format) reasons.push(`artifact format changed from ${prev.format} to ${next.format}`);
  for (const k of union(prev.params, next.params)) {
    if (canonicalJson(prev.params[k] ?? null) !== canonicalJson(next.params[k] ?? null)) {
      reasons.push(`parameter ${k} changed from ${show(prev.params[k])} to ${show(next.params[k])}`);
    }
  }
  for (const f of union(prev.code.files, next.code.files)) {
    const a = prev.code.files[f];
    const b = next.code.files[f];
    if (a === b) continue;
    reasons.push(a === undefined ? `source file ${f} added to the import graph` : b === undefined ? `source file ${f} no longer imported` : `source file ${f} changed`);
  }
  for (const p of union(prev.code.packages, next.code.packages)) {
    const a = prev.code.packages[p];
    const b = next.code.packages[p];
    if (a !== b) reasons.push(`package ${p} changed from ${a ?? 'not imported'} to ${b ?? 'not imported'}`);
  }
  for (const i of union(prev.inputs, next.inputs)) {
    const a = prev.inputs[i];
    const b = next.inputs[i];
    if (!a || !b) reasons.push(`input ${i} ${a ? 'unbound' : 'bound'}`);
    else if (a.digest !== b.digest) reasons.push(`input ${i} changed (content ${a.digest.slice(0, 12)} → ${b.digest.slice(0, 12)})`);
    else if (a.output !== b.output) reasons.push(`input ${i} now bound to output ${b.output}`);
  }
  const ext = (f: Fingerprint) => f.external ?? {};
  for (const f of union(ext(prev), ext(next))) {
    const a = ext(prev)[f];
    const b = ext(next)[f];
    if (a === b) continue;
    reasons.push(a === undefined ? `reads external file ${f} (new)` : b === undefined ? `no longer reads external file ${f}` : `external file ${f} changed (content ${a.slice(0, 12)} → ${b.slice(0, 12)})`);
  }
  for (const e of union(prev.environment, next.environment)) {
    if (prev.environment[e] !== next.environment[e]) {
      reasons.push(`environment ${e} changed from ${show(prev.environment[e])} to ${show(next.environment[e])}`);
    }
  }
  return reasons;
}

function union(a: object, b: object): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
}
