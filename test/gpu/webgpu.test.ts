// webgpu against wasm on the computations the stages make on a GPU (test/gpu/parity-cases.ts), each within its
// stated tolerance (float32 sums in another order). Skipped with the reason where no adapter exists; required
// under CI, where .ci/run installs Mesa lavapipe.
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, webgpuAdapter } from '../../science/tf-backend.ts';
import { findWebgpu } from '../support/webgpu.ts';
import { compareBackends, parityCases, relativeError, toleranceOf } from './parity-cases.ts';

const found = findWebgpu();
if (!found.run) console.warn(`webgpu.test.ts skipped: ${found.reason}`);

describe.skipIf(!found.run)(`webgpu against wasm${found.adapter ? ` on ${found.adapter}` : found.run ? '' : ` (skipped: ${found.reason})`}`, () => {
  beforeAll(async () => {
    if (!found.adapter) throw new Error(`CI requires a WebGPU adapter for the parity test, but ${found.reason}`);
    await initBackend('webgpu');
    await initBackend('wasm');
  });
  afterAll(async () => {
    if (tf.findBackend('wasm')) await tf.setBackend('wasm');
  });

  it('binds to the probed adapter and computes on it', async () => {
    expect(webgpuAdapter?.adapter.name).toBe(found.adapter);
    await tf.setBackend('webgpu');
    const y = tf.matMul(tf.tensor2d([1, 2, 3, 4], [2, 2]), tf.tensor2d([5, 6, 7, 8], [2, 2]));
    expect(Array.from(await y.data())).toEqual([19, 22, 43, 50]);
    await tf.setBackend('wasm');
  });

  for (const c of parityCases()) {
    it(`${c.name} matches wasm within tolerance`, async () => {
      const rows = await compareBackends([c]);
      expect(rows.length).toBeGreaterThan(0);
      const worst = rows.reduce((w, r) => (r.error / r.tolerance > w.error / w.tolerance ? r : w));
      console.info(`${c.name}: worst ${worst.value} ${worst.error.toExponential(2)} (tolerance ${worst.tolerance})`);
      const bad = rows.filter((r) => !(r.error <= r.tolerance));
      expect(bad.map((r) => `${r.value}: ${r.error.toExponential(2)} > ${r.tolerance}`)).toEqual([]);
    });
  }

  it('the comparison detects a wrong result (a perturbed gradient fails its tolerance)', () => {
    const a = Float32Array.from({ length: 100 }, (_, i) => Math.sin(i));
    const b = Float32Array.from(a);
    b[17] += 1e-3;
    expect(relativeError(a, a)).toBe(0);
    expect(relativeError(b, a)).toBeGreaterThan(toleranceOf('grad W'));
  });
});
