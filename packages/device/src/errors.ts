/**
 * Every error this package throws is a DeviceError with a stable `code`;
 * the message says what was wrong, where, and what to check.
 */
export type DeviceErrorCode =
  /** No NVIDIA driver library (libnvidia-ml) and no working nvidia-smi. */
  | 'NO_DRIVER'
  /** The driver library loaded but refused to initialise (driver/library mismatch, no permission). */
  | 'DRIVER_ERROR'
  /** A GPU index that does not exist. */
  | 'NO_SUCH_GPU'
  /** nvidia-smi ran but failed, printed something unreadable, or timed out. */
  | 'NVIDIA_SMI_FAILED'
  /** An onnxruntime execution provider that is not installed. */
  | 'PROVIDER_MISSING'
  /** A bad argument. */
  | 'INVALID_ARGUMENT';

/**
 * The error this package throws. `code` says what kind of failure it is
 * (see DeviceErrorCode); the message says what to check.
 *
 * @example
 * import { DeviceError, openGpuReader } from '@vggt-perf-gate/device';
 * try {
 *   openGpuReader().close();
 * } catch (error) {
 *   if (!(error instanceof DeviceError) || error.code !== 'NO_DRIVER') throw error;
 *   console.error(error.message); // why NVML and nvidia-smi each failed
 * }
 */
export class DeviceError extends Error {
  readonly code: DeviceErrorCode;

  constructor(code: DeviceErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DeviceError';
    this.code = code;
  }
}
