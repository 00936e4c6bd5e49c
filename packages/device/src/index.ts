/**
 * @vggt-perf-gate/device: what GPU is this and what can it do.
 *
 * Nothing happens on import: NVML is loaded by `openGpuReader()` /
 * `probeDevice()`, onnxruntime by `probeDtypes()` (from `@vggt-perf-gate/device/onnx`).
 */
export {
  DTYPE_SUPPORT_BY_CAPABILITY,
  type Dtype,
  type DtypeSupport,
  dtypeSupport,
  type ResolvedDtype,
  resolveDtype,
} from './capabilities.js';
export {
  CLOCK_EVENT_REASONS,
  decodeClockEventReasons,
  THROTTLING_REASONS,
} from './clock-events.js';
export {
  COMPUTE_DTYPES,
  type ComputeDtype,
  EXECUTION_PROVIDERS,
  type ExecutionProvider,
  isComputeDtype,
  REQUESTED_DTYPES,
  type RequestedDtype,
} from './dtypes.js';
export { DeviceError, type DeviceErrorCode } from './errors.js';
export { formatDeviceProbe } from './format.js';
export { findKnownGpu, fractionOfPeak, KNOWN_GPUS, type KnownGpu } from './known-gpus.js';
export { NVML_RETURN, NvmlCallError, type NvmlCalls } from './nvml-api.js';
export { defaultNvmlLibrary, loadNvml } from './nvml-koffi.js';
export { nvmlReader } from './nvml-reader.js';
export {
  type NvmlDeviceRecording,
  type NvmlRecording,
  recordNvml,
  replayNvml,
} from './nvml-recording.js';
export { NVML_RECORDING_ENV, type OpenOptions, openGpuReader } from './open.js';
export { type DeviceProbe, type GpuSummary, type ProbeOptions, probeDevice } from './probe.js';
export {
  APP_FIELDS,
  DEFAULT_SMI_TIMEOUT_MS,
  GPU_FIELDS,
  LEGACY_GPU_FIELDS,
  parseAppsCsv,
  parseCudaVersion,
  parseGpuCsv,
  runNvidiaSmi,
  type SmiOptions,
  smiReader,
} from './smi.js';
export type {
  ComputeCapability,
  GpuClocks,
  GpuInfo,
  GpuMemory,
  GpuProcess,
  GpuReader,
  GpuSource,
  Inventory,
} from './types.js';
