// Stage `image-dimension`: dimension estimate against t for the trained, empirical and Gaussian scores of
// each image dataset bound, with MLE and TwoNN as reference lines. Spec in plots/image-dimension.ts.
import { defineStage, tableInput, type TableInput } from '../engine/stage.ts';
import { figureOutputs, styleOf, styleParams, writeFigure } from '../plots/figure-stage.ts';
import { IMAGE_DIMENSIONS, INTRINSIC_DIMENSION } from '../artifacts/schemas.ts';
import { FIGURE5_DATASETS } from './figure5.ts';

type Prefix = (typeof FIGURE5_DATASETS)[number][0];
const inputs = Object.fromEntries(
  FIGURE5_DATASETS.flatMap(([prefix, label]) => [
    [prefix, tableInput(IMAGE_DIMENSIONS, `${label}: dimensions per score and t (image-summary.dimensions)`, true)],
    [`${prefix}_intrinsic`, tableInput(INTRINSIC_DIMENSION, `${label}: MLE and TwoNN of the raw images (intrinsic-dimension)`, true)],
  ]),
) as Record<Prefix, TableInput<typeof IMAGE_DIMENSIONS>> & Record<`${Prefix}_intrinsic`, TableInput<typeof INTRINSIC_DIMENSION>>;

export default defineStage({
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
    for (const [prefix, label] of FIGURE5_DATASETS) {
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
