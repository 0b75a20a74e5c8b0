// The `figures` experiment: one node per figure and the report, bound to the science experiments' outputs.
import type { ExperimentBuilder, NodeRef } from '../engine/dag.ts';
import figure2 from '../stages/figure2.ts';
import figure3 from '../stages/figure3.ts';
import figure4 from '../stages/figure4.ts';
import figure5 from '../stages/figure5.ts';
import imageDimension from '../stages/image-dimension.ts';
import gapWidths from '../stages/gap-widths.ts';
import phaseDiagram from '../stages/phase-diagram.ts';
import dimension from '../stages/dimension.ts';
import methods from '../stages/methods.ts';
import haarStack from '../stages/haar-stack.ts';
import loss from '../stages/loss.ts';
import collapsePlot from '../stages/collapse-plot.ts';
import report from '../stages/report.ts';

type Ref = NodeRef;
interface LinearExperiment {
  model: Ref;
  trained: Ref;
  theory: Ref;
  gaps: { trained: Ref };
  fit: Ref;
  phaseTimes: Ref;
}
interface ImageExperiment {
  model: Ref;
  spectra: Ref;
  empirical: Ref;
  gaussian: Ref;
  intrinsic: Ref;
  summary: Ref;
}
export interface FigureSources {
  fig2: { theory: Ref; montecarlo: Ref; gaps: Ref };
  left: LinearExperiment;
  centre: LinearExperiment;
  right: LinearExperiment;
  fig4: Ref;
  haarStack: Ref;
  collapse: Ref;
  mnist: ImageExperiment;
  fashion: ImageExperiment;
  /** Present only when CIFAR-10 was supplied. */
  cifar10?: ImageExperiment;
}

/** The image experiments by the input prefix the figure and report stages use. */
function imageSets(s: FigureSources): Array<[string, ImageExperiment]> {
  const sets: Array<[string, ImageExperiment | undefined]> = [['mnist', s.mnist], ['fashion_mnist', s.fashion], ['cifar10', s.cifar10]];
  return sets.filter((e): e is [string, ImageExperiment] => e[1] !== undefined);
}

export function figureNodes(x: ExperimentBuilder, s: FigureSources): void {
  const f2 = x.add(figure2, {
    inputs: {
      montecarlo: s.fig2.montecarlo.out.spectra,
      theory_density: s.fig2.theory.out.theory_density,
      theory_curves: s.fig2.theory.out.theory_curves,
      phases: s.fig2.gaps.out.phases,
    },
  });
  const f3 = x.add(figure3, { inputs: { left: s.left.trained.out.spectra, centre: s.centre.trained.out.spectra, right: s.right.trained.out.spectra } });
  const f4 = x.add(figure4, { inputs: { spectra: s.fig4.out.spectra, theory_density: s.left.theory.out.theory_density } });
  const images = imageSets(s);
  const f5 = x.add(figure5, {
    inputs: Object.fromEntries(
      images.flatMap(([k, e]) => [
        [k, e.spectra.out.spectra],
        [`${k}_empirical`, e.empirical.out.spectra],
        [`${k}_gaussian`, e.gaussian.out.spectra],
      ]),
    ),
  });
  const imDim = x.add(imageDimension, {
    inputs: Object.fromEntries(images.flatMap(([k, e]) => [[k, e.summary.out.dimensions], [`${k}_intrinsic`, e.intrinsic.out.intrinsic_dimension]])),
  });
  const gw = x.add(gapWidths, {
    inputs: { theory_curves: s.left.theory.out.theory_curves, theory_gaps: s.left.theory.out.theory_gaps, gaps: s.left.gaps.trained.out.gaps },
  });
  const pd = x.add(phaseDiagram, { inputs: { theory_edges: s.left.theory.out.theory_edges } });
  const dim = x.add(dimension, { inputs: { phases: s.left.gaps.trained.out.phases, theory_curves: s.left.theory.out.theory_curves } });
  const me = x.add(methods, { inputs: { jacobian_error: s.left.trained.out.jacobian_error, spectra: s.left.trained.out.spectra } });
  const hs = x.add(haarStack, { inputs: { spectra: s.haarStack.out.spectra } });
  const lo = x.add(loss, {
    inputs: {
      left: s.left.model.out.loss,
      centre: s.centre.model.out.loss,
      right: s.right.model.out.loss,
      mnist: s.mnist.model.out.loss,
      fashion_mnist: s.fashion.model.out.loss,
    },
  });
  const co = x.add(collapsePlot, { inputs: { collapse: s.collapse.out.collapse } });
  x.add(report, {
    inputs: {
      figure2: f2.out.png,
      figure3: f3.out.png,
      figure4: f4.out.png,
      figure5: f5.out.png,
      image_dimension: imDim.out.png,
      gap_widths: gw.out.png,
      phase_diagram: pd.out.png,
      dimension: dim.out.png,
      methods: me.out.png,
      haar_stack: hs.out.png,
      loss: lo.out.png,
      collapse_plot: co.out.png,
      ...Object.fromEntries(
        (['left', 'centre', 'right'] as const).flatMap((k) => [
          [`phase_times_${k}`, s[k].phaseTimes.out.phase_times],
          [`phases_${k}`, s[k].gaps.trained.out.phases],
          [`fit_${k}`, s[k].fit.out.fit],
        ]),
      ),
      ...Object.fromEntries(images.map(([k, e]) => [`image_summary_${k}`, e.summary.out.image_summary])),
    },
  });
}
