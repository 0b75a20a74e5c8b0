// Reverse-time samplers of the VE SDE (science.md §2), generic over any ScoreModel and batched over
// the P trajectories:
// - reverse SDE   dx = −g² s(x, t) dt + g dW̄, Euler–Maruyama;
// - probability-flow ODE   dx = −½ g² s(x, t) dt, Heun (explicit trapezoid);
// with g² = dσ²/dt, integrated from t = 1 down to ε. The states are recorded exactly on the analysis
// grid: the N steps are split over the grid's intervals in proportion to their length, so every grid
// time is a step boundary.

import type { Rng } from './random.ts';
import type { ScoreModel } from './score-model.ts';
import type { VeSde } from './sde.ts';

type SamplerKind = 'sde' | 'ode';

interface SamplerOptions {
  sde: VeSde;
  sampler: SamplerKind;
  /** Total number of integration steps N over [ε, 1]. */
  steps: number;
  /** Number of trajectories P. */
  trajectories: number;
  /** Size of the analysis time grid (VeSde.analysisGrid). */
  gridSize: number;
  rng: Rng;
  /** Called after every grid interval with the fraction done. */
  onProgress?: (fraction: number) => void;
  signal?: AbortSignal;
}

interface SampledTrajectories {
  /** The analysis grid, decreasing t. */
  grid: Array<{ t: number; s: number }>;
  /** States at the grid times: grid index × trajectory × d, row-major. */
  states: Float64Array;
  trajectories: number;
  d: number;
}

/** Integer step counts for each grid interval, ≥ 1, proportional to its length, summing to about N. */
export function stepsPerInterval(grid: Array<{ t: number }>, steps: number): number[] {
  const total = grid[0].t - grid[grid.length - 1].t;
  const out: number[] = [];
  for (let j = 0; j + 1 < grid.length; j++) out.push(Math.max(1, Math.round((steps * (grid[j].t - grid[j + 1].t)) / total)));
  return out;
}

export function sampleTrajectories(model: ScoreModel, opts: SamplerOptions): SampledTrajectories {
  const { sde, sampler, steps, trajectories: p, gridSize, rng } = opts;
  if (sampler !== 'sde' && sampler !== 'ode') throw new Error(`sampler must be 'sde' or 'ode', got ${String(sampler)}`);
  if (!(Number.isInteger(steps) && steps >= 1)) throw new Error(`steps must be an integer ≥ 1, got ${steps}`);
  if (!(Number.isInteger(p) && p >= 1)) throw new Error(`trajectories must be an integer ≥ 1, got ${p}`);
  const d = model.d;
  const grid = sde.analysisGrid(gridSize);
  const states = new Float64Array(grid.length * p * d);
  // Prior N(0, σ(1)² I) = N(0, σ_max² I).
  const x = new Float64Array(p * d);
  rng.fillNormal(x);
  const sigmaTop = Math.sqrt(sde.variance(grid[0].t));
  for (let i = 0; i < x.length; i++) x[i] *= sigmaTop;
  states.set(x, 0);
  const counts = stepsPerInterval(grid, steps);
  const noise = new Float64Array(p * d);
  const predictor = new Float64Array(p * d);
  for (let j = 0; j + 1 < grid.length; j++) {
    if (opts.signal?.aborted) throw new Error('sampling aborted');
    const t0 = grid[j].t;
    const dt = (t0 - grid[j + 1].t) / counts[j];
    for (let k = 0; k < counts[j]; k++) {
      const t = t0 - k * dt;
      const g2 = sde.diffusionSquared(t);
      const score = model.score(x, p, t);
      if (sampler === 'sde') {
        rng.fillNormal(noise);
        const amp = Math.sqrt(g2 * dt);
        for (let i = 0; i < x.length; i++) x[i] += g2 * dt * score[i] + amp * noise[i];
      } else {
        const tNext = t - dt;
        const half = 0.5 * g2 * dt;
        for (let i = 0; i < x.length; i++) predictor[i] = x[i] + half * score[i];
        const scoreNext = model.score(predictor, p, tNext);
        const halfNext = 0.5 * sde.diffusionSquared(tNext) * dt;
        for (let i = 0; i < x.length; i++) x[i] += 0.5 * (half * score[i] + halfNext * scoreNext[i]);
      }
    }
    states.set(x, (j + 1) * p * d);
    opts.onProgress?.((j + 1) / (grid.length - 1));
  }
  return { grid, states, trajectories: p, d };
}
