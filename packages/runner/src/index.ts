/**
 * @vggt-perf-gate/runner: the perf gate. Config, workloads, base-vs-head
 * orchestration, results and reports; the CLI is `vggt-perf-gate`.
 *
 * The public API, each name documented in README.md ("Library use"); every
 * other module is internal.
 */

export {
  ConfigError,
  type ConfigProblem,
  configJsonSchema,
  loadConfig,
  parseConfig,
} from './config/index.js';
export type * from './config/types.js';
export {
  buildVggtShapedModel,
  DEMO_HEAD_SLOWDOWN,
  DEMO_MODEL_OPTIONS,
  DEMO_MODEL_PATH,
  type VggtShapedModelOptions,
  writeDemoModels,
} from './demo/vggt-onnx.js';
export { RunnerError, type RunnerErrorCode } from './errors.js';
export {
  DEFAULT_FAIL_ON,
  FAIL_ON_MODES,
  type FailOn,
  failureKind,
} from './fail-on.js';
export { FORCED_EXIT_MS, type InterruptOptions, stopOnSignals } from './interrupt.js';
export {
  type BenchmarkPlan,
  type BenchmarkProgress,
  measureBenchmark,
} from './measure-benchmark.js';
export { type GateOptions, runGate } from './orchestrate.js';
export {
  checkOutputPaths,
  type OutputFormat,
  OutputPathError,
  type OutputTarget,
  pathInside,
} from './output-paths.js';
export { changeCell } from './report/format.js';
export { type HtmlOptions, renderHtml } from './report/html.js';
export { renderMarkdown } from './report/markdown.js';
export { renderTerminal } from './report/terminal.js';
export {
  type BenchmarkResult,
  type GateResults,
  type GateVerdict,
  type MemoryRow,
  type MetricName,
  type MetricResult,
  type MetricSamples,
  mergeResults,
  RESULTS_SCHEMA_VERSION,
  readResults,
  type SideSummary,
  type VramTimeline,
  writeResults,
} from './results.js';
export { BenchmarkSelectionError, selectBenchmarks } from './select-benchmarks.js';
export { ResultsNotSavedError } from './unsaved-results.js';
export { onnxWorkload } from './workloads/onnx.js';
export { samplesWorkload } from './workloads/samples.js';
export type * from './workloads/types.js';
export { workerWorkload } from './workloads/worker.js';
export {
  type WriteReportsOptions,
  type WrittenReports,
  writeReports,
} from './write-reports.js';
