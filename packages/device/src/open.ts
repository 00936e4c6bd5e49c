import { DeviceError } from './errors.js';
import { defaultNvmlLibrary, loadNvml } from './nvml-koffi.js';
import { nvmlReader } from './nvml-reader.js';
import { type SmiOptions, smiReader } from './smi.js';
import type { GpuReader, GpuSource } from './types.js';

export interface OpenOptions extends SmiOptions {
  /** Try this source first (default NVML); the other is the fallback. */
  prefer?: GpuSource;
  /** Use only the preferred source, no fallback. */
  only?: boolean;
  /** NVML library path or name, default libnvidia-ml.so.1 (nvml.dll on Windows). */
  nvmlLibrary?: string;
}

/**
 * Opens a reader of this machine's NVIDIA GPUs: NVML through koffi, or
 * nvidia-smi when NVML cannot load. Throws DeviceError NO_DRIVER when
 * neither works, with both reasons in the message.
 */
export function openGpuReader(options: OpenOptions = {}): GpuReader {
  const order: GpuSource[] =
    options.prefer === 'nvidia-smi' ? ['nvidia-smi', 'nvml'] : ['nvml', 'nvidia-smi'];
  const tried = options.only ? order.slice(0, 1) : order;
  const failures: string[] = [];
  for (const source of tried) {
    try {
      return source === 'nvml'
        ? nvmlReader(loadNvml(options.nvmlLibrary ?? defaultNvmlLibrary()))
        : smiReader(options);
    } catch (error) {
      failures.push(`${source}: ${(error as Error).message}`);
      if (error instanceof DeviceError && error.code === 'NO_SUCH_GPU') throw error;
    }
  }
  throw new DeviceError('NO_DRIVER', `no NVIDIA GPU can be read here.\n  ${failures.join('\n  ')}`);
}
