/**
 * The lines about files that could not be written, in the Action's words:
 * the runner writes the files (the CLI uses the same code); this says where
 * the content is in a workflow instead. Paths were checked before
 * measuring, so such a failure means something changed meanwhile (the disk
 * filled up): each becomes one problem line, and the step goes on to the
 * summary, the annotations and the comment, so nothing measured is lost.
 */
import type { WriteReportsOptions } from '@vggt-perf-gate/runner';

/**
 * How a workflow runs the CLI: the bin lives in @vggt-perf-gate/runner, and
 * no package is named vggt-perf-gate, so plain `npx vggt-perf-gate` would not
 * find it where the package is not installed.
 */
const CLI_FROM_NPX = 'npx -p @vggt-perf-gate/runner vggt-perf-gate';

/** runAndReport's `write` option for the Action. */
export const WRITE_NOTES: Omit<WriteReportsOptions, 'unsaved'> = {
  cli: CLI_FROM_NPX,
  fallbackNote: 'output "results-path" names it: upload it from there',
  reportNote: 'The job summary and the PR comment still have the report.',
};
