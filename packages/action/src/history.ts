/**
 * The Action's side of the history. Before measuring it reads the data
 * branch: the runner's fresh A/A calibrations give each benchmark a noise
 * floor for its interval. After measuring, a run of the default branch
 * appends its results; any other run (a pull request) gets the branch's
 * trend, and a note where this run measured much more noise than the
 * runner's calibration, for its comment. History is a view, never the
 * verdict: anything that goes wrong here is a warning, and the check is
 * decided as before.
 */
import * as core from '@actions/core';
import type { GateResults, NoiseFloor } from '@vggt-perf-gate/runner';
import {
  appendToBranch,
  type BranchStore,
  calibratedNoise,
  type HistoryEntry,
  historyEntry,
  noiseGrowth,
  readBranch,
  renderTrendComment,
  trendSeries,
} from '@vggt-perf-gate/runner/history';

/** Entries read from the branch for calibration: a few weeks of daily A/A runs and pushes. */
const ENTRIES_READ = 300;

/** Where the run happens, as the workflow's inputs, environment and event say. */
export interface HistoryContext {
  /** A checkout of the repository (the workspace). */
  repo: string;
  branch: string;
  /** Runs of the default branch the comment's trend shows. */
  points: number;
  env: NodeJS.ProcessEnv;
  event: Record<string, unknown> | null;
  /** The job's token for fetching and pushing the branch; empty: the checkout's own credentials. */
  token: string;
  log: (line: string) => void;
  warn: (line: string) => void;
}

/** The history as this run uses it: noise floors for measuring, and what to do with the results. */
export interface OpenHistory {
  noiseFloors: Record<string, NoiseFloor>;
  /** Records the results (default branch) or returns the comment's trend Markdown (otherwise). */
  after(results: GateResults): Promise<string>;
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
  // A schedule's payload names no repository, and GitHub runs schedules on the default branch only.
  if (env.GITHUB_EVENT_NAME === 'schedule') return true;
  return (
    onDefault && ['push', 'schedule', 'workflow_dispatch'].includes(env.GITHUB_EVENT_NAME ?? '')
  );
}

/** Reads the branch once, before measuring; a branch that cannot be read is an empty history. */
export async function openHistory(context: HistoryContext): Promise<OpenHistory> {
  const entries = await readEntries(context);
  const runner = context.env.RUNNER_NAME ?? null;
  const noiseFloors = calibratedNoise(entries, { runner });
  for (const [name, floor] of Object.entries(noiseFloors))
    context.log(
      `history: ${name}'s noise floor on ${runner ?? 'this runner'} is ${(floor.betweenPairSd * 100).toFixed(2)}% between process pairs (${floor.calibrations} A/A runs, newest ${floor.newest.slice(0, 10)})`,
    );
  return {
    noiseFloors,
    after: async (results) => {
      if (recordsHistory(context.env, context.event)) {
        await recordRun(results, context);
        return '';
      }
      const notes = noiseGrowth(results, noiseFloors);
      for (const note of notes) context.warn(note);
      const trend = renderTrendComment(
        trendSeries(
          entries.filter((e) => !e.calibration),
          context.points,
        ),
      );
      return [...notes.map((n) => `> ⚠️ ${n}`), trend].filter(Boolean).join('\n\n');
    },
  };
}

/**
 * The branch, and how git authenticates to it: with the job's token, sent
 * as actions/checkout sends it (basic, user x-access-token), so a checkout
 * with \`persist-credentials: false\` (the measured code gets no credentials)
 * can still keep the history.
 */
function storeOf(context: HistoryContext): BranchStore {
  const store: BranchStore = { repo: context.repo, branch: context.branch };
  if (!context.token) return store;
  const server = (context.env.GITHUB_SERVER_URL ?? 'https://github.com').replace(/\/$/, '');
  const basic = Buffer.from(`x-access-token:${context.token}`).toString('base64');
  core.setSecret(basic); // as actions/checkout does: the header's value is a secret too
  return { ...store, extraHeader: { url: `${server}/`, value: `AUTHORIZATION: basic ${basic}` } };
}

async function readEntries(context: HistoryContext): Promise<HistoryEntry[]> {
  try {
    const { entries, skipped } = await readBranch(storeOf(context), ENTRIES_READ);
    for (const line of skipped) context.warn(`history: skipped ${line} on ${context.branch}`);
    return entries;
  } catch (error) {
    context.warn(`history not read: ${(error as Error).message}`);
    return [];
  }
}

/** Appends a complete run's results to the history branch; a partial run is not history. */
async function recordRun(results: GateResults, context: HistoryContext): Promise<void> {
  if (results.status !== 'complete') {
    context.log(`history: this run is ${results.status}; nothing added to ${context.branch}`);
    return;
  }
  try {
    const entry = historyEntry(results, { runner: context.env.RUNNER_NAME ?? null });
    const { files, attempts } = await appendToBranch(storeOf(context), [entry], {
      log: context.log,
    });
    const kind = entry.calibration ? 'A/A calibration ' : '';
    context.log(
      `history: added ${kind}${files.join(', ')} to ${context.branch}${attempts > 1 ? ` (after ${attempts} attempts)` : ''}`,
    );
  } catch (error) {
    context.warn(`history not recorded: ${(error as Error).message}`);
  }
}
