/**
 * Every error this package throws is a {@link TimingError} with a stable
 * `code`, so callers can branch on the kind of failure and show the message
 * (which always says what was wrong and how to fix it) to a person.
 */
export type TimingErrorCode =
  /** Samples were empty, too few, or held a value that is not a duration. */
  | 'INVALID_SAMPLES'
  /** An option was out of range or of the wrong kind. */
  | 'INVALID_OPTION'
  /** The measured function, its sync hook, setup or teardown threw. */
  | 'MEASURE_FAILED';

/**
 * Base class of every error thrown by `@vggt-perf-gate/timing`. Branch on
 * `code`; `message` says what was wrong and how to fix it.
 *
 * @example
 * try {
 *   compare(base, head, { threshold: 2 }); // 2 means 200%, not 2%
 * } catch (error) {
 *   if (error instanceof TimingError && error.code === 'INVALID_OPTION') console.error(error.message);
 * }
 */
export class TimingError extends Error {
  readonly code: TimingErrorCode;

  constructor(code: TimingErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TimingError';
    this.code = code;
  }
}

/** Which part of a measurement was running when a user callback threw. */
export type MeasurePhase = 'setup' | 'function' | 'sync' | 'teardown';

/**
 * A user callback threw (or rejected) during `measure()`. The samples taken
 * before the failure are kept on the error, so nothing measured is lost.
 * `cause` is what the callback threw.
 *
 * @example
 * try {
 *   await measure(() => model(input), { sync: () => torchLikeSync() });
 * } catch (error) {
 *   if (!(error instanceof MeasureFailedError)) throw error;
 *   console.error(`${error.phase} threw (warm-up: ${error.warmup}); ${error.samples.length} samples kept`);
 * }
 */
export class MeasureFailedError extends TimingError {
  readonly phase: MeasurePhase;
  readonly warmup: boolean;
  /** Per-call durations (ms) completed before the failure. */
  readonly samples: readonly number[];

  constructor(phase: MeasurePhase, warmup: boolean, samples: readonly number[], cause: unknown) {
    const where = warmup ? 'during warm-up' : `after ${samples.length} completed sample(s)`;
    const what =
      phase === 'function'
        ? 'the measured function'
        : phase === 'sync'
          ? 'the sync hook'
          : `the ${phase} hook`;
    const reason = cause instanceof Error ? cause.message : String(cause);
    const hint =
      phase === 'sync'
        ? ' A sync hook must only wait for queued device work (e.g. torch.cuda.synchronize()); check that the device is still healthy.'
        : ' Fix the error in your code, or run it once outside measure() to see the full stack.';
    super('MEASURE_FAILED', `${what} threw ${where}: ${reason}.${hint}`, { cause });
    this.name = 'MeasureFailedError';
    this.phase = phase;
    this.warmup = warmup;
    this.samples = samples;
  }
}

/** Builds an INVALID_OPTION error that names the option and the accepted range. */
export function invalidOption(name: string, value: unknown, expected: string): TimingError {
  return new TimingError(
    'INVALID_OPTION',
    `option ${name} = ${describe(value)} is invalid: expected ${expected}.`,
  );
}

export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  return String(value);
}
