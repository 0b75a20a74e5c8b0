// Figure 5 of the paper, with what training adds made visible: one row per image dataset present
// (MNIST, Fashion-MNIST, CIFAR-10 when supplied), one column per score — the trained network, the exact
// empirical score of the training set (memorisation: every eigenvalue at −1 below the collapse time), and
// the Gaussian model of the data (the linear theory on the data covariance: −s/(s + λᵢ)).
import type { Table } from '../core/table.ts';
import type { SpectraSchema } from '../artifacts/schemas.ts';
import { spectraOverTimePanel, type SpectraOverTimeOptions } from './spectra-over-time.ts';
import { placeholderFigure, topLevelFigure, type VegaLiteSpec } from './theme.ts';

export const IMAGE_SOURCES = ['trained', 'empirical', 'gaussian'] as const;
export type ImageSource = (typeof IMAGE_SOURCES)[number];

const SOURCE_TITLES: Record<ImageSource, string> = {
  trained: 'trained network',
  empirical: 'empirical score (training set)',
  gaussian: 'Gaussian model (data covariance)',
};

interface ImageSpectraRow {
  dataset: string;
  panels: Array<{ source: ImageSource; table: Table<SpectraSchema> }>;
}

/** `options.selection` applies to the trained panels; the exact scores' tables hold one score each. */
export function figure5Spec(rows: ImageSpectraRow[], options: SpectraOverTimeOptions): VegaLiteSpec {
  const title = 'Spectra of s·J along generation for image data: trained, empirical and Gaussian scores';
  const present = rows.filter((r) => r.panels.length > 0);
  if (present.length === 0) {
    return placeholderFigure(title, 'not run: no image dataset (mnist, fashion_mnist, cifar10) was bound', options.style);
  }
  const vconcat = present.map((r) => ({
    hconcat: r.panels.map((p) =>
      spectraOverTimePanel(
        { title: `${r.dataset}: ${SOURCE_TITLES[p.source]}`, table: p.table },
        p.source === 'trained' ? options : { ...options, selection: {} },
      ),
    ),
    resolve: { scale: { color: 'independent' } },
  }));
  return topLevelFigure(
    { vconcat, resolve: { scale: { color: 'independent' } } },
    options.style,
    title,
    'one line per rank (evenly spaced subset), mean over evaluation points',
  );
}
