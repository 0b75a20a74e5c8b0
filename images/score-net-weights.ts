// The image score network's weights file: the shared float32 container of science/mlp-weights.ts with
// its own magic, carrying the architecture, the SDE, the preconditioning statistics (per-pixel μ and v) and the EMA
// parameters.

import { checkArchitecture, parameterShapes } from '../science/mlp-architecture.ts';
import { decodeBlobs, encodeBlobs } from '../science/mlp-weights.ts';
import type { ImageScoreNet } from './score-net.ts';

export const IMAGE_WEIGHTS_MAGIC = 'SGIMGW01';

export interface ImageWeights {
  net: ImageScoreNet;
  step: number;
  params: Float32Array[];
}

export function encodeImageWeights(w: ImageWeights): Uint8Array {
  const shapes = parameterShapes(w.net.arch);
  if (shapes.length !== w.params.length) {
    throw new Error(`encodeImageWeights: ${w.params.length} parameter arrays for an architecture with ${shapes.length}`);
  }
  return encodeBlobs(
    IMAGE_WEIGHTS_MAGIC,
    { format: 1, model: 'image-residual-mlp', arch: w.net.arch, sde: w.net.sde, step: w.step },
    [
      { name: 'pixel_mean', shape: [w.net.arch.d], data: w.net.mean },
      { name: 'pixel_variance', shape: [w.net.arch.d], data: w.net.variance },
      ...shapes.map((s, i) => ({ name: s.name, shape: s.shape, data: w.params[i] })),
    ],
  );
}

export function decodeImageWeights(bytes: Uint8Array): ImageWeights {
  const what = 'image score network weights';
  const { meta, tensors } = decodeBlobs(bytes, IMAGE_WEIGHTS_MAGIC, what);
  if (meta.format !== 1 || meta.model !== 'image-residual-mlp') {
    throw new Error(`${what}: unsupported format ${String(meta.format)} / model ${String(meta.model)}`);
  }
  const net = { arch: meta.arch, sde: meta.sde } as Omit<ImageScoreNet, 'mean' | 'variance'>;
  try {
    checkArchitecture(net.arch);
  } catch (e) {
    throw new Error(`${what}: bad architecture in header (${(e as Error).message})`);
  }
  const sde = net.sde;
  if (!(typeof sde?.sigmaMin === 'number' && typeof sde.sigmaMax === 'number' && typeof sde.eps === 'number')) {
    throw new Error(`${what}: header lacks the SDE parameters`);
  }
  const shapes = parameterShapes(net.arch);
  const d = net.arch.d;
  if (
    tensors.length !== shapes.length + 2 ||
    tensors[0].name !== 'pixel_mean' ||
    tensors[0].data.length !== d ||
    tensors[1].name !== 'pixel_variance' ||
    tensors[1].data.length !== d
  ) {
    throw new Error(`${what}: expected pixel_mean [${d}], pixel_variance [${d}], then ${shapes.length} parameter tensors`);
  }
  shapes.forEach((s, i) => {
    const t = tensors[i + 2];
    if (t.name !== s.name || t.shape.join('x') !== s.shape.join('x')) {
      throw new Error(`${what}: tensor ${i + 2} is ${t.name} [${t.shape}], expected ${s.name} [${s.shape}]`);
    }
  });
  return {
    net: { ...net, mean: Float32Array.from(tensors[0].data), variance: Float32Array.from(tensors[1].data) },
    step: Number(meta.step),
    params: tensors.slice(2).map((t) => Float32Array.from(t.data)),
  };
}
