/**
 * @vggt-perf-gate/device/onnx: ONNX Runtime, kept apart from the GPU
 * inventory so that a team that only runs PyTorch never loads it. What an
 * execution provider can run (`probeDtypes`), how to load onnxruntime-node
 * and check a provider, and the small ONNX writer the probe builds its
 * one-node models with (`encodeModel`).
 */

export { formatDtypeProbe } from './format.js';
export {
  type DtypeProbeEntry,
  type DtypeProbeOptions,
  type DtypeProbeResult,
  loadOnnxRuntime,
  PROBE_PROVIDERS,
  PROVIDER_LOAD_FAILED,
  type ProbeProvider,
  type ProbeStatus,
  probeDtypes,
} from './probe.js';
export { PROBE_DTYPES, type ProbeDtype } from './probe-models.js';
export {
  encodeModel,
  littleEndianBytes,
  type OnnxAttribute,
  OnnxDataType,
  type OnnxDataTypeCode,
  type OnnxDim,
  type OnnxGraph,
  type OnnxModel,
  type OnnxNode,
  type OnnxTensor,
  type OnnxValueInfo,
} from './proto.js';
export {
  checkExecutionProvider,
  type GpuExecutionProvider,
  gpuProviderHint,
  importOnnxRuntime,
  ONNX_INSTALL_COMMAND,
  type Ort,
  onnxRuntimeVersion,
  providerOnlySessionOptions,
} from './runtime.js';
