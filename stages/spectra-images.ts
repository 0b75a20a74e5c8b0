// Stage `spectra-images`: exact spectra of s·J (d = 784 for MNIST) of an image score along time, at
// noised images x₀ + σ(t)ξ; the common `spectra` table (method 'exact', point_kind 'noised'), which the
// `gaps` stage reads. score = trained: the weights file says which network was trained; the residual
// MLP's s·J is computed in float64 on the WebAssembly kernels (images/image-score.ts), the U-Net's by forward mode on tfjs
// in float32 (images/unet-score.ts). score = empirical: the exact empirical score of the images table's
// first n_train rows (images/empirical-image-score.ts), in float64, evaluated at noised training images,
// where it memorises at small t. Eigen- and singular values are float64.

import { param } from '../core/params.ts';
import { defineStage, fileInput, table, tableInput } from '../core/stage.ts';
import { IMAGES, SPECTRA } from '../artifacts/schemas.ts';
import { BACKEND_CHOICES, backendEnvironment, type BackendChoice } from '../science/tf-backend.ts';
import { SDE_PARAMS, sdeParamsOf, sdeProblem } from '../science/sde-params.ts';
import { IMAGE_GRID_PARAMS, imageGridProblem } from '../images/grid-params.ts';

export default defineStage({
  name: 'spectra-images',
  description: 'Exact Jacobian spectra (sym(s·J) eigenvalues, s·J singular values) of an image score (trained or empirical) along time',
  module: import.meta.url,
  params: {
    score: param.choice(['trained', 'empirical'] as const, {
      default: 'trained',
      help: 'trained: the network in `weights`; empirical: the exact score of the training set, the first n_train rows of the images table',
    }),
    n_train: param.integer({
      default: 0,
      min: 0,
      help: 'score = empirical: the training set is the first n_train rows of the images table (0 = all); its Jacobian costs d² × n_train per point at large t',
    }),
    ...IMAGE_GRID_PARAMS,
    points: param.integer({ default: 2, min: 1, help: 'Noised data points per time (cost per point: README, Cost)' }),
    seed: param.integer({ default: 0, min: 0, help: 'Seed of the choice of data points and of the noise ξ' }),
    backend: param.choice(BACKEND_CHOICES, { default: 'auto', help: 'tfjs backend for a U-Net model (auto = best installed); the MLP is evaluated in float64 on the WebAssembly kernels' }),
    // The empirical score's SDE; a trained network brings the SDE it was trained with.
    ...SDE_PARAMS,
  },
  check(p) {
    return imageGridProblem(p) ?? sdeProblem(p);
  },
  inputs: {
    weights: fileInput('Weights of the trained image score network (train-images; score = trained)', true),
    images: tableInput(IMAGES, 'Images whose noised versions are the evaluation points'),
  },
  outputs: {
    spectra: table(
      SPECTRA,
      'Per (t, point): eigenvalues of sym(s·J) ascending and singular values of s·J descending, by rank',
    ),
  },
  // The empirical score holds its n_train images in float64, and its Jacobian a d × n_train matrix.
  resources: { cpu: 1, memoryMiB: 2000 },
  environment: (p): Record<string, string> => (p.score === 'trained' ? backendEnvironment(p.backend) : {}),
  async run(ctx) {
    const p = ctx.params;
    const { noisedPointSpectra } = await import('../images/spectra.ts');
    const { createRng } = await import('../science/random.ts');
    const images = await ctx.read.table('images');
    const { values, width: d } = images.columns.x;
    let model: import('../images/spectra.ts').ScaledJacobianSource & { sde: import('../science/sde.ts').VeSde };
    let dispose = () => {};
    // The rows the evaluation points come from: for the empirical score, its training set.
    let pool = images.numRows;
    if (p.score === 'empirical') {
      const { VeSde } = await import('../science/sde.ts');
      const { empiricalImageScore } = await import('../images/empirical-image-score.ts');
      pool = p.n_train === 0 ? images.numRows : Math.min(p.n_train, images.numRows);
      model = empiricalImageScore(values.subarray(0, pool * d), pool, d, new VeSde(sdeParamsOf(p)));
      ctx.log.info(`empirical score of ${pool} of ${images.numRows} images, float64`);
    } else {
      if (!ctx.read.has('weights')) throw new Error("weights: score = 'trained' needs the weights input bound (train-images)");
      const { decodeImageWeights } = await import('../images/score-net-weights.ts');
      const { isUnetNet } = await import('../images/score-net.ts');
      const w = decodeImageWeights(await ctx.read.file('weights'));
      if (isUnetNet(w.net)) {
        const { initBackend } = await import('../science/tf-backend.ts');
        await initBackend((ctx.environment.backend ?? p.backend) as BackendChoice, (line) => ctx.log.info(line));
        const { UnetScoreModel } = await import('../images/unet-score.ts');
        const unet = new UnetScoreModel(w.net, w.params);
        ctx.log.info(`U-Net widths ${w.net.arch.widths.join('/')}: s·J by forward mode on tfjs, float32`);
        model = unet;
        dispose = () => unet.dispose();
      } else {
        const { ImageScoreModel } = await import('../images/image-score.ts');
        model = new ImageScoreModel(w.net, w.params, w.step);
      }
    }
    if (d !== model.d) throw new Error(`images: width ${d} does not match the network's d = ${model.d}`);
    if (p.points > pool) throw new Error(`points: ${p.points} requested but the ${p.score === 'empirical' ? 'training set' : 'images table'} has ${pool} rows`);
    const rng = createRng(p.seed);
    // Distinct data points, uniformly at random.
    const chosen = new Float32Array(p.points * d);
    const order = Array.from({ length: pool }, (_, i) => i);
    for (let i = 0; i < p.points; i++) {
      const j = i + rng.int(order.length - i);
      [order[i], order[j]] = [order[j], order[i]];
      chosen.set(values.subarray(order[i] * d, (order[i] + 1) * d), i * d);
    }
    const grid = model.sde.analysisGrid(p.times, p.t_min, p.t_max);
    try {
      const rows = await noisedPointSpectra(model, chosen, p.points, grid, rng.fork(1), { score: p.score, symmetric: p.score === 'empirical' }, {
        signal: ctx.signal,
        onProgress: (f, m) => ctx.progress(f, m),
      });
      await ctx.write.table('spectra', rows);
    } finally {
      dispose();
    }
  },
});
