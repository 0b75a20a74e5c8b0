// Rendering cost of the figures at pipeline sizes (npx tsx bench/plots.ts). Reference, measured in the
// same run: a one-line chart through the same vega-lite → vega → SVG → resvg path, so the table reads
// as "how many trivial charts is this figure" whatever the machine's load.
import { renderSvg, rasterise } from '../plots/render.ts';
import { figure2Spec } from '../plots/figure2.ts';
import { figure3Spec } from '../plots/figure3.ts';
import { figure5Spec } from '../plots/figure5.ts';
import { phaseDiagramSpec } from '../plots/phase-diagram.ts';
import { DEFAULT_STYLE, topLevelFigure, type VegaLiteSpec } from '../plots/theme.ts';
import * as syn from '../test/fixtures/plots/synthetic.ts';

const style = DEFAULT_STYLE;

async function time(label: string, rows: number, build: () => VegaLiteSpec, repeats = 3) {
  let buildMs = Infinity;
  let svgMs = Infinity;
  let pngMs = Infinity;
  let size = 0;
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    const spec = build();
    const t1 = performance.now();
    const { svg } = await renderSvg(spec);
    const t2 = performance.now();
    const png = rasterise(svg, 2);
    const t3 = performance.now();
    buildMs = Math.min(buildMs, t1 - t0);
    svgMs = Math.min(svgMs, t2 - t1);
    pngMs = Math.min(pngMs, t3 - t2);
    size = svg.length + png.length;
  }
  return { label, rows, buildMs, svgMs, pngMs, totalMs: buildMs + svgMs + pngMs, kiB: size / 1024 };
}

const reference = () =>
  topLevelFigure(
    { width: 200, height: 120, data: { values: [{ x: 1, y: 1 }, { x: 2, y: 2 }] }, mark: 'line', encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } } },
    style,
    'reference',
  );

const times100 = syn.analysisTimes(100);
const sValues = [1, 0.1, 0.01, 0.001];
const fig3Table = syn.spectraTable({ score: 'trained', method: 'exact', pointKind: 'trajectory', times: times100, points: 16, noise: 0.01, seed: 1 });
const mc = syn.montecarloTable(sValues, 100, 1);
const density = syn.densityTable(sValues, 1000);
const curves = syn.curvesTable(0.1, 200);

const results = [
  await time('reference (2-point line)', 2, reference, 5),
  await time('figure2 (4 s, 100 draws)', mc.numRows + density.numRows, () => figure2Spec({ montecarlo: mc, density, curves }, { sValues, bins: 50, style })),
  await time('figure3 (3 panels, 100 t × 16 pts)', 3 * fig3Table.numRows, () =>
    figure3Spec({ left: fig3Table, centre: fig3Table, right: fig3Table }, { value: 'sv', xAxis: 's', selection: {}, ranks: [], maxRanks: 100, style }),
  ),
  await time('figure5 (1 panel, all 40 ranks)', fig3Table.numRows, () =>
    figure5Spec([{ dataset: 'MNIST', panels: [{ source: 'trained', table: fig3Table }] }], { value: 'sv', xAxis: 's', selection: {}, ranks: [], maxRanks: 64, style }),
  ),
  await time('phase diagram (160 × 60 cells)', 9600, () =>
    phaseDiagramSpec(syn.edgesTable(), { sMin: 1e-4, sMax: 2500, sPoints: 160, deltaMin: 0.01, deltaMax: 0.95, deltaPoints: 60, style }),
  ),
];
const ref = results[0].totalMs;
console.log('figure'.padEnd(38) + 'rows in'.padStart(9) + 'spec ms'.padStart(9) + 'svg ms'.padStart(9) + 'png ms'.padStart(9) + 'total'.padStart(9) + '× ref'.padStart(8) + 'KiB out'.padStart(9));
for (const r of results) {
  console.log(
    r.label.padEnd(38) +
      String(r.rows).padStart(9) +
      r.buildMs.toFixed(0).padStart(9) +
      r.svgMs.toFixed(0).padStart(9) +
      r.pngMs.toFixed(0).padStart(9) +
      r.totalMs.toFixed(0).padStart(9) +
      (r.totalMs / ref).toFixed(1).padStart(8) +
      r.kiB.toFixed(0).padStart(9),
  );
}
