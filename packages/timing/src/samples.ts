import { TimingError } from './errors.js';

declare const sortedBrand: unique symbol;

/**
 * Durations in ascending order. Only {@link sortSamples} makes one, so the
 * compiler forces "validate and sort before taking a percentile".
 */
export type SortedSamples = readonly number[] & { readonly [sortedBrand]: true };

/** Fewest samples any statistic here accepts: a spread needs two points. */
export const MIN_SAMPLES = 2;

/**
 * Throws an INVALID_SAMPLES error, naming `label` and the offending index,
 * unless `samples` holds at least `minCount` finite, non-negative numbers.
 *
 * @example
 * checkSamples([1.2, 1.3], 'base samples'); // throws TimingError on NaN, Infinity or a negative time
 */
export function checkSamples(
  samples: readonly number[],
  label = 'samples',
  minCount = MIN_SAMPLES,
): void {
  if (!Array.isArray(samples)) {
    throw new TimingError(
      'INVALID_SAMPLES',
      `${label} must be an array of durations in milliseconds, got ${samples === null ? 'null' : typeof samples}.`,
    );
  }
  if (samples.length < minCount) {
    const got = samples.length === 0 ? 'it is empty' : `it has ${samples.length}`;
    throw new TimingError(
      'INVALID_SAMPLES',
      `${label} needs at least ${minCount} samples, but ${got}. A median and its spread need several measurements: run more iterations (measure() collects them for you).`,
    );
  }
  for (let i = 0; i < samples.length; i++) {
    const value = samples[i];
    if (typeof value !== 'number' || Number.isNaN(value)) {
      throw new TimingError(
        'INVALID_SAMPLES',
        `${label}[${i}] is ${String(value)}, not a number. Every sample must be a duration in milliseconds; check the code that produced it (a failed timer read or a 0/0).`,
      );
    }
    if (!Number.isFinite(value)) {
      throw new TimingError(
        'INVALID_SAMPLES',
        `${label}[${i}] is ${value}. Every sample must be a finite duration in milliseconds; an infinite time usually means a division by a zero iteration count.`,
      );
    }
    if (value < 0) {
      throw new TimingError(
        'INVALID_SAMPLES',
        `${label}[${i}] is ${value}, a negative duration. Durations are end - start on a monotonic clock; check that start and end are not swapped and come from the same clock.`,
      );
    }
  }
}

/**
 * Validates and returns a sorted copy; the input is left untouched.
 *
 * @example
 * const sorted = sortSamples([3, 1, 2], 'base samples'); // [1, 2, 3], checked
 */
export function sortSamples(samples: readonly number[], label = 'samples'): SortedSamples {
  checkSamples(samples, label);
  // A typed-array sort is numeric and several times faster than a comparator.
  return Array.from(Float64Array.from(samples).sort()) as unknown as SortedSamples;
}
