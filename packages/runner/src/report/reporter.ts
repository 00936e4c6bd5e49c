import type { BenchmarkProgress } from '../gate/progress-events.js';
import type { GateResults } from '../results/types.js';
import type { WrittenReports } from './write-reports.js';

/**
 * What a front end (the CLI, the Action, a script of yours) is told as a
 * gate run goes on: runAndReport calls every reporter's hooks, in the order
 * below, so the CLI and the Action differ only in where each thing is shown.
 * Every hook is optional; a hook that returns a promise is awaited.
 *
 * @example
 * const quiet: GateReporter = {
 *   onProgress: (p) => p.phase === 'done' && console.error(`${p.benchmark}: ${p.rounds} rounds`),
 *   onMeasured: (results) => console.log(renderTerminal(results)),
 *   onWritten: (_results, written) => written.problems.forEach((p) => console.error(p)),
 * };
 */
export interface GateReporter {
  /** Before anything is measured (the base checkout comes first). */
  onStart?(): void;
  /** A line of the run's log: setup output, worker lines, each estimate. */
  onLog?(line: string): void;
  /** The benchmark being measured moved on: a round, a phase, a new estimate. */
  onProgress?(progress: BenchmarkProgress): void;
  /** The run ended without results (a bad base ref, a held lock): runAndReport throws `error` next. */
  onFailed?(error: unknown): void;
  /** Measuring ended, complete or partial: the results, before any report file is written. */
  onMeasured?(results: GateResults): void | Promise<void>;
  /**
   * The results as JSON when neither the results path nor the temp directory
   * could hold them: the only copy left, to be shown where a person can copy it.
   */
  onUnsaved?(json: string): void;
  /** The reports were written: where each file is, and one line per file that could not be. */
  onWritten?(results: GateResults, written: WrittenReports): void | Promise<void>;
}

/** Calls one hook on every reporter, in order, awaiting each. */
export async function tellReporters(
  reporters: readonly GateReporter[],
  call: (reporter: GateReporter) => void | Promise<void>,
): Promise<void> {
  for (const reporter of reporters) await call(reporter);
}

/** Calls a synchronous hook (log, progress) on every reporter. */
export function tellReportersNow(
  reporters: readonly GateReporter[],
  call: (reporter: GateReporter) => void,
): void {
  for (const reporter of reporters) call(reporter);
}
