import {
  type DeviceProbe,
  type RequestedDtype,
  type ResolvedDtype,
  resolveDtype,
} from '@vggt-perf-gate/device';
import type { BenchmarkConfig } from '../config/index.js';

/**
 * What is checked about one benchmark before its setup runs: the precision
 * it resolves to on this machine, that its GPU exists, and that no other
 * process holds that GPU where the config says a busy GPU fails.
 */

/** The benchmark's precision on this machine; without a GPU `auto` is fp32. */
export function resolveBenchmarkDtype(
  benchmark: BenchmarkConfig,
  probe: DeviceProbe,
): ResolvedDtype {
  const gpu = probe.state === 'ok' ? probe.inventory.gpus[benchmark.device] : undefined;
  if (gpu) return resolveDtype(benchmark.dtype as RequestedDtype, gpu);
  return {
    dtype: benchmark.dtype === 'auto' ? 'fp32' : benchmark.dtype,
    explanation:
      benchmark.dtype === 'auto'
        ? 'auto -> fp32: no GPU on this machine'
        : `${benchmark.dtype} as configured (no GPU)`,
    warning: null,
  };
}

/** Why the benchmark cannot be measured here, with the fix; null when it can. */
export function preflightProblem(benchmark: BenchmarkConfig, probe: DeviceProbe): string | null {
  if (probe.state !== 'ok') return null;
  if (!probe.inventory.gpus[benchmark.device])
    return `device ${benchmark.device} does not exist: this machine has ${probe.inventory.gpus.length} GPU(s). Fix "device" in the config.`;
  const busy = probe.gpus[benchmark.device]?.otherProcesses ?? [];
  if (busy.length > 0 && benchmark.gpuBusy === 'fail')
    return `GPU ${benchmark.device} is in use by PIDs ${busy.map((p) => p.pid).join(', ')} and gpuBusy is "fail": stop them, or set gpuBusy: warn.`;
  return null;
}
