// Figure 3 of the paper: ordered singular values of a trained model's s·J over time, for the three data
// models (left: σ₁² = 1, σ₂² = 0.01, f = 0.75; centre: the swap; right: the continuous profile).
import type { Table } from '../core/table.ts';
import type { SpectraSchema } from '../artifacts/schemas.ts';
import { spectraOverTimePanel, type SpectraOverTimeOptions } from './spectra-over-time.ts';
import { topLevelFigure, type VegaLiteSpec } from './theme.ts';

interface Figure3Input {
  left?: Table<SpectraSchema>;
  centre?: Table<SpectraSchema>;
  right?: Table<SpectraSchema>;
}

const FIGURE3_TITLES = {
  left: 'left: σ₁² = 1, σ₂² = 0.01, f = 0.75',
  centre: 'centre: σ₁² = 0.01, σ₂² = 1, f = 0.75',
  right: 'right: continuous variance profile',
} as const;

export function figure3Spec(input: Figure3Input, options: SpectraOverTimeOptions, titles = FIGURE3_TITLES): VegaLiteSpec {
  const panels = (['left', 'centre', 'right'] as const)
    .filter((k) => input[k] !== undefined)
    .map((k) => spectraOverTimePanel({ title: titles[k], table: input[k]! }, options));
  if (panels.length === 0) throw new Error('figure3 needs at least one of the inputs left, centre, right');
  return topLevelFigure(
    { hconcat: panels, resolve: { scale: { color: 'independent' } } },
    options.style,
    `Ordered ${options.value === 'sv' ? 'singular values of s·J' : 'eigenvalues of sym(s·J)'} along generation`,
    'one line per rank, mean over evaluation points; gaps open where neighbouring ranks separate',
  );
}
