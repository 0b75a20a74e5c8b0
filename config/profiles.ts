// Profiles: configuration layers over the stage defaults and the DAG's declarations (docs/dag.md).
// `quick` (the default) is the stage defaults: a faithful reproduction sized for a 2-core machine.
// `smoke` runs every node of the DAG at toy sizes (tests and CI); `paper` uses the paper's sizes.
import type { ConfigTree } from '../engine/dag.ts';

const smoke: ConfigTree = {
  data: { d: 16, m: 6, n_train: 512 },
  'fig3-right': { data: { n_variances: 3 } },
  train: { steps: 120, checkpoint_every: 40, hidden: 32, time_embed: 16 },
  sample: { steps: 40, trajectories: 4, times: 6 },
  spectra: { times: 6, points: 2 },
  theory: { s_points: 12, density_nodes: 24 },
  montecarlo: { d: 20, draws: 4, s_points: 12 },
  fit: { bootstrap: 4, at: [1e-3, 1e-2, 0.1] },
  fig2: { theory: { d: 20 } },
  collapse: { d: 4, n: [10, 30], trajectories: 16, steps: 40, grid: 8 },
  images: { n: 200 },
  'train-images': { steps: 20, hidden: 32, time_embed: 16 },
  'spectra-images': { times: 3, points: 1 },
  'intrinsic-dimension': { n: 200, k: [5] },
};

const quick: ConfigTree = {};

// The paper: 2 000 000 training steps at n = 20 000, 100 analysis times, 1000 integration steps
// (hours on a GPU; see the README for the measured cost per step).
const paper: ConfigTree = {
  train: { steps: 2_000_000, time_embed: 512, checkpoint_every: 20_000 },
  sample: { trajectories: 64 },
  spectra: { points: 16 },
  'train-images': { steps: 100_000 },
  'spectra-images': { times: 50, points: 8 },
  images: { n: 0 },
};

export const PROFILES: Record<string, ConfigTree> = { smoke, quick, paper };
