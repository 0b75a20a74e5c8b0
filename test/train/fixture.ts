// A tiny training problem shared by the in-process tests and the child process of the kill -9 test:
// points on a random m-dimensional linear subspace of R^d, made inline from a seeded generator.
import { createRng } from '../../science/random.ts';
import type { TrainConfig } from '../../science/train-loop.ts';

export function linearManifoldData(d: number, m: number, n: number, seed: number): { data: Float64Array; F: Float64Array } {
  const rng = createRng(seed);
  const F = new Float64Array(d * m);
  rng.fillNormal(F);
  const data = new Float64Array(n * d);
  const z = new Float64Array(m);
  for (let i = 0; i < n; i++) {
    rng.fillNormal(z);
    for (let j = 0; j < d; j++) for (let k = 0; k < m; k++) data[i * d + j] += F[j * m + k] * z[k];
  }
  return { data, F };
}

/** The resumable-training fixture: small enough for ~1 ms steps, long enough to be killed mid-run. */
export const RESUME_N = 200;
export const RESUME_CONFIG: TrainConfig = {
  arch: { d: 4, hidden: 16, blocks: 1, timeEmbed: 8, timeMode: 'project' },
  sde: { sigmaMin: 0.01, sigmaMax: 50, eps: 1e-5 },
  steps: 300,
  batch: 32,
  lr: 1e-3,
  ema: 0.999,
  seed: 17,
  checkpointEvery: 20,
  logEvery: 10,
};
export const resumeData = (): Float64Array => linearManifoldData(4, 1, RESUME_N, 5).data;
