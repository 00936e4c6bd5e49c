import { RunnerError } from '../errors.js';
import { type GateOptions, runGate } from '../gate/run.js';
import type { OutputTarget } from '../results/output-paths.js';
import type { GateResults } from '../results/types.js';
import { ResultsNotSavedError } from '../results/unsaved.js';
import { type GateReporter, tellReporters, tellReportersNow } from './reporter.js';
import { type WriteReportsOptions, type WrittenReports, writeReports } from './write-reports.js';

/**
 * A gate run from start to written reports, the same for the CLI and the
 * Action: measure (runGate), tell the reporters, write the reports, tell
 * them where the files went. Measured results are never lost on the way:
 * results that could not be saved are reported and kept elsewhere.
 */

export interface RunAndReportOptions
  extends Omit<GateOptions, 'log' | 'onProgress' | 'resultsPath'> {
  /**
   * Every file the run writes, as checkOutputPaths checked them before: the
   * `results` target is where runGate writes the results, the others are
   * the reports.
   */
  targets: readonly OutputTarget[];
  reporters: readonly GateReporter[];
  /** How the lines about files that could not be written read (the CLI's defaults otherwise). */
  write?: Omit<WriteReportsOptions, 'unsaved'>;
}

/** What a run measured, and where its files are. */
export interface ReportedRun {
  results: GateResults;
  written: WrittenReports;
}

/**
 * Runs the gate and writes its reports, telling `reporters` as it goes.
 *
 * @throws whatever runGate throws before it has results (a bad base ref, a
 *   held run lock), after telling the reporters (onFailed)
 * @example
 * const { results, written } = await runAndReport({
 *   config: await loadConfig('perf-gate.yml'),
 *   dir: '.',
 *   baseRef: 'origin/main',
 *   targets: [{ path: 'perf-gate-results.json', setBy: '--results', format: 'results' }],
 *   reporters: [{ onLog: (line) => console.error(line), onMeasured: (r) => console.log(renderTerminal(r)) }],
 * });
 * process.exitCode = written.problems.length > 0 ? 3 : failureKind(results, 'regression') ? 1 : 0;
 */
export async function runAndReport(options: RunAndReportOptions): Promise<ReportedRun> {
  const { targets, reporters, write, ...gate } = options;
  const resultsTarget = targets.find((t) => t.format === 'results');
  if (!resultsTarget)
    throw new RunnerError(
      'USAGE',
      'runAndReport needs a target with format "results": where the results file goes.',
    );
  await tellReporters(reporters, (r) => r.onStart?.());
  let results: GateResults;
  let unsaved: ResultsNotSavedError | null = null;
  try {
    results = await runGate({
      ...gate,
      resultsPath: resultsTarget.path,
      log: (line) => tellReportersNow(reporters, (r) => r.onLog?.(line)),
      onProgress: (progress) => tellReportersNow(reporters, (r) => r.onProgress?.(progress)),
    });
  } catch (error) {
    // Measured but not saved: the results are still here, so report them and keep them.
    if (!(error instanceof ResultsNotSavedError)) {
      await tellReporters(reporters, (r) => r.onFailed?.(error));
      throw error;
    }
    [results, unsaved] = [error.results, error];
  }
  return reportResults(results, targets, reporters, { ...write, unsaved });
}

/**
 * The reporting half of runAndReport, for results that were not measured
 * here (shards merged into one): tells the reporters, writes the reports
 * among `targets`, and, given runGate's error as `options.unsaved`, keeps
 * the results elsewhere. The results target itself is not written again.
 *
 * @example
 * const merged = mergeResults(await Promise.all(paths.map(readResults)));
 * await writeResults('perf-gate-results.json', merged);
 * await reportResults(merged, targets, [terminal]);
 */
export async function reportResults(
  results: GateResults,
  targets: readonly OutputTarget[],
  reporters: readonly GateReporter[],
  options: WriteReportsOptions = {},
): Promise<ReportedRun> {
  await tellReporters(reporters, (r) => r.onMeasured?.(results));
  const written = await writeReports(
    results,
    targets,
    (json) => tellReportersNow(reporters, (r) => r.onUnsaved?.(json)),
    options,
  );
  await tellReporters(reporters, (r) => r.onWritten?.(results, written));
  return { results, written };
}
