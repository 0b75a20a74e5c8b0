// Stage `intrinsic-dimension`: classical estimates of the images' intrinsic dimension (Levina–Bickel MLE
// for several k, TwoNN), a cross-check of the dimension the spectral gap gives.

import { param } from '../core/params.ts';
import { defineStage, table, tableInput } from '../core/stage.ts';
import { IMAGES, INTRINSIC_DIMENSION } from '../artifacts/schemas.ts';

export default defineStage({
  name: 'intrinsic-dimension',
  description: 'Intrinsic dimension of the raw images: Levina–Bickel MLE (MacKay–Ghahramani averaging) and TwoNN',
  module: import.meta.url,
  params: {
    k: param.numbers({ default: [5, 10, 20], min: 2, integer: true, minLength: 1, help: 'Neighbour counts of the MLE' }),
    n: param.integer({ default: 2000, min: 0, help: 'Points used (first n rows of the images table; 0 = all). Cost grows as n²' }),
    twonn_discard: param.number({ default: 0.1, min: 0, exclusiveMax: 1, help: 'TwoNN: fraction of the largest neighbour-distance ratios r₂/r₁ left out of its linear fit (Facco et al.)' }),
  },
  check(p) {
    const k = Math.max(...p.k);
    if (p.n > 0 && k >= p.n) return `k: ${k} neighbours need more than k points, but n=${p.n}: allowed k < n (or a larger n)`;
    return undefined;
  },
  checkInputs(p, inputs) {
    // n = 0 means every image: the images node's own n (when it draws a subset) bounds the neighbours.
    const src = inputs.images;
    const available = src?.stage === 'images' && typeof src.params.n === 'number' && src.params.n > 0 ? src.params.n : undefined;
    const used = p.n > 0 && available !== undefined ? Math.min(p.n, available) : p.n > 0 ? p.n : available;
    const k = Math.max(...p.k);
    if (used !== undefined && k >= used) return `k: ${k} neighbours need more than k points, but only ${used} images are used (intrinsic-dimension.n=${p.n}, images.n=${available ?? 'all'}): allowed k < ${used}`;
    return undefined;
  },
  inputs: {
    images: tableInput(IMAGES, 'Images, one per row'),
  },
  outputs: {
    intrinsic_dimension: table(INTRINSIC_DIMENSION, 'method ∈ mle | twonn; k = neighbours (2 for TwoNN)'),
  },
  resources: { cpu: 1, memoryMiB: 500 },
  async run(ctx) {
    const { intrinsicDimensionTable } = await import('../images/intrinsic-dimension.ts');
    const images = await ctx.read.table('images');
    const { values, width } = images.columns.x;
    const n = ctx.params.n === 0 ? images.numRows : Math.min(ctx.params.n, images.numRows);
    ctx.progress(0, `nearest neighbours of ${n} points`);
    const rows = intrinsicDimensionTable({ x: values.subarray(0, n * width), n, dim: width }, ctx.params.k, ctx.params.twonn_discard);
    for (const r of rows) ctx.log.info(`${r.method} k=${r.k}: ${r.estimate.toFixed(2)}`);
    await ctx.write.table('intrinsic_dimension', {
      method: rows.map((r) => r.method),
      k: Int32Array.from(rows, (r) => r.k),
      estimate: Float64Array.from(rows, (r) => r.estimate),
    });
    ctx.progress(1);
  },
});
