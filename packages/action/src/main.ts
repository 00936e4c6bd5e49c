import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import * as core from '@actions/core';
import {
  ConfigError,
  checkOutputPaths,
  type GateConfig,
  type GateReporter,
  type GateResults,
  loadConfig,
  mergeResults,
  type NoiseFloor,
  type OutputTarget,
  type ReportedRun,
  ResultsNotSavedError,
  readResults,
  renderMarkdown,
  reportResults,
  runAndReport,
  selectBenchmarks,
  stopOnSignals,
  writeResults,
} from '@vggt-perf-gate/runner';
import { actionReporter } from './action-reporter.js';
import { type ArtifactRuntime, saveArtifactRuntime, uploadRunFiles } from './artifact.js';
import { type CommentOutcome, upsertComment } from './comment.js';
import { annotateConfigError } from './config-annotations.js';
import { ActionError } from './errors.js';
import { pullRequestOf, readEvent } from './event.js';
import { COMMENT_LIMIT, fitWithTrend, SUMMARY_LIMIT } from './fit-report.js';
import { createGitHubApi, type RetryPolicy } from './github-api.js';
import { type OpenHistory, openHistory } from './history.js';
import { type ActionInputs, outputTargets, readInputs } from './inputs.js';
import { annotate, failureMessage } from './verdict.js';
import { WRITE_NOTES } from './write-notes.js';

const exec = promisify(execFile);

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  /** Retry timing for the GitHub API (tests shorten it). */
  retry?: RetryPolicy;
  /** Aborted when the job is cancelled: measuring stops, what was measured is reported. */
  signal?: AbortSignal;
}

/**
 * The whole action: read inputs, measure base vs head (or merge shards'
 * results), write the results, the report and the job summary, annotate
 * regressions, set outputs, upsert the PR comment, and fail per `fail-on`.
 * A failed comment is a warning: it never hides the verdict.
 */
export async function run(options: RunOptions = {}): Promise<void> {
  const env = options.env ?? process.env;
  const started = Date.now();
  let inputs: ActionInputs;
  try {
    inputs = readInputs((name) => core.getInput(name));
  } catch (error) {
    core.setFailed((error as Error).message);
    return;
  }
  if (inputs.token) core.setSecret(inputs.token);
  // Kept for the artifact upload alone, before they leave the environment.
  const artifactRuntime = saveArtifactRuntime(env);
  scrubSecrets(env);
  try {
    const event = readEvent(env.GITHUB_EVENT_PATH);
    const pr = pullRequestOf(event);
    const repositoryRoot = resolve(env.GITHUB_WORKSPACE ?? process.cwd());
    const workspace = resolve(repositoryRoot, inputs.workingDirectory);
    // Relative paths in the config, and onnxruntime-node installed in the gated
    // repository, are found from here.
    process.chdir(workspace);

    // Everything that can be wrong before measuring is checked first, the config
    // before the base (a fetch error must not hide a broken config).
    const measuring = inputs.results.length === 0;
    const config = measuring ? await readConfig(inputs, workspace, repositoryRoot) : null;
    // runGate selects again, with a generic label; given the same config and
    // names it cannot fail where this did not, so this message, naming the
    // input, is the one users see.
    if (config) selectBenchmarks(config, inputs.benchmarks, 'input "benchmarks"');
    const targets = outputTargets(inputs);
    await checkOutputPaths(targets);

    const history = await historyOf(inputs, workspace, env, event);
    const runUrl = runLink(env);
    const reporters = [actionReporter()];
    const { results, written } = config
      ? await withoutJobFiles(env, () =>
          measure(inputs, config, {
            workspace,
            targets,
            reporters,
            prBase: pr?.baseSha ?? null,
            signal: options.signal,
            noiseFloors: history?.noiseFloors ?? {},
          }),
        )
      : await mergeShards(
          inputs.results.map((p) => resolve(workspace, p)),
          targets,
          reporters,
        );
    const measuringSeconds = results.benchmarks.reduce((sum, b) => sum + b.seconds, 0);
    const trend = history ? await history.after(results) : '';
    // Rendered once, for the job summary and the comment; the trend goes after it where it fits.
    const markdown = renderMarkdown(results);
    await writeSummary(fitWithTrend(markdown, trend, SUMMARY_LIMIT, runUrl, 0, 'bytes'));
    annotate(results, (kind, text, title) =>
      kind === 'error' ? core.error(text, { title }) : core.warning(text, { title }),
    );

    const prNumber = inputs.prNumber ?? pr?.number ?? null;
    setRunOutputs(results, written, workspace, prNumber);
    const artifactLink = await uploadArtifact(inputs, written, workspace, artifactRuntime, env);

    // A cancelled run (a newer push) must not replace a good comment with a partial one.
    if (options.signal?.aborted)
      core.info('cancelled: the PR comment is left as it was; the next run will update it');
    const outcome = options.signal?.aborted
      ? null
      : await comment(
          inputs,
          env,
          prNumber,
          pr?.fromFork ?? false,
          results,
          { markdown, trend },
          { runUrl, artifactUrl: artifactLink },
          options.retry,
        );
    if (outcome && 'url' in outcome) core.setOutput('comment-url', outcome.url);

    const overhead = (Date.now() - started) / 1000 - measuringSeconds;
    core.info(
      `perf gate: ${results.verdict}; measuring took ${measuringSeconds.toFixed(1)} s, everything else (probe, checkout, reports, comment) ${overhead.toFixed(1)} s`,
    );
    const failures = [...written.problems, failureMessage(results, inputs.failOn)].filter(Boolean);
    if (failures.length > 0) core.setFailed(failures.join('\n'));
  } catch (error) {
    core.setFailed((error as Error).message);
  }
}

/** The history branch, read before measuring; null without `history-branch`. */
function historyOf(
  inputs: ActionInputs,
  workspace: string,
  env: NodeJS.ProcessEnv,
  event: Record<string, unknown> | null,
): Promise<OpenHistory> | null {
  if (!inputs.historyBranch) return null;
  return openHistory({
    repo: workspace,
    branch: inputs.historyBranch,
    points: inputs.historyPoints,
    env,
    event,
    token: inputs.token,
    log: (line) => core.info(line),
    warn: (line) => core.warning(line),
  });
}

/** The step's outputs: the verdict, and where the files are (after a failed write, a fallback or nowhere). */
function setRunOutputs(
  results: GateResults,
  written: ReportedRun['written'],
  workspace: string,
  prNumber: number | null,
): void {
  core.setOutput('verdict', results.verdict);
  core.setOutput('regressions', String(results.regressions));
  const absolute = (path: string | null) => (path === null ? '' : resolve(workspace, path));
  core.setOutput('results-path', absolute(written.results));
  core.setOutput('report-path', absolute(written.markdown));
  core.setOutput('html-path', absolute(written.html));
  if (prNumber !== null) core.setOutput('pr-number', String(prNumber));
}

/** With `artifact`: the written files uploaded as one artifact; its page's URL, or null. */
async function uploadArtifact(
  inputs: ActionInputs,
  written: ReportedRun['written'],
  workspace: string,
  runtime: ArtifactRuntime,
  env: NodeJS.ProcessEnv,
): Promise<string | null> {
  if (!inputs.artifact) return null;
  const url = await uploadRunFiles(
    {
      name: inputs.artifact,
      files: [written.results, written.markdown, written.html],
      root: workspace,
      runtime,
      env,
      log: (line) => core.info(line),
    },
    (line) => core.warning(line),
  );
  if (url) core.setOutput('artifact-url', url);
  return url;
}

/** The config, validated; each problem is also an annotation on its line of the file. */
async function readConfig(
  inputs: ActionInputs,
  workspace: string,
  repositoryRoot: string,
): Promise<GateConfig> {
  try {
    return await loadConfig(resolve(workspace, inputs.config));
  } catch (error) {
    if (error instanceof ConfigError)
      annotateConfigError(error, repositoryRoot, (message, properties) =>
        core.error(message, properties),
      );
    throw error;
  }
}

/** Measures base vs head and writes the reports, telling `reporters` (and so the log) as it goes. */
async function measure(
  inputs: ActionInputs,
  config: GateConfig,
  where: {
    workspace: string;
    targets: readonly OutputTarget[];
    reporters: readonly GateReporter[];
    /** The pull request's base commit; null outside a pull_request event. */
    prBase: string | null;
    signal: AbortSignal | undefined;
    /** The runner's calibrated noise per benchmark, from the history branch. */
    noiseFloors: Record<string, NoiseFloor>;
  },
): Promise<ReportedRun> {
  const { workspace, targets, reporters, prBase, signal, noiseFloors } = where;
  const baseRef = inputs.baseRef || prBase;
  if (!baseRef) {
    throw new ActionError(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub Actions expression, shown as is.
      'no base to compare with: this is not a pull_request event, so set the input "base-ref" (e.g. ${{ github.event.before }} on push, or origin/main).',
    );
  }
  await ensureCommit(workspace, baseRef);
  return runAndReport({
    config,
    dir: workspace,
    baseRef,
    targets,
    reporters,
    write: WRITE_NOTES,
    only: inputs.benchmarks ?? undefined,
    shard: inputs.shard,
    signal,
    noiseFloors,
  });
}

/** Joins shards' results into the results file, then reports them as a measured run would be. */
async function mergeShards(
  paths: string[],
  targets: readonly OutputTarget[],
  reporters: readonly GateReporter[],
): Promise<ReportedRun> {
  const merged = mergeResults(await Promise.all(paths.map((p) => readResults(p))));
  const resultsPath = targets.find((t) => t.format === 'results')?.path ?? '';
  let unsaved: ResultsNotSavedError | null = null;
  try {
    await writeResults(resultsPath, merged);
  } catch (cause) {
    unsaved = new ResultsNotSavedError(resultsPath, merged, cause);
  }
  return reportResults(merged, targets, reporters, { ...WRITE_NOTES, unsaved });
}

/**
 * The base commit must be in the checkout for `git worktree add`. A default
 * actions/checkout is shallow, so fetch just that commit when it is missing.
 */
async function ensureCommit(workspace: string, ref: string): Promise<void> {
  const has = () =>
    exec('git', ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], { cwd: workspace }).then(
      () => true,
      () => false,
    );
  if (await has()) return;
  core.info(`base ${ref} is not in the checkout; fetching it from origin`);
  try {
    await exec('git', ['fetch', '--no-tags', '--depth=1', 'origin', ref], { cwd: workspace });
  } catch (cause) {
    throw new ActionError(
      `the base ${ref} is not in the checkout and could not be fetched (${((cause as { stderr?: string }).stderr ?? '').trim().split('\n').at(-1)}). Use actions/checkout with fetch-depth: 0, or set "base-ref" to a ref that exists.`,
      { cause },
    );
  }
  if (!(await has()))
    throw new ActionError(
      `fetched ${ref} but it is not a commit: set "base-ref" to a commit, branch or tag.`,
    );
}

async function comment(
  inputs: ActionInputs,
  env: NodeJS.ProcessEnv,
  prNumber: number | null,
  fromFork: boolean,
  results: GateResults,
  report: { markdown: string; trend: string },
  links: { runUrl: string; artifactUrl: string | null },
  retry: RetryPolicy | undefined,
): Promise<CommentOutcome | null> {
  const { runUrl } = links;
  if (inputs.comment === 'never') return null;
  if (prNumber === null) {
    core.info(
      'no pull request (not a pull_request event and no pr-number input): no PR comment; the report is in the job summary.',
    );
    return null;
  }
  const [owner, repo] = (env.GITHUB_REPOSITORY ?? '').split('/');
  if (!owner || !repo) {
    core.warning(
      'GITHUB_REPOSITORY is not set: cannot tell which repository to comment on. The report is in the job summary.',
    );
    return null;
  }
  if (fromFork && env.GITHUB_EVENT_NAME === 'pull_request' && inputs.results.length === 0) {
    core.notice(
      'This pull request comes from a fork: its job token is read-only, so no PR comment. The report is in the job summary and the results file; to comment on fork PRs safely, see docs/fork-prs.md (a workflow_run follow-up).',
      { title: 'perf gate: no comment on a fork PR' },
    );
    return null;
  }
  // Room for the marker and the footer below.
  const fitted = { text: fitWithTrend(report.markdown, report.trend, COMMENT_LIMIT, runUrl, 400) };
  const files = links.artifactUrl ? ` · [results and reports](${links.artifactUrl})` : '';
  const body = `${fitted.text}\n\n<sub>[vggt-perf-gate run](${runUrl})${files}</sub>`;
  try {
    const api = createGitHubApi(inputs.token, (line) => core.info(line), retry, env.GITHUB_API_URL);
    const outcome = await upsertComment(
      api,
      { owner, repo, number: prNumber },
      {
        key: inputs.commentKey,
        body,
        mode: inputs.comment,
        verdict: results.verdict,
      },
      (line) => core.info(line),
    );
    core.info(
      outcome.action === 'skipped'
        ? `PR comment: skipped (${outcome.reason})`
        : `PR comment ${outcome.action}: ${outcome.url}`,
    );
    return outcome;
  } catch (error) {
    // The verdict below still decides the step: a comment problem must not hide it.
    core.warning(`PR comment not posted: ${(error as Error).message}`, {
      title: 'perf gate: no PR comment',
    });
    return null;
  }
}

/**
 * Everything the benchmarks run (the PR's code: setup commands, workers,
 * harnesses) inherits this process's environment, so the job token and the
 * runner's own credentials leave it here, once the inputs are read: inputs
 * (INPUT_GITHUB-TOKEN above all), the Actions runtime and OIDC tokens.
 */
const SECRET_VARIABLES = [
  'ACTIONS_RUNTIME_TOKEN',
  'ACTIONS_RUNTIME_URL',
  'ACTIONS_RESULTS_URL',
  'ACTIONS_CACHE_URL',
  'ACTIONS_ID_TOKEN_REQUEST_TOKEN',
  'ACTIONS_ID_TOKEN_REQUEST_URL',
  'GITHUB_TOKEN',
];

export function scrubSecrets(env: NodeJS.ProcessEnv): void {
  for (const name of Object.keys(env))
    if (name.startsWith('INPUT_') || SECRET_VARIABLES.includes(name)) delete env[name];
}

/**
 * The runner's file commands: a step appends to these files to set step
 * outputs, environment variables and PATH entries for the job's later steps,
 * to save state for its post step, and to write the job summary. The
 * benchmarks must not be handed them: PR code that appends to GITHUB_ENV
 * could set LD_PRELOAD or NODE_OPTIONS for every later step of the job.
 */
const JOB_FILE_VARIABLES = [
  'GITHUB_ENV',
  'GITHUB_PATH',
  'GITHUB_OUTPUT',
  'GITHUB_STEP_SUMMARY',
  'GITHUB_STATE',
];

/**
 * Runs `measure` (which starts the PR's code) with the job-file variables
 * out of `env`, and puts them back afterwards. Not deleted for good:
 * @actions/core reads them from process.env at the moment it sets an output
 * or writes the summary, which happens after measuring; a process started
 * meanwhile copied the environment without them when it started.
 */
async function withoutJobFiles<T>(env: NodeJS.ProcessEnv, measure: () => Promise<T>): Promise<T> {
  const saved = JOB_FILE_VARIABLES.flatMap((name) => {
    const value = env[name];
    return value === undefined ? [] : [[name, value] as const];
  });
  for (const [name] of saved) delete env[name];
  try {
    return await measure();
  } finally {
    for (const [name, value] of saved) env[name] = value;
  }
}

/** The job summary; a summary that cannot be written is a warning, never the step's failure. */
async function writeSummary(markdown: string): Promise<void> {
  try {
    await core.summary.addRaw(markdown, true).write();
  } catch (error) {
    core.warning(`job summary not written: ${(error as Error).message}`);
  }
}

function runLink(env: NodeJS.ProcessEnv): string {
  const server = env.GITHUB_SERVER_URL ?? 'https://github.com';
  return `${server}/${env.GITHUB_REPOSITORY ?? ''}/actions/runs/${env.GITHUB_RUN_ID ?? ''}`;
}

/** Stops measuring on cancellation (SIGINT/SIGTERM from the runner), then reports what was measured. */
export function cancelOnSignals(): AbortSignal {
  return stopOnSignals({
    exitCode: () => 1,
    onFirst: (signal) =>
      core.warning(
        `${signal}: the job was cancelled; stopping the workers and reporting what was measured.`,
      ),
  }).signal;
}
