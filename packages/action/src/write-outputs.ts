/**
 * The files written after measuring, in the Action's words: the runner's
 * writeReports does the writing (the CLI uses it too); this says where the
 * content is in a workflow when a file could not be written. Paths were
 * checked before measuring, so a failure here means something changed
 * meanwhile (the disk filled up): each becomes one problem line, and the step
 * goes on to the summary, the annotations and the comment, so nothing
 * measured is lost.
 */
import {
  type GateResults,
  type OutputTarget,
  type ResultsNotSavedError,
  type WrittenReports,
  writeReports,
} from '@vggt-perf-gate/runner';

/**
 * How a workflow runs the CLI: the bin lives in @vggt-perf-gate/runner, and
 * no package is named vggt-perf-gate, so plain `npx vggt-perf-gate` would not
 * find it where the package is not installed.
 */
const CLI_FROM_NPX = 'npx -p @vggt-perf-gate/runner vggt-perf-gate';

/**
 * Writes the reports, and saves results the gate could not save.
 *
 * @param markdown the Markdown report, rendered once for the file, the summary and the comment
 * @param unsaved the gate's error when its results write failed, else null
 * @param log where the results JSON goes when no file can hold it
 */
export function writeOutputs(
  results: GateResults,
  markdown: string,
  targets: readonly OutputTarget[],
  unsaved: ResultsNotSavedError | null,
  log: (text: string) => void,
): Promise<WrittenReports> {
  return writeReports(results, targets, log, {
    unsaved,
    markdown,
    cli: CLI_FROM_NPX,
    fallbackNote: 'output "results-path" names it: upload it from there',
    reportNote: 'The job summary and the PR comment still have the report.',
  });
}
