import { type ResolvedDtype, resolveDtype } from './capabilities.js';
import { DeviceError } from './errors.js';
import { findKnownGpu, type KnownGpu } from './known-gpus.js';
import { NVML_RECORDING_ENV, type OpenOptions, openGpuReader } from './open.js';
import type { GpuReader, Inventory } from './types.js';

/**
 * Options of `probeDevice`: those of `openGpuReader`, or a reader already
 * open. `ownPids` defaults to this process.
 */
export interface ProbeOptions extends OpenOptions {
  /** An open reader to use instead of opening one (it is not closed). */
  reader?: GpuReader;
  /** PIDs that belong to the caller (its own workers): not counted as other users of the GPU. */
  ownPids?: readonly number[];
}

/**
 * What the probe adds to one GPU of the inventory: the dtype `auto` picks,
 * its row in KNOWN_GPUS (null if none), and who else is using it.
 */
export interface GpuSummary {
  index: number;
  /** `auto` resolved for this GPU. */
  autoDtype: ResolvedDtype;
  known: KnownGpu | null;
  /** Compute processes on this GPU that are not the caller's. */
  otherProcesses: Inventory['processes'];
}

/**
 * What `probeDevice` found: the inventory, a summary per GPU and the
 * warnings to show; or `no-gpu` with the reason.
 */
export type DeviceProbe =
  | { state: 'ok'; inventory: Inventory; gpus: GpuSummary[]; warnings: string[] }
  | { state: 'no-gpu'; reason: string };

/**
 * What GPUs are here, what `dtype: auto` means on each, and whether anything
 * else is using them. "No GPU" is a result (`state: 'no-gpu'` with the
 * reason), not an exception; a bad reader or driver failure still throws.
 *
 * @example
 * import { probeDevice } from '@vggt-perf-gate/device';
 * const probe = probeDevice({ prefer: 'nvidia-smi', timeoutMs: 5000 });
 * if (probe.state === 'no-gpu') console.error(probe.reason);
 * else for (const warning of probe.warnings) console.warn(warning);
 */
export function probeDevice(options: ProbeOptions = {}): DeviceProbe {
  let reader = options.reader;
  if (!reader) {
    try {
      reader = openGpuReader(options);
    } catch (error) {
      if (error instanceof DeviceError && error.code === 'NO_DRIVER')
        return { state: 'no-gpu', reason: error.message };
      throw error;
    }
  }
  try {
    const inventory = reader.inventory();
    if (inventory.gpus.length === 0) {
      return {
        state: 'no-gpu',
        reason: `the NVIDIA driver (${inventory.driverVersion}) sees no GPU`,
      };
    }
    const own = new Set(options.ownPids ?? [process.pid]);
    const warnings: string[] = [];
    const recording = options.nvmlRecording ?? process.env[NVML_RECORDING_ENV];
    if (recording && !options.reader && inventory.source === 'nvml')
      warnings.push(
        `GPU readings come from the NVML recording ${recording} (${NVML_RECORDING_ENV}), not from the driver: a setting for tests; unset it to measure the real GPU.`,
      );
    if (reader.fallbackReason)
      warnings.push(
        `GPU read through ${reader.source}, not the preferred source (${reader.fallbackReason}). Through nvidia-smi, GPU memory is sampled about 10 times a second instead of 1000, so allocation spikes shorter than ~100 ms can be missed: make the NVIDIA management library (libnvidia-ml.so.1) loadable for 1 kHz sampling.`,
      );
    const gpus = inventory.gpus.map((gpu): GpuSummary => {
      const otherProcesses = inventory.processes.filter(
        (p) => p.gpuIndex === gpu.index && !own.has(p.pid),
      );
      if (otherProcesses.length > 0) {
        const held = otherProcesses.reduce((sum, p) => sum + (p.usedBytes ?? 0), 0);
        warnings.push(
          `GPU ${gpu.index} (${gpu.name}) is in use by ${otherProcesses.length} other process(es) (PIDs ${otherProcesses.map((p) => p.pid).join(', ')}, ${(held / 2 ** 30).toFixed(1)} GiB): timings and memory will be disturbed; stop them or use another GPU.`,
        );
      }
      const throttling = gpu.throttleReasons.filter((r) => r !== 'gpu_idle');
      if (throttling.length > 0) {
        warnings.push(
          `GPU ${gpu.index} (${gpu.name}) reports clock events: ${throttling.join(', ')}.`,
        );
      }
      const autoDtype = resolveDtype('auto', gpu);
      if (autoDtype.warning) warnings.push(autoDtype.warning);
      return { index: gpu.index, autoDtype, known: findKnownGpu(gpu.name), otherProcesses };
    });
    return { state: 'ok', inventory, gpus, warnings };
  } finally {
    if (!options.reader) reader.close();
  }
}
