import { medianInterval, sortSamples } from '@vggt-perf-gate/timing';

/** Level of the interval around one side's median in exports and the history. */
export const SIDE_INTERVAL_LEVEL = 0.95;
/** Fewer samples than this give no interval worth showing (the extreme samples at 95%). */
const MIN_SAMPLES_FOR_INTERVAL = 6;

/**
 * A 95% interval of one side's median from its samples (distribution-free:
 * order statistics), or null when there are too few samples or any is not
 * a finite number. The run's change interval is another matter: it is about
 * head against base, this one about a side's own level.
 *
 * @example
 * sideMedianInterval(results.benchmarks[0]?.samples?.latency?.head); // { lower, upper } in ms
 */
export function sideMedianInterval(
  samples: readonly number[] | undefined,
): { lower: number; upper: number } | null {
  if (!samples || samples.length < MIN_SAMPLES_FOR_INTERVAL || !samples.every(Number.isFinite))
    return null;
  const { lower, upper } = medianInterval(sortSamples(samples), SIDE_INTERVAL_LEVEL);
  return { lower, upper };
}
