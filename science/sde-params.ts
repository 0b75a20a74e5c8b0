// The VE SDE's parameters as stage parameters: declared once here and spread into every stage that
// needs the SDE (train, sample, spectra, theory, montecarlo, collapse, train-images), so defaults,
// ranges and the consistency check cannot drift apart. `--set all.sigma_max=...` sets them together.
import { param } from '../core/params.ts';
import { VE_DEFAULTS, type VeSdeParams } from './sde.ts';

// `shared`: nodes whose results are combined (one experiment; a node and its upstream, e.g. fig4's spectra and
// fig3-left's model) must use one SDE, so a value set on one stage only (`--set train.sigma_max=60`) is an
// error at plan time naming every node's value; `all.sigma_max=...` sets them together.
// sigma_max ≤ 10⁴: σ² must stay far inside float32 (training runs in float32; 1e308 overflowed to a "diverged"
// loss), and 10⁴ is 200 times the default (50), far above any data scale here (|x| ≤ 2·√784 = 56 for images).
const SDE = 'VE SDE';
export const SDE_PARAMS = {
  sigma_min: param.number({ default: VE_DEFAULTS.sigmaMin, exclusiveMin: 0, max: 1e4, shared: SDE, help: 'VE SDE σ at t = 0' }),
  sigma_max: param.number({ default: VE_DEFAULTS.sigmaMax, min: 0, max: 1e4, shared: SDE, help: 'VE SDE σ at t = 1 (the prior is N(0, σ_max² I))' }),
  // Open at both ends: t = 0 is the singular clean-data limit, and [eps, 1] must be a non-empty interval.
  eps: param.number({ default: VE_DEFAULTS.eps, exclusiveMin: 0, exclusiveMax: 1, shared: SDE, help: 'Smallest time t (training draws t ~ U(eps, 1); grids and samplers stop there)' }),
};

interface SdeParamValues {
  sigma_min: number;
  sigma_max: number;
  eps: number;
}

/** The stage-level check across the SDE's parameters (each one's own range is in its declaration): a message naming both values, or undefined. */
export function sdeProblem(p: SdeParamValues): string | undefined {
  if (!(p.sigma_max > p.sigma_min)) return `need sigma_min < sigma_max, got sigma_min=${p.sigma_min}, sigma_max=${p.sigma_max}`;
  return undefined;
}

/** Stage parameters → the VeSde constructor's record. */
export function sdeParamsOf(p: SdeParamValues): VeSdeParams {
  return { sigmaMin: p.sigma_min, sigmaMax: p.sigma_max, eps: p.eps };
}
