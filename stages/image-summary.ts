// Stage `image-summary`: one image dataset's three scores side by side (images/dimension-summary.ts):
// per source and t, the gap-detection dimension and the dimension drop; then the summary the report
// shows — both at the smallest t, the empirical score's measured collapse bracket, the George–Veiga–Macris
// collapse time at the measured n and each intrinsic-dimension estimate, and MLE / TwoNN.

import { defineStage, table, tableInput } from '../core/stage.ts';
import { COVARIANCE, IMAGE_DIMENSIONS, IMAGE_SUMMARY, INTRINSIC_DIMENSION, PHASES, SPECTRA } from '../artifacts/schemas.ts';
import { SDE_PARAMS, sdeParamsOf, sdeProblem } from '../science/sde-params.ts';
import { RESOLUTION_PARAMS } from '../theory/resolution-param.ts';

const SOURCES = ['trained', 'empirical', 'gaussian'] as const;

export default defineStage({
  name: 'image-summary',
  description: 'Dimension along t for the trained, empirical and Gaussian image scores; collapse time; MLE and TwoNN',
  module: import.meta.url,
  params: {
    ...RESOLUTION_PARAMS,
    // The clock on which the theory's collapse variance is reported as a time.
    ...SDE_PARAMS,
  },
  check: sdeProblem,
  inputs: {
    spectra_trained: tableInput(SPECTRA, 'Spectra of the trained network (spectra-images)', true),
    spectra_empirical: tableInput(SPECTRA, 'Spectra of the exact empirical score (spectra-images, score = empirical)', true),
    spectra_gaussian: tableInput(SPECTRA, 'Spectra of the Gaussian model (spectra-gaussian)', true),
    phases_trained: tableInput(PHASES, 'Phases of the trained spectra (gaps)', true),
    phases_empirical: tableInput(PHASES, 'Phases of the empirical spectra (gaps)', true),
    phases_gaussian: tableInput(PHASES, 'Phases of the Gaussian spectra (gaps)', true),
    intrinsic_dimension: tableInput(INTRINSIC_DIMENSION, 'MLE and TwoNN estimates (intrinsic-dimension)'),
    covariance: tableInput(COVARIANCE, 'Data covariance eigenvalues and n (spectra-gaussian)'),
  },
  outputs: {
    dimensions: table(IMAGE_DIMENSIONS, 'Per source and t: phase, dimension from gap detection, eigenvalues more than Δ above −1 (mean over points)'),
    image_summary: table(IMAGE_SUMMARY, 'Dimensions at the smallest t by source, collapse times (measured, theory), intrinsic dimensions'),
  },
  resources: { cpu: 1, memoryMiB: 800 },
  async run(ctx) {
    const p = ctx.params;
    const { dimensionsBySource, imageSummary } = await import('../images/dimension-summary.ts');
    const { VeSde } = await import('../science/sde.ts');
    const sources = [];
    for (const source of SOURCES) {
      const [sp, ph] = [`spectra_${source}`, `phases_${source}`] as const;
      if (ctx.read.has(sp) !== ctx.read.has(ph)) throw new Error(`${sp} and ${ph} must be bound together`);
      if (!ctx.read.has(sp)) {
        ctx.log.info(`${source}: not bound`);
        continue;
      }
      sources.push({ source, spectra: await ctx.read.table(sp), phases: await ctx.read.table(ph) });
    }
    const dimensions = dimensionsBySource(sources, p.delta);
    const cov = await ctx.read.table('covariance');
    const summary = imageSummary({
      dimensions,
      intrinsic: await ctx.read.table('intrinsic_dimension'),
      covariance: { eigenvalues: Float64Array.from(cov.columns.eigenvalue), n: cov.columns.n_samples[0] ?? 0 },
      sde: new VeSde(sdeParamsOf(p)),
    });
    for (let i = 0; i < summary.quantity.length; i++) ctx.log.info(`${summary.quantity[i]} [${summary.source[i]}]: ${summary.value[i].toPrecision(4)}`);
    await ctx.write.table('dimensions', dimensions);
    await ctx.write.table('image_summary', summary);
  },
});
