// The analysis-time grid of the image spectra as stage parameters, declared once for the stages that
// must agree on it (spectra-images for the trained and empirical scores, spectra-gaussian), so their
// defaults, ranges and check cannot drift apart.
import { param } from '../core/params.ts';

export const IMAGE_GRID_PARAMS = {
  times: param.integer({ default: 12, min: 1, help: 'Number of analysis times, log-spaced in s (evenly in t) from t_max down to t_min' }),
  t_min: param.number({ default: 1e-5, exclusiveMin: 0, max: 1, help: 'Smallest analysis time' }),
  t_max: param.number({ default: 1, exclusiveMin: 0, max: 1, help: 'Largest analysis time' }),
};

/** The stage-level check across the two (each one's range is in its declaration): a message naming both values, or undefined. */
export function imageGridProblem(p: { t_min: number; t_max: number }): string | undefined {
  if (!(p.t_min <= p.t_max)) return `need t_min ≤ t_max, got t_min=${p.t_min}, t_max=${p.t_max}`;
  return undefined;
}
