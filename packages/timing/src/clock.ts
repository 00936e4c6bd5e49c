/**
 * A monotonic clock that returns milliseconds as a float. Every duration in
 * this package is in milliseconds.
 */
export type Clock = () => number;

let chosen: Clock | undefined;

/**
 * The clock used when none is passed. Chosen once, on first use (never at
 * import): `performance.now()` is monotonic, sub-microsecond on Node and
 * browsers, and returns a plain number, so reading it allocates nothing,
 * unlike `process.hrtime.bigint()`.
 *
 * @example
 * const clock = defaultClock();
 * const start = clock(); work(); const ms = clock() - start;
 */
export function defaultClock(): Clock {
  if (chosen === undefined) {
    const perf = globalThis.performance;
    // Bound, not wrapped in an arrow: one call less inside every timed region.
    chosen = perf && typeof perf.now === 'function' ? perf.now.bind(perf) : Date.now;
  }
  return chosen;
}

/**
 * The smallest non-zero step the clock shows, in ms, from a short busy loop.
 * Used to size batches so that a sample spans many clock ticks.
 */
export function clockResolution(clock: Clock, reads = RESOLUTION_READS): number {
  let smallest = Number.POSITIVE_INFINITY;
  let previous = clock();
  for (let i = 0; i < reads; i++) {
    const current = clock();
    const step = current - previous;
    if (step > 0 && step < smallest) smallest = step;
    previous = current;
  }
  return Number.isFinite(smallest) ? smallest : 1;
}

/** Clock reads used to estimate the resolution: a few microseconds of work. */
const RESOLUTION_READS = 200;

/**
 * Reads the clock at both ends of a timed region. Kept apart from `Clock`
 * because the cheapest reading on Node is a raw bigint: converting it to
 * milliseconds after the region, not inside it, keeps the conversion out of
 * every sample.
 */
export interface Stopwatch<Reading = unknown> {
  read: () => Reading;
  /** Milliseconds from `start` to `end`. */
  between: (start: Reading, end: Reading) => number;
}

/** A stopwatch over a millisecond clock (used for a caller's own clock). */
export function stopwatchFromClock(clock: Clock): Stopwatch<number> {
  return { read: clock, between: (start, end) => end - start };
}

let chosenStopwatch: Stopwatch | undefined;

/**
 * The default stopwatch: `process.hrtime.bigint()` on Node (about 20 ns a
 * read cheaper than `performance.now()`, and integer nanoseconds), else
 * the default clock. Chosen once, on first use.
 */
export function defaultStopwatch(): Stopwatch {
  if (chosenStopwatch === undefined) {
    const hrtime = globalThis.process?.hrtime;
    if (hrtime && typeof hrtime.bigint === 'function') {
      const watch: Stopwatch<bigint> = {
        read: hrtime.bigint,
        between: (start, end) => Number(end - start) / 1e6,
      };
      chosenStopwatch = watch as Stopwatch;
    } else {
      chosenStopwatch = stopwatchFromClock(defaultClock()) as Stopwatch;
    }
  }
  return chosenStopwatch;
}
