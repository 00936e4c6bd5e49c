import { DeviceError } from './errors.js';

/**
 * The NVML calls this package makes, one method each, returning plain
 * values. Two implementations: the real library through koffi
 * (`loadNvml`) and a recording of one (`replayNvml`), so everything above
 * this line is tested on machines without a GPU against values captured
 * from a real one.
 *
 * Methods for optional data return null when NVML says NOT_SUPPORTED (a
 * GeForce card without power limits, a driver without the v2 memory struct).
 */
export interface NvmlCalls {
  driverVersion(): string;
  /** e.g. 12080 for CUDA 12.8. */
  cudaDriverVersion(): number | null;
  deviceCount(): number;
  name(index: number): string;
  uuid(index: number): string;
  pciBusId(index: number): string;
  computeCapability(index: number): [number, number] | null;
  /** v2 struct: reserved memory reported apart from used. Null on drivers without it. */
  memoryV2(index: number): { total: bigint; reserved: bigint; free: bigint; used: bigint } | null;
  memory(index: number): { total: bigint; free: bigint; used: bigint };
  /** MHz of clock `kind`, current or maximum. */
  clock(index: number, kind: 'sm' | 'memory', max: boolean): number | null;
  clockEventReasons(index: number): bigint | null;
  temperature(index: number): number | null;
  /** Milliwatts. */
  powerUsage(index: number): number | null;
  /** Milliwatts. */
  powerLimit(index: number): number | null;
  /** `usedGpuMemory` is null where NVML reports NVML_VALUE_NOT_AVAILABLE. */
  computeProcesses(index: number): Array<{ pid: number; usedGpuMemory: bigint | null }>;
  shutdown(): void;
}

/** NVML return codes this package names (nvml.h, nvmlReturn_t). */
export const NVML_RETURN: Readonly<Record<number, string>> = {
  0: 'SUCCESS',
  1: 'UNINITIALIZED',
  2: 'INVALID_ARGUMENT',
  3: 'NOT_SUPPORTED',
  4: 'NO_PERMISSION',
  5: 'ALREADY_INITIALIZED',
  6: 'NOT_FOUND',
  7: 'INSUFFICIENT_SIZE',
  8: 'INSUFFICIENT_POWER',
  9: 'DRIVER_NOT_LOADED',
  10: 'TIMEOUT',
  12: 'LIBRARY_NOT_FOUND',
  13: 'FUNCTION_NOT_FOUND',
  15: 'GPU_IS_LOST',
  18: 'LIB_RM_VERSION_MISMATCH',
  999: 'UNKNOWN',
};

export const NVML_SUCCESS = 0;
export const NVML_ERROR_NOT_SUPPORTED = 3;
export const NVML_ERROR_INSUFFICIENT_SIZE = 7;

/**
 * A failed NVML call: the function, its return code and NVML's own words.
 * Its `code` is always DRIVER_ERROR; `call` and `returnCode` say which call
 * failed and how.
 *
 * @example
 * import { loadNvml, NvmlCallError } from '@vggt-perf-gate/device';
 * try {
 *   loadNvml().shutdown();
 * } catch (error) {
 *   if (!(error instanceof NvmlCallError)) throw error;
 *   console.error(error.code, error.call, error.returnCode); // DRIVER_ERROR nvmlInit_v2 9
 * }
 */
export class NvmlCallError extends DeviceError {
  readonly returnCode: number;
  readonly call: string;

  constructor(call: string, returnCode: number, description: string) {
    const name = NVML_RETURN[returnCode] ?? `error ${returnCode}`;
    super(
      'DRIVER_ERROR',
      `${call} failed: NVML_ERROR_${name} (${description}). ${nvmlHint(returnCode)}`,
    );
    this.name = 'NvmlCallError';
    this.returnCode = returnCode;
    this.call = call;
  }
}

function nvmlHint(code: number): string {
  switch (code) {
    case 9:
      return 'The NVIDIA kernel driver is not loaded: check `nvidia-smi` and `lsmod | grep nvidia`.';
    case 18:
      return 'libnvidia-ml and the kernel driver are different versions (a driver upgrade without a reboot?): reboot, or reinstall matching driver packages.';
    case 4:
      return 'No permission to query this GPU: run as a user with access to /dev/nvidia*.';
    case 15:
      return 'The GPU has fallen off the bus: check `dmesg` for Xid errors; the machine needs attention.';
    default:
      return 'Check that `nvidia-smi` works on this machine.';
  }
}
