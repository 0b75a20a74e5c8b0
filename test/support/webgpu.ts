// Whether the WebGPU tests can run: an adapter of any kind (Mesa lavapipe in CI, a GPU elsewhere) found by the
// engine's probe (core/gpu.ts). Without one the suites are skipped and say why, except under CI (CI=true),
// where a missing adapter is a failure: .ci/run installs lavapipe from bookworm-backports.
import { probeWebgpu } from '../../core/gpu.ts';
import { requiredByCi } from './chromium.ts';

interface WebgpuLookup {
  adapter?: string;
  reason: string;
  /** Run the suite: an adapter exists, or CI requires it (the suite then fails, naming the reason). */
  run: boolean;
}

export function findWebgpu(env: NodeJS.ProcessEnv = process.env): WebgpuLookup {
  const probe = probeWebgpu(env);
  const adapter = probe.adapters[0]?.name;
  const reason = adapter ? `adapter '${adapter}'` : `no WebGPU adapter: ${probe.reason ?? 'none found'}; see the README, GPU, for Mesa lavapipe`;
  return { adapter, reason, run: adapter !== undefined || requiredByCi(env) };
}
