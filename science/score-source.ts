// Build the ScoreModel a stage asks for from its bound inputs: the trained network (weights file), the
// analytic Gaussian score (F, variances) or the empirical score (samples). Shared by `sample` and
// `spectra`, so both read the data tables the same way.

import { analyticScore, empiricalScore } from './exact-scores.ts';
import type { ScoreKind, ScoreModel } from './score-model.ts';
import type { VeSde } from './sde.ts';

/** Just the reading part of a StageContext that this needs (kept structural so tests can fake it). */
interface ScoreInputs {
  read: {
    table(name: 'samples' | 'F' | 'variances'): Promise<{ numRows: number; columns: Record<string, unknown> }>;
    file(name: 'weights'): Promise<Uint8Array>;
    has(name: 'weights'): boolean;
  };
  log: { warn(message: string): void };
}

interface ListColumnLike {
  values: Float64Array | Float32Array;
  width: number;
}

/** The loadings F (d × m) and latent variances of the data stage's tables. */
export async function readLinearModel(ctx: ScoreInputs): Promise<{ F: Float64Array; variances: Float64Array; d: number; m: number }> {
  const fTable = await ctx.read.table('F');
  const vTable = await ctx.read.table('variances');
  const fCol = fTable.columns.f as ListColumnLike;
  const rowIdx = fTable.columns.row as Int32Array;
  const d = fTable.numRows;
  const m = fCol.width;
  // Rows may come back in any order: place each by its `row` index.
  const F = new Float64Array(d * m);
  for (let r = 0; r < d; r++) F.set(fCol.values.subarray(r * m, r * m + m), rowIdx[r] * m);
  const colIdx = vTable.columns.column as Int32Array;
  const vals = vTable.columns.variance as Float64Array;
  if (vTable.numRows !== m) throw new Error(`variances table has ${vTable.numRows} rows but F has m = ${m} columns`);
  const variances = new Float64Array(m);
  for (let r = 0; r < m; r++) variances[colIdx[r]] = vals[r];
  return { F, variances, d, m };
}

/** The training samples (n × d, float64). */
export async function readSamples(ctx: ScoreInputs): Promise<{ samples: Float64Array; n: number; d: number }> {
  const t = await ctx.read.table('samples');
  const col = t.columns.x as ListColumnLike;
  return { samples: Float64Array.from(col.values), n: t.numRows, d: col.width };
}

export async function loadScoreModel(kind: ScoreKind, sde: VeSde, ctx: ScoreInputs): Promise<ScoreModel> {
  if (kind === 'analytic') {
    const { F, variances, d, m } = await readLinearModel(ctx);
    return analyticScore(F, variances, d, m, sde);
  }
  if (kind === 'empirical') {
    const { samples, n, d } = await readSamples(ctx);
    return empiricalScore(samples, n, d, sde);
  }
  if (kind === 'trained') {
    if (!ctx.read.has('weights')) throw new Error("score = 'trained' needs the weights input (a train stage's output), which is not bound");
    const { loadTrainedScore } = await import('./mlp-score.ts');
    const model = loadTrainedScore(await ctx.read.file('weights'));
    // The network evaluates σ(t) with the SDE it was trained with; flag a sampler or grid using another.
    const own = (model as { sde?: VeSde }).sde?.p;
    if (own && (own.sigmaMin !== sde.p.sigmaMin || own.sigmaMax !== sde.p.sigmaMax)) {
      ctx.log.warn(
        `the network was trained with sigma_min=${own.sigmaMin}, sigma_max=${own.sigmaMax}; this stage uses sigma_min=${sde.p.sigmaMin}, sigma_max=${sde.p.sigmaMax}`,
      );
    }
    return model;
  }
  throw new Error(`score must be 'trained', 'analytic' or 'empirical', got ${String(kind)}`);
}
