/**
 * @vggt-perf-gate/runner: the perf gate. Config, workloads, base-vs-head
 * orchestration, results and reports; the CLI is `vggt-perf-gate`.
 */
export * from './config/index.js';
export {
  buildVggtShapedModel,
  DEMO_HEAD_SLOWDOWN,
  DEMO_MODEL_OPTIONS,
  DEMO_MODEL_PATH,
  type VggtShapedModelOptions,
  writeDemoModels,
} from './demo/vggt-onnx.js';
export { RunnerError, type RunnerErrorCode } from './errors.js';
export { checkoutBase, removeLiveCheckouts, resolveCommit } from './git.js';
export {
  type BenchmarkPlan,
  type BenchmarkProgress,
  measureBenchmark,
} from './measure-benchmark.js';
export { type GateOptions, runGate, TOOL_VERSION, workloadFor } from './orchestrate.js';
export {
  checkOutputPaths,
  explainWriteError,
  OutputPathError,
  type OutputTarget,
  type WriteFailure,
  writeOutputFile,
} from './output-paths.js';
export { changeCell } from './report/format.js';
export { type HtmlOptions, renderHtml } from './report/html.js';
export { renderMarkdown } from './report/markdown.js';
export { renderTerminal } from './report/terminal.js';
export * from './results.js';
export { BenchmarkSelectionError, selectBenchmarks } from './select-benchmarks.js';
export { ResultsNotSavedError, saveResultsFallback } from './unsaved-results.js';
export { onnxWorkload } from './workloads/onnx.js';
export { samplesWorkload } from './workloads/samples.js';
export type * from './workloads/types.js';
export { workerWorkload } from './workloads/worker.js';
export { killLiveWorkerGroups } from './workloads/worker-process.js';
