import { normalQuantile } from './distributions.js';
import { invalidOption, TimingError } from './errors.js';
import { type ClusteredInterval, clusteredInterval, pairRounds } from './paired-rounds.js';
import { hodgesLehmannRatio, mannWhitney } from './rank-test.js';
import { createRng } from './rng.js';
import { type SortedSamples, sortSamples } from './samples.js';
import {
  checkLevel,
  DEFAULT_CONFIDENCE,
  median,
  medianInterval,
  type SampleStats,
  summarize,
} from './statistics.js';

/**
 * Default threshold: a change smaller than 2% is not called a regression.
 * Interleaved runs of a 1B-parameter model resolve about +/-0.2% in a
 * minute, while separate processes of the same code sit up to ~0.65% apart,
 * so 2% leaves room for that offset and still catches what users notice.
 */
export const DEFAULT_THRESHOLD = 0.02;
/** Resamples of the bootstrap method. */
export const DEFAULT_RESAMPLES = 2000;
/** Seed of the bootstrap method, fixed so results are reproducible. */
export const DEFAULT_SEED = 0x5eed;

/**
 * The outcome of `compare()`: where the ratio's interval lies against the
 * threshold. `inconclusive` is never a pass.
 */
export type Verdict = 'regression' | 'improvement' | 'unchanged' | 'inconclusive';

/** How `compare()` builds the ratio's interval when no `rounds` are given. */
export type IntervalMethod = 'order-statistic' | 'bootstrap';

/**
 * Options of `compare()`; all optional. `resamples` (default 2000, at least
 * 100) and `seed` are used by the bootstrap method only.
 */
export interface CompareOptions {
  /**
   * Smallest relative change that matters, as a fraction (0.02 = 2%).
   * Must be > 0 and < 1.
   */
  threshold?: number;
  /** Confidence level of the ratio's interval, default 0.95. */
  confidence?: number;
  /**
   * `order-statistic` (default): distribution-free intervals of each median
   * combined on the log scale (Price & Bonett 2002); fast and deterministic.
   * `bootstrap`: percentile bootstrap of the ratio of medians, seeded.
   */
  method?: IntervalMethod;
  resamples?: number;
  seed?: number;
  /** For metrics where larger is better (throughput): flips the verdict's direction. */
  higherIsBetter?: boolean;
  /**
   * When `confidence` is one look's level of a sequential plan (planLooks),
   * the coverage the plan gives all looks together, e.g. 0.95: the
   * explanation names that ("95% over all looks"), not the look's level.
   */
  overallConfidence?: number;
  /**
   * The round each sample came from, per side, in the order of the samples.
   * When given, rounds are the unit: per round the log ratio of head's turn
   * over base's (each turn's mean log time, trimmed by one at each end), and
   * the interval is the cluster-robust t interval of their mean over
   * `clusterOf`'s clusters (paired-rounds.ts). Noise that moves a whole turn
   * or a whole process then widens the interval instead of becoming a
   * verdict. `interleave()` passes this for you.
   */
  rounds?: {
    base: readonly number[];
    head: readonly number[];
    /**
     * The cluster of a round: rounds that share something (a worker process
     * pair, a session) and so are not independent. Default: every round its
     * own. With fewer than two clusters the verdict stays inconclusive.
     */
    clusterOf?: (round: number) => number;
    /**
     * A floor for the spread between clusters' mean log ratios, e.g. from
     * the runner's calibration (A/A) runs: see clusteredInterval. The
     * interval is only ever widened by it.
     */
    minClusterSd?: number;
  };
}

/** Anything with samples: a plain array, a `measure()` result, a worker's report. */
export type SampleSource = readonly number[] | { readonly samples: readonly number[] };

/** For an inconclusive verdict: about how many samples per side would likely decide it, and why. */
export interface MoreSamplesAdvice {
  /**
   * Samples per side that would likely decide the verdict, from the rule
   * that an interval's width shrinks with the square root of the count.
   * `null` when the estimate sits on a threshold boundary, where no
   * practical number of samples decides it.
   */
  perSide: number | null;
  /** How many more per side than the larger side has now. */
  additionalPerSide: number | null;
  reason: string;
}

/**
 * The result of `compare()`: the head/base ratio with its interval, the
 * verdict, and both sides' statistics (ms).
 */
export interface Comparison {
  verdict: Verdict;
  /**
   * Head over base. Above 1 means head is slower (or larger). With `rounds`:
   * exp of the mean per-round log ratio; without: head median / base median.
   */
  ratio: number;
  /** Confidence interval of the ratio, at `level`. */
  interval: { lower: number; upper: number; level: number };
  /** `rounds`: paired rounds with clusters as the unit; `samples`: the two sides' samples as independent. */
  intervalBasis: 'samples' | 'rounds';
  /** With `rounds`: what the interval was computed from (null with fewer than two clusters). */
  paired: Omit<ClusteredInterval, 'ratio' | 'lower' | 'upper'> | null;
  /** The ratio as a signed relative change: ratio - 1. */
  change: number;
  threshold: number;
  method: IntervalMethod;
  /** Mann-Whitney U two-sided p-value: evidence of *any* difference, not of its size. */
  pValue: number;
  /** Hodges-Lehmann estimate of the ratio, a robustness cross-check on `ratio`. */
  hodgesLehmannRatio: number;
  base: SampleStats;
  head: SampleStats;
  /** Only for an inconclusive verdict. */
  moreSamples: MoreSamplesAdvice | null;
  /** One sentence a person can read in a report. */
  explanation: string;
}

/**
 * Compares head against base: the ratio of medians with a confidence
 * interval, and a verdict against `threshold`:
 *
 * - `regression`: the whole interval lies above 1 + threshold;
 * - `improvement`: the whole interval lies below 1 - threshold;
 * - `unchanged`: the whole interval lies within 1 +/- threshold;
 * - `inconclusive`: anything else. Never a pass: `moreSamples` says how
 *   many samples would likely decide it.
 *
 * @example
 * const c = compare(baseMs, headMs, { threshold: 0.02 });
 * c.verdict; // 'regression' | 'improvement' | 'unchanged' | 'inconclusive'
 * c.explanation; // 'regression: head changed by +3.10% (95% interval [...]), beyond the ±2% threshold'
 */
export function compare(
  base: SampleSource,
  head: SampleSource,
  options: CompareOptions = {},
): Comparison {
  const threshold = options.threshold ?? DEFAULT_THRESHOLD;
  const confidence = options.confidence ?? DEFAULT_CONFIDENCE;
  const method = options.method ?? 'order-statistic';
  checkThreshold(threshold);
  checkLevel(confidence);
  if (method !== 'order-statistic' && method !== 'bootstrap') {
    throw invalidOption('method', method, '"order-statistic" or "bootstrap"');
  }
  const baseSorted = sortSamples(samplesOf(base), 'base samples');
  const headSorted = sortSamples(samplesOf(head), 'head samples');
  const baseMedian = median(baseSorted);
  const headMedian = median(headSorted);
  if (!(baseMedian > 0) || !(headMedian > 0)) {
    const side = baseMedian > 0 ? 'head' : 'base';
    throw new TimingError(
      'INVALID_SAMPLES',
      `${side} median is 0, so no ratio can be formed. The timed work is below the clock's resolution: time a batch of calls per sample (measure() does this for fast functions).`,
    );
  }
  const paired = options.rounds
    ? clusteredInterval(
        pairRounds(samplesOf(base), samplesOf(head), options.rounds, options.rounds.clusterOf),
        confidence,
        options.rounds.minClusterSd === undefined
          ? {}
          : { minClusterSd: options.rounds.minClusterSd },
      )
    : null;
  // With rounds but fewer than two clusters there is no honest interval yet:
  // the sample interval is shown, and the verdict waits (below).
  const interval =
    paired ??
    (method === 'bootstrap'
      ? bootstrapRatioInterval(baseSorted, headSorted, confidence, {
          resamples: options.resamples ?? DEFAULT_RESAMPLES,
          seed: options.seed ?? DEFAULT_SEED,
        })
      : orderStatisticRatioInterval(baseSorted, headSorted, confidence));
  const ratio = paired ? paired.ratio : headMedian / baseMedian;
  const intervalBasis = options.rounds ? 'rounds' : 'samples';
  const direction = options.higherIsBetter ? -1 : 1;
  const tooFewClusters = options.rounds !== undefined && paired === null;
  const verdict = tooFewClusters ? 'inconclusive' : decide(interval, threshold, direction);
  const perSideNow = Math.max(baseSorted.length, headSorted.length);
  const moreSamples = tooFewClusters
    ? {
        perSide: null,
        additionalPerSide: null,
        reason:
          'all rounds come from one cluster (one worker process pair): a verdict needs rounds from at least two, so that an offset between processes shows in the interval',
      }
    : verdict === 'inconclusive'
      ? adviseMoreSamples(ratio, interval, threshold, perSideNow)
      : null;
  const comparison: Comparison = {
    verdict,
    ratio,
    interval: { lower: interval.lower, upper: interval.upper, level: confidence },
    intervalBasis,
    paired: paired && {
      clusters: paired.clusters,
      rounds: paired.rounds,
      df: paired.df,
      standardError: paired.standardError,
      perRoundSd: paired.perRoundSd,
      betweenClusterSd: paired.betweenClusterSd,
      floored: paired.floored,
    },
    change: ratio - 1,
    threshold,
    method,
    pValue: mannWhitney(baseSorted, headSorted).pValue,
    hodgesLehmannRatio: hodgesLehmannRatio(baseSorted, headSorted),
    base: summarize(baseSorted, confidence),
    head: summarize(headSorted, confidence),
    moreSamples,
    explanation: '',
  };
  comparison.explanation = explain(comparison, options.overallConfidence);
  return comparison;
}

export function checkThreshold(threshold: number): void {
  if (typeof threshold !== 'number' || !(threshold > 0)) {
    throw invalidOption(
      'threshold',
      threshold,
      'a fraction > 0 (0.02 means 2%); with 0, every measurable difference would be a regression, so pick the smallest change that matters to you',
    );
  }
  if (threshold >= 1) {
    throw invalidOption(
      'threshold',
      threshold,
      `a fraction below 1 (did you mean ${threshold / 100}, i.e. ${threshold}%?)`,
    );
  }
}

function samplesOf(source: SampleSource): readonly number[] {
  return Array.isArray(source) ? source : (source as { samples: readonly number[] }).samples;
}

interface Bounds {
  lower: number;
  upper: number;
}

function decide(interval: Bounds, threshold: number, direction: 1 | -1): Verdict {
  const worse = direction === 1 ? interval.lower > 1 + threshold : interval.upper < 1 - threshold;
  const better = direction === 1 ? interval.upper < 1 - threshold : interval.lower > 1 + threshold;
  if (worse) return 'regression';
  if (better) return 'improvement';
  if (interval.lower >= 1 - threshold && interval.upper <= 1 + threshold) return 'unchanged';
  return 'inconclusive';
}

/**
 * Price & Bonett (2002): the standard error of each log-median is read off
 * its distribution-free interval (width / 2z at the interval's actual
 * coverage), the two are added in quadrature, and the interval of the
 * log-ratio is mapped back with exp. Works for skewed data and any n >= 2.
 */
function orderStatisticRatioInterval(
  base: SortedSamples,
  head: SortedSamples,
  level: number,
): Bounds {
  const logRatio = Math.log(median(head)) - Math.log(median(base));
  const spread = Math.hypot(
    logMedianStandardError(base, level),
    logMedianStandardError(head, level),
  );
  const z = normalQuantile(1 - (1 - level) / 2);
  return { lower: Math.exp(logRatio - z * spread), upper: Math.exp(logRatio + z * spread) };
}

function logMedianStandardError(sorted: SortedSamples, level: number): number {
  const interval = medianInterval(sorted, level);
  // Guard log(0): a zero lower bound means a sample at the clock's floor.
  const lower = Math.log(Math.max(interval.lower, Number.MIN_VALUE));
  const upper = Math.log(interval.upper);
  const z = normalQuantile(1 - (1 - interval.coverage) / 2);
  return (upper - lower) / (2 * z);
}

/** Percentile bootstrap of the ratio of medians, resampling each side independently. */
function bootstrapRatioInterval(
  base: SortedSamples,
  head: SortedSamples,
  level: number,
  options: { resamples: number; seed: number },
): Bounds {
  const { resamples, seed } = options;
  if (!Number.isInteger(resamples) || resamples < 100) {
    throw invalidOption('resamples', resamples, 'an integer >= 100 (2000 is typical)');
  }
  const rng = createRng(seed);
  const ratios = new Float64Array(resamples);
  const scratchBase = new Float64Array(base.length);
  const scratchHead = new Float64Array(head.length);
  for (let r = 0; r < resamples; r++) {
    ratios[r] = resampledMedian(head, scratchHead, rng) / resampledMedian(base, scratchBase, rng);
  }
  ratios.sort();
  const tail = (1 - level) / 2;
  return {
    lower: ratios[Math.floor(tail * (resamples - 1))]!,
    upper: ratios[Math.ceil((1 - tail) * (resamples - 1))]!,
  };
}

function resampledMedian(
  sorted: SortedSamples,
  scratch: Float64Array,
  rng: ReturnType<typeof createRng>,
): number {
  const n = sorted.length;
  for (let i = 0; i < n; i++) scratch[i] = sorted[rng.int(n)]!;
  scratch.sort();
  const mid = (n - 1) / 2;
  return (scratch[Math.floor(mid)]! + scratch[Math.ceil(mid)]!) / 2;
}

/**
 * Interval width shrinks like 1/sqrt(n). To decide, the half-width (log
 * scale) must fall below the distance from the estimate to the nearest
 * boundary it has to clear, so n must grow by (halfWidth / distance)^2.
 */
function adviseMoreSamples(
  ratio: number,
  interval: Bounds,
  threshold: number,
  perSideNow: number,
): MoreSamplesAdvice {
  const halfWidth = (Math.log(interval.upper) - Math.log(interval.lower)) / 2;
  const logRatio = Math.log(ratio);
  const up = Math.log(1 + threshold);
  const down = Math.log(1 - threshold);
  const distance =
    logRatio >= up
      ? logRatio - up
      : logRatio <= down
        ? down - logRatio
        : Math.min(up - logRatio, logRatio - down);
  if (distance < halfWidth * BOUNDARY_FRACTION) {
    return {
      perSide: null,
      additionalPerSide: null,
      reason: `the estimate (${formatChange(ratio)}) sits on the ±${formatPercent(threshold)} threshold: more samples are unlikely to decide it; the change is about the threshold's size`,
    };
  }
  const perSide = Math.ceil(perSideNow * (halfWidth / distance) ** 2 * SAFETY_MARGIN);
  return {
    perSide,
    additionalPerSide: Math.max(0, perSide - perSideNow),
    reason: `about ${perSide} samples per side (now ${perSideNow}) would likely narrow the interval enough to decide`,
  };
}

/** Below this fraction of the half-width from a boundary, we do not predict a count. */
const BOUNDARY_FRACTION = 0.1;
/** The square-root rule is an expectation; ask for a little more so it is likely enough. */
const SAFETY_MARGIN = 1.2;

function explain(c: Comparison, overall?: number): string {
  const change = formatChange(c.ratio);
  const bounds = `[${formatChange(c.interval.lower)}, ${formatChange(c.interval.upper)}]`;
  const interval =
    overall === undefined
      ? `${Math.round(c.interval.level * 100)}% interval ${bounds}`
      : `interval ${bounds}, ${Math.round(overall * 100)}% over all looks`;
  const limit = `±${formatPercent(c.threshold)}`;
  switch (c.verdict) {
    case 'regression':
      return `regression: head changed by ${change} (${interval}), beyond the ${limit} threshold`;
    case 'improvement':
      return `improvement: head changed by ${change} (${interval}), beyond the ${limit} threshold`;
    case 'unchanged':
      return `unchanged: ${change} (${interval}) lies within the ${limit} threshold`;
    case 'inconclusive':
      return `inconclusive: ${change} (${interval}) straddles the ${limit} threshold; ${c.moreSamples?.reason ?? ''}`;
  }
}

/**
 * `1.034` -> `+3.40%`.
 *
 * @example
 * formatChange(1.034); // '+3.40%'
 */
export function formatChange(ratio: number): string {
  const percent = (ratio - 1) * 100;
  return `${percent >= 0 ? '+' : ''}${percent.toFixed(2)}%`;
}

function formatPercent(fraction: number): string {
  return `${+(fraction * 100).toFixed(2)}%`;
}
