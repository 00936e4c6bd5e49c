import { type BatchLoop, compileBatchLoop } from './batch-loop.js';
import {
  type Clock,
  clockResolution,
  defaultClock,
  defaultStopwatch,
  type Stopwatch,
  stopwatchFromClock,
} from './clock.js';
import { invalidOption, MeasureFailedError, type MeasurePhase } from './errors.js';
import { sortSamples } from './samples.js';
import {
  checkLevel,
  DEFAULT_CONFIDENCE,
  medianInterval,
  type SampleStats,
  summarize,
} from './statistics.js';

/** Warm-up runs at least this many calls... */
export const DEFAULT_WARMUP_ITERATIONS = 3;
/** ...and at least this long (ms): JIT tiers, allocator pools and GPU clocks settle. */
export const DEFAULT_WARMUP_TIME = 100;
/** Sampling stops once the median's 95% interval is within +/-1% of it. */
export const DEFAULT_TARGET_PRECISION = 0.01;
/** Never stop on precision before this many samples: a tiny sample can look precise by luck. */
export const DEFAULT_MIN_SAMPLES = 10;
export const DEFAULT_MAX_SAMPLES = 10_000;
/** Sampling time budget (ms), warm-up not included. */
export const DEFAULT_MAX_TIME = 5_000;
/** Calls faster than this (ms) are batched, so clock reads do not bias them. */
export const BATCH_BELOW = 0.05;
/** A batched sample lasts at least this long (ms), hundreds of times a clock read. */
export const BATCH_SAMPLE_TIME = 0.1;
/** Largest automatic batch. */
const MAX_BATCH = 1 << 24;
/** A median within this factor of an empty call's is likely optimised away. */
const FLOOR_FACTOR = 2;
/** Samples taken of the empty function for the floor. */
const FLOOR_SAMPLES = 15;
/** Precision is re-checked each time the sample count grows by this factor. */
const CHECK_GROWTH = 1.1;

export type StopReason = 'precision' | 'max-samples' | 'max-time' | 'aborted';

export interface MeasureOptions<Input = undefined> {
  /** Warm-up calls before sampling, default 3. Warm-up runs until both this and `warmupTime` are met. */
  warmupIterations?: number;
  /** Minimum warm-up time in ms, default 100. */
  warmupTime?: number;
  /**
   * Awaited inside the timed region after the call (after the batch, when
   * batched): the place to wait for queued device work, e.g. a worker's
   * `torch.cuda.synchronize()`. Without it, asynchronous GPU launches are
   * timed instead of the work, the error behind 5x-wrong reports.
   */
  sync?: () => unknown;
  /** Runs before each sample, outside the timed region; its value is passed to `fn`. */
  setup?: () => Input | Promise<Input>;
  /** Runs after each sample, outside the timed region. */
  teardown?: (input: Input) => unknown;
  /**
   * Calls per sample. `auto` (default) batches functions faster than 50 µs,
   * unless `setup` or `teardown` is given (those promise one call per input).
   */
  batch?: 'auto' | number;
  /** Stop when the median's interval half-width / median is at most this, default 0.01. */
  targetPrecision?: number;
  /** Level of the median's interval, default 0.95. */
  confidence?: number;
  minSamples?: number;
  maxSamples?: number;
  /** Sampling time budget in ms, default 5000 (warm-up excluded). */
  maxTime?: number;
  /** Stops sampling; the samples so far are returned with state `aborted`. */
  signal?: AbortSignal;
  /** Millisecond clock, default `performance.now`. For tests and exotic hosts. */
  clock?: Clock;
  /** Called as sampling progresses (at each precision check). */
  onProgress?: (progress: MeasureProgress) => void;
}

export interface MeasureProgress {
  samples: number;
  /** Sampling time so far, ms. */
  elapsed: number;
  relativePrecision: number;
}

interface MeasurementBase {
  /** Per-call durations in ms, in the order taken (batched samples divided by `batch`). */
  samples: number[];
  stopReason: StopReason;
  batch: number;
  /** True when `fn` returned a promise (it was awaited inside the timed region). */
  async: boolean;
  warmup: {
    iterations: number;
    /** Warm-up time, ms. */
    time: number;
    /** The first call's duration: cold start, lazy init, compilation. Compare with the median. */
    first: number;
    samples: number[];
  };
  /** Sampling time, ms. */
  elapsed: number;
  /** An empty function's per-call time in the same loop, for batched functions. */
  floor: { median: number; likelyOptimizedAway: boolean } | null;
  /** Things a person should know about this measurement. */
  warnings: string[];
}

export interface CompletedMeasurement extends MeasurementBase {
  state: 'completed';
  stats: SampleStats;
}

export interface AbortedMeasurement extends MeasurementBase {
  state: 'aborted';
  /** Null when fewer than two samples were taken before the abort. */
  stats: SampleStats | null;
}

export type Measurement = CompletedMeasurement | AbortedMeasurement;

/** Keeps results observable so the engine cannot drop the measured work. */
const sink: { value: unknown } = { value: undefined };

const EMPTY = (): void => {};

/**
 * Measures `fn`: warm-up, then samples until the median is precise enough
 * or a budget ends (`stopReason` says which). Sync and async functions both
 * work; an async one is awaited inside the timed region, and so is `sync`.
 *
 * @throws {TimingError} INVALID_OPTION for a bad option.
 * @throws {MeasureFailedError} when `fn` or a hook throws; it carries the samples taken so far.
 */
export async function measure<Input = undefined>(
  fn: (input: Input) => unknown,
  options: MeasureOptions<Input> = {},
): Promise<Measurement> {
  const settings = resolveOptions(fn, options);
  const { clock, setup, teardown, sync, signal } = settings;
  const watch: Stopwatch = options.clock
    ? (stopwatchFromClock(options.clock) as Stopwatch)
    : defaultStopwatch();
  const samples: number[] = [];
  let inWarmup = true;
  /** Unknown until the first call returns. */
  let isAsync: boolean | undefined;

  const fail = (phase: MeasurePhase, cause: unknown): never => {
    throw new MeasureFailedError(phase, inWarmup, samples.slice(), cause);
  };

  // One sample: setup and teardown outside the clock, `batch` calls and the sync hook inside.
  const fnLoop = compileBatchLoop();
  const floorLoop = compileBatchLoop();
  const timeSample = async (
    target: (input: Input) => unknown,
    batch: number,
    loop: BatchLoop = fnLoop,
  ): Promise<number> => {
    let input = undefined as Input;
    if (setup) {
      try {
        input = await setup();
      } catch (error) {
        fail('setup', error);
      }
    }
    const start = watch.read();
    try {
      if (isAsync === undefined) {
        const result = target(input);
        isAsync = isThenable(result);
        sink.value = isAsync ? await result : result;
      } else if (isAsync) for (let i = 0; i < batch; i++) sink.value = await target(input);
      else if (batch === 1) sink.value = target(input);
      else loop(target, input, batch, sink);
    } catch (error) {
      fail('function', error);
    }
    if (sync) {
      try {
        await sync();
      } catch (error) {
        fail('sync', error);
      }
    }
    const end = watch.read();
    if (teardown) {
      try {
        await teardown(input);
      } catch (error) {
        fail('teardown', error);
      }
    }
    return watch.between(start, end) / batch;
  };

  // The first call is always a warm-up call; it also tells sync from async functions.
  const first = await timeSample(fn, 1);
  const warmupSamples = [first];
  const warmupStart = clock() - first;
  while (
    !signal?.aborted &&
    (warmupSamples.length < settings.warmupIterations ||
      clock() - warmupStart < settings.warmupTime)
  ) {
    warmupSamples.push(await timeSample(fn, 1));
  }
  const warmupTime = clock() - warmupStart;

  const batch =
    settings.batch === 'auto'
      ? setup || teardown || minimum(warmupSamples) >= BATCH_BELOW
        ? 1
        : await calibrateBatch((k) => timeSample(fn, k), clock)
      : settings.batch;

  const floorMedian =
    batch > 1
      ? summarize(await repeat(FLOOR_SAMPLES, () => timeSample(EMPTY, batch, floorLoop))).median
      : null;

  inWarmup = false;
  const samplingStart = clock();
  let stopReason: StopReason | undefined;
  let nextCheck = settings.minSamples;
  while (stopReason === undefined) {
    if (signal?.aborted) {
      stopReason = 'aborted';
      break;
    }
    samples.push(await timeSample(fn, batch));
    const elapsed = clock() - samplingStart;
    if (samples.length >= settings.maxSamples) stopReason = 'max-samples';
    else if (elapsed >= settings.maxTime && samples.length >= 2) stopReason = 'max-time';
    else if (samples.length >= nextCheck) {
      nextCheck = Math.ceil(samples.length * CHECK_GROWTH);
      const precision = relativePrecision(samples, settings.confidence);
      settings.onProgress?.({ samples: samples.length, elapsed, relativePrecision: precision });
      if (precision <= settings.targetPrecision) stopReason = 'precision';
    }
  }

  const stats = samples.length >= 2 ? summarize(samples, settings.confidence) : null;
  const warnings: string[] = [];
  if (stopReason === 'max-time' && samples.length < settings.minSamples) {
    warnings.push(
      `only ${samples.length} samples fit in maxTime = ${settings.maxTime} ms (minSamples = ${settings.minSamples}): raise maxTime for a trustworthy median`,
    );
  }
  if (stats && stats.relativePrecision > settings.targetPrecision && stopReason !== 'precision') {
    warnings.push(
      `the median is known to ±${(stats.relativePrecision * 100).toFixed(2)}%, short of the ±${(settings.targetPrecision * 100).toFixed(2)}% target: the ${stopReason} budget ended first`,
    );
  }
  const floor =
    floorMedian === null || stats === null
      ? null
      : { median: floorMedian, likelyOptimizedAway: stats.median <= floorMedian * FLOOR_FACTOR };
  if (floor?.likelyOptimizedAway) {
    warnings.push(
      `the median per call is within ${FLOOR_FACTOR}x of an empty function's: the work was likely optimised away or is too small to time; use its result or vary its input`,
    );
  }
  const base: MeasurementBase = {
    samples,
    stopReason,
    batch,
    async: isAsync === true,
    warmup: { iterations: warmupSamples.length, time: warmupTime, first, samples: warmupSamples },
    elapsed: clock() - samplingStart,
    floor,
    warnings,
  };
  if (stopReason === 'aborted') return { ...base, state: 'aborted', stats };
  // A completed run always has >= 2 samples: max-samples >= 2 and max-time waits for 2.
  return { ...base, state: 'completed', stats: stats! };
}

function relativePrecision(samples: readonly number[], level: number): number {
  const sorted = sortSamples(samples);
  const interval = medianInterval(sorted, level);
  const mid = sorted[Math.floor((sorted.length - 1) / 2)]!;
  const centre = (mid + sorted[Math.ceil((sorted.length - 1) / 2)]!) / 2;
  return centre > 0 ? (interval.upper - interval.lower) / 2 / centre : 0;
}

/**
 * Doubles the batch until one batch takes BATCH_SAMPLE_TIME and at least
 * a thousand clock ticks, then scales to that target.
 */
async function calibrateBatch(
  time: (batch: number) => Promise<number>,
  clock: Clock,
): Promise<number> {
  const target = Math.max(BATCH_SAMPLE_TIME, 1000 * clockResolution(clock));
  let batch = 1;
  for (;;) {
    const total = (await time(batch)) * batch;
    if (total >= target / 2 || batch >= MAX_BATCH) {
      return Math.min(MAX_BATCH, Math.max(1, Math.ceil((batch * target) / Math.max(total, 1e-9))));
    }
    batch *= 2;
  }
}

async function repeat(count: number, run: () => Promise<number>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < count; i++) out.push(await run());
  return out;
}

function minimum(values: readonly number[]): number {
  return values.reduce((a, b) => Math.min(a, b), Number.POSITIVE_INFINITY);
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

interface Settings<Input> {
  warmupIterations: number;
  warmupTime: number;
  batch: 'auto' | number;
  targetPrecision: number;
  confidence: number;
  minSamples: number;
  maxSamples: number;
  maxTime: number;
  clock: Clock;
  sync: (() => unknown) | undefined;
  setup: (() => Input | Promise<Input>) | undefined;
  teardown: ((input: Input) => unknown) | undefined;
  signal: AbortSignal | undefined;
  onProgress: ((progress: MeasureProgress) => void) | undefined;
}

/** Checks every option at the boundary, so a mistake fails before any timing starts. */
function resolveOptions<Input>(fn: unknown, options: MeasureOptions<Input>): Settings<Input> {
  if (typeof fn !== 'function') {
    throw invalidOption('fn', fn, 'the function to measure, e.g. measure(() => work())');
  }
  const count = (
    name: string,
    value: number | undefined,
    fallback: number,
    min: number,
  ): number => {
    const chosen = value ?? fallback;
    if (!Number.isInteger(chosen) || chosen < min)
      throw invalidOption(name, chosen, `an integer >= ${min}`);
    return chosen;
  };
  const duration = (name: string, value: number | undefined, fallback: number): number => {
    const chosen = value ?? fallback;
    if (typeof chosen !== 'number' || !(chosen >= 0) || !Number.isFinite(chosen)) {
      throw invalidOption(name, chosen, 'a finite number of milliseconds >= 0');
    }
    return chosen;
  };
  const callback = <T>(name: string, value: T | undefined): T | undefined => {
    if (value !== undefined && typeof value !== 'function')
      throw invalidOption(name, value, 'a function');
    return value;
  };
  const minSamples = count('minSamples', options.minSamples, DEFAULT_MIN_SAMPLES, 2);
  const maxSamples = count('maxSamples', options.maxSamples, DEFAULT_MAX_SAMPLES, 2);
  if (maxSamples < minSamples) {
    throw invalidOption('maxSamples', maxSamples, `at least minSamples (${minSamples})`);
  }
  const batch = options.batch ?? 'auto';
  if (batch !== 'auto' && !(Number.isInteger(batch) && batch >= 1)) {
    throw invalidOption('batch', batch, '"auto" or an integer >= 1 (calls per sample)');
  }
  const targetPrecision = options.targetPrecision ?? DEFAULT_TARGET_PRECISION;
  if (!(targetPrecision > 0 && targetPrecision < 1)) {
    throw invalidOption(
      'targetPrecision',
      targetPrecision,
      'a fraction between 0 and 1 (0.01 means ±1%)',
    );
  }
  const confidence = options.confidence ?? DEFAULT_CONFIDENCE;
  checkLevel(confidence);
  return {
    warmupIterations: count(
      'warmupIterations',
      options.warmupIterations,
      DEFAULT_WARMUP_ITERATIONS,
      0,
    ),
    warmupTime: duration('warmupTime', options.warmupTime, DEFAULT_WARMUP_TIME),
    batch,
    targetPrecision,
    confidence,
    minSamples,
    maxSamples,
    maxTime: duration('maxTime', options.maxTime, DEFAULT_MAX_TIME),
    clock: callback('clock', options.clock) ?? defaultClock(),
    sync: callback('sync', options.sync),
    setup: callback('setup', options.setup),
    teardown: callback('teardown', options.teardown),
    signal: options.signal,
    onProgress: callback('onProgress', options.onProgress),
  };
}
