/**
 * Every error the runner raises is a RunnerError with a stable code; the CLI
 * maps codes to exit codes (2 usage/config, 3 measurement failure).
 */
export type RunnerErrorCode =
  /** The config file is missing, unreadable or invalid. */
  | 'CONFIG_INVALID'
  /** A workload could not start, crashed, hung, or broke the protocol. */
  | 'WORKLOAD_FAILED'
  /** git could not prepare the base side (unknown ref, not a repository). */
  | 'BASE_CHECKOUT_FAILED'
  /** Results could not be written or read. */
  | 'RESULTS_IO'
  /** The history store (a directory or a data branch) could not be read or written. */
  | 'HISTORY_IO'
  /** Bad arguments to a function or command. */
  | 'USAGE'
  /** Another gate run holds this repository's run lock. */
  | 'ALREADY_RUNNING';

/**
 * The base of every error the runner raises on purpose: `code` says what
 * kind it is, `message` what went wrong and what to do. ConfigError,
 * BenchmarkSelectionError, OutputPathError and ResultsNotSavedError extend it.
 *
 * @example
 * import { RunnerError, runGate } from '@vggt-perf-gate/runner';
 * await runGate(options).catch((error: unknown) => {
 *   if (!(error instanceof RunnerError)) throw error;
 *   console.error(`error: ${error.message}`);
 *   process.exitCode = error.code === 'USAGE' || error.code === 'CONFIG_INVALID' ? 2 : 3;
 * });
 */
export class RunnerError extends Error {
  readonly code: RunnerErrorCode;

  constructor(code: RunnerErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RunnerError';
    this.code = code;
  }
}
