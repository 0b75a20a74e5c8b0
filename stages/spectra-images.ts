// Stage `spectra-images`: exact spectra of s·J (d = 784 for MNIST) of the trained image score model
// along time, at noised training images x₀ + σ(t)ξ; the common `spectra` table (score 'trained',
// method 'exact', point_kind 'noised'), which the `gaps` stage reads. The weights file says which network
// was trained: the residual MLP's s·J is computed in float64 JavaScript (images/image-score.ts), the
// U-Net's by forward mode on tfjs in float32 (images/unet-score.ts); eigen- and singular values are float64.

import { defineStage, fileInput, param, table, tableInput } from '../engine/stage.ts';
import { SPECTRA } from '../artifacts/schemas.ts';
import { BACKEND_CHOICES, resolveBackendName } from '../science/tf-backend.ts';

export default defineStage({
  name: 'spectra-images',
  description: 'Exact Jacobian spectra (sym(s·J) eigenvalues, s·J singular values) of the image score model along time',
  module: import.meta.url,
  params: {
    times: param.integer({ default: 12, min: 1, help: 'Number of analysis times, log-spaced in s (evenly in t) from t_max down to t_min' }),
    t_min: param.number({ default: 1e-5, min: 0, max: 1, help: 'Smallest analysis time' }),
    t_max: param.number({ default: 1, min: 0, max: 1, help: 'Largest analysis time' }),
    points: param.integer({ default: 2, min: 1, help: 'Noised data points per time (each costs about 2–3 s at d = 784 on one core)' }),
    seed: param.integer({ default: 0, min: 0, help: 'Seed of the choice of data points and of the noise ξ' }),
    backend: param.choice(BACKEND_CHOICES, { default: 'auto', help: 'tfjs backend for a U-Net model (auto = best installed); the MLP is evaluated in float64 JavaScript' }),
  },
  check(p) {
    if (!(p.t_min > 0 && p.t_min <= p.t_max)) return `need 0 < t_min ≤ t_max, got t_min=${p.t_min}, t_max=${p.t_max}`;
    return undefined;
  },
  inputs: {
    weights: fileInput('Weights of the trained image score network (train-images)'),
    images: tableInput({ x: 'f32[]' }, 'Images whose noised versions are the evaluation points'),
  },
  outputs: {
    spectra: table(
      SPECTRA,
      'Per (t, point): eigenvalues of sym(s·J) ascending and singular values of s·J descending, by rank',
    ),
  },
  resources: { cpu: 1, memoryMiB: 1500 },
  environment: (p) => ({ backend: resolveBackendName(p.backend) }),
  async run(ctx) {
    const p = ctx.params;
    const { decodeImageWeights } = await import('../images/score-net-weights.ts');
    const { isUnetNet } = await import('../images/score-net.ts');
    const { noisedPointSpectra } = await import('../images/spectra.ts');
    const { createRng } = await import('../science/random.ts');
    const w = decodeImageWeights(await ctx.read.file('weights'));
    let model: import('../images/spectra.ts').ScaledJacobianSource & { sde: import('../science/sde.ts').VeSde };
    let dispose = () => {};
    if (isUnetNet(w.net)) {
      const { initBackend } = await import('../science/tf-backend.ts');
      await initBackend(p.backend, (line) => ctx.log.info(line));
      const { UnetScoreModel } = await import('../images/unet-score.ts');
      const unet = new UnetScoreModel(w.net, w.params);
      ctx.log.info(`U-Net widths ${w.net.arch.widths.join('/')}: s·J by forward mode on tfjs, float32`);
      model = unet;
      dispose = () => unet.dispose();
    } else {
      const { ImageScoreModel } = await import('../images/image-score.ts');
      model = new ImageScoreModel(w.net, w.params, w.step);
    }
    const images = await ctx.read.table('images');
    const { values, width: d } = images.columns.x;
    if (d !== model.d) throw new Error(`images: width ${d} does not match the network's d = ${model.d}`);
    if (p.points > images.numRows) throw new Error(`points: ${p.points} requested but the images table has ${images.numRows} rows`);
    const rng = createRng(p.seed);
    // Distinct data points, uniformly at random.
    const chosen = new Float32Array(p.points * d);
    const order = Array.from({ length: images.numRows }, (_, i) => i);
    for (let i = 0; i < p.points; i++) {
      const j = i + rng.int(order.length - i);
      [order[i], order[j]] = [order[j], order[i]];
      chosen.set(values.subarray(order[i] * d, (order[i] + 1) * d), i * d);
    }
    const grid = model.sde.analysisGrid(p.times, p.t_min, p.t_max);
    try {
      const rows = noisedPointSpectra(model, chosen, p.points, grid, rng.fork(1), {
        signal: ctx.signal,
        onProgress: (f, m) => ctx.progress(f, m),
      });
      await ctx.write.table('spectra', rows);
    } finally {
      dispose();
    }
  },
});
