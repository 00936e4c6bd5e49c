/**
 * Every error this package throws is a {@link MemoryError} with a stable
 * `code`, so callers can branch on the kind of failure; the message says
 * what was wrong, where, and how to fix it.
 */
export type MemoryErrorCode =
  /** An option or input value was out of range or of the wrong kind. */
  | 'INVALID_OPTION'
  /** A replay recording did not have the documented shape. */
  | 'INVALID_RECORDING'
  /** The compiled sampler worker (dist/sampler-worker.js) is missing. */
  | 'WORKER_NOT_BUILT'
  /** The sampler could not open its source (no NVIDIA driver, no nvidia-smi). */
  | 'SOURCE_UNAVAILABLE'
  /** The sampler worker failed or exited while sampling. */
  | 'SAMPLER_FAILED';

/**
 * Base class of every error thrown by `@vggt-perf-gate/memory`. Branch on
 * `code`; the message is for people and says how to fix the problem.
 *
 * @example
 * try {
 *   recording = validateRecording(JSON.parse(readFileSync('vram.json', 'utf8')));
 * } catch (error) {
 *   if (!(error instanceof MemoryError)) throw error;
 *   console.error(`${error.code}: ${error.message}`); // INVALID_RECORDING, naming the bad field
 * }
 */
export class MemoryError extends Error {
  readonly code: MemoryErrorCode;

  constructor(code: MemoryErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MemoryError';
    this.code = code;
  }
}

/** Builds an INVALID_OPTION error that names the option and the accepted range. */
export function invalidOption(name: string, value: unknown, expected: string): MemoryError {
  return new MemoryError(
    'INVALID_OPTION',
    `option ${name} = ${describe(value)} is invalid: expected ${expected}.`,
  );
}

/** A short, safe rendering of a value for an error message. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (value !== null && typeof value === 'object') return 'an object';
  return String(value);
}

/** True for a finite number >= 0 (a byte count, a time). */
export function isNonNegative(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}
