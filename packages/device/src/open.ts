import { readFileSync } from 'node:fs';
import { DeviceError } from './errors.js';
import type { NvmlCalls } from './nvml-api.js';
import { defaultNvmlLibrary, loadNvml } from './nvml-koffi.js';
import { nvmlReader } from './nvml-reader.js';
import { type NvmlRecording, replayNvml } from './nvml-recording.js';
import { type SmiOptions, smiReader } from './smi.js';
import type { GpuReader, GpuSource } from './types.js';

/**
 * Names a recorded NVML snapshot (JSON, as `recordNvml` writes it) that
 * stands in for the NVIDIA driver: every reader opened while it is set
 * answers from that file, read afresh at each open. It exists so the whole
 * GPU path (probe, VRAM sampler, the bundled Action) can be run and tested
 * on a machine without a GPU; it is never set on a real runner.
 */
export const NVML_RECORDING_ENV = 'PERF_GATE_NVML_RECORDING';

/**
 * Options of `openGpuReader` (and `probeDevice`): which source to read, and
 * how to run nvidia-smi when it is used.
 */
export interface OpenOptions extends SmiOptions {
  /** Try this source first (default NVML); the other is the fallback. */
  prefer?: GpuSource;
  /** Use only the preferred source, no fallback. */
  only?: boolean;
  /** NVML library path or name, default libnvidia-ml.so.1 (nvml.dll on Windows). */
  nvmlLibrary?: string;
  /**
   * A recorded NVML snapshot to answer from instead of the driver. Default:
   * the file named by $PERF_GATE_NVML_RECORDING, read when the reader opens.
   */
  nvmlRecording?: string;
}

/**
 * Opens a reader of this machine's NVIDIA GPUs: NVML through koffi, or
 * nvidia-smi when NVML cannot load. Throws DeviceError NO_DRIVER when
 * neither works, with both reasons in the message. A reader that is the
 * fallback has `fallbackReason` set. An NVML recording that cannot be read
 * throws INVALID_ARGUMENT, with no fallback to nvidia-smi.
 *
 * @example
 * import { openGpuReader } from '@vggt-perf-gate/device';
 * const reader = openGpuReader({ prefer: 'nvml' });
 * try {
 *   console.log(reader.source, reader.memory(0).usedBytes);
 * } finally {
 *   reader.close();
 * }
 */
export function openGpuReader(options: OpenOptions = {}): GpuReader {
  const order: GpuSource[] =
    options.prefer === 'nvidia-smi' ? ['nvidia-smi', 'nvml'] : ['nvml', 'nvidia-smi'];
  const tried = options.only ? order.slice(0, 1) : order;
  const failures: string[] = [];
  for (const source of tried) {
    try {
      const reader = source === 'nvml' ? nvmlReader(nvmlCalls(options)) : smiReader(options);
      // A fallback says why: nvidia-smi reads ~100x less often than NVML, which a report must show.
      return failures.length > 0
        ? Object.assign(reader, { fallbackReason: failures.join('; ') })
        : reader;
    } catch (error) {
      failures.push(`${source}: ${(error as Error).message}`);
      // A GPU that does not exist, or a recording that cannot be read, is no reason to try another source.
      if (
        error instanceof DeviceError &&
        (error.code === 'NO_SUCH_GPU' || error.code === 'INVALID_ARGUMENT')
      )
        throw error;
    }
  }
  throw new DeviceError('NO_DRIVER', `no NVIDIA GPU can be read here.\n  ${failures.join('\n  ')}`);
}

function nvmlCalls(options: OpenOptions): NvmlCalls {
  const recording = options.nvmlRecording ?? process.env[NVML_RECORDING_ENV];
  if (recording) return replayNvml(readRecording(recording));
  return loadNvml(options.nvmlLibrary ?? defaultNvmlLibrary());
}

function readRecording(path: string): NvmlRecording {
  let recording: Partial<NvmlRecording>;
  try {
    recording = JSON.parse(readFileSync(path, 'utf8')) as Partial<NvmlRecording>;
  } catch (cause) {
    throw new DeviceError(
      'INVALID_ARGUMENT',
      `cannot read the NVML recording ${path} (named by ${NVML_RECORDING_ENV}): ${(cause as Error).message}. Unset ${NVML_RECORDING_ENV} to read the real GPU.`,
      { cause },
    );
  }
  if (!Array.isArray(recording.devices) || typeof recording.driverVersion !== 'string') {
    throw new DeviceError(
      'INVALID_ARGUMENT',
      `${path} (named by ${NVML_RECORDING_ENV}) is not an NVML recording: it needs "driverVersion" and "devices", as recordNvml() writes them.`,
    );
  }
  return recording as NvmlRecording;
}
