// Stage `figure2`: the paper's Figure 2 — theory density of s·J against Monte-Carlo histograms at several
// s, and the dimension-drop curve vs s. Spec in plots/figure2.ts; rendering loaded inside `run`.
import { param } from '../core/params.ts';
import { defineStage, tableInput } from '../core/stage.ts';
import { figureOutputs, type FigureEntry, styleOf, styleParams, writeFigure } from '../plots/figure-stage.ts';
import { PHASES, SPECTRA, THEORY_CURVES, THEORY_DENSITY } from '../artifacts/schemas.ts';
import { RESOLUTION_PARAMS } from '../theory/resolution-param.ts';

const stage = defineStage({
  name: 'figure2',
  description: 'Figure 2: random-matrix density of s·J vs Monte-Carlo histograms, and the dimension drop',
  module: import.meta.url,
  params: {
    s_values: param.numbers({ default: [1, 0.1, 0.01, 0.001], min: 0, minLength: 1, help: 'Noise variances s of the histogram panels (snap to the nearest s computed)' }),
    bins: param.integer({ default: 50, min: 5, max: 1000, help: 'Histogram bins on [−1, 0]' }),
    ...RESOLUTION_PARAMS,
    ...styleParams({ width: 240, height: 180 }),
  },
  check(p) {
    if (p.s_values.some((s) => !(s > 0))) return `s_values must all be > 0, got [${p.s_values.join(', ')}]`;
    return undefined;
  },
  inputs: {
    montecarlo: tableInput(SPECTRA, 'Monte-Carlo spectra of −s(C + sI)⁻¹ over draws of F (montecarlo.spectra)'),
    theory_density: tableInput(THEORY_DENSITY, 'Random-matrix density of the s·J eigenvalues (theory.theory_density)'),
    theory_curves: tableInput(THEORY_CURVES, 'Dimension-drop curve (theory.theory_curves, gap_index = −1 rows)'),
    phases: tableInput(PHASES, 'Gap detection on the Monte-Carlo spectra: measured dimension vs s (gaps.phases)', true),
  },
  outputs: figureOutputs('figure2', 'Figure 2'),
  resources: { cpu: 1, memoryMiB: 400 },
  async run(ctx) {
    const { figure2Spec } = await import('../plots/figure2.ts');
    const spec = figure2Spec(
      {
        montecarlo: await ctx.read.table('montecarlo'),
        density: await ctx.read.table('theory_density'),
        curves: await ctx.read.table('theory_curves'),
        phases: ctx.read.has('phases') ? await ctx.read.table('phases') : undefined,
      },
      { sValues: ctx.params.s_values, bins: ctx.params.bins, delta: ctx.params.delta, style: styleOf(ctx.params) },
    );
    await writeFigure(ctx, spec, ctx.params.scale);
  },
});
export default stage;

export const figure: FigureEntry<typeof stage> = {
  stage,
  title: 'Figure 2 — theory vs Monte-Carlo spectra of s·J',
  caption:
    'Histograms: eigenvalues of sym(s·J) = −s(C + sI)⁻¹ over draws of F at finite d; lines: the random-matrix density (d → ∞) at the same s. Bottom: eigenvalues detached from the −1 spike by more than Δ as s decreases (the dimension drop).',
  sources: {
    montecarlo: 'fig2/montecarlo.spectra',
    theory_density: 'fig2/theory.theory_density',
    theory_curves: 'fig2/theory.theory_curves',
    phases: 'fig2/gaps-montecarlo.phases',
  },
};
