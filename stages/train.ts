// Stage `train`: fit the residual-MLP score network (science.md §5) to the linear-manifold samples by
// denoising score matching on tfjs, and save its EMA weights (science/mlp-weights.ts format) and the loss
// curve. Checkpoints go to ctx.scratchDir, so a re-run after a crash resumes instead of restarting.
// tfjs is imported inside `run` only: the engine's parent process imports every stage definition.

import { LOSS, SAMPLES } from '../artifacts/schemas.ts';
import { param } from '../core/params.ts';
import { defineStage, file, table, tableInput } from '../core/stage.ts';
import { timeAndInputProblem } from '../science/mlp-architecture.ts';
import { SDE_PARAMS, sdeParamsOf, sdeProblem } from '../science/sde-params.ts';
import { scoreNetworkFor } from '../science/score-network.ts';
import { LR_SCHEDULES } from '../science/train-loop.ts';
import { BACKEND_CHOICES, backendEnvironment, type BackendChoice } from '../science/tf-backend.ts';

export default defineStage({
  name: 'train',
  description: 'Train the residual-MLP noise predictor (ε-prediction, VE SDE) and save its EMA weights',
  module: import.meta.url,
  params: {
    steps: param.integer({
      default: 60000,
      min: 1,
      // 50 × the paper's 2 000 000: a larger count is a typo, not a plan (it would train for weeks).
      max: 100_000_000,
      help:
        'Optimiser steps. Quick default 60 000 (3% of the paper\'s 2 000 000; time per step: README, Cost); ' +
        'the trained s·J error falls from 10.6 % at 20 000 steps to 8.5 % at 60 000',
    }),
    batch: param.integer({ default: 128, min: 1, help: 'Batch size' }),
    lr: param.number({
      default: 1e-4,
      min: 1e-8,
      max: 1,
      help:
        'Learning rate of the optimiser (the paper: 1e-4). For short CPU profiles 1e-3 works better: at d = 100, m = 40 it learns the ' +
        'manifold gap (60 eigenvalues of s·J below −0.5 at s = 1e-3) in 4000 steps, where 1e-4 has not yet',
    }),
    lr_schedule: param.choice(LR_SCHEDULES, {
      default: 'constant',
      help: "The learning rate along the run: 'constant', or 'cosine', annealed from lr to 0 by the last step",
    }),
    ema: param.number({
      default: 0.9999,
      min: 0,
      max: 0.999999,
      help: 'EMA decay of the saved weights (with ema_warmup: min(ema, (1+k)/(10+k)) at step k, so short runs are usable)',
    }),
    ema_warmup: param.boolean({
      default: true,
      help:
        "Warm the EMA up (decay min(ema, (1+k)/(10+k)) at step k); false: decay ema from step 1 off the initial weights, " +
        "as the authors' code does (at 0.9999 the saved weights then still remember the initialisation for ~10⁴ steps)",
    }),
    optimizer: param.choice(['adam', 'radam'] as const, {
      default: 'adam',
      help:
        "Update rule (science/train-adam.ts): 'adam'; 'radam' = torch.optim.RAdam's rectified Adam (the authors' code), " +
        'the plain momentum step while ρ_t ≤ 5 (the first 5 steps), β1 = 0.9, β2 = 0.999, ε = 1e-8 for both',
    }),
    init: param.choice(['default', 'pytorch'] as const, {
      default: 'default',
      help:
        "Initial parameters (science/mlp-architecture.ts initialParameters): 'default' = LeCun-normal weights, zero biases; " +
        "'pytorch' = torch.nn.Linear's default, weights and biases U(−1/√fan_in, 1/√fan_in) (the authors' code)",
    }),
    hidden: param.integer({ default: 128, min: 1, help: 'Hidden width H of the residual MLP' }),
    blocks: param.integer({ default: 2, min: 0, help: 'Number of residual blocks' }),
    time_embed: param.integer({
      default: 128,
      min: 1,
      help: 'Width E of the time MLP, and of the sinusoidal features when time_features_width is 0 (then even; the authors used 512)',
    }),
    time_features: param.choice(['log-sigma', 'sigma'] as const, {
      default: 'log-sigma',
      help:
        "Sinusoidal features of the noise level (science/mlp-architecture.ts): 'log-sigma' = sin/cos of log(σ)/4 at frequencies " +
        "1…100; 'sigma' = sin/cos of σ itself at frequencies 1…1e-4 (the authors' code)",
    }),
    time_features_width: param.integer({
      default: 0,
      min: 0,
      help: 'Width F of the sinusoidal features, the time MLP\'s first layer being Linear(F, E); 0 = time_embed (the authors: 128 into E = 512)',
    }),
    input_scaling: param.choice(['c_in', 'none'] as const, {
      default: 'c_in',
      help:
        "How the plain network (preconditioning 'none') meets x: 'c_in' = scaled by 1/√(1 + σ²); 'none' = raw x (the authors' " +
        "code). EDM preconditioning keeps its own c_in and allows 'c_in' only",
    }),
    preconditioning: param.choice(['edm', 'none'] as const, {
      default: 'edm',
      help:
        "How the network meets x (science/mlp-architecture.ts preconditioning): 'edm' = EDM's skip/scale with σ_data the " +
        "training set's per-coordinate RMS (exact trivial phase at large σ, unit-variance targets); 'none' = plain ε-prediction (the paper's)",
    }),
    loss_weighting: param.choice(['epsilon', 'edm'] as const, {
      default: 'edm',
      help:
        "'edm': unit weight on F with t ~ U(eps, 1); 'epsilon': the paper's mean |ε̂ − ξ|² (for the preconditioned network: t drawn " +
        "with density ∝ c_out², science/train-mlp.ts). Measured on fig3-left at 20 000 steps: median s·J error 11.1 % (edm) vs " +
        "9.9 % (epsilon), but 'epsilon' trades large-s accuracy (12.5 % vs 10.8 % for s > 0.1) for small-s accuracy, and the " +
        "theory fit then puts σ₁² at 0.49 instead of 0.64 (truth 1)",
    }),
    sigma_data: param.number({
      default: 0,
      min: 0,
      help:
        "EDM's σ_data (preconditioning 'edm'); 0 = the training set's per-coordinate RMS. The skip path is the score of " +
        'N(0, σ_data² I), and at the quick budget the network barely leaves it in directions where the data variance is ' +
        'far from σ_data² (README, "The theory fit and the network\'s skip path")',
    }),
    rms_scaling: param.boolean({
      default: true,
      help:
        'Scale the network output by the RMS r of its input, F = r·G(u/r) (science/mlp-architecture.ts): F is then homogeneous ' +
        'of degree 1 like the exact (linear) denoiser of Gaussian data, where the paper network is nearly degree 0 (its head ' +
        'LayerNorm). Measured at 20 000 steps: s·J error 10.6 % vs 10.9 % (fig3-left), 9.2 % vs 10.5 % (fig3-centre)',
    }),
    checkpoint_every: param.integer({ default: 1000, min: 1, help: 'Write a resumable checkpoint every this many steps' }),
    ...SDE_PARAMS,
    seed: param.integer({ default: 0, min: 0, help: 'Seed of initialisation and of every batch' }),
    backend: param.choice(BACKEND_CHOICES, {
      default: 'auto',
      help: 'tfjs backend: auto = tensorflow-gpu, then tensorflow, then wasm, then cpu (whichever is installed)',
    }),
  },
  check(p) {
    const sdeIssue = sdeProblem(p);
    if (sdeIssue) return sdeIssue;
    if (p.time_features_width === 0 && p.time_embed % 2 !== 0) {
      return `time_embed must be even (sin and cos halves) when time_features_width is 0, got ${p.time_embed}`;
    }
    return timeAndInputProblem({
      timeFeatures: p.time_features,
      timeFeatureWidth: p.time_features_width || p.time_embed,
      inputScaling: p.input_scaling,
      preconditioned: p.preconditioning === 'edm',
    });
  },
  inputs: {
    samples: tableInput(SAMPLES, 'Training set: one sample x ∈ R^d per row'),
  },
  outputs: {
    weights: file('bin', 'EMA weights of the score network with its architecture and SDE (science/mlp-weights.ts)'),
    loss: table(LOSS, 'Training loss (mean over each logging window) and its smoothed curve'),
  },
  resources: { cpu: 1, gpu: 1 },
  // The implementation follows from the backend (kernels on wasm/cpu, tfjs on a GPU): named for the record.
  environment: (p) => {
    const env = backendEnvironment(p.backend);
    return { ...env, precision: 'float32', network: scoreNetworkFor('mlp', env.backend) };
  },
  async run(ctx) {
    const p = ctx.params;
    const { initBackend } = await import('../science/tf-backend.ts');
    const { trainScoreNetwork } = await import('../science/train-mlp.ts');
    const { encodeWeights } = await import('../science/mlp-weights.ts');

    const backend = await initBackend((ctx.environment.backend ?? p.backend) as BackendChoice, (line) => ctx.log.info(line));
    if (ctx.environment.backend !== undefined && ctx.environment.backend !== backend) {
      ctx.log.warn(`planned backend '${ctx.environment.backend}' but '${backend}' loaded; the fingerprint names the planned one`);
    }
    const samples = await ctx.read.table('samples');
    const { values, width: d } = samples.columns.x;
    let sumSquares = 0;
    for (let i = 0; i < values.length; i++) sumSquares += values[i] * values[i];
    const sigmaData = p.preconditioning !== 'edm' ? undefined : p.sigma_data > 0 ? p.sigma_data : Math.sqrt(sumSquares / values.length);
    if (sigmaData !== undefined) ctx.log.info(`EDM preconditioning with σ_data = ${sigmaData.toPrecision(4)}`);
    const result = await trainScoreNetwork(
      values,
      samples.numRows,
      {
        // Options at their defaults stay out of the architecture, so its record (and the weights file) is unchanged.
        arch: {
          d,
          hidden: p.hidden,
          blocks: p.blocks,
          timeEmbed: p.time_embed,
          timeMode: 'project',
          ...(sigmaData !== undefined ? { sigmaData } : {}),
          ...(p.rms_scaling ? { rmsScaling: true } : {}),
          ...(p.time_features !== 'log-sigma' ? { timeFeatures: p.time_features } : {}),
          ...(p.time_features_width !== 0 && p.time_features_width !== p.time_embed ? { timeFeatureWidth: p.time_features_width } : {}),
          ...(p.input_scaling !== 'c_in' ? { inputScaling: p.input_scaling } : {}),
        },
        sde: sdeParamsOf(p),
        steps: p.steps,
        batch: p.batch,
        lr: p.lr,
        lrSchedule: p.lr_schedule,
        ema: p.ema,
        emaWarmup: p.ema_warmup,
        optimizer: p.optimizer,
        init: p.init,
        weighting: p.loss_weighting,
        seed: p.seed,
        checkpointEvery: p.checkpoint_every,
        // About a thousand rows whatever the length of the run.
        logEvery: Math.max(1, Math.floor(p.steps / 1000)),
      },
      scoreNetworkFor('mlp', backend),
      {
        scratchDir: ctx.scratchDir,
        signal: ctx.signal,
        progress: (f, m) => ctx.progress(f, m),
        log: (line) => ctx.log.info(line),
      },
    );
    await ctx.write.file('weights', encodeWeights(result.weights));
    const rows = result.lossRows;
    await ctx.write.table('loss', {
      step: Int32Array.from(rows, (r) => r.step),
      loss: Float64Array.from(rows, (r) => r.loss),
      loss_smoothed: Float64Array.from(rows, (r) => r.smoothed),
    });
  },
});
