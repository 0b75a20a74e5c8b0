// The float64 evaluator of a trained MLP (science/mlp-score.ts on the kernels) agrees with the tfjs network,
// its forward-mode Jacobian agrees with a finite difference of its own score, and the weights file
// round-trips and rejects damaged input.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  inputRms,
  inputScale,
  inputWidth,
  preconditioning,
  parameterShapes,
  timeFeatures,
  timeFeatureWidth,
  type MlpArchitecture,
} from '../../science/mlp-architecture.ts';
import { mlpForward } from '../../science/mlp.ts';
import { loadTrainedScore, TrainedMlpScore } from '../../science/mlp-score.ts';
import { decodeWeights, encodeWeights, type TrainedWeights } from '../../science/mlp-weights.ts';
import { createRng } from '../../science/random.ts';
import { VeSde, VE_DEFAULTS } from '../../science/sde.ts';
import { initBackend } from '../../science/tf-backend.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

/** Random weights with every LayerNorm gain/shift and bias perturbed, so no path is trivially zero. */
function randomWeights(arch: MlpArchitecture, seed: number): TrainedWeights {
  const rng = createRng(seed);
  const params = parameterShapes(arch).map((s) => {
    const v = new Float32Array(s.shape.reduce((a, b) => a * b, 1));
    const scale = s.role === 'weight' ? 1 / Math.sqrt(s.shape[0]) : 0.3;
    for (let i = 0; i < v.length; i++) v[i] = (s.role === 'gain' ? 1 : 0) + scale * rng.normal();
    return v;
  });
  return { arch, sde: VE_DEFAULTS, step: 0, params };
}

const archs: MlpArchitecture[] = [
  { d: 7, hidden: 12, blocks: 2, timeEmbed: 6, timeMode: 'project' },
  { d: 5, hidden: 10, blocks: 1, timeEmbed: 4, timeMode: 'concat' },
  { d: 6, hidden: 10, blocks: 1, timeEmbed: 4, timeMode: 'project', sigmaData: 0.7 },
  { d: 6, hidden: 10, blocks: 2, timeEmbed: 4, timeMode: 'project', sigmaData: 0.7, rmsScaling: true },
  // The authors' network in miniature: F = 6 sinusoids of σ into an E = 10 time MLP, raw x in.
  { d: 5, hidden: 8, blocks: 2, timeEmbed: 10, timeFeatureWidth: 6, timeFeatures: 'sigma', timeMode: 'project', inputScaling: 'none' },
];

describe('trained score in float64', () => {
  it('float64 forward equals the tfjs float32 forward', () => {
    for (const arch of archs) {
      const w = randomWeights(arch, 11);
      const model = new TrainedMlpScore(w);
      const n = 9;
      const xs = new Float64Array(n * arch.d);
      createRng(12).fillNormal(xs);
      for (const t of [0.05, 0.5, 0.95]) {
        const sigma = new VeSde(VE_DEFAULTS).sigma(t);
        const { cIn, skip, out } = preconditioning(arch, sigma);
        const ours = model.score(xs, n, t);
        const width = inputWidth(arch);
        const xIn = new Float32Array(n * width);
        const F = timeFeatureWidth(arch);
        const emb = new Float32Array(n * F);
        const r = new Float64Array(n).fill(1);
        for (let i = 0; i < n; i++) {
          for (let j = 0; j < arch.d; j++) xIn[i * width + j] = cIn * xs[i * arch.d + j];
          if (arch.rmsScaling) {
            r[i] = inputRms(xIn, i * width, arch.d);
            for (let j = 0; j < arch.d; j++) xIn[i * width + j] /= r[i];
          }
          if (arch.timeMode === 'concat') timeFeatures(arch, sigma, xIn, i * width + arch.d);
          timeFeatures(arch, sigma, emb, i * F);
        }
        const ref = tf.tidy(() =>
          mlpForward(
            arch,
            w.params.map((p, k) => tf.tensor(p, parameterShapes(arch)[k].shape)),
            tf.tensor2d(xIn, [n, width]),
            arch.timeMode === 'project' ? tf.tensor2d(emb, [n, F]) : null,
          ).dataSync(),
        );
        let scale = 0;
        for (let i = 0; i < ref.length; i++) scale = Math.max(scale, Math.abs(ref[i]));
        expect(scale).toBeGreaterThan(0.1);
        for (let i = 0; i < ref.length; i++) {
          const epsHat = skip * xs[i] + out * r[Math.floor(i / arch.d)] * ref[i];
          expect(Math.abs(-epsHat / sigma - ours[i])).toBeLessThan((1e-4 * scale) / sigma);
        }
      }
    }
  });

  it('forward-mode Jacobian equals a central finite difference of the float64 score', () => {
    for (const arch of archs) {
      const model = new TrainedMlpScore(randomWeights(arch, 21));
      const d = arch.d;
      const x = new Float64Array(d);
      createRng(22).fillNormal(x);
      for (const t of [0.1, 0.6]) {
        const J = model.jacobian(x, t);
        const h = 1e-5;
        let norm = 0, err = 0;
        for (let j = 0; j < d; j++) {
          const xp = Float64Array.from(x), xm = Float64Array.from(x);
          xp[j] += h;
          xm[j] -= h;
          const sp = model.score(xp, 1, t), sm = model.score(xm, 1, t);
          for (let i = 0; i < d; i++) {
            const fd = (sp[i] - sm[i]) / (2 * h);
            norm += fd * fd;
            err += (fd - J[i * d + j]) ** 2;
          }
        }
        expect(norm).toBeGreaterThan(0);
        expect(Math.sqrt(err / norm)).toBeLessThan(1e-6);
      }
    }
  });

  it("input_scaling 'none' feeds the raw x: the same weights under c_in see x/c_in(σ) as the raw network sees x", () => {
    const raw = archs[4];
    const { inputScaling: _, ...scaled } = raw;
    const w = randomWeights(raw, 31);
    const rawModel = new TrainedMlpScore(w), scaledModel = new TrainedMlpScore({ ...w, arch: scaled });
    const n = 4;
    const xs = new Float64Array(n * raw.d);
    createRng(32).fillNormal(xs);
    const sde = new VeSde(VE_DEFAULTS);
    for (const t of [0.5, 0.8]) {
      const sigma = sde.sigma(t);
      expect(preconditioning(raw, sigma).cIn).toBe(1);
      const ours = rawModel.predictNoise(xs, n, sigma);
      const viaScaled = scaledModel.predictNoise(xs.map((x) => x / inputScale(sigma)), n, sigma);
      for (let i = 0; i < ours.length; i++) expect(ours[i]).toBeCloseTo(viaScaled[i], 10);
      // And the two networks differ at the same x (c_in ≠ 1 at these σ), so the check above is not vacuous.
      const plain = scaledModel.predictNoise(xs, n, sigma);
      expect(Math.max(...ours.map((v, i) => Math.abs(v - plain[i])))).toBeGreaterThan(1e-3);
    }
  });

  it('EDM preconditioning: with F ≡ 0 the score is the exact score of N(0, σ_data² I), Jacobian included', () => {
    const arch = archs[2];
    const w = randomWeights(arch, 41);
    const shapes = parameterShapes(arch);
    shapes.forEach((s, k) => {
      if (s.name.startsWith('head.out.')) w.params[k].fill(0);
    });
    const model = new TrainedMlpScore(w);
    const x = new Float64Array(arch.d);
    createRng(42).fillNormal(x);
    const sde = new VeSde(VE_DEFAULTS);
    for (const t of [0.05, 0.5, 1]) {
      const v = sde.sigma(t) ** 2 + arch.sigmaData! ** 2;
      const s = model.score(x, 1, t);
      const J = model.jacobian(x, t);
      for (let i = 0; i < arch.d; i++) {
        expect(s[i]).toBeCloseTo(-x[i] / v, 10);
        for (let j = 0; j < arch.d; j++) expect(J[i * arch.d + j]).toBeCloseTo(i === j ? -1 / v : 0, 10);
      }
    }
  });

  it('weights file round-trips and rejects truncated or corrupted bytes', () => {
    const w = randomWeights(archs[0], 31);
    const bytes = encodeWeights(w);
    const back = decodeWeights(bytes);
    expect(back.arch).toEqual(w.arch);
    expect(back.sde).toEqual(w.sde);
    back.params.forEach((p, k) => expect(Array.from(p)).toEqual(Array.from(w.params[k])));
    const x = new Float64Array(archs[0].d).fill(0.3);
    expect(Array.from(loadTrainedScore(bytes).score(x, 1, 0.4))).toEqual(Array.from(new TrainedMlpScore(w).score(x, 1, 0.4)));
    // A Node Buffer (what readFileSync returns: its slice() is a view, not a copy) and a view at an odd
    // offset decode to the same weights.
    const padded = new Uint8Array(bytes.length + 1);
    padded.set(bytes, 1);
    for (const input of [Buffer.from(bytes), padded.subarray(1)]) {
      decodeWeights(input).params.forEach((p, k) => expect(Array.from(p)).toEqual(Array.from(w.params[k])));
    }
    expect(() => decodeWeights(bytes.subarray(0, bytes.length - 3))).toThrow(/truncated/);
    expect(() => decodeWeights(bytes.subarray(0, 10))).toThrow(/too short/);
    const flipped = Uint8Array.from(bytes);
    flipped[flipped.length - 5] ^= 0x40;
    expect(() => decodeWeights(flipped)).toThrow(/checksum/);
    const wrong = Uint8Array.from(bytes);
    wrong[0] = 0x58;
    expect(() => decodeWeights(wrong)).toThrow(/magic/);
  });
});
