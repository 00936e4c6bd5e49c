/**
 * The Action's reporter: what the CLI shows on a terminal, in the job's log
 * and on the run's page instead. The measuring goes in a collapsible group
 * with a plain line per phase (the CLI's non-terminal lines), the table
 * follows it, and once the reports are written the job summary gets the
 * report and every regression or inconclusive metric an annotation.
 */
import * as core from '@actions/core';
import {
  type GateReporter,
  ProgressDisplay,
  renderMarkdown,
  renderTerminal,
} from '@vggt-perf-gate/runner';
import { fitReport, SUMMARY_LIMIT } from './fit-report.js';
import { annotate } from './verdict.js';

/** The log group the measuring lines go into. */
export const MEASURING_GROUP = 'Measuring base vs head';

/** `runUrl`: the workflow run's page, linked where the summary had to be cut. */
export function actionReporter(runUrl: string): GateReporter {
  // core.info adds the newline the display's lines already end with.
  const display = new ProgressDisplay({
    write: (text) => core.info(text.replace(/\n$/, '')),
    isTTY: false,
  });
  let grouped = false;
  const endGroup = () => {
    if (grouped) core.endGroup();
    grouped = false;
  };
  return {
    onStart: () => {
      core.startGroup(MEASURING_GROUP);
      grouped = true;
    },
    onLog: (line) => display.log(line),
    onProgress: (progress) => display.update(progress),
    onFailed: endGroup,
    onMeasured: (results) => {
      endGroup();
      // The table first: whatever cannot be written next, the verdict is in the log.
      core.info(renderTerminal(results));
    },
    onUnsaved: (json) => core.info(json),
    onWritten: async (results) => {
      await writeSummary(
        fitReport(renderMarkdown(results), SUMMARY_LIMIT, runUrl, 0, 'bytes').text,
      );
      annotate(results, (kind, text, title) =>
        kind === 'error' ? core.error(text, { title }) : core.warning(text, { title }),
      );
    },
  };
}

/** The job summary; a summary that cannot be written is a warning, never the step's failure. */
async function writeSummary(markdown: string): Promise<void> {
  try {
    await core.summary.addRaw(markdown, true).write();
  } catch (error) {
    core.warning(`job summary not written: ${(error as Error).message}`);
  }
}
