// Figure 5 of the paper: ordered spectra over time for score models trained on images, one panel per
// dataset present (MNIST, Fashion-MNIST; others when supplied).
import type { Table } from '../engine/stage.ts';
import type { SpectraSchema } from '../artifacts/schemas.ts';
import { spectraOverTimePanel, type SpectraOverTimeOptions } from './spectra-over-time.ts';
import { placeholderFigure, topLevelFigure, type VegaLiteSpec } from './theme.ts';

export interface ImageSpectra {
  dataset: string;
  table: Table<SpectraSchema>;
}

export function figure5Spec(datasets: ImageSpectra[], options: SpectraOverTimeOptions): VegaLiteSpec {
  const title = 'Spectra of s·J along generation for image models';
  if (datasets.length === 0) {
    return placeholderFigure(title, 'not run: no image dataset (mnist, fashion_mnist) was bound', options.style);
  }
  const panels = datasets.map((d) => spectraOverTimePanel({ title: d.dataset, table: d.table }, options));
  return topLevelFigure(
    { hconcat: panels, resolve: { scale: { color: 'independent' } } },
    options.style,
    title,
    'one line per rank (evenly spaced subset), mean over evaluation points',
  );
}
