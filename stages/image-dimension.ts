// Stage `image-dimension`: dimension estimate against t for the trained, empirical and Gaussian scores of
// each image dataset bound, with MLE and TwoNN as reference lines. Spec in plots/image-dimension.ts.
import { defineStage, tableInput, type TableInput } from '../core/stage.ts';
import { figureOutputs, styleOf, styleParams, writeFigure, IMAGE_EXPERIMENTS, type FigureEntry, type Source } from '../plots/figure-stage.ts';
import { IMAGE_DIMENSIONS, INTRINSIC_DIMENSION } from '../artifacts/schemas.ts';

type Prefix = (typeof IMAGE_EXPERIMENTS)[number]['input'];
const inputs = Object.fromEntries(
  IMAGE_EXPERIMENTS.flatMap(({ input: prefix, label }) => [
    [prefix, tableInput(IMAGE_DIMENSIONS, `${label}: dimensions per score and t (image-summary.dimensions)`, true)],
    [`${prefix}_intrinsic`, tableInput(INTRINSIC_DIMENSION, `${label}: MLE and TwoNN of the raw images (intrinsic-dimension)`, true)],
  ]),
) as Record<Prefix, TableInput<typeof IMAGE_DIMENSIONS>> & Record<`${Prefix}_intrinsic`, TableInput<typeof INTRINSIC_DIMENSION>>;

const SOURCES = Object.fromEntries(
  IMAGE_EXPERIMENTS.flatMap(({ input, experiment }) => [
    [input, `${experiment}/image-summary.dimensions` as Source],
    [`${input}_intrinsic`, `${experiment}/intrinsic-dimension.intrinsic_dimension` as Source],
  ]),
);

const stage = defineStage({
  name: 'image-dimension',
  description: 'Dimension vs t for trained, empirical and Gaussian image scores, with MLE and TwoNN references',
  module: import.meta.url,
  params: { ...styleParams({ width: 300, height: 240 }) },
  inputs,
  outputs: figureOutputs('image-dimension', 'Image dimension vs t'),
  resources: { cpu: 1, memoryMiB: 300 },
  async run(ctx) {
    const { imageDimensionSpec } = await import('../plots/image-dimension.ts');
    const panels = [];
    for (const { input: prefix, label } of IMAGE_EXPERIMENTS) {
      if (!ctx.read.has(prefix)) {
        ctx.log.info(`${label}: not bound, no panel`);
        continue;
      }
      const intrinsic = `${prefix}_intrinsic` as const;
      panels.push({
        dataset: label,
        dimensions: await ctx.read.table(prefix),
        intrinsic: ctx.read.has(intrinsic) ? await ctx.read.table(intrinsic) : undefined,
      });
    }
    await writeFigure(ctx, imageDimensionSpec(panels, styleOf(ctx.params)), ctx.params.scale);
  },
});
export default stage;

export const figure: FigureEntry<typeof stage> = {
  stage,
  title: 'Dimension along generation for image data: trained, empirical and Gaussian scores',
  caption:
    'Per dataset, the dimension each score reads from s·J against t: by gap detection (solid) and as the eigenvalues more than Δ above −1 (dashed), with the intrinsic dimension of the raw images (Levina–Bickel MLE, TwoNN) as reference lines. The empirical score memorises below its collapse time (dimension 0); the Gaussian model counts every direction of non-zero variance.',
  sources: SOURCES,
};
