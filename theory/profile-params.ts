// The variance profile as stage parameters, for the stages that also run without the data stage's
// `profile` table (Figure 2's theory and Monte-Carlo): one declaration, one check. The ranges of single values
// are in the declarations; what spans them (equal lengths, fractions summing to 1) is profileProblem's.
import { param } from '../core/params.ts';
import { profileProblem } from './profile.ts';

export const PROFILE_PARAMS = {
  alpha: param.number({ default: 0.5, exclusiveMin: 0, max: 1, help: 'α = m/d (used without a profile input; default: Figure 2)' }),
  fractions: param.numbers({ default: [0.75, 0.25], exclusiveMin: 0, max: 1, minLength: 1, help: 'Group fractions f_k, summing to 1 (without a profile input)' }),
  variances: param.numbers({ default: [1, 0.01], exclusiveMin: 0, minLength: 1, help: 'Group variances σ_k² (without a profile input)' }),
  scaling: param.choice(['1/d', '1/m'] as const, { default: '1/d', help: 'Variance of the entries of F, as in the data stage (1/m multiplies C by d/m)' }),
};

/** A message naming the offending parameters, or undefined. */
export function profileParamsProblem(p: { alpha: number; fractions: number[]; variances: number[] }): string | undefined {
  const bad = profileProblem({ alpha: p.alpha, fractions: p.fractions, variances: p.variances });
  return bad ? `alpha/fractions/variances: ${bad}` : undefined;
}
