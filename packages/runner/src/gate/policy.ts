import type { GateResults } from '../results/types.js';

/**
 * When a run fails the check: the one rule behind the CLI's `--fail-on` and
 * the Action's `fail-on` input, so the two can never disagree.
 */
export const FAIL_ON_MODES = ['regression', 'regression-or-inconclusive', 'never'] as const;
/**
 * One of FAIL_ON_MODES: what fails the run besides a benchmark that could
 * not be measured (which always does): a regression (`regression`), also an
 * inconclusive run (`regression-or-inconclusive`), or nothing (`never`).
 */
export type FailOn = (typeof FAIL_ON_MODES)[number];
/** The mode when none is given, in the CLI and the Action: `regression`. */
export const DEFAULT_FAIL_ON: FailOn = 'regression';

/**
 * Why the run fails under `failOn`, or null when it passes: `failed` (a
 * benchmark could not be measured: always fails, whatever the mode),
 * `regression`, or `inconclusive` (with `regression-or-inconclusive`).
 *
 * @example
 * failureKind(results, 'regression'); // 'regression' | 'failed' | null
 */
export function failureKind(
  results: Pick<GateResults, 'verdict'>,
  failOn: FailOn,
): 'failed' | 'regression' | 'inconclusive' | null {
  if (results.verdict === 'failed') return 'failed';
  if (failOn === 'never') return null;
  if (results.verdict === 'regression') return 'regression';
  if (results.verdict === 'inconclusive' && failOn === 'regression-or-inconclusive')
    return 'inconclusive';
  return null;
}
