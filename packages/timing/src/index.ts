/**
 * @vggt-perf-gate/timing: honest timing and a base-vs-head verdict.
 *
 * Measure with `measure()`, or bring samples from anywhere (a worker's
 * device-side times); summarise them with `summarize()`; compare two sides
 * with `compare()`; alternate two sides with `interleave()`, or drive your own
 * ABBA rounds (hooks and a pluggable stop rule) with `interleaveRounds()`.
 */
export { type Clock, defaultClock } from './clock.js';
export {
  type CompareOptions,
  type Comparison,
  compare,
  DEFAULT_RESAMPLES,
  DEFAULT_SEED,
  DEFAULT_THRESHOLD,
  formatChange,
  type IntervalMethod,
  type MoreSamplesAdvice,
  type SampleSource,
  type Verdict,
} from './compare.js';
export { normalCdf, normalQuantile } from './distributions.js';
export {
  MeasureFailedError,
  type MeasurePhase,
  TimingError,
  type TimingErrorCode,
} from './errors.js';
export {
  type InterleavedResult,
  InterleaveFailedError,
  type InterleaveOptions,
  type InterleaveStopReason,
  interleave,
} from './interleave.js';
export {
  abbaSchedule,
  DEFAULT_MAX_ROUNDS,
  DEFAULT_MIN_ROUNDS,
  type InterleaveRoundsOptions,
  type InterleaveRoundsResult,
  interleaveRounds,
  type RoundsState,
  roundOrder,
  type Side,
  type StopRule,
  stopWhenDecided,
} from './interleave-rounds.js';
export {
  type AbortedMeasurement,
  BATCH_BELOW,
  BATCH_SAMPLE_TIME,
  type CompletedMeasurement,
  DEFAULT_MAX_SAMPLES,
  DEFAULT_MAX_TIME,
  DEFAULT_MIN_SAMPLES,
  DEFAULT_TARGET_PRECISION,
  DEFAULT_WARMUP_ITERATIONS,
  DEFAULT_WARMUP_TIME,
  type Measurement,
  type MeasureOptions,
  type MeasureProgress,
  measure,
  type StopReason,
} from './measure.js';
export {
  type ClusteredInterval,
  type ClusteredIntervalOptions,
  clusteredInterval,
  type PairedRounds,
  pairRounds,
  turnLevel,
} from './paired-rounds.js';
export { hodgesLehmannRatio, type MannWhitney, mannWhitney } from './rank-test.js';
export { createRng, type Rng } from './rng.js';
export { checkSamples, MIN_SAMPLES, type SortedSamples, sortSamples } from './samples.js';
export {
  type BoundaryShape,
  type LookPlan,
  type LookPlanOptions,
  MAX_LOOKS,
  planLooks,
  thinLooks,
} from './sequential.js';
export {
  classifyOutliers,
  DEFAULT_CONFIDENCE,
  type MedianInterval,
  mean,
  median,
  medianAbsoluteDeviation,
  medianInterval,
  type Outliers,
  quantile,
  type SampleStats,
  standardDeviation,
  summarize,
} from './statistics.js';
