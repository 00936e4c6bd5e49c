import { binomialHalfCdf, largestRankWithin, normalQuantile } from './distributions.js';
import { invalidOption } from './errors.js';
import { type SortedSamples, sortSamples } from './samples.js';

/** Default confidence level of every interval in this package. */
export const DEFAULT_CONFIDENCE = 0.95;

/** Tukey's fence multipliers: 1.5 IQR marks a mild outlier, 3 IQR a severe one. */
export const TUKEY_MILD = 1.5;
export const TUKEY_SEVERE = 3;

/** MAD scaled by this estimates the standard deviation of normal data. */
const MAD_TO_SIGMA = 1.4826;

/**
 * The q-quantile (0 <= q <= 1) by linear interpolation between order
 * statistics (Hyndman & Fan type 7, the default of R and NumPy).
 *
 * @example
 * quantile(sortSamples([1, 2, 3, 4, 5]), 0.5); // 3
 */
export function quantile(sorted: SortedSamples, q: number): number {
  if (!(q >= 0 && q <= 1)) throw invalidOption('q', q, 'a quantile between 0 and 1');
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const lower = sorted[below]!;
  const upper = sorted[Math.min(below + 1, sorted.length - 1)]!;
  return lower + (upper - lower) * (position - below);
}

/**
 * The median of sorted samples: the middle one, or the mean of the middle two.
 * @example
 * median(sortSamples([3, 1, 2, 4])); // 2.5
 */
export function median(sorted: SortedSamples): number {
  return quantile(sorted, 0.5);
}

/**
 * The arithmetic mean.
 * @example
 * mean([1, 2, 3]); // 2
 */
export function mean(samples: readonly number[]): number {
  let total = 0;
  for (const value of samples) total += value;
  return total / samples.length;
}

/**
 * Sample standard deviation (n - 1 in the denominator).
 *
 * @example
 * standardDeviation([2, 4, 4, 4, 5, 5, 7, 9]); // about 2.14 (n - 1 in the divisor)
 */
export function standardDeviation(samples: readonly number[]): number {
  const centre = mean(samples);
  let squares = 0;
  for (const value of samples) squares += (value - centre) ** 2;
  return Math.sqrt(squares / (samples.length - 1));
}

/**
 * Median absolute deviation from the median (unscaled).
 *
 * @example
 * medianAbsoluteDeviation(sortSamples([1, 2, 3, 4, 100])); // 1
 */
export function medianAbsoluteDeviation(sorted: SortedSamples): number {
  const centre = median(sorted);
  return median(sortSamples(sorted.map((value) => Math.abs(value - centre))));
}

/** Tukey outlier counts of one set of samples, from `classifyOutliers()`. */
export interface Outliers {
  /** Fences: values below `lowerFence` or above `upperFence` are outliers. */
  lowerFence: number;
  upperFence: number;
  /** Counts outside the mild (1.5 IQR) and severe (3 IQR) fences, per side. */
  lowMild: number;
  lowSevere: number;
  highMild: number;
  highSevere: number;
}

/**
 * Tukey's fences on the interquartile range. Severe outliers are not counted as mild.
 *
 * @example
 * classifyOutliers(sortSamples(samples)).highSevere; // how many lie over 3 IQR above the third quartile
 */
export function classifyOutliers(sorted: SortedSamples): Outliers {
  const q1 = quantile(sorted, 0.25);
  const q3 = quantile(sorted, 0.75);
  const iqr = q3 - q1;
  const result: Outliers = {
    lowerFence: q1 - TUKEY_MILD * iqr,
    upperFence: q3 + TUKEY_MILD * iqr,
    lowMild: 0,
    lowSevere: 0,
    highMild: 0,
    highSevere: 0,
  };
  for (const value of sorted) {
    if (value < q1 - TUKEY_SEVERE * iqr) result.lowSevere++;
    else if (value < result.lowerFence) result.lowMild++;
    else if (value > q3 + TUKEY_SEVERE * iqr) result.highSevere++;
    else if (value > result.upperFence) result.highMild++;
  }
  return result;
}

/** A distribution-free confidence interval of the median, from `medianInterval()`. */
export interface MedianInterval {
  lower: number;
  upper: number;
  /** Confidence level asked for. */
  level: number;
  /**
   * Coverage the interval actually has. Order statistics give discrete
   * levels, so this is >= `level`, except with too few samples (fewer than 6
   * at 95%), where even [min, max] falls short and this says by how much.
   */
  coverage: number;
  /** 1-based ranks of the order statistics that bound the interval. */
  lowerRank: number;
  upperRank: number;
}

/**
 * Distribution-free confidence interval of the median from order
 * statistics: the number of samples below the true median is
 * Binomial(n, 1/2), so [x_(k), x_(n-k+1)] covers it with probability
 * 1 - 2 P(B <= k-1). No assumption about the shape of the data, which
 * matters for skewed, outlier-prone timings.
 *
 * @example
 * const { lower, upper, coverage } = medianInterval(sortSamples(samples), 0.95);
 */
export function medianInterval(sorted: SortedSamples, level = DEFAULT_CONFIDENCE): MedianInterval {
  checkLevel(level);
  const n = sorted.length;
  const tail = (1 - level) / 2;
  let k: number;
  if (n > EXACT_BINOMIAL_LIMIT) {
    // Normal approximation to the binomial, accurate to a rank at this size.
    k = Math.max(1, Math.floor(n / 2 - (normalQuantile(1 - tail) * Math.sqrt(n)) / 2));
  } else {
    k = largestRankWithin(n, tail);
  }
  const coverage = 1 - 2 * binomialHalfCdf(k - 1, n);
  return {
    lower: sorted[k - 1]!,
    upper: sorted[n - k]!,
    level,
    coverage,
    lowerRank: k,
    upperRank: n - k + 1,
  };
}

/** Beyond this many samples the binomial is replaced by its normal approximation. */
const EXACT_BINOMIAL_LIMIT = 5000;

export function checkLevel(level: number): void {
  if (!(level > 0.5 && level < 1)) {
    throw invalidOption(
      'confidence',
      level,
      'a probability between 0.5 and 1 (0.95 means a 95% interval)',
    );
  }
}

/** Everything a report needs about one set of samples, in ms. */
export interface SampleStats {
  count: number;
  min: number;
  max: number;
  mean: number;
  standardDeviation: number;
  /** Coefficient of variation: standardDeviation / mean. */
  cv: number;
  median: number;
  /** Median absolute deviation (unscaled). */
  mad: number;
  /** MAD x 1.4826 / median: a spread that outliers cannot inflate. */
  robustCv: number;
  percentiles: {
    p5: number;
    p10: number;
    p25: number;
    p75: number;
    p90: number;
    p95: number;
    p99: number;
  };
  medianInterval: MedianInterval;
  /** Relative half-width of the median's interval: (upper - lower) / 2 / median. */
  relativePrecision: number;
  outliers: Outliers;
}

/**
 * Summarises samples from anywhere: `measure()`, a worker's device-side
 * times, a samples file. Throws INVALID_SAMPLES on fewer than two samples
 * or any value that is not a finite, non-negative number.
 *
 * @example
 * summarize([10.2, 10.1, 10.4, 10.3]).median; // 10.25
 */
export function summarize(samples: readonly number[], level = DEFAULT_CONFIDENCE): SampleStats {
  const sorted = sortSamples(samples);
  const centre = median(sorted);
  const average = mean(sorted);
  const sd = standardDeviation(sorted);
  const mad = medianAbsoluteDeviation(sorted);
  const interval = medianInterval(sorted, level);
  return {
    count: sorted.length,
    min: sorted[0]!,
    max: sorted[sorted.length - 1]!,
    mean: average,
    standardDeviation: sd,
    cv: average > 0 ? sd / average : 0,
    median: centre,
    mad,
    robustCv: centre > 0 ? (mad * MAD_TO_SIGMA) / centre : 0,
    percentiles: {
      p5: quantile(sorted, 0.05),
      p10: quantile(sorted, 0.1),
      p25: quantile(sorted, 0.25),
      p75: quantile(sorted, 0.75),
      p90: quantile(sorted, 0.9),
      p95: quantile(sorted, 0.95),
      p99: quantile(sorted, 0.99),
    },
    medianInterval: interval,
    relativePrecision: centre > 0 ? (interval.upper - interval.lower) / 2 / centre : 0,
    outliers: classifyOutliers(sorted),
  };
}
