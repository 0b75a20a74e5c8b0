// The image experiments of pipeline.ts: each dataset binds the trained, empirical and Gaussian spectra into
// Figure 5, its dimensions into the image-dimension figure and its summary into the report; CIFAR-10 is
// declared only when CIFAR10_PATH names its batches, and otherwise the report says how to supply it.
import { afterEach, describe, expect, it } from 'vitest';
import { declareDag, type NodeDecl } from '../../engine/dag.ts';
import { CIFAR10_ENV, spec } from '../../pipeline.ts';

const saved = process.env[CIFAR10_ENV];
afterEach(() => {
  if (saved === undefined) delete process.env[CIFAR10_ENV];
  else process.env[CIFAR10_ENV] = saved;
});

const node = (nodes: NodeDecl[], experiment: string, name: string) => nodes.find((n) => n.experiment === experiment && n.node === name);
const boundFrom = (n: NodeDecl | undefined) => Object.fromEntries(Object.entries(n?.inputs ?? {}).map(([k, r]) => [k, r ? `${r.from.experiment}/${r.from.node}.${r.output}` : undefined]));

describe('image experiments', () => {
  it('bind all three scores of MNIST and Fashion-MNIST, the exact ones on every image', () => {
    delete process.env[CIFAR10_ENV];
    const { nodes, problems } = declareDag(spec);
    expect(problems).toEqual([]);
    for (const x of ['mnist', 'fashion-mnist']) {
      expect(node(nodes, x, 'images-all')?.params).toMatchObject({ n: 0 });
      expect(node(nodes, x, 'spectra-images-empirical')?.params).toMatchObject({ score: 'empirical', n_train: 10_000 });
      expect(node(nodes, x, 'spectra-gaussian')?.params).toMatchObject({ n_train: 10_000 });
      expect(boundFrom(node(nodes, x, 'spectra-gaussian'))).toEqual({ images: `${x}/images-all.images` });
      expect(boundFrom(node(nodes, x, 'image-summary'))).toMatchObject({ phases_empirical: `${x}/gaps-empirical.phases`, covariance: `${x}/spectra-gaussian.covariance` });
    }
    const f5 = boundFrom(node(nodes, 'figures', 'figure5'));
    expect(f5).toMatchObject({ mnist: 'mnist/spectra-images.spectra', mnist_empirical: 'mnist/spectra-images-empirical.spectra', fashion_mnist_gaussian: 'fashion-mnist/spectra-gaussian.spectra' });
    expect(boundFrom(node(nodes, 'figures', 'report'))).toMatchObject({ image_summary_mnist: 'mnist/image-summary.image_summary', image_dimension: 'figures/image-dimension.png' });
  });

  it('declare CIFAR-10 only when its path is given', () => {
    delete process.env[CIFAR10_ENV];
    const without = declareDag(spec).nodes;
    expect(without.some((n) => n.experiment === 'cifar10')).toBe(false);
    expect(boundFrom(node(without, 'figures', 'figure5')).cifar10).toBeUndefined();

    process.env[CIFAR10_ENV] = '/data/cifar-10-batches-bin';
    const withCifar = declareDag(spec).nodes;
    expect(node(withCifar, 'cifar10', 'images')?.params).toMatchObject({ dataset: 'cifar10', path: '/data/cifar-10-batches-bin' });
    expect(node(withCifar, 'cifar10', 'spectra-images-empirical')?.params).toMatchObject({ n_train: 5000 });
    expect(boundFrom(node(withCifar, 'figures', 'figure5'))).toMatchObject({ cifar10: 'cifar10/spectra-images.spectra', cifar10_gaussian: 'cifar10/spectra-gaussian.spectra' });
    expect(boundFrom(node(withCifar, 'figures', 'image-dimension'))).toMatchObject({ cifar10_intrinsic: 'cifar10/intrinsic-dimension.intrinsic_dimension' });
  });
});
