// Stage `spectra-gaussian`: the Gaussian model N(μ, C) of an image dataset through the paper's linear
// theory (science.md §4, §7; images/gaussian-model.ts). The eigenvalues λᵢ of the data covariance C give
// s·J's spectrum −s/(s + λᵢ) exactly, at every x; written as the common `spectra` table (score
// 'gaussian') on the same time grid as `spectra-images`, so the `gaps` stage and the figures read it as
// they read the trained and empirical spectra. Also the λᵢ, which the image summary reads.

import { param } from '../core/params.ts';
import { defineStage, table, tableInput } from '../core/stage.ts';
import { COVARIANCE, IMAGES, SPECTRA } from '../artifacts/schemas.ts';
import { SDE_PARAMS, sdeParamsOf, sdeProblem } from '../science/sde-params.ts';
import { IMAGE_GRID_PARAMS, imageGridProblem } from '../images/grid-params.ts';

export default defineStage({
  name: 'spectra-gaussian',
  description: 'Spectra of s·J for the Gaussian model of an image dataset: −s/(s + λᵢ) over the data covariance eigenvalues',
  module: import.meta.url,
  params: {
    n_train: param.integer({ default: 0, min: 0, help: 'The covariance is that of the first n_train rows of the images table (0 = all): the same set as the empirical score' }),
    ...IMAGE_GRID_PARAMS,
    ...SDE_PARAMS,
  },
  check(p) {
    return imageGridProblem(p) ?? sdeProblem(p);
  },
  inputs: {
    images: tableInput(IMAGES, 'Images whose covariance defines the Gaussian model'),
  },
  outputs: {
    spectra: table(SPECTRA, 'Per t: eigenvalues −s/(s + λᵢ) of s·J ascending and singular values s/(s + λᵢ) descending, by rank (point 0)'),
    covariance: table(COVARIANCE, 'Eigenvalues λᵢ of the data covariance (1/n normalisation), ascending, and the n it was estimated from'),
  },
  resources: { cpu: 1, memoryMiB: 2000 },
  async run(ctx) {
    const p = ctx.params;
    const { dataCovarianceEigenvalues, gaussianModelSpectra } = await import('../images/gaussian-model.ts');
    const { VeSde } = await import('../science/sde.ts');
    const images = await ctx.read.table('images');
    const { values, width: d } = images.columns.x;
    const n = p.n_train === 0 ? images.numRows : Math.min(p.n_train, images.numRows);
    ctx.progress(0, `covariance of ${n} of ${images.numRows} images`);
    const lambda = dataCovarianceEigenvalues(values.subarray(0, n * d), n, d);
    ctx.log.info(`trace(C) = ${lambda.reduce((a, b) => a + b, 0).toPrecision(4)}, largest λ = ${lambda[d - 1].toPrecision(4)}, ${lambda.filter((l) => l > 0).length} of ${d} non-zero`);
    const grid = new VeSde(sdeParamsOf(p)).analysisGrid(p.times, p.t_min, p.t_max);
    await ctx.write.table('spectra', gaussianModelSpectra(lambda, grid));
    await ctx.write.table('covariance', {
      rank: Int32Array.from(lambda, (_, i) => i),
      eigenvalue: lambda,
      n_samples: new Int32Array(d).fill(n),
    });
    ctx.progress(1);
  },
});
