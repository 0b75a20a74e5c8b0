// Device binding without a GPU: which adapter a stage takes from the device the engine or Slurm assigned
// (core/gpu.ts), and the plan-time answer of the backend choice (science/tf-backend.ts).
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { runCli } from '../../cli/index.ts';
import { spec } from '../../pipeline.ts';
import { assignedDevice, chooseAdapter, parseDeviceList, pciDisplayDevices, vulkanIcdFiles, type WebgpuAdapter } from '../../core/gpu.ts';
import { UsageError } from '../../core/errors.ts';
import { backendEnvironment, resolveBackendName } from '../../science/tf-backend.ts';

const hw = (index: number, name: string): WebgpuAdapter => ({ index, name, backend: 'vulkan', software: false });
const lavapipe: WebgpuAdapter = { index: 0, name: 'llvmpipe (LLVM 15.0.6, 256 bits)', backend: 'vulkan', software: true };
const eightH100 = Array.from({ length: 8 }, (_, i) => hw(i, 'NVIDIA H100 80GB HBM3'));
const buses = Array.from({ length: 8 }, (_, i) => `0000:${(0x18 + 0x10 * i).toString(16)}:00.0`);

describe('device lists and assignments', () => {
  it('parses CUDA and Slurm device lists: commas, ranges, none, UUIDs', () => {
    expect(parseDeviceList('0,2')).toEqual(['0', '2']);
    expect(parseDeviceList('1-3,6')).toEqual(['1', '2', '3', '6']);
    expect(parseDeviceList('')).toEqual([]);
    expect(parseDeviceList('-1')).toEqual([]);
    expect(parseDeviceList('GPU-8932f937')).toEqual(['GPU-8932f937']);
  });

  it("takes Slurm's host-wide index (step before job) over a renumbered CUDA_VISIBLE_DEVICES", () => {
    expect(assignedDevice({ SLURM_JOB_GPUS: '5', CUDA_VISIBLE_DEVICES: '0' })).toMatchObject({ ids: ['0'], global: 5, source: 'SLURM_JOB_GPUS=5' });
    expect(assignedDevice({ SLURM_STEP_GPUS: '3', SLURM_JOB_GPUS: '2,3', CUDA_VISIBLE_DEVICES: '1' })).toMatchObject({ global: 3, source: 'SLURM_STEP_GPUS=3' });
    expect(assignedDevice({ CUDA_VISIBLE_DEVICES: '2' })).toMatchObject({ ids: ['2'], global: 2 });
    expect(assignedDevice({})).toEqual({ source: 'no assignment (every device visible)' });
  });
});

describe('chooseAdapter', () => {
  it('binds the engine\'s GPU slot to that adapter by name when the names differ', () => {
    const adapters = [hw(0, 'NVIDIA A100-SXM4-40GB'), hw(1, 'NVIDIA RTX A6000')];
    const c = chooseAdapter({ CUDA_VISIBLE_DEVICES: '1' }, adapters);
    expect(c.adapter.name).toBe('NVIDIA RTX A6000');
    expect(c.dawnFlags).toEqual(['adapter=NVIDIA RTX A6000']);
    expect(c.env).toEqual({});
    expect(chooseAdapter({}, adapters).adapter.index).toBe(0);
  });

  it('under Slurm with constrained devices uses the one adapter the job sees, whatever its host-wide index', () => {
    const c = chooseAdapter({ SLURM_JOB_GPUS: '5', CUDA_VISIBLE_DEVICES: '0' }, [hw(0, 'NVIDIA H100 80GB HBM3')]);
    expect(c.adapter.index).toBe(0);
    expect(c.reason).toContain('only visible device');
  });

  it("under Slurm without constrained devices takes the job's host-wide index, and pins identical GPUs by PCI bus", () => {
    const c = chooseAdapter({ SLURM_JOB_GPUS: '5', CUDA_VISIBLE_DEVICES: '5' }, eightH100, { pciBuses: buses, deviceSelectLayer: true });
    expect(c.adapter.index).toBe(5);
    expect(c.env).toEqual({ DRI_PRIME: 'pci-0000_68_00_0', MESA_VK_DEVICE_SELECT_FORCE_DEFAULT_DEVICE: '1' });
    expect(c.warning).toBeUndefined();
  });

  it('warns when identical adapters cannot be told apart (no device-select layer)', () => {
    const c = chooseAdapter({ CUDA_VISIBLE_DEVICES: '3' }, eightH100, { pciBuses: buses, deviceSelectLayer: false });
    expect(c.adapter.index).toBe(3);
    expect(c.env).toEqual({});
    expect(c.warning).toMatch(/8 adapters are named 'NVIDIA H100 80GB HBM3'.*device-select/);
  });

  it('prefers hardware, and uses a software adapter (lavapipe) only when there is no GPU, even with no slot', () => {
    expect(chooseAdapter({}, [lavapipe, { ...hw(1, 'AMD Radeon RX 7900') }]).adapter.name).toBe('AMD Radeon RX 7900');
    expect(chooseAdapter({ CUDA_VISIBLE_DEVICES: '' }, [lavapipe]).adapter).toBe(lavapipe);
  });

  it('refuses, naming the variable, an empty assignment, an index out of range and an unmappable UUID', () => {
    expect(() => chooseAdapter({ CUDA_VISIBLE_DEVICES: '' }, eightH100)).toThrow(/CUDA_VISIBLE_DEVICES= assigns no GPU.*backend=wasm/);
    expect(() => chooseAdapter({ CUDA_VISIBLE_DEVICES: '9' }, eightH100.slice(0, 2))).toThrow(/CUDA_VISIBLE_DEVICES=9: device 9 is assigned, but Vulkan sees 2/);
    expect(() => chooseAdapter({ CUDA_VISIBLE_DEVICES: 'GPU-8932f937' }, eightH100.slice(0, 2))).toThrow(/cannot map device 'GPU-8932f937'/);
  });
});

describe('host discovery without a GPU', () => {
  it("lists one vendor's display controllers in bus order, leaving out a BMC's VGA", () => {
    const root = mkdtempSync(join(tmpdir(), 'sysfs-'));
    const dev = (addr: string, cls: string, vendor: string) => {
      mkdirSync(join(root, addr));
      writeFileSync(join(root, addr, 'class'), `${cls}\n`);
      writeFileSync(join(root, addr, 'vendor'), `${vendor}\n`);
    };
    dev('0000:c1:00.0', '0x030200', '0x10de');
    dev('0000:02:00.0', '0x030000', '0x1a03'); // ASPEED BMC
    dev('0000:41:00.0', '0x030200', '0x10de');
    dev('0000:00:14.0', '0x0c0330', '0x8086'); // a USB controller
    expect(pciDisplayDevices('NVIDIA H100 80GB HBM3', root)).toEqual(['0000:41:00.0', '0000:c1:00.0']);
    expect(pciDisplayDevices('llvmpipe (LLVM 15.0.6, 256 bits)', root)).toEqual([]);
  });

  it('reads the driver manifests the Vulkan loader is pointed at, and none when they do not exist', () => {
    const dir = mkdtempSync(join(tmpdir(), 'icd-'));
    writeFileSync(join(dir, 'nvidia_icd.json'), '{}');
    expect(vulkanIcdFiles({ VK_ICD_FILENAMES: `${join(dir, 'nvidia_icd.json')}:/nonexistent.json` })).toEqual([join(dir, 'nvidia_icd.json')]);
    expect(vulkanIcdFiles({ VK_DRIVER_FILES: '/nonexistent.json' })).toEqual([]);
  });
});

describe('the backend choice at plan time', () => {
  const noVulkan = { ...process.env, VK_ICD_FILENAMES: '/nonexistent/icd.json', PIPELINE_WEBGPU_ADAPTER: '' };

  it('refuses an explicit backend=webgpu without any adapter, naming the value, the reason and what is allowed', () => {
    let err: unknown;
    try {
      resolveBackendName('webgpu', noVulkan);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UsageError);
    expect(String((err as Error).message)).toMatch(/^backend=webgpu: no WebGPU adapter: no Vulkan driver manifest.*allowed here: auto, .*wasm, cpu$/);
    expect(String((err as Error).message)).not.toMatch(/allowed here:.*webgpu/);
  });

  it('auto takes wasm without an adapter, and webgpu for a declared hardware adapter but not for a software one', () => {
    expect(resolveBackendName('auto', noVulkan)).toBe('wasm');
    expect(resolveBackendName('auto', { ...noVulkan, PIPELINE_WEBGPU_ADAPTER: 'NVIDIA H100 80GB HBM3' })).toBe('webgpu');
    expect(resolveBackendName('auto', { ...noVulkan, PIPELINE_WEBGPU_ADAPTER: 'llvmpipe (LLVM 15.0.6, 256 bits)' })).toBe('wasm');
    expect(backendEnvironment('webgpu', { ...noVulkan, PIPELINE_WEBGPU_ADAPTER: 'NVIDIA H100 80GB HBM3' })).toEqual({ backend: 'webgpu', adapter: 'NVIDIA H100 80GB HBM3' });
    expect(backendEnvironment('wasm', noVulkan)).toEqual({ backend: 'wasm' });
  });

  it('refuses a native backend whose package is not installed, and an unknown name', () => {
    expect(() => resolveBackendName('tensorflow-gpu', noVulkan)).toThrow(/backend=tensorflow-gpu: @tensorflow\/tfjs-node-gpu is not installed/);
    expect(() => resolveBackendName('metal' as never, noVulkan)).toThrow(UsageError);
  });
});

describe('the command line with backend=webgpu and no adapter', () => {
  it('stops with exit 2 before anything is written, naming the parameter and what is allowed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'webgpu-cli-'));
    const saved = { icd: process.env.VK_ICD_FILENAMES, declared: process.env.PIPELINE_WEBGPU_ADAPTER };
    process.env.VK_ICD_FILENAMES = '/nonexistent/icd.json';
    delete process.env.PIPELINE_WEBGPU_ADAPTER;
    const err: string[] = [];
    const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => (err.push(String(s)), true));
    const o = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      const code = await runCli(spec, ['--profile', 'smoke', '--only', 'mnist/train-images', '--set', 'train-images.backend=webgpu', '--store', join(dir, 'store'), '--out', join(dir, 'out')]);
      expect(code).toBe(2);
    } finally {
      e.mockRestore();
      o.mockRestore();
      if (saved.icd === undefined) delete process.env.VK_ICD_FILENAMES;
      else process.env.VK_ICD_FILENAMES = saved.icd;
      if (saved.declared !== undefined) process.env.PIPELINE_WEBGPU_ADAPTER = saved.declared;
    }
    expect(err.join('')).toMatch(/backend=webgpu: no WebGPU adapter: no Vulkan driver manifest.*allowed here: auto/);
    expect(existsSync(join(dir, 'store'))).toBe(false);
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });
});
