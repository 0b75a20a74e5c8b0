// Stage `data`: draw the linear-manifold data model of science.md §3.1 (loadings F, latent variance
// profile) and a fixed training set x = F z. Numerics live in science/linear-manifold.ts, imported
// inside `run` so the engine's parent can load this definition cheaply.

import { param } from '../core/params.ts';
import { defineStage, table } from '../core/stage.ts';
import { LATENT_VARIANCES, LOADINGS, PROFILE, SAMPLES } from '../artifacts/schemas.ts';

const PROFILES = ['single', 'double', 'multi', 'continuous'] as const;

export default defineStage({
  name: 'data',
  description: 'Linear-manifold data x = F z: loadings, variance profile and the training samples',
  module: import.meta.url,
  params: {
    d: param.integer({ default: 100, min: 1, help: 'Ambient dimension d' }),
    m: param.integer({ default: 40, min: 1, help: 'Manifold (latent) dimension m ≤ d' }),
    profile: param.choice(PROFILES, {
      default: 'double',
      help: 'Latent variance profile: single σ², double (f at σ₁², rest σ₂²), multi (groups), continuous (n variances in [0.01, 1])',
    }),
    sigma_sq: param.number({ default: 1, exclusiveMin: 0, help: 'Variance σ² of every column (profile = single)' }),
    f: param.number({ default: 0.75, min: 0, max: 1, help: 'Fraction of columns at σ₁² (profile = double)' }),
    sigma1_sq: param.number({ default: 1, exclusiveMin: 0, help: 'σ₁² (profile = double)' }),
    sigma2_sq: param.number({ default: 0.01, exclusiveMin: 0, help: 'σ₂² (profile = double)' }),
    groups: param.numbers({
      default: [],
      min: 0,
      help: 'profile = multi: f1,v1,f2,v2,... (fraction and variance per group; fractions sum to 1)',
    }),
    n_variances: param.integer({ default: 10, min: 1, help: 'Number of distinct variances (profile = continuous)' }),
    scaling: param.choice(['1/d', '1/m'] as const, { default: '1/d', help: 'Variance of the entries of F: 1/d (paper) or 1/m' }),
    n_train: param.integer({ default: 20000, min: 1, help: 'Training-set size n' }),
    seed: param.integer({ default: 0, min: 0, help: 'Seed of F, of the continuous variances and of the samples' }),
  },
  check(p) {
    if (p.m > p.d) return `m must not exceed d: got m=${p.m}, d=${p.d}`;
    if (p.profile === 'multi') {
      if (p.groups.length === 0 || p.groups.length % 2 !== 0) {
        return `groups must list fraction,variance pairs (an even, non-zero count) for profile=multi, got [${p.groups.join(', ')}]`;
      }
      const total = p.groups.filter((_, i) => i % 2 === 0).reduce((a, b) => a + b, 0);
      if (Math.abs(total - 1) > 1e-9) return `groups: fractions must sum to 1, got ${total} from [${p.groups.join(', ')}]`;
      if (p.groups.some((v, i) => i % 2 === 1 && !(v > 0))) return `groups: variances must be positive, got [${p.groups.join(', ')}]`;
    }
    return undefined;
  },
  inputs: {},
  outputs: {
    samples: table(SAMPLES, 'Training set: n_train rows x = F z of width d'),
    F: table(LOADINGS, 'Loadings F: d rows of width m'),
    variances: table(LATENT_VARIANCES, 'Latent variance of each column of F'),
    profile: table(
      PROFILE,
      'Grouped variance profile {(f_k, σ_k²)} with α = m/d: the truth for theory and fits',
    ),
  },
  // Checked against the machine before the run starts (d = 100 000 or n_train = 10⁹ stop at plan time).
  resources: (p) => ({ cpu: 1, memoryMiB: Math.ceil((p.n_train * p.d * 8 * 3 + 3 * 8 * p.d * p.m) / 2 ** 20) + 100, memoryFrom: ['d', 'n_train'] }),
  async run(ctx) {
    const p = ctx.params;
    const { createLinearManifold, sampleLinearManifold } = await import('../science/linear-manifold.ts');
    const { createRng } = await import('../science/random.ts');
    const profile =
      p.profile === 'single'
        ? ({ kind: 'single', variance: p.sigma_sq } as const)
        : p.profile === 'double'
          ? ({ kind: 'double', f: p.f, sigma1Sq: p.sigma1_sq, sigma2Sq: p.sigma2_sq } as const)
          : p.profile === 'multi'
            ? ({
                kind: 'multi',
                groups: Array.from({ length: p.groups.length / 2 }, (_, k) => ({ fraction: p.groups[2 * k], variance: p.groups[2 * k + 1] })),
              } as const)
            : ({ kind: 'continuous', count: p.n_variances } as const);
    const model = createLinearManifold({ d: p.d, m: p.m, profile, scaling: p.scaling, seed: p.seed });
    ctx.progress(0.1, `F drawn (d=${p.d}, m=${p.m}, α=${model.alpha})`);
    // Samples from their own stream, so F and the profile do not depend on n_train.
    const x = sampleLinearManifold(model, p.n_train, createRng(p.seed).fork(3));
    ctx.progress(0.8, `${p.n_train} samples drawn`);
    await ctx.write.table('samples', { x: { values: x, width: p.d } });
    await ctx.write.table('F', { row: Int32Array.from({ length: p.d }, (_, i) => i), f: { values: model.F, width: p.m } });
    await ctx.write.table('variances', {
      column: Int32Array.from({ length: p.m }, (_, j) => j),
      variance: Float64Array.from(model.variances),
    });
    const k = model.groups.length;
    await ctx.write.table('profile', {
      group: Int32Array.from({ length: k }, (_, i) => i),
      fraction: Float64Array.from(model.groups, (g) => g.fraction),
      variance: Float64Array.from(model.groups, (g) => g.variance),
      alpha: new Float64Array(k).fill(model.alpha),
      d: new Int32Array(k).fill(p.d),
      m: new Int32Array(k).fill(p.m),
    });
    ctx.progress(1);
  },
});
