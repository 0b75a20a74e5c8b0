// The four tables of the `theory` stage (docs/dag.md), computed from one variance profile.

import { spectralCdf, spectralDensity } from './density.ts';
import { dimensionDrop, gapWidthAt, theoryGaps } from './gap-theory.ts';
import { checkProfile, type VarianceProfile } from './profile.ts';
import { rescaledDensity } from './rescaled-spectrum.ts';
import { VeSde, type VeSdeParams } from '../science/sde.ts';

interface TheoryTableOptions {
  profile: VarianceProfile;
  /** Ambient dimension: the dimension-drop curve counts eigenvalues out of d. */
  d: number;
  delta: number;
  sde: VeSdeParams;
  /** Size of the analysis grid over t ∈ [eps, 1]. */
  sPoints: number;
  /** Extra times for the density (Figure 4). */
  atTimes: number[];
  densityNodes: number;
}

export function buildTheoryTables(o: TheoryTableOptions) {
  checkProfile(o.profile);
  const sde = new VeSde(o.sde);
  const sd = spectralDensity(o.profile, o.densityNodes);
  const cdf = spectralCdf(sd);
  const gaps = theoryGaps(sd.bulks, o.delta, sde);
  const grid = sde.analysisGrid(o.sPoints);
  const densityTimes = [...grid, ...o.atTimes.map((t) => ({ t, s: sde.variance(t) }))];

  const edges = {
    bulk: Int32Array.from(sd.bulks.map((_, i) => i)),
    lower: Float64Array.from(sd.bulks.map((b) => b.lower)),
    upper: Float64Array.from(sd.bulks.map((b) => b.upper)),
  };

  const ds: number[] = [];
  const dt: number[] = [];
  const dx: number[] = [];
  const dd: number[] = [];
  for (const { t, s } of densityTimes) {
    for (const pt of rescaledDensity(sd, s)) {
      ds.push(s);
      dt.push(t);
      dx.push(pt.x);
      dd.push(pt.density);
    }
  }
  const density = { s: Float64Array.from(ds), t: Float64Array.from(dt), x: Float64Array.from(dx), density: Float64Array.from(dd) };

  const gapsTable = {
    gap_index: Int32Array.from(gaps.map((g) => g.gapIndex)),
    kind: gaps.map((g) => g.kind as string),
    lower_edge: Float64Array.from(gaps.map((g) => g.lowerEdge)),
    upper_edge: Float64Array.from(gaps.map((g) => g.upperEdge)),
    s_max: Float64Array.from(gaps.map((g) => g.sMax)),
    height: Float64Array.from(gaps.map((g) => g.height)),
    s_open: Float64Array.from(gaps.map((g) => g.sOpen)),
    s_close: Float64Array.from(gaps.map((g) => g.sClose)),
    t_open: Float64Array.from(gaps.map((g) => g.tOpen)),
    t_max: Float64Array.from(gaps.map((g) => g.tMax)),
    t_close: Float64Array.from(gaps.map((g) => g.tClose)),
  };

  const cs: number[] = [];
  const ct: number[] = [];
  const cg: number[] = [];
  const cw: number[] = [];
  const cd: number[] = [];
  for (const { t, s } of grid) {
    for (const g of gaps) {
      cs.push(s);
      ct.push(t);
      cg.push(g.gapIndex);
      cw.push(gapWidthAt(g, s));
      cd.push(NaN);
    }
    cs.push(s);
    ct.push(t);
    cg.push(-1);
    cw.push(NaN);
    cd.push(dimensionDrop(cdf, s, o.delta, o.d));
  }
  const curves = { s: Float64Array.from(cs), t: Float64Array.from(ct), gap_index: Int32Array.from(cg), width: Float64Array.from(cw), dimension: Float64Array.from(cd) };
  return { edges, density, gaps: gapsTable, curves, bulks: sd.bulks, theoryGaps: gaps };
}
