/**
 * @vggt-perf-gate/runner/history: the gate's results over time. Entries
 * (one small file per run), a store in a directory or on a data branch,
 * trend series and pages, the runner's calibrated noise from its A/A runs,
 * and exports for github-action-benchmark and Bencher. Kept out of the main
 * entry: measuring does not need it.
 */
export {
  HISTORY_KIND,
  HISTORY_SCHEMA_VERSION,
  type HistoryBenchmark,
  type HistoryEntry,
  type HistoryPoint,
  historyEntry,
  isCalibration,
} from './history/entry.js';
export {
  type AppendToBranchOptions,
  appendToBranch,
  type BranchStore,
  readBranch,
} from './history/git-branch.js';
export {
  CALIBRATION_MAX_AGE_DAYS,
  CALIBRATION_RUNS,
  calibratedNoise,
  NOISE_GROWTH_FACTOR,
  type NoiseFloorOptions,
  noiseGrowth,
} from './history/noise-floor.js';
export { type TrendPoint, type TrendSeries, trendSeries } from './history/series.js';
export { appendToStore, readStore, type StoreContents } from './history/store.js';
export { renderTrendHtml, type TrendPageOptions } from './report/trend-html.js';
export { renderTrendComment, renderTrendMarkdown } from './report/trend-markdown.js';
export {
  type ActionBenchmarkEntry,
  type BencherMetrics,
  EXPORT_FORMATS,
  type ExportFormat,
  toActionBenchmark,
  toBencher,
} from './results/exports.js';
