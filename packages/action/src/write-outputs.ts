/**
 * The files written after measuring: the results (already written by the
 * gate, or saved to a fallback file when that failed) and the two reports.
 * Paths were checked before measuring, so a failure here means something
 * changed meanwhile (the disk filled up): each becomes one problem line that
 * says where the content is instead, and the step goes on to the summary,
 * the annotations and the comment, so nothing measured is lost.
 */
import {
  explainWriteError,
  type GateResults,
  type ResultsNotSavedError,
  renderHtml,
  saveResultsFallback,
  writeOutputFile,
} from '@vggt-perf-gate/runner';

/** Absolute paths of the action's files. */
export interface OutputPaths {
  results: string;
  report: string;
  html: string;
}

/** Where each file ended up (null: not written), and what went wrong, one line each. */
export interface WrittenOutputs {
  resultsAt: string | null;
  reportAt: string | null;
  htmlAt: string | null;
  problems: string[];
}

/**
 * Writes the reports, and saves results the gate could not save.
 *
 * @param unsaved the gate's error when its results write failed, else null
 * @param log where the results JSON goes when no file can hold it
 */
export async function writeOutputs(
  results: GateResults,
  markdown: string,
  paths: OutputPaths,
  unsaved: ResultsNotSavedError | null,
  log: (text: string) => void,
): Promise<WrittenOutputs> {
  const problems: string[] = [];
  let resultsAt: string | null = paths.results;
  if (unsaved) {
    const kept = await keepUnsaved(unsaved, paths.results, log);
    resultsAt = kept.at;
    problems.push(kept.problem);
  }
  const write = async (path: string, format: 'markdown' | 'html', text: string) => {
    try {
      await writeOutputFile(path, text);
      return path;
    } catch (cause) {
      problems.push(await reportProblem(cause, path, format, resultsAt));
      return null;
    }
  };
  const reportAt = await write(paths.report, 'markdown', `${markdown}\n`);
  const htmlAt = await write(paths.html, 'html', renderHtml(results));
  return { resultsAt, reportAt, htmlAt, problems };
}

async function keepUnsaved(
  unsaved: ResultsNotSavedError,
  path: string,
  log: (text: string) => void,
): Promise<{ at: string | null; problem: string }> {
  const { why, fix } = await explainWriteError(unsaved.systemError, path);
  const at = await saveResultsFallback(unsaved.results);
  const kept = at
    ? `saved them to ${at} instead (output "results-path" names it: upload it from there)`
    : 'could not save them in the temp directory either, so the results JSON is in the log above';
  if (!at) log(JSON.stringify(unsaved.results, null, 2));
  return { at, problem: `cannot write the results to ${path}: ${why}; ${kept}. ${fix}` };
}

async function reportProblem(
  cause: unknown,
  path: string,
  format: 'markdown' | 'html',
  resultsAt: string | null,
): Promise<string> {
  const { why, fix } = await explainWriteError(cause, path);
  const again = resultsAt
    ? ` The job summary and the PR comment still have the report; to render the file again: npx vggt-perf-gate report --results ${resultsAt} --format ${format} --out ${path}`
    : '';
  return `cannot write the ${format === 'html' ? 'HTML' : 'Markdown'} report to ${path}: ${why}. ${fix}${again}`;
}
