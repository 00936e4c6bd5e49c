/**
 * @vggt-perf-gate/memory: how much GPU memory a workload used.
 *
 * `startVramSampler()` samples a whole process tree on every GPU from a
 * worker thread and reports baseline, peak and a peak-keeping timeline;
 * `mergeFrameworkMemory()` puts the framework's allocator peaks beside it;
 * `checkExpectedMemory()` says whether a peak fits the model and, if not,
 * why it probably does not. `findProcessTree()` and `VramAccumulator` are
 * the parts, usable alone.
 */
export { MemoryError, type MemoryErrorCode } from './errors.js';
export {
  checkExpectedMemory,
  DEFAULT_EXPECTED_FACTOR,
  DTYPE_BYTES,
  type Dtype,
  type ExpectedMemoryCheck,
  type ExpectedMemoryInput,
} from './expected.js';
export { formatBytes } from './format.js';
export {
  type FrameworkMemory,
  LARGE_CONTEXT_OVERHEAD_BYTES,
  type MemoryBreakdown,
  type MemoryBreakdownRow,
  type MergeOptions,
  mergeFrameworkMemory,
  type ProcessPeak,
} from './framework.js';
export {
  findProcessTree,
  isDescendantOf,
  type ProcessTree,
  type ProcessTreeMethod,
  type ProcessTreeOptions,
} from './process-tree.js';
export {
  captureFrame,
  RECORDING_VERSION,
  type Recording,
  type RecordingFrame,
  ReplaySource,
  validateRecording,
} from './recording.js';
export { type ForeignProcess, NVIDIA_SMI_NOTE, type VramReport } from './report.js';
export { startVramSampler, type VramSampler, type VramSamplerOptions } from './sampler.js';
export {
  type AccumulatorOptions,
  type AccumulatorSummary,
  DEFAULT_TIMELINE_POINTS,
  FELL_BEHIND_FACTOR,
  type GpuBytes,
  type GpuMemoryTrack,
  MAX_RECORDED_GAPS,
  type MemoryReading,
  type MemoryTrack,
  PeakTimeline,
  type SamplingGap,
  type TimelinePoint,
  VramAccumulator,
} from './sampler-core.js';
export {
  DEFAULT_INTERVAL_MS,
  type LiveSourceKind,
  type ProcessMemory,
  type ProcessMemorySource,
  type SourceKind,
  type SourceSpec,
} from './source.js';
export { DEFAULT_TREE_RESCAN_MS, type TreeSource } from './tree-tracker.js';
