import type { OutputTarget } from '@vggt-perf-gate/runner';
import { DEFAULT_FAIL_ON, FAIL_ON_MODES, type FailOn } from '@vggt-perf-gate/runner';
import { ActionError } from './errors.js';

/** What a workflow step's `with:` says, validated. Names match action.yml. */
export interface ActionInputs {
  config: string;
  /** Empty: the pull request's base commit. */
  baseRef: string;
  token: string;
  failOn: FailOn;
  comment: CommentMode;
  commentKey: string;
  workingDirectory: string;
  /** Only these benchmarks; null for all. */
  benchmarks: string[] | null;
  shard: string | null;
  /** Results files to merge and report instead of measuring; empty to measure. */
  results: string[];
  prNumber: number | null;
  resultsPath: string;
  reportPath: string;
  /** The data branch the history lives on; null keeps no history. */
  historyBranch: string | null;
  /** Runs of the default branch the PR comment's trend shows. */
  historyPoints: number;
  /** Upload the results and reports as a workflow artifact of this name; null: no upload. */
  artifact: string | null;
}

/** The runner's fail-on modes: one rule for the CLI and the Action. */
export const FAIL_ON = FAIL_ON_MODES;
export type { FailOn };
export const COMMENT_MODES = ['always', 'on-change', 'never'] as const;
export type CommentMode = (typeof COMMENT_MODES)[number];

/** What GitHub takes as an artifact name, less the characters it refuses (: " < > | * ? \\ /). */
const ARTIFACT_NAME = /^[A-Za-z0-9._ -]{1,100}$/;

/** A branch name git and a refspec both take as it is: no spaces, `..`, `:` or leading `-`. */
const BRANCH_NAME = /^(?!-)(?!.*\.\.)[A-Za-z0-9._/-]{1,100}$/;

/** A comment key ends up inside an HTML comment: keep it to characters that cannot end one. */
const COMMENT_KEY = /^[A-Za-z0-9._/-]{1,100}$/;

/**
 * Reads and checks every input. `get` returns an input's value as the
 * runner passes it (INPUT_<NAME> in the environment; @actions/core's
 * getInput), already trimmed, '' when unset.
 */
export function readInputs(get: (name: string) => string): ActionInputs {
  const oneOf = <T extends string>(name: string, allowed: readonly T[], fallback: T): T => {
    const value = get(name) || fallback;
    if (!(allowed as readonly string[]).includes(value)) {
      throw new ActionError(
        `input "${name}" must be one of ${allowed.join(', ')}, not "${value}". Fix it in the step's \`with:\`.`,
      );
    }
    return value as T;
  };
  const commentKey = get('comment-key') || 'default';
  if (!COMMENT_KEY.test(commentKey)) {
    throw new ActionError(
      `input "comment-key" must be 1-100 letters, digits, ".", "_", "/" or "-", not "${commentKey}": it names the PR comment in a hidden marker.`,
    );
  }
  const pr = get('pr-number');
  if (pr && !/^[1-9][0-9]{0,9}$/.test(pr)) {
    throw new ActionError(
      `input "pr-number" must be a pull request number (digits), not "${pr}". In a workflow_run follow-up, read it from the measuring run's artifact and check it is a number.`,
    );
  }
  const token = get('github-token');
  const historyBranch = get('history-branch') || null;
  if (historyBranch !== null && !BRANCH_NAME.test(historyBranch)) {
    throw new ActionError(
      `input "history-branch" must be a branch name (letters, digits, ".", "_", "/", "-"), not "${historyBranch}".`,
    );
  }
  const artifact = get('artifact') || null;
  if (artifact !== null && !ARTIFACT_NAME.test(artifact)) {
    throw new ActionError(
      `input "artifact" must be an artifact name (1-100 letters, digits, ".", "_", "-" or spaces), not "${artifact}".`,
    );
  }
  const points = get('history-points') || '20';
  if (!/^[1-9][0-9]{0,2}$/.test(points)) {
    throw new ActionError(
      `input "history-points" must be a number of runs from 1 to 999, not "${points}".`,
    );
  }
  return {
    config: get('config') || 'perf-gate.yml',
    baseRef: get('base-ref'),
    token,
    failOn: oneOf('fail-on', FAIL_ON, DEFAULT_FAIL_ON),
    comment: oneOf('comment', COMMENT_MODES, 'always'),
    commentKey,
    workingDirectory: get('working-directory') || '.',
    benchmarks: list(get('benchmarks')),
    shard: get('shard') || null,
    results: list(get('results')) ?? [],
    prNumber: pr ? Number(pr) : null,
    resultsPath: get('results-path') || 'perf-gate-results.json',
    reportPath: get('report-path') || 'perf-gate-report.md',
    historyBranch,
    historyPoints: Number(points),
    artifact,
  };
}

/** Comma- or newline-separated values; null when there are none. */
function list(value: string): string[] | null {
  const items = value
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter(Boolean);
  return items.length > 0 ? items : null;
}

/** The HTML report's path: next to the Markdown one, `.html` for `.md`. */
export function htmlPathOf(reportPath: string): string {
  return `${reportPath.replace(/\.md$/, '')}.html`;
}

/**
 * Every file the action writes, named by the input that sets it: checked
 * before measuring, written after. Paths as given (relative to
 * working-directory, which is the current directory by then).
 */
export function outputTargets(inputs: ActionInputs): OutputTarget[] {
  return [
    { path: inputs.resultsPath, setBy: 'input "results-path"', format: 'results' },
    { path: inputs.reportPath, setBy: 'input "report-path"', format: 'markdown' },
    {
      path: htmlPathOf(inputs.reportPath),
      setBy: 'input "report-path" (its HTML report)',
      format: 'html',
    },
  ];
}
