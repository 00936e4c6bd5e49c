/**
 * The files written after measuring, for the CLI and the Action alike: the
 * results (already written by runGate, or saved to a fallback file when that
 * failed) and the reports. The paths were checked before measuring, so a
 * failure here means something changed meanwhile (the disk filled up): each
 * becomes one line that says why, what to do and where the content is
 * instead, never a stack trace, and nothing measured is lost.
 */
import {
  explainWriteError,
  type OutputFormat,
  type OutputTarget,
  writeOutputFile,
} from '../results/output-paths.js';
import type { GateResults } from '../results/types.js';
import { type ResultsNotSavedError, saveResultsFallback } from '../results/unsaved.js';
import { renderHtml } from './html.js';
import { renderMarkdown } from './markdown.js';

/** What a caller of writeReports may add; every field has a default fit for the CLI. */
export interface WriteReportsOptions {
  /**
   * runGate's error when it measured but could not write the results target:
   * the results are then saved to a new file in the OS temp directory.
   */
  unsaved?: ResultsNotSavedError | null;
  /** The Markdown report, when the caller has rendered it already (the Action also posts it). */
  markdown?: string;
  /**
   * How the user starts the CLI, for the command that renders a lost report
   * again. Default `vggt-perf-gate`; from a workflow, where the package is
   * not installed, `npx -p @vggt-perf-gate/runner vggt-perf-gate`.
   */
  cli?: string;
  /** Said after "saved them to FILE instead": how to get that file. */
  fallbackNote?: string;
  /** Said of a report that could not be written: where its content is meanwhile. */
  reportNote?: string;
}

/** Where each file ended up, and what went wrong. */
export interface WrittenReports {
  /**
   * Where the results are: the results target's path, else the fallback file
   * in the temp directory, else null (no file could hold them: they were
   * passed to `log` as JSON).
   */
  results: string | null;
  /** True when `results` names the fallback file, not the path asked for. */
  resultsFellBack: boolean;
  /** The Markdown report's path; null when none was asked for or it could not be written. */
  markdown: string | null;
  /** The HTML report's path; null when none was asked for or it could not be written. */
  html: string | null;
  /** One line per file not written where asked (no `error:` prefix); empty when all were. */
  problems: string[];
}

const REPORT_NAMES: Record<Exclude<OutputFormat, 'results'>, string> = {
  markdown: 'Markdown',
  html: 'HTML',
};

/**
 * Writes the reports among `targets` and, when runGate could not save the
 * results (`options.unsaved`), saves them elsewhere. The results target is
 * not written again: runGate wrote it.
 *
 * A file that cannot be written does not throw: it becomes one line of the
 * returned `problems`.
 *
 * @param targets the same targets checkOutputPaths checked before measuring
 * @param log takes the results JSON when not even the temp directory can hold it
 * @example
 * import { writeReports } from '@vggt-perf-gate/runner';
 * // unsaved: the ResultsNotSavedError runGate threw, or null when it saved the results
 * const written = await writeReports(results, targets, (json) => console.log(json), { unsaved });
 * for (const problem of written.problems) console.error(`error: ${problem}`);
 * if (written.resultsFellBack) console.error(`results saved to ${written.results} instead`);
 */
export async function writeReports(
  results: GateResults,
  targets: readonly OutputTarget[],
  log: (text: string) => void,
  options: WriteReportsOptions = {},
): Promise<WrittenReports> {
  const written: WrittenReports = {
    results: null,
    resultsFellBack: false,
    markdown: null,
    html: null,
    problems: [],
  };
  const resultsTarget = targets.find((t) => t.format === 'results');
  if (resultsTarget) written.results = resultsTarget.path;
  if (resultsTarget && options.unsaved) {
    const fallback = await saveResultsFallback(options.unsaved.results);
    const { why, fix } = await explainWriteError(options.unsaved.systemError, resultsTarget.path);
    const note = options.fallbackNote ?? 'copy that file where you need it';
    const kept = fallback
      ? `saved them to ${fallback} instead (${note})`
      : 'could not save them in the temp directory either, so the results JSON is printed after the table';
    if (!fallback) log(JSON.stringify(options.unsaved.results, null, 2));
    written.problems.push(
      `cannot write the results to ${resultsTarget.path}: ${why}; ${kept}. ${fix}`,
    );
    written.results = fallback;
    written.resultsFellBack = fallback !== null;
  }
  for (const target of targets) {
    if (target.format === 'results') continue;
    const text =
      target.format === 'html'
        ? renderHtml(results)
        : `${options.markdown ?? renderMarkdown(results)}\n`;
    try {
      await writeOutputFile(target.path, text);
      written[target.format] = target.path;
    } catch (cause) {
      written.problems.push(await reportProblem(cause, target, written.results, options));
    }
  }
  return written;
}

async function reportProblem(
  cause: unknown,
  target: OutputTarget,
  resultsAt: string | null,
  options: WriteReportsOptions,
): Promise<string> {
  const { why, fix } = await explainWriteError(cause, target.path);
  const name = REPORT_NAMES[target.format as keyof typeof REPORT_NAMES];
  const note = options.reportNote ? ` ${options.reportNote}` : '';
  const again = resultsAt
    ? ` To render it again once fixed: ${options.cli ?? 'vggt-perf-gate'} report --results ${resultsAt} --format ${target.format} --out ${target.path}`
    : '';
  return `cannot write the ${name} report to ${target.path}: ${why}. ${fix}${note}${again}`;
}
