// Stage `memorisation`: geometric memorisation (beyond the paper; the authors' companion study): for each
// training-set size bound, the tangent count at the smallest s of the trained network and of the exact
// empirical score of the same samples (the `gaps` stage's gap detection), with the George–Veiga–Macris
// collapse at that n; the table (theory/memorisation-table.ts) and its figure (plots/memorisation.ts).
// Inputs come in numbered slots, one per n: the training set, its variance profile (m) and both spectra.
import { param } from '../core/params.ts';
import { defineStage, table, tableInput, type TableInput } from '../core/stage.ts';
import { PROFILE, SAMPLES, SPECTRA } from '../artifacts/schemas.ts';
import { MEMORISATION } from '../theory/memorisation-table.ts';
import { figureOutputs, styleOf, styleParams, writeFigure } from '../plots/figure-stage.ts';
import { SDE_PARAMS, sdeParamsOf, sdeProblem } from '../science/sde-params.ts';
import { RESOLUTION_PARAMS } from '../theory/resolution-param.ts';
import gaps from './gaps.ts';

/** How many training-set sizes one node can compare. */
export const MEMORISATION_SLOTS = 10;

const SLOT_INPUTS = ['samples', 'profile', 'trained', 'empirical'] as const;
type SlotInput = `${(typeof SLOT_INPUTS)[number]}_${number}`;
type SlotInputs = Record<`samples_${number}`, TableInput<typeof SAMPLES>> &
  Record<`profile_${number}`, TableInput<typeof PROFILE>> &
  Record<`trained_${number}` | `empirical_${number}`, TableInput<typeof SPECTRA>>;

const slotInputs = Object.fromEntries(
  Array.from({ length: MEMORISATION_SLOTS }, (_, i) => [
    [`samples_${i}`, tableInput(SAMPLES, `Training set of size n number ${i} (data.samples)`, true)],
    [`profile_${i}`, tableInput(PROFILE, `Its variance profile: m and d (data.profile)`, true)],
    [`trained_${i}`, tableInput(SPECTRA, `Spectra of the network trained on it (spectra, score = trained)`, true)],
    [`empirical_${i}`, tableInput(SPECTRA, `Spectra of its exact empirical score (spectra, score = empirical)`, true)],
  ]).flat(),
) as SlotInputs;

export default defineStage({
  name: 'memorisation',
  description: 'Geometric memorisation: tangent count at the smallest s against n, trained network and empirical score, with the collapse time',
  module: import.meta.url,
  params: {
    ...RESOLUTION_PARAMS,
    // The gaps stage's own declaration: the counts here are that stage's dimension estimate.
    min_fraction: gaps.params.min_fraction,
    // The clock on which the theory's collapse variance is reported as a time.
    ...SDE_PARAMS,
    ...styleParams({ width: 300, height: 220 }),
  },
  check: sdeProblem,
  inputs: slotInputs,
  outputs: {
    memorisation: table(MEMORISATION, 'Per n: trained and empirical tangent counts at the smallest s, rank bound, collapse bracket and theory t_C'),
    ...figureOutputs('memorisation', 'Tangent count vs training-set size'),
  },
  resources: { cpu: 1, memoryMiB: 600 },
  async run(ctx) {
    const p = ctx.params;
    const { memorisationTable, trainingSetTrace } = await import('../theory/memorisation-table.ts');
    const { memorisationSpec } = await import('../plots/memorisation.ts');
    const { VeSde } = await import('../science/sde.ts');
    const slots = [];
    const seen = new Set<string>();
    for (let i = 0; i < MEMORISATION_SLOTS; i++) {
      const names = SLOT_INPUTS.map((k) => `${k}_${i}` as SlotInput);
      const bound = names.filter((k) => ctx.read.has(k));
      if (bound.length === 0) continue;
      if (bound.length < names.length) throw new Error(`slot ${i}: ${names.join(', ')} must be bound together (bound: ${bound.join(', ')})`);
      // A profile may give several slots the same n (the smoke profile sets every data node's n_train): one measurement.
      const key = names.map((k) => ctx.read.origin(k).key).join();
      if (seen.has(key)) {
        ctx.log.info(`slot ${i}: the same inputs as an earlier slot (${ctx.read.origin(`samples_${i}`).node}): one row`);
        continue;
      }
      seen.add(key);
      const samples = await ctx.read.table(`samples_${i}`);
      const profile = await ctx.read.table(`profile_${i}`);
      const { values, width: d } = samples.columns.x;
      const m = profile.columns.m[0];
      if (profile.columns.d[0] !== d) throw new Error(`slot ${i}: the profile has d = ${profile.columns.d[0]} but the samples have width ${d}`);
      slots.push({
        n: samples.numRows,
        d,
        m,
        trace: trainingSetTrace(values, samples.numRows, d),
        trained: await ctx.read.table(`trained_${i}`),
        empirical: await ctx.read.table(`empirical_${i}`),
      });
      ctx.progress((0.5 * (i + 1)) / MEMORISATION_SLOTS, `slot ${i}: n = ${samples.numRows}`);
    }
    if (slots.length === 0) throw new Error(`no slot is bound: bind samples_<i>, profile_<i>, trained_<i> and empirical_<i> for each n`);
    slots.sort((a, b) => a.n - b.n);
    const rows = memorisationTable(slots, { delta: p.delta, minFraction: p.min_fraction, sde: new VeSde(sdeParamsOf(p)) });
    for (let k = 0; k < rows.n.length; k++) {
      ctx.log.info(`n=${rows.n[k]}: trained ${rows.trained_dim[k]}, empirical ${rows.empirical_dim[k]} at s=${rows.s[k].toPrecision(3)}; t_C=${rows.t_c_theory[k].toFixed(3)}`);
    }
    await ctx.write.table('memorisation', rows);
    await writeFigure(ctx, memorisationSpec({ numRows: rows.n.length, columns: rows }, { style: styleOf(p) }), p.scale);
  },
});
