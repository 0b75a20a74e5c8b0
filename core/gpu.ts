// GPU discovery and device binding.
// - visibleGpus: the GPU slots of this host (CUDA_VISIBLE_DEVICES, else nvidia-smi, else the hardware WebGPU
//   adapters Vulkan reports).
// - probeWebgpu: the WebGPU (Dawn over Vulkan) adapters of this machine, found by a child process and cached
//   per machine and driver, so the parent's plan stays cheap (a few stat calls and one small file read).
// - chooseAdapter: which adapter a stage binds to, from the device the engine or Slurm assigned. Vulkan does
//   not read CUDA_VISIBLE_DEVICES, so the assignment is translated here into an adapter of the list.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { hostname } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { execFileSync } from 'node:child_process';

export function visibleGpus(env: NodeJS.ProcessEnv = process.env): string[] {
  const cvd = env.CUDA_VISIBLE_DEVICES;
  if (cvd !== undefined) {
    const ids = cvd.split(',').map((s) => s.trim()).filter((s) => s !== '' && s !== '-1');
    return ids;
  }
  const smi = (env.PATH ?? '').split(delimiter).map((d) => join(d, 'nvidia-smi')).find((p) => existsSync(p));
  if (smi) {
    try {
      const out = execFileSync(smi, ['-L'], { encoding: 'utf8', timeout: 5000 });
      return out.split('\n').filter((l) => l.startsWith('GPU ')).map((_, i) => String(i));
    } catch {
      return [];
    }
  }
  // No NVIDIA tools (an AMD or Intel GPU, or a container without nvidia-smi): Vulkan's hardware adapters.
  // Software adapters (lavapipe) compute on the CPU and are no GPU slot.
  const probe = probeWebgpu(env);
  return probe.adapters.filter((a) => !a.software).map((a) => String(a.index));
}

// ---- WebGPU adapters ----------------------------------------------------------------------------------

export interface WebgpuAdapter {
  /** Position in Dawn's enumeration (Vulkan's physical-device order). */
  index: number;
  /** Dawn's adapter name, e.g. 'NVIDIA H100 80GB HBM3' or 'llvmpipe (LLVM 15.0.6, 256 bits)'. */
  name: string;
  backend: string;
  /** A CPU implementation (lavapipe, SwiftShader): usable when asked for, never chosen by 'auto'. */
  software: boolean;
  /** Dawn's description (driver and version), when the probe could request this adapter. */
  description?: string;
}

export interface WebgpuProbe {
  adapters: WebgpuAdapter[];
  /** Why there are none, or why the probe failed: shown in errors and test skips. */
  reason?: string;
  /** True when this answer came from the per-machine cache. */
  cached?: boolean;
}

const require = createRequire(import.meta.url);

function resolves(pkg: string): string | undefined {
  try {
    return require.resolve(pkg);
  } catch {
    return undefined;
  }
}

const LIB_DIRS = ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib', '/lib/x86_64-linux-gnu', '/usr/local/lib'];
const ICD_DIRS = ['/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d', '/usr/local/share/vulkan/icd.d', '/usr/local/etc/vulkan/icd.d'];
/** Variables that change which Vulkan drivers and devices Dawn sees: part of the cache key. */
const VULKAN_ENV = ['VK_ICD_FILENAMES', 'VK_DRIVER_FILES', 'VK_ADD_DRIVER_FILES', 'VK_LOADER_DRIVERS_SELECT', 'VK_LOADER_DRIVERS_DISABLE', 'DAWNNODE_BACKEND', 'MESA_VK_DEVICE_SELECT', 'MESA_VK_DEVICE_SELECT_FORCE_DEFAULT_DEVICE', 'DRI_PRIME', 'NODEVICE_SELECT', 'LD_LIBRARY_PATH'];

function vulkanLoader(env: NodeJS.ProcessEnv): string | undefined {
  const dirs = [...(env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean), ...LIB_DIRS];
  return dirs.map((d) => join(d, 'libvulkan.so.1')).find((p) => existsSync(p));
}

/** The driver manifests the Vulkan loader would read (the override variables win, as in the loader). */
export function vulkanIcdFiles(env: NodeJS.ProcessEnv = process.env): string[] {
  const override = env.VK_DRIVER_FILES ?? env.VK_ICD_FILENAMES;
  if (override) return override.split(':').filter((p) => p !== '' && existsSync(p));
  const dirs = [...ICD_DIRS, ...(env.XDG_DATA_HOME ? [join(env.XDG_DATA_HOME, 'vulkan/icd.d')] : []), ...(env.HOME ? [join(env.HOME, '.local/share/vulkan/icd.d')] : [])];
  const files: string[] = [];
  for (const d of dirs) {
    try {
      for (const f of readdirSync(d).sort()) if (f.endsWith('.json')) files.push(join(d, f));
    } catch {
      // a missing directory holds no drivers
    }
  }
  return files;
}

const statKey = (p: string): string => {
  try {
    const s = statSync(p);
    return `${p}:${s.size}:${s.mtimeMs}:${s.ino}`;
  } catch {
    return `${p}:absent`;
  }
};

// The child: enumerate Dawn's adapters (a request for a name no adapter has is rejected with the list of all of
// them: dawn.node offers no other enumeration), then request each distinct name for its details.
const PROBE_SCRIPT = `
const { create } = await import(process.argv[1]);
const out = { adapters: [] };
let names = [];
try {
  await create(['adapter=\\u0001no-such-adapter']).requestAdapter();
} catch (e) {
  for (const m of String(e && e.message || e).matchAll(/\\* backend: '([^']*)', name: '(.*)'$/gm)) names.push({ backend: m[1], name: m[2] });
}
const details = new Map();
for (const { name } of names) {
  if (details.has(name)) continue;
  try {
    const a = await create(['adapter=' + name]).requestAdapter();
    details.set(name, a ? { software: a.info.isFallbackAdapter === true || a.info.architecture === 'software', description: a.info.description } : undefined);
  } catch (e) { details.set(name, undefined); }
}
names.forEach(({ backend, name }, index) => {
  const d = details.get(name);
  out.adapters.push({ index, name, backend, software: d ? d.software : /llvmpipe|lavapipe|swiftshader/i.test(name), description: d && d.description });
});
if (names.length === 0) out.reason = 'Dawn found no Vulkan adapter';
process.stdout.write('\\n@@probe ' + JSON.stringify(out) + '\\n');
process.exit(0);
`;

let memo: { key: string; probe: WebgpuProbe } | undefined;

/**
 * The WebGPU adapters of this machine. Without the `webgpu` package, the Vulkan loader or any Vulkan driver
 * manifest the answer is immediate (no adapter, with the reason); otherwise a child process asks Dawn, once
 * per machine, driver and webgpu version: the answer is cached under node_modules/.cache.
 */
export function probeWebgpu(env: NodeJS.ProcessEnv = process.env): WebgpuProbe {
  const entry = resolves('webgpu');
  if (!entry || !resolves('@tensorflow/tfjs-backend-webgpu')) return { adapters: [], reason: 'the optional packages webgpu and @tensorflow/tfjs-backend-webgpu are not installed' };
  const loader = vulkanLoader(env);
  if (!loader) return { adapters: [], reason: 'no Vulkan loader (libvulkan.so.1; Debian: apt-get install libvulkan1)' };
  const icds = vulkanIcdFiles(env);
  if (icds.length === 0) return { adapters: [], reason: 'no Vulkan driver manifest (an NVIDIA driver, or Mesa lavapipe: see the README, GPU)' };
  let nvidia = '';
  try {
    nvidia = readFileSync('/proc/driver/nvidia/version', 'utf8');
  } catch {
    // no NVIDIA kernel driver
  }
  const key = createHash('sha256')
    .update(JSON.stringify({ host: hostname(), node: process.version, webgpu: statKey(join(dirname(entry), 'package.json')), loader: statKey(loader), icds: icds.map(statKey), nvidia, env: VULKAN_ENV.map((k) => env[k] ?? null) }))
    .digest('hex')
    .slice(0, 32);
  if (memo?.key === key) return memo.probe;
  const cacheDir = join(dirname(require.resolve('webgpu/package.json')), '..', '.cache', 'pipeline-webgpu-probe');
  const cacheFile = join(cacheDir, `${key}.json`);
  try {
    const probe = { ...(JSON.parse(readFileSync(cacheFile, 'utf8')) as WebgpuProbe), cached: true };
    if (Array.isArray(probe.adapters)) {
      memo = { key, probe };
      return probe;
    }
  } catch {
    // not probed yet on this machine and driver
  }
  const probe = runProbe(entry, env);
  try {
    mkdirSync(cacheDir, { recursive: true });
    const tmp = `${cacheFile}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(probe));
    renameSync(tmp, cacheFile);
  } catch {
    // a read-only install probes on every run: slower, not wrong
  }
  memo = { key, probe };
  return probe;
}

function runProbe(entry: string, env: NodeJS.ProcessEnv): WebgpuProbe {
  try {
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', PROBE_SCRIPT, entry], {
      encoding: 'utf8',
      timeout: 30_000,
      env: env as NodeJS.ProcessEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const line = out.split('\n').find((l) => l.startsWith('@@probe '));
    if (!line) return { adapters: [], reason: 'the WebGPU probe printed no answer' };
    return JSON.parse(line.slice('@@probe '.length)) as WebgpuProbe;
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    const tail = (err.stderr ?? err.message).trim().split('\n').slice(-2).join(' ');
    return { adapters: [], reason: `the WebGPU probe failed: ${tail}` };
  }
}

// ---- Device binding -----------------------------------------------------------------------------------

/** Parse a device list as Slurm and CUDA write it: '0,2', '1-3', '' (none), '-1' (none), UUIDs kept as is. */
export function parseDeviceList(value: string): string[] {
  const ids: string[] = [];
  for (const part of value.split(',').map((s) => s.trim())) {
    if (part === '' || part === '-1') continue;
    const range = /^(\d+)-(\d+)$/.exec(part);
    if (range) for (let i = Number(range[1]); i <= Number(range[2]); i++) ids.push(String(i));
    else ids.push(part);
  }
  return ids;
}

export interface DeviceAssignment {
  /** The devices this process was given; undefined when nothing assigns (every device is visible). */
  ids?: string[];
  /** The host-wide index of the device to use (Slurm's SLURM_STEP_GPUS / SLURM_JOB_GPUS are host-wide). */
  global?: number;
  /** Where the assignment came from, for logs. */
  source: string;
}

/**
 * The device this process should use. Under Slurm, SLURM_STEP_GPUS (a step) or SLURM_JOB_GPUS (a batch job)
 * name the host-wide indices of the allocated GPUs; CUDA_VISIBLE_DEVICES, which Slurm's gres also sets and
 * this engine's local executor sets per GPU slot, may be renumbered from 0 when Slurm constrains devices.
 */
export function assignedDevice(env: NodeJS.ProcessEnv): DeviceAssignment {
  const slurm = env.SLURM_STEP_GPUS !== undefined ? 'SLURM_STEP_GPUS' : env.SLURM_JOB_GPUS !== undefined ? 'SLURM_JOB_GPUS' : undefined;
  const cvd = env.CUDA_VISIBLE_DEVICES;
  const ids = cvd !== undefined ? parseDeviceList(cvd) : slurm ? parseDeviceList(env[slurm]!) : undefined;
  const firstNumeric = (list: string[] | undefined) => (list && list.length > 0 && /^\d+$/.test(list[0]) ? Number(list[0]) : undefined);
  if (slurm) {
    const global = firstNumeric(parseDeviceList(env[slurm]!));
    if (global !== undefined) return { ids, global, source: `${slurm}=${env[slurm]}` };
  }
  if (cvd !== undefined) return { ids, global: firstNumeric(ids), source: `CUDA_VISIBLE_DEVICES=${cvd}` };
  return { source: 'no assignment (every device visible)' };
}

export interface AdapterChoice {
  adapter: WebgpuAdapter;
  /** Options for webgpu's create(): Dawn takes the first adapter whose name contains the given one. */
  dawnFlags: string[];
  /** Variables to set before Dawn starts Vulkan, when the name alone does not tell the adapter apart. */
  env: Record<string, string>;
  /** One line for the log: which adapter, and why. */
  reason: string;
  /** Set when the binding cannot be guaranteed (identical adapters and no way to tell them apart). */
  warning?: string;
}

/**
 * The adapter a stage binds to: a pure function of the environment and the adapter list (with, for identical
 * adapters, the PCI addresses of the host's GPUs in bus order). Throws, naming the variable and the adapters,
 * when the assignment names a device this process cannot see.
 * - A software adapter (lavapipe) is used only when no hardware adapter exists (it computes on the CPU, so an
 *   empty assignment does not forbid it).
 * - The process sees exactly its assigned devices (Slurm with ConstrainDevices, or a single-GPU host): the
 *   first hardware adapter. Otherwise the host-wide index picks one.
 * - Identical names (eight H100s) cannot be told apart by Dawn's `adapter=` option: Mesa's device-select
 *   Vulkan layer then exposes only the device on the chosen PCI bus (DRI_PRIME=pci-…, and
 *   MESA_VK_DEVICE_SELECT_FORCE_DEFAULT_DEVICE=1), which needs the layer (Debian mesa-vulkan-drivers).
 */
export function chooseAdapter(
  env: NodeJS.ProcessEnv,
  adapters: WebgpuAdapter[],
  host: { /** PCI addresses of the devices sharing the chosen adapter's name, in bus order. */ pciBuses?: string[]; deviceSelectLayer?: boolean } = {},
): AdapterChoice {
  if (adapters.length === 0) throw new Error('chooseAdapter: no WebGPU adapter to choose from');
  const hardware = adapters.filter((a) => !a.software);
  const a = assignedDevice(env);
  let adapter: WebgpuAdapter;
  let reason: string;
  if (hardware.length === 0) {
    adapter = adapters[0];
    reason = `software adapter (no GPU on this host); ${a.source}`;
  } else if (a.ids !== undefined && a.ids.length === 0) {
    throw new Error(`${a.source} assigns no GPU to this process, and WebGPU would use one of ${hardware.map((h) => `'${h.name}'`).join(', ')}: give the stage a GPU slot or choose backend=wasm`);
  } else if (a.ids === undefined || hardware.length <= a.ids.length) {
    adapter = hardware[0];
    reason = a.ids === undefined ? 'the first hardware adapter (no assignment)' : `the only visible device of ${a.source}`;
  } else if (a.global === undefined) {
    throw new Error(`${a.source}: cannot map device '${a.ids[0]}' to one of ${hardware.length} Vulkan adapters (${hardware.map((h) => `'${h.name}'`).join(', ')}); use integer indices`);
  } else if (a.global >= hardware.length) {
    throw new Error(`${a.source}: device ${a.global} is assigned, but Vulkan sees ${hardware.length} GPU adapter(s): ${hardware.map((h) => `${h.index} '${h.name}'`).join(', ')}`);
  } else {
    adapter = hardware[a.global];
    reason = `device ${a.global} of ${hardware.length} (${a.source})`;
  }
  const twins = hardware.filter((h) => h.name === adapter.name);
  const choice: AdapterChoice = { adapter, dawnFlags: [`adapter=${adapter.name}`], env: {}, reason: `${adapter.name}: ${reason}` };
  if (twins.length > 1) {
    const k = twins.indexOf(adapter);
    // The caller lists the PCI addresses of this model's devices in bus order; twins enumerate in that order.
    const bus = host.pciBuses?.length === twins.length ? host.pciBuses[k] : undefined;
    if (bus && host.deviceSelectLayer) {
      const [dom, b, dev, fn] = bus.split(/[:.]/);
      choice.env = { DRI_PRIME: `pci-${dom}_${b}_${dev}_${fn}`, MESA_VK_DEVICE_SELECT_FORCE_DEFAULT_DEVICE: '1' };
      choice.reason += `; pinned to PCI ${bus} by Mesa's device-select layer`;
    } else {
      choice.warning = `${twins.length} adapters are named '${adapter.name}' and ${host.deviceSelectLayer ? 'their PCI addresses are unknown' : "Mesa's device-select Vulkan layer is not installed (Debian mesa-vulkan-drivers)"}: Dawn takes the first of them, not number ${k}`;
    }
  }
  return choice;
}

const PCI_VENDORS: Record<string, string> = { nvidia: '0x10de', amd: '0x1002', radeon: '0x1002', intel: '0x8086' };

/**
 * PCI addresses ('0000:41:00.0') of the host's display controllers made by the vendor an adapter name starts
 * with (NVIDIA, AMD, Intel), in bus order: nvidia-smi's and CUDA's default numbering. A server's BMC VGA
 * (another vendor) is left out.
 */
export function pciDisplayDevices(adapterName: string, root = '/sys/bus/pci/devices'): string[] {
  const vendor = PCI_VENDORS[adapterName.split(/\s+/)[0].toLowerCase()];
  if (!vendor) return [];
  const read = (d: string, f: string) => {
    try {
      return readFileSync(join(root, d, f), 'utf8').trim();
    } catch {
      return '';
    }
  };
  try {
    return readdirSync(root)
      .filter((d) => read(d, 'class').startsWith('0x03') && read(d, 'vendor') === vendor)
      .sort();
  } catch {
    return [];
  }
}

export function deviceSelectLayerInstalled(): boolean {
  return ['/usr/share/vulkan/implicit_layer.d', '/etc/vulkan/implicit_layer.d'].some((d) => existsSync(join(d, 'VkLayer_MESA_device_select.json')));
}
