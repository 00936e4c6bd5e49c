import {
  type BatchLoop,
  type ChunkSampler,
  compileBatchLoop,
  compileSampler,
  sharedSampler,
} from './batch-loop.js';
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
/** Sampling stops at this many samples, whatever the precision. */
export const DEFAULT_MAX_SAMPLES = 10_000;
/** Sampling time budget (ms), warm-up not included. */
export const DEFAULT_MAX_TIME = 5_000;
/** Calls faster than this (ms) are batched, so clock reads do not bias them. */
export const BATCH_BELOW = 0.05;
/** A batched sample lasts at least this long (ms), hundreds of times a clock read. */
export const BATCH_SAMPLE_TIME = 0.1;
/** Largest automatic batch. */
const MAX_BATCH = 1 << 24;
/**
 * A median within this factor of an empty call's, or within FLOOR_MARGIN
 * (1 ns) of it, is likely optimised away: sub-nanosecond floors jitter by
 * a few tenths of a nanosecond, so a factor alone would flicker.
 */
const FLOOR_FACTOR = 2;
const FLOOR_MARGIN = 1e-6;
/** Samples taken of the empty function for the floor (after its own settle time). */
const FLOOR_SAMPLES = 15;
/** Warm-up samples kept in the result (the earliest, which show the cold start). */
const WARMUP_SAMPLES_KEPT = 1000;
/** Warm-up (ms) at the final batch size, after batch sizing; the floor gets the same. */
const BATCH_SETTLE_TIME = 20;
/** Samples per candidate batch size while sizing the batch. */
const CALIBRATION_SAMPLES = 3;
/** Chunked sampling returns to the bookkeeping about this often (ms)... */
const CHUNK_TIME = 1;
/** ...and after at most this many samples. */
const MAX_CHUNK = 4096;
/** Precision is re-checked each time the sample count grows by this factor. */
const CHECK_GROWTH = 1.1;

/** Why sampling stopped: the target precision was reached, a budget ended, or `signal` aborted. */
export type StopReason = 'precision' | 'max-samples' | 'max-time' | 'aborted';

/**
 * Options of `measure()`; all optional, durations in ms. `Input` is what
 * `setup` returns and `fn` receives. `minSamples` (default 10) and
 * `maxSamples` (default 10 000) bound the sample count; both at least 2.
 */
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
  /**
   * Stops sampling; the samples so far are returned with state `aborted`.
   * A sync function without hooks is sampled in chunks of about 1 ms, so an
   * abort takes effect at the end of the current chunk.
   */
  signal?: AbortSignal;
  /** Millisecond clock, default `performance.now`. For tests and exotic hosts. */
  clock?: Clock;
  /** Called as sampling progresses (at each precision check). */
  onProgress?: (progress: MeasureProgress) => void;
}

/**
 * What `onProgress` receives at each precision check. `relativePrecision` is
 * the half-width of the median's interval over the median.
 */
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
    /** Per-call times of the first (at most 1000) warm-up samples, ms. */
    samples: number[];
  };
  /** Sampling time, ms. */
  elapsed: number;
  /** An empty function's per-call time in the same loop, for batched functions. */
  floor: { median: number; likelyOptimizedAway: boolean } | null;
  /** Things a person should know about this measurement. */
  warnings: string[];
}

/** A measurement that reached its target precision or a budget: `stats` is always there. */
export interface CompletedMeasurement extends MeasurementBase {
  state: 'completed';
  stats: SampleStats;
}

/** A measurement stopped by `signal`: the samples taken so far, and their statistics if there are two or more. */
export interface AbortedMeasurement extends MeasurementBase {
  state: 'aborted';
  /** Null when fewer than two samples were taken before the abort. */
  stats: SampleStats | null;
}

/** What `measure()` resolves to. Check `state` before reading `stats`: an aborted one may have none. */
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
 *
 * @example
 * const m = await measure(() => model(input), { sync: () => torchLikeSync() });
 * m.stats.median; // ms per call
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
  // Compiled only when a batch needs them: most GPU-scale functions never do.
  const fnLoop = once(compileBatchLoop);
  const floorLoop = once(compileBatchLoop);
  const timeSample = async (
    target: (input: Input) => unknown,
    batch: number,
    loop: () => BatchLoop = fnLoop,
  ): Promise<number> => {
    let input = undefined as Input;
    if (setup) {
      try {
        input = await setup();
      } catch (error) {
        fail('setup', error);
      }
    }
    const batchLoop = batch > 1 && isAsync === false ? loop() : null;
    const start = watch.read();
    try {
      if (isAsync === undefined) {
        const result = target(input);
        isAsync = isThenable(result);
        sink.value = isAsync ? await result : result;
      } else if (isAsync) for (let i = 0; i < batch; i++) sink.value = await target(input);
      else if (batchLoop === null) sink.value = target(input);
      else batchLoop(target, input, batch, sink);
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

  // A sync function without hooks is sampled in chunks by one compiled loop:
  // no promise, branch or hook check between the clock reads of a sample.
  // Warm-up, batch sizing, the floor and sampling all run through the same
  // path, so the code that takes the samples is the code the JIT warmed.
  const chunked = isAsync === false && !setup && !teardown && !sync;
  const makeTaker = (
    target: (input: Input) => unknown,
    loop: () => BatchLoop,
    sampler: ChunkSampler = sharedSampler,
  ) => {
    if (!chunked) {
      return async (batch: number, count: number, out: number[]) => {
        for (let k = 0; k < count; k++) out.push(await timeSample(target, batch, loop));
      };
    }
    const scratch = new Float64Array(MAX_CHUNK);
    return async (batch: number, count: number, out: number[]) => {
      // NaN marks samples not taken, so a throw mid-chunk keeps the ones that were.
      scratch.fill(Number.NaN, 0, count);
      try {
        sampler(
          target as (input: never) => unknown,
          undefined,
          batch,
          count,
          watch.read,
          watch.between,
          scratch,
          sink,
        );
      } catch (error) {
        for (let k = 0; k < count && !Number.isNaN(scratch[k]); k++) out.push(scratch[k]!);
        fail('function', error);
      }
      for (let k = 0; k < count; k++) out.push(scratch[k]!);
    };
  };
  // Unbatched: the shared sampler. Batched: a compiled one (see batch-loop.ts for why).
  const sharedTake = makeTaker(fn, fnLoop);
  let take = sharedTake;
  /** Samples per chunk: about CHUNK_TIME of work, within `room`. */
  const chunkSize = (perSample: number, room: number) =>
    chunked
      ? Math.max(1, Math.min(room, MAX_CHUNK, Math.floor(CHUNK_TIME / Math.max(perSample, 1e-9))))
      : 1;

  const warmupSamples = [first];
  const warmupStart = clock() - first;
  while (
    !signal?.aborted &&
    (warmupSamples.length < settings.warmupIterations ||
      clock() - warmupStart < settings.warmupTime)
  ) {
    // Chunks of about CHUNK_TIME while warm-up time remains, then just the calls still owed.
    const room =
      clock() - warmupStart < settings.warmupTime
        ? MAX_CHUNK
        : settings.warmupIterations - warmupSamples.length;
    await take(1, chunkSize(warmupSamples[warmupSamples.length - 1]!, room), warmupSamples);
  }
  const batchedTake = once(() => (chunked ? makeTaker(fn, fnLoop, compileSampler()) : sharedTake));
  const batch =
    settings.batch === 'auto'
      ? setup || teardown || minimum(warmupSamples) >= BATCH_BELOW
        ? 1
        : await calibrateBatch(async (k) => {
            // The fastest of a few samples: one pause must not shrink the batch.
            const out: number[] = [];
            await batchedTake()(k, CALIBRATION_SAMPLES, out);
            return minimum(out);
          }, clock)
      : settings.batch;

  // Code warmed with one call per sample is not yet warm for a batch (the
  // engine re-optimises when the batch loop first runs long), so settle at
  // the final batch size before any sample counts.
  if (batch > 1) {
    take = batchedTake();
    const settleStart = clock();
    while (!signal?.aborted && clock() - settleStart < BATCH_SETTLE_TIME) {
      await take(batch, chunkSize(minimum(warmupSamples) * batch, MAX_CHUNK), warmupSamples);
    }
  }
  const warmupTime = clock() - warmupStart;
  const warmupIterations = warmupSamples.length;
  const fastestWarmup = minimum(warmupSamples);
  // A fast function warms up with hundreds of thousands of calls: keep the first ones.
  warmupSamples.length = Math.min(warmupSamples.length, WARMUP_SAMPLES_KEPT);

  // The floor: an empty function timed exactly as `fn` will be, same batch, same path.
  let floorMedian: number | null = null;
  if (batch > 1) {
    const floorSamples: number[] = [];
    const takeFloor = makeTaker(EMPTY, floorLoop, compileSampler());
    // Warm the floor's own loop as fn's was warmed, then keep only the last samples.
    const floorStart = clock();
    while (clock() - floorStart < BATCH_SETTLE_TIME) {
      await takeFloor(batch, chunkSize(fastestWarmup * batch, MAX_CHUNK), floorSamples);
    }
    floorSamples.length = 0;
    await takeFloor(batch, FLOOR_SAMPLES, floorSamples);
    floorMedian = summarize(floorSamples).median;
  }

  inWarmup = false;
  let perSample = fastestWarmup * batch;
  const samplingStart = clock();
  let stopReason: StopReason | undefined;
  let nextCheck = settings.minSamples;
  while (stopReason === undefined) {
    if (signal?.aborted) {
      stopReason = 'aborted';
      break;
    }
    const room = Math.max(1, Math.min(nextCheck, settings.maxSamples) - samples.length);
    await take(batch, chunkSize(perSample, room), samples);
    perSample = samples[samples.length - 1]! * batch;
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
      : {
          median: floorMedian,
          likelyOptimizedAway: stats.median <= floorMedian * FLOOR_FACTOR + FLOOR_MARGIN,
        };
  if (floor?.likelyOptimizedAway) {
    warnings.push(
      `the median per call is within ${FLOOR_FACTOR}x (or 1 ns) of an empty function's: the work was likely optimised away or is too small to time; use its result or vary its input`,
    );
  }
  const base: MeasurementBase = {
    samples,
    stopReason,
    batch,
    async: isAsync === true,
    warmup: { iterations: warmupIterations, time: warmupTime, first, samples: warmupSamples },
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

/** A factory's value, made on first use and kept. */
function once<T>(make: () => T): () => T {
  let value: T | undefined;
  let made = false;
  return () => {
    if (!made) {
      value = make();
      made = true;
    }
    return value as T;
  };
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
