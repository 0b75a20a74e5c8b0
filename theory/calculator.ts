// `npx tsx pipeline.ts theory --alpha A --variances f1:v1,f2:v2,... [--delta D] [--json]`: the random-matrix
// predictions for one variance profile, without running the pipeline. Prints the bulk edges of C, every
// gap's peak, height and visibility window (in s and in VE SDE time t), and the phase boundaries. Δ and the
// SDE default to the pipeline's (their stage parameter declarations). Returns the process exit code (2 for bad input).

import { bulkEdges } from './edges.ts';
import { theoryGaps, theoryPhases, type TheoryGap } from './gap-theory.ts';
import { profileProblem, type VarianceProfile } from './profile.ts';
import { RESOLUTION_PARAMS } from './resolution-param.ts';
import { VeSde } from '../science/sde.ts';
import { SDE_PARAMS, sdeParamsOf } from '../science/sde-params.ts';

const DEFAULT_DELTA = RESOLUTION_PARAMS.delta.default;
const DEFAULT_SDE = sdeParamsOf({ sigma_min: SDE_PARAMS.sigma_min.default, sigma_max: SDE_PARAMS.sigma_max.default, eps: SDE_PARAMS.eps.default });

const USAGE = 'usage: theory --alpha A --variances f1:v1,f2:v2,... [--delta D] [--json]';

interface CalculatorArgs {
  profile: VarianceProfile;
  delta: number;
  json: boolean;
}

/** Parse the arguments, or return a message naming the flag and the value at fault. */
function parseTheoryArgs(argv: string[]): CalculatorArgs | string {
  let alpha: string | undefined;
  let variances: string | undefined;
  let delta: string | undefined;
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.indexOf('=');
    const flag = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    const inline = arg.startsWith('--') && eq > 0 ? arg.slice(eq + 1) : undefined;
    const value = (): string | undefined => inline ?? argv[++i];
    switch (flag) {
      case '--alpha':
        alpha = value();
        break;
      case '--variances':
        variances = value();
        break;
      case '--delta':
        delta = value();
        break;
      case '--json':
        json = true;
        break;
      default:
        return `unknown argument '${arg}'. ${USAGE}`;
    }
  }
  if (alpha === undefined) return `--alpha is required (α = m/d in (0, 1]). ${USAGE}`;
  if (variances === undefined) return `--variances is required (fraction:variance pairs, e.g. 0.75:1,0.25:0.01). ${USAGE}`;
  const a = Number(alpha);
  if (alpha.trim() === '' || !(Number.isFinite(a) && a > 0 && a <= 1)) return `--alpha must be a number in (0, 1], got '${alpha}'`;
  const fractions: number[] = [];
  const vs: number[] = [];
  for (const pair of variances.split(',')) {
    const parts = pair.split(':');
    const f = Number(parts[0]);
    const v = Number(parts[1]);
    if (parts.length !== 2 || parts[0].trim() === '' || parts[1].trim() === '' || !Number.isFinite(f) || !Number.isFinite(v)) {
      return `--variances must be fraction:variance pairs separated by commas (e.g. 0.75:1,0.25:0.01), got '${variances}' (bad pair '${pair}')`;
    }
    fractions.push(f);
    vs.push(v);
  }
  const profile: VarianceProfile = { alpha: a, fractions, variances: vs };
  const problem = profileProblem(profile);
  if (problem) return `--variances '${variances}' with --alpha ${alpha}: ${problem}`;
  let d = DEFAULT_DELTA;
  if (delta !== undefined) {
    d = Number(delta);
    if (delta.trim() === '' || !(Number.isFinite(d) && d > 0 && d < 1)) return `--delta must be a number in (0, 1), got '${delta}'`;
  }
  return { profile, delta: d, json };
}

function gapRecord(g: TheoryGap) {
  return {
    gap_index: g.gapIndex,
    kind: g.kind,
    lower_edge: g.lowerEdge,
    upper_edge: g.upperEdge,
    s_max: g.sMax,
    height: g.height,
    s_open: g.sOpen,
    s_close: g.sClose,
    t_open: g.tOpen,
    t_max: g.tMax,
    t_close: g.tClose,
  };
}

/** NaN and ±∞ become null in JSON (which has neither); say so in the text output too. */
function fmt(x: number): string {
  if (Number.isNaN(x)) return '—';
  if (x === 0) return '0';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '−∞';
  return Math.abs(x) >= 1e-3 && Math.abs(x) < 1e4 ? x.toPrecision(5) : x.toExponential(4);
}

export async function runTheoryCommand(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(
      `${USAGE}\n  Random-matrix predictions for C = F diag(v) Fᵀ, F_ij ~ N(0, 1/d), α = m/d, a fraction f_k of the\n` +
        `  latent columns at variance σ_k² (--variances f1:σ1²,f2:σ2²,...). --delta is the gap resolution Δ\n` +
        `  (default ${DEFAULT_DELTA}). Times t use the VE SDE defaults σ_min = ${DEFAULT_SDE.sigmaMin}, σ_max = ${DEFAULT_SDE.sigmaMax}.\n`,
    );
    return 0;
  }
  const args = parseTheoryArgs(argv);
  if (typeof args === 'string') {
    process.stderr.write(`theory: ${args}\n`);
    return 2;
  }
  const sde = new VeSde(DEFAULT_SDE);
  const bulks = bulkEdges(args.profile);
  const gaps = theoryGaps(bulks, args.delta, sde);
  const phases = theoryPhases(gaps, args.delta, sde);
  const edges = bulks.flatMap((b) => [b.lower, b.upper]).sort((a, b) => a - b);
  if (args.json) {
    const clean = (x: number) => (Number.isFinite(x) ? x : null);
    const out = {
      alpha: args.profile.alpha,
      fractions: args.profile.fractions,
      variances: args.profile.variances,
      delta: args.delta,
      edges,
      gaps: gaps.map((g) => Object.fromEntries(Object.entries(gapRecord(g)).map(([k, v]) => [k, typeof v === 'number' ? clean(v) : v]))),
      phases: phases.map((p) => ({ phase: p.phase, s_from: clean(p.sFrom), s_to: clean(p.sTo), t_from: clean(p.tFrom), t_to: clean(p.tTo) })),
    };
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    return 0;
  }
  const lines: string[] = [];
  lines.push(`profile: α = ${args.profile.alpha}, groups ${args.profile.fractions.map((f, k) => `${f}:${args.profile.variances[k]}`).join(', ')}; Δ = ${args.delta}`);
  lines.push(`bulk edges of C (per d; atom of weight ${fmt(1 - args.profile.alpha)} at 0):`);
  bulks.forEach((b, i) => lines.push(`  bulk ${i}: [${fmt(b.lower)}, ${fmt(b.upper)}]`));
  lines.push('gaps of s·J (s = noise variance, t = VE SDE time; opens at s_open, closes at s_close as s decreases):');
  for (const g of gaps) {
    const visible = Number.isFinite(g.sOpen) ? `open s ∈ (${fmt(g.sClose)}, ${fmt(g.sOpen)}), t ∈ (${fmt(g.tClose)}, ${fmt(g.tOpen)})` : `never wider than Δ`;
    lines.push(
      `  gap ${g.gapIndex} (${g.kind}, between λ = ${fmt(g.lowerEdge)} and ${fmt(g.upperEdge)}): s_max = ${fmt(g.sMax)} (t ${fmt(g.tMax)}), height = ${fmt(g.height)}; ${visible}`,
    );
  }
  lines.push('phases as s decreases:');
  for (const p of phases) lines.push(`  ${p.phase.padEnd(13)} s ∈ (${fmt(p.sTo)}, ${fmt(p.sFrom)}), t ∈ (${fmt(p.tTo)}, ${fmt(p.tFrom)})`);
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}
