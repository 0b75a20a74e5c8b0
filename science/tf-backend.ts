// Choosing the tfjs compute backend for training stages.
// Order for 'auto': tfjs-node-gpu (CUDA), tfjs-node (native TensorFlow), wasm (SIMD), cpu (plain JS).
// The native packages are optional and usually absent: they are only ever loaded by dynamic import inside
// try/catch, with the specifier in a variable so neither tsc nor a bundler tries to resolve them.
// `resolveBackendName` answers the same question without loading tfjs at all, for the engine's parent
// process, whose answer goes into the cache fingerprint (a model trained on wasm and one trained on CUDA
// are different artifacts).

import { createRequire } from 'node:module';
import path from 'node:path';

export type BackendChoice = 'auto' | 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';
export const BACKEND_CHOICES: readonly BackendChoice[] = ['auto', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];

/** Names as the environment record and logs report them. */
export type BackendName = 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';

const NATIVE_PACKAGES: Record<'tensorflow-gpu' | 'tensorflow', string> = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  tensorflow: '@tensorflow/tfjs-node',
};

const require = createRequire(import.meta.url);

function installed(pkg: string): boolean {
  try {
    require.resolve(pkg);
    return true;
  } catch {
    return false;
  }
}

function checkChoice(choice: string): asserts choice is BackendChoice {
  if (!(BACKEND_CHOICES as readonly string[]).includes(choice)) {
    throw new Error(`backend must be one of ${BACKEND_CHOICES.join(', ')}; got '${choice}'`);
  }
}

/**
 * The backend `initBackend(choice)` would pick, decided from what is installed, without importing tfjs.
 * For an explicit choice this is the choice itself (initBackend fails if it cannot honour it).
 */
export function resolveBackendName(choice: BackendChoice): BackendName {
  checkChoice(choice);
  if (choice !== 'auto') return choice;
  if (installed(NATIVE_PACKAGES['tensorflow-gpu'])) return 'tensorflow-gpu';
  if (installed(NATIVE_PACKAGES.tensorflow)) return 'tensorflow';
  if (installed('@tensorflow/tfjs-backend-wasm')) return 'wasm';
  return 'cpu';
}

async function tryNative(name: 'tensorflow-gpu' | 'tensorflow'): Promise<boolean> {
  const specifier = NATIVE_PACKAGES[name];
  try {
    await import(specifier);
  } catch {
    return false;
  }
  const tf = await import('@tensorflow/tfjs-core');
  // Both native packages register their backend under the name 'tensorflow'.
  return tf.findBackend('tensorflow') !== null && (await tf.setBackend('tensorflow'));
}

async function tryWasm(): Promise<boolean> {
  try {
    const tf = await import('@tensorflow/tfjs-core');
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    // The .wasm binaries ship in the package's dist folder, next to its node entry point.
    const dist = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
    // Threads need web workers the node build cannot spawn; one thread also keeps runs bit-reproducible
    // and matches the stage's one CPU slot.
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    wasm.setWasmPaths(dist + path.sep);
    return await tf.setBackend('wasm');
  } catch {
    return false;
  }
}

async function tryCpu(): Promise<boolean> {
  const tf = await import('@tensorflow/tfjs-core');
  await import('@tensorflow/tfjs-backend-cpu');
  return tf.setBackend('cpu');
}

let active: BackendName | undefined;

/**
 * Load and activate a tfjs backend; returns its name. 'auto' falls through native GPU → native CPU →
 * wasm → cpu; an explicit choice that cannot be loaded is an error naming the missing package.
 * Idempotent: a second call with a compatible choice returns the active backend.
 */
export async function initBackend(choice: BackendChoice, log: (line: string) => void = () => {}): Promise<BackendName> {
  checkChoice(choice);
  if (active !== undefined && (choice === 'auto' || choice === active)) return active;
  const order: BackendName[] = choice === 'auto' ? ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] : [choice];
  for (const name of order) {
    const ok =
      name === 'wasm' ? await tryWasm() : name === 'cpu' ? await tryCpu() : await tryNative(name);
    if (ok) {
      const tf = await import('@tensorflow/tfjs-core');
      await tf.ready();
      active = name;
      const simd = name === 'wasm' ? ` (SIMD ${tf.env().getBool('WASM_HAS_SIMD_SUPPORT') ? 'on' : 'off'})` : '';
      log(`tfjs backend: ${name}${simd}`);
      return name;
    }
  }
  const pkg =
    choice === 'wasm'
      ? '@tensorflow/tfjs-backend-wasm'
      : choice === 'cpu'
        ? '@tensorflow/tfjs-backend-cpu'
        : NATIVE_PACKAGES[choice as 'tensorflow-gpu' | 'tensorflow'];
  throw new Error(`backend '${choice}' is not available: could not load ${pkg}`);
}
