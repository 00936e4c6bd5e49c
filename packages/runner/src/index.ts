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
export { RunnerError, type RunnerErrorCode } from './errors.js';
export { FORCED_EXIT_MS, type InterruptOptions, stopOnSignals } from './gate/interrupt.js';
export { type MeasureOptions, measureBenchmark } from './gate/measure/measure-benchmark.js';
export type { BenchmarkPlan, SideDirs } from './gate/measure/plan.js';
export {
  type BenchmarkStopRule,
  type RoundsStopReason,
  stopAtPlannedLooks,
} from './gate/measure/stop-rule.js';
export {
  DEFAULT_FAIL_ON,
  FAIL_ON_MODES,
  type FailOn,
  failureKind,
} from './gate/policy.js';
export type { BenchmarkProgress } from './gate/progress-events.js';
export { type GateOptions, runGate } from './gate/run.js';
export { BenchmarkSelectionError, selectBenchmarks } from './gate/select-benchmarks.js';
export { changeCell, inconclusiveLean, surelyWorseNote } from './report/format.js';
export { type HtmlOptions, renderHtml } from './report/html.js';
export { renderMarkdown } from './report/markdown.js';
export {
  formatPhaseLine,
  ProgressDisplay,
  type ProgressDisplayOptions,
  shouldShowLiveStatus,
} from './report/progress.js';
export type { GateReporter } from './report/reporter.js';
export {
  type ReportedRun,
  type RunAndReportOptions,
  reportResults,
  runAndReport,
} from './report/run-and-report.js';
export { renderTerminal } from './report/terminal.js';
export { type TerminalReporterOptions, terminalReporter } from './report/terminal-reporter.js';
export {
  type WriteReportsOptions,
  type WrittenReports,
  writeReports,
} from './report/write-reports.js';
export { readResults, writeResults } from './results/io.js';
export { mergeResults } from './results/merge.js';
export {
  checkOutputPaths,
  type OutputFormat,
  OutputPathError,
  type OutputTarget,
  pathInside,
} from './results/output-paths.js';
export {
  type BenchmarkResult,
  type GateResults,
  type GateVerdict,
  type MemoryRow,
  type MetricName,
  type MetricResult,
  type MetricSamples,
  type NoiseFloor,
  RESULTS_SCHEMA_VERSION,
  type SideSummary,
  type VramTimeline,
} from './results/types.js';
export { ResultsNotSavedError } from './results/unsaved.js';
export { onnxWorkload } from './workloads/onnx.js';
export { samplesWorkload } from './workloads/samples.js';
export type * from './workloads/types.js';
export { workerWorkload } from './workloads/worker.js';
