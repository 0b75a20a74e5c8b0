// Choosing the tfjs compute backend for training stages.
// Order for 'auto': tensorflow-gpu (only when installed: it is no dependency, so installing it is the opt-in),
// webgpu (when Vulkan shows a hardware adapter), tensorflow (when installed), wasm (SIMD), cpu (plain JS).
// webgpu comes before the native CPU build because an adapter found by the probe is a GPU that works, and
// after tfjs-node-gpu because whoever installed that (CUDA 11.2 + cuDNN 8.1) asked for it.
// A software Vulkan adapter (Mesa lavapipe) is taken only by an explicit backend=webgpu: it is a CPU and
// slower than wasm, a correctness check for CI.
// The optional packages are only ever loaded by dynamic import inside try/catch, with the specifier in a
// variable so neither tsc nor a bundler tries to resolve them. `resolveBackendName` answers without loading
// tfjs at all, for the engine's parent process, whose answer goes into the cache fingerprint (a model trained
// on wasm and one trained on a GPU are different artifacts).

import { createRequire } from 'node:module';
import path from 'node:path';
import { UsageError } from '../core/errors.ts';
import { chooseAdapter, deviceSelectLayerInstalled, pciDisplayDevices, probeWebgpu, type AdapterChoice, type WebgpuProbe } from '../core/gpu.ts';

export type BackendChoice = 'auto' | 'tensorflow-gpu' | 'webgpu' | 'tensorflow' | 'wasm' | 'cpu';
export const BACKEND_CHOICES: readonly BackendChoice[] = ['auto', 'tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu'];

/** Names as the environment record and logs report them. */
type BackendName = Exclude<BackendChoice, 'auto'>;

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
    throw new UsageError([`backend must be one of ${BACKEND_CHOICES.join(', ')}; got '${choice}'`]);
  }
}

/**
 * Declares the adapter of the machines that will run the stages, for a planning host that has none (a Slurm
 * login node): the plan trusts it, the stage checks it.
 */
const DECLARED_ADAPTER = 'PIPELINE_WEBGPU_ADAPTER';

function webgpuProbe(env: NodeJS.ProcessEnv): WebgpuProbe {
  const declared = env[DECLARED_ADAPTER];
  if (declared) return { adapters: [{ index: 0, name: declared, backend: 'vulkan', software: /llvmpipe|lavapipe|swiftshader/i.test(declared) }] };
  return probeWebgpu(env);
}

/** The backends `choice` can be honoured with here, for error messages. */
function availableChoices(probe: WebgpuProbe): string {
  const ok = BACKEND_CHOICES.filter(
    (c) =>
      c === 'auto' ||
      c === 'cpu' ||
      (c === 'wasm' && installed('@tensorflow/tfjs-backend-wasm')) ||
      (c === 'webgpu' && probe.adapters.length > 0) ||
      ((c === 'tensorflow-gpu' || c === 'tensorflow') && installed(NATIVE_PACKAGES[c])),
  );
  return ok.join(', ');
}

/**
 * The backend `initBackend(choice)` would pick, decided from what is installed and from the cached WebGPU probe,
 * without importing tfjs. An explicit choice that cannot be honoured here is a UsageError (exit 2, at plan
 * time): a missing package, or backend=webgpu without any adapter.
 */
export function resolveBackendName(choice: BackendChoice, env: NodeJS.ProcessEnv = process.env): BackendName {
  checkChoice(choice);
  if (choice === 'tensorflow-gpu' || choice === 'tensorflow') {
    if (!installed(NATIVE_PACKAGES[choice])) {
      throw new UsageError([`backend=${choice}: ${NATIVE_PACKAGES[choice]} is not installed (it is optional: npm install ${NATIVE_PACKAGES[choice]}); allowed here: ${availableChoices(webgpuProbe(env))}`]);
    }
    return choice;
  }
  if (choice === 'webgpu') {
    const probe = webgpuProbe(env);
    if (probe.adapters.length === 0) throw new UsageError([`backend=webgpu: no WebGPU adapter: ${probe.reason ?? 'none found'}; allowed here: ${availableChoices(probe)}`]);
    return choice;
  }
  if (choice !== 'auto') return choice;
  if (installed(NATIVE_PACKAGES['tensorflow-gpu'])) return 'tensorflow-gpu';
  if (webgpuProbe(env).adapters.some((a) => !a.software)) return 'webgpu';
  if (installed(NATIVE_PACKAGES.tensorflow)) return 'tensorflow';
  if (installed('@tensorflow/tfjs-backend-wasm')) return 'wasm';
  return 'cpu';
}

/**
 * The fingerprint's record of the backend: its name and, for webgpu, the adapter (models trained on lavapipe and
 * on an H100 differ in float32 rounding). Cheap like resolveBackendName: for stages' `environment`.
 */
export function backendEnvironment(choice: BackendChoice, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const backend = resolveBackendName(choice, env);
  if (backend !== 'webgpu') return { backend };
  const probe = webgpuProbe(env);
  const hardware = probe.adapters.filter((a) => !a.software);
  return { backend, adapter: (hardware[0] ?? probe.adapters[0]).name };
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

/** The adapter the active webgpu backend runs on (set by initBackend). */
export let webgpuAdapter: (AdapterChoice & { info: Record<string, unknown> }) | undefined;

/**
 * Bind Dawn to the adapter this process was assigned (core/gpu.ts chooseAdapter), then register tfjs's
 * webgpu backend. navigator.gpu must exist before @tensorflow/tfjs-backend-webgpu is imported: it looks for it
 * when it registers. Throws with the reason when no adapter can be used.
 */
async function tryWebgpu(log: (line: string) => void): Promise<void> {
  const probe = probeWebgpu();
  if (probe.adapters.length === 0) throw new Error(`no WebGPU adapter: ${probe.reason ?? 'none found'}`);
  const hardware = probe.adapters.filter((a) => !a.software);
  const name = (hardware[0] ?? probe.adapters[0]).name;
  const choice = chooseAdapter(process.env, probe.adapters, { pciBuses: pciDisplayDevices(name), deviceSelectLayer: deviceSelectLayerInstalled() });
  if (choice.warning) log(`warning: ${choice.warning}`);
  // Read by the Vulkan loader's layers when Dawn creates its instance, which happens after this.
  Object.assign(process.env, choice.env);
  const webgpuSpecifier = 'webgpu';
  const { create, globals } = (await import(webgpuSpecifier)) as { create: (flags: string[]) => unknown; globals: object };
  Object.assign(globalThis, globals);
  const g = globalThis as { navigator?: { gpu?: unknown } };
  // Node ≥ 21 defines a read-only navigator: give it a gpu property rather than replacing it.
  if (g.navigator === undefined) Object.defineProperty(globalThis, 'navigator', { value: {}, configurable: true, writable: true });
  Object.defineProperty(g.navigator, 'gpu', { value: create(choice.dawnFlags), configurable: true, writable: true });
  const tf = await import('@tensorflow/tfjs-core');
  const backendSpecifier = '@tensorflow/tfjs-backend-webgpu';
  await import(backendSpecifier);
  const previous = tf.findBackend('wasm') ? 'wasm' : tf.findBackend('cpu') ? 'cpu' : undefined;
  let ok = false;
  try {
    ok = await tf.setBackend('webgpu');
  } catch {
    ok = false;
  }
  if (!ok) {
    // A failed setBackend leaves tfjs pointing at webgpu until another backend is set.
    if (previous) await tf.setBackend(previous);
    throw new Error(`tfjs could not start its webgpu backend on '${choice.adapter.name}'`);
  }
  const info = ((tf.backend() as unknown as { adapterInfo?: Record<string, unknown> }).adapterInfo ?? {}) as Record<string, unknown>;
  webgpuAdapter = { ...choice, info };
}

let active: BackendName | undefined;

/**
 * Load and activate a tfjs backend; returns its name. 'auto' falls through native GPU → webgpu (hardware
 * adapter) → native CPU → wasm → cpu; an explicit choice that cannot be loaded is an error naming what is
 * missing. Idempotent: a second call with a compatible choice returns the active backend.
 */
export async function initBackend(choice: BackendChoice, log: (line: string) => void = () => {}): Promise<BackendName> {
  checkChoice(choice);
  if (active !== undefined && (choice === 'auto' || choice === active)) return active;
  const webgpuAuto = choice === 'auto' && probeWebgpu().adapters.some((a) => !a.software);
  const order: BackendName[] =
    choice === 'auto' ? ['tensorflow-gpu', ...(webgpuAuto ? (['webgpu'] as const) : []), 'tensorflow', 'wasm', 'cpu'] : [choice];
  const failures: string[] = [];
  for (const name of order) {
    let ok: boolean;
    if (name === 'webgpu') {
      try {
        await tryWebgpu(log);
        ok = true;
      } catch (e) {
        failures.push((e as Error).message);
        ok = false;
      }
    } else ok = name === 'wasm' ? await tryWasm() : name === 'cpu' ? await tryCpu() : await tryNative(name);
    if (ok) {
      const tf = await import('@tensorflow/tfjs-core');
      await tf.ready();
      active = name;
      const detail =
        name === 'wasm'
          ? ` (SIMD ${tf.env().getBool('WASM_HAS_SIMD_SUPPORT') ? 'on' : 'off'})`
          : name === 'webgpu' && webgpuAdapter
            ? ` on ${webgpuAdapter.reason}${webgpuAdapter.adapter.description ? ` [${webgpuAdapter.adapter.description}]` : ''}`
            : '';
      log(`tfjs backend: ${name}${detail}`);
      return name;
    }
  }
  if (choice === 'webgpu') throw new Error(`backend 'webgpu' is not available: ${failures.join('; ')}`);
  const pkg =
    choice === 'wasm'
      ? '@tensorflow/tfjs-backend-wasm'
      : choice === 'cpu'
        ? '@tensorflow/tfjs-backend-cpu'
        : NATIVE_PACKAGES[choice as 'tensorflow-gpu' | 'tensorflow'];
  throw new Error(`backend '${choice}' is not available: could not load ${pkg}`);
}
