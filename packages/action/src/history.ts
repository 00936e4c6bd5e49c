/**
 * The Action's side of the history: on the default branch it appends the
 * run's results to the data branch; on a pull request it reads the branch
 * for the comment's trend. History is a view, never the verdict: anything
 * that goes wrong here is a warning, and the check is decided as before.
 */
import {
  appendToBranch,
  type GateResults,
  historyEntry,
  readBranch,
  renderTrendComment,
  trendSeries,
} from '@vggt-perf-gate/runner';

/** Where the run happened, as the workflow's environment and event say. */
export interface HistoryContext {
  /** The repository checkout (the workspace's root). */
  repo: string;
  branch: string;
  points: number;
  env: NodeJS.ProcessEnv;
  event: Record<string, unknown> | null;
  log: (line: string) => void;
  warn: (line: string) => void;
}

/**
 * True for a run of the default branch itself: a push to it, or a
 * scheduled or manual run on it. Pull requests never write the history.
 */
export function recordsHistory(
  env: NodeJS.ProcessEnv,
  event: Record<string, unknown> | null,
): boolean {
  const defaultBranch = (event?.repository as { default_branch?: unknown } | undefined)
    ?.default_branch;
  const onDefault =
    typeof defaultBranch === 'string' && env.GITHUB_REF === `refs/heads/${defaultBranch}`;
  return (
    onDefault && ['push', 'schedule', 'workflow_dispatch'].includes(env.GITHUB_EVENT_NAME ?? '')
  );
}

/** Appends a complete run's results to the history branch; a partial run is not history. */
export async function recordRun(results: GateResults, context: HistoryContext): Promise<void> {
  if (results.status !== 'complete') {
    context.log(`history: this run is ${results.status}; nothing added to ${context.branch}`);
    return;
  }
  try {
    const entry = historyEntry(results, { runner: context.env.RUNNER_NAME ?? null });
    const { files, attempts } = await appendToBranch(
      { repo: context.repo, branch: context.branch },
      [entry],
      {
        log: context.log,
      },
    );
    context.log(
      `history: added ${files.join(', ')} to ${context.branch}${attempts > 1 ? ` (after ${attempts} attempts)` : ''}`,
    );
  } catch (error) {
    context.warn(`history not recorded: ${(error as Error).message}`);
  }
}

/** The comment's trend section from the history branch; empty when it has no runs or cannot be read. */
export async function trendForComment(context: HistoryContext): Promise<string> {
  try {
    const { entries, skipped } = await readBranch(
      { repo: context.repo, branch: context.branch },
      context.points,
    );
    for (const line of skipped) context.warn(`history: skipped ${line} on ${context.branch}`);
    return renderTrendComment(trendSeries(entries, context.points));
  } catch (error) {
    context.warn(`history trend not shown: ${(error as Error).message}`);
    return '';
  }
}
