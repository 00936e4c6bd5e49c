/**
 * Results that were measured but could not be written where asked (the disk
 * filled up while measuring, the directory went away). The measurement is
 * the expensive part: it is carried to the caller, which prints it and saves
 * it to a fallback file instead of losing it.
 */
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunnerError } from '../errors.js';
import { writeResults } from './io.js';
import type { GateResults } from './types.js';

/**
 * runGate measured, but its final write of the results file failed. Its
 * code is `RESULTS_IO`. Pass it to writeReports as `unsaved` to save the
 * results to a new file in the OS temp directory.
 *
 * @example
 * import { ResultsNotSavedError, runGate } from '@vggt-perf-gate/runner';
 * const results = await runGate(options).catch((error: unknown) => {
 *   if (!(error instanceof ResultsNotSavedError)) throw error;
 *   console.error(`error: ${error.message} (${error.path})`);
 *   return error.results; // everything measured, as it would have been written
 * });
 */
export class ResultsNotSavedError extends RunnerError {
  /** Everything measured, as it would have been written. */
  readonly results: GateResults;
  /** Where the results were to go. */
  readonly path: string;
  /** The OS error behind the failure (its `code` says why: ENOSPC, ENOTDIR...). */
  readonly systemError: unknown;

  constructor(path: string, results: GateResults, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super('RESULTS_IO', `the results were measured but not saved: ${reason}`, { cause });
    this.name = 'ResultsNotSavedError';
    this.results = results;
    this.path = path;
    this.systemError = deepestCause(cause);
  }
}

/** writeResults wraps the OS error in a RunnerError: unwrap to the error that has the errno code. */
function deepestCause(error: unknown): unknown {
  let current = error;
  while (current instanceof Error && current.cause !== undefined) current = current.cause;
  return current;
}

/**
 * Saves results to a new file in the OS temp directory, for when their own
 * path could not be written.
 *
 * @returns the file's path, or null when it could not be written either
 */
export async function saveResultsFallback(results: GateResults): Promise<string | null> {
  const path = join(
    tmpdir(),
    `perf-gate-results-${Date.now()}-${randomBytes(3).toString('hex')}.json`,
  );
  try {
    await writeResults(path, results);
    return path;
  } catch {
    return null;
  }
}
