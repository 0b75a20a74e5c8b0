// The image score network's weights file: the shared float32 container of science/mlp-weights.ts with
// its own magic, carrying the architecture, the SDE, the preconditioning statistics (per-pixel μ and v) and the EMA
// parameters. The header's `model` says which network F is: 'image-residual-mlp' (science/mlp-architecture.ts)
// or 'image-unet' (unet.ts), so the spectra stage evaluates the network that was trained.

import { checkArchitecture, parameterShapes } from '../science/mlp-architecture.ts';
import { decodeBlobs, encodeBlobs } from '../science/mlp-weights.ts';
import { isUnetNet, type AnyImageScoreNet } from './score-net.ts';
import { checkUnetArchitecture, isUnetArchitecture, unetParameterShapes } from './unet.ts';

const IMAGE_WEIGHTS_MAGIC = 'SGIMGW01';

const MODEL_NAMES = { mlp: 'image-residual-mlp', unet: 'image-unet' } as const;

interface ImageWeights {
  net: AnyImageScoreNet;
  step: number;
  params: Float32Array[];
}

function shapesOf(net: AnyImageScoreNet): Array<{ name: string; shape: number[] }> {
  return isUnetNet(net) ? unetParameterShapes(net.arch) : parameterShapes(net.arch);
}

export function encodeImageWeights(w: ImageWeights): Uint8Array {
  const shapes = shapesOf(w.net);
  if (shapes.length !== w.params.length) {
    throw new Error(`encodeImageWeights: ${w.params.length} parameter arrays for an architecture with ${shapes.length}`);
  }
  return encodeBlobs(
    IMAGE_WEIGHTS_MAGIC,
    { format: 1, model: isUnetNet(w.net) ? MODEL_NAMES.unet : MODEL_NAMES.mlp, arch: w.net.arch, sde: w.net.sde, step: w.step },
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
  const models = Object.values(MODEL_NAMES) as string[];
  if (meta.format !== 1 || !models.includes(meta.model as string)) {
    throw new Error(`${what}: unsupported format ${String(meta.format)} / model ${String(meta.model)}`);
  }
  const unet = meta.model === MODEL_NAMES.unet;
  const net = { arch: meta.arch, sde: meta.sde } as Omit<AnyImageScoreNet, 'mean' | 'variance'>;
  try {
    if (unet !== isUnetArchitecture(net.arch)) throw new Error(`model ${String(meta.model)} with a mismatched architecture`);
    if (isUnetArchitecture(net.arch)) checkUnetArchitecture(net.arch);
    else checkArchitecture(net.arch);
  } catch (e) {
    throw new Error(`${what}: bad architecture in header (${(e as Error).message})`);
  }
  const sde = net.sde;
  if (!(typeof sde?.sigmaMin === 'number' && typeof sde.sigmaMax === 'number' && typeof sde.eps === 'number')) {
    throw new Error(`${what}: header lacks the SDE parameters`);
  }
  const shapes = shapesOf(net as AnyImageScoreNet);
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
    net: { ...net, mean: Float32Array.from(tensors[0].data), variance: Float32Array.from(tensors[1].data) } as AnyImageScoreNet,
    step: Number(meta.step),
    params: tensors.slice(2).map((t) => Float32Array.from(t.data)),
  };
}
