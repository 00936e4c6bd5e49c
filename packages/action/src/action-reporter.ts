/**
 * The Action's reporter: what the CLI shows on a terminal, in the job's log
 * and on the run's page instead. The measuring goes in a collapsible group
 * with a plain line per phase (the CLI's non-terminal lines), and the table
 * follows it. The job summary and the annotations come after the run (main.ts):
 * while measuring, the job's file commands are out of the environment.
 */
import * as core from '@actions/core';
import { type GateReporter, ProgressDisplay, renderTerminal } from '@vggt-perf-gate/runner';

/** The log group the measuring lines go into. */
export const MEASURING_GROUP = 'Measuring base vs head';

/** The reporter for a run in a workflow's log. */
export function actionReporter(): GateReporter {
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
  };
}
