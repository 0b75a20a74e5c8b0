// A small pipeline through the real engine for the figures' end-to-end test: theory → phase diagram and
// gap widths → report (figures bound as PNG, tables left unbound), the same wiring pipeline.ts uses.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../../cli/index.ts';
import type { PipelineSpec } from '../../engine/dag.ts';
import theory from '../../stages/theory.ts';
import phaseDiagram from '../../stages/figure-phase-diagram.ts';
import gapWidths from '../../stages/figure-gap-widths.ts';
import report from '../../stages/report.ts';

export const figuresSpec: PipelineSpec = {
  projectRoot: resolve(dirname(fileURLToPath(import.meta.url)), '../..'),
  defaultProfile: 'quick',
  profiles: { smoke: {}, quick: {}, paper: {} },
  experiments(b) {
    const fig2 = b.experiment('fig2');
    const th = fig2.add(theory, { params: { alpha: 0.5, s_points: 30, density_nodes: 40 } });
    const figs = b.experiment('figures');
    const pd = figs.add(phaseDiagram, { params: { s_points: 40, delta_points: 20, scale: 1 }, inputs: { theory_edges: th.out.theory_edges } });
    const gw = figs.add(gapWidths, {
      params: { scale: 1 },
      inputs: { theory_curves: th.out.theory_curves, theory_gaps: th.out.theory_gaps },
    });
    figs.add(report, { params: { png_scale: 1 }, inputs: { phase_diagram: pd.out.png, gap_widths: gw.out.svg } });
  },
};

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  process.exitCode = await runCli(figuresSpec, process.argv.slice(2));
}
