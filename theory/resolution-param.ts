// The gap resolution Δ as a stage parameter, declared once for the stages that detect gaps or count the
// dimension drop (theory, gaps, image-summary), so its default, its open range and its help cannot drift apart.
//
// Default 0.1: in the rescaled spectrum (normal directions at −1, range [−1, 0]) a spacing of 0.1 is about 4×
// the mean spacing of the m = 40 tangent eigenvalues of the paper's d = 100 setting (≈ 1/40 over a unit
// interval), so bulk-internal fluctuations at finite d rarely exceed it, while the paper's intermediate gap
// (height ≈ 0.6) and the manifold gap (opening at 9 γ₋) stay visible over a wide window of s. The phase
// diagram sweeps it.
import { param } from '../core/params.ts';

export const RESOLUTION_PARAMS = {
  delta: param.number({
    default: 0.1,
    exclusiveMin: 0,
    exclusiveMax: 1,
    help: 'Gap resolution Δ in units of the rescaled spectrum: gaps wider than Δ count, and the dimension drop counts eigenvalues more than Δ above −1',
  }),
};
