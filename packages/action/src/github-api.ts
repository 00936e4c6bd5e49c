import { setTimeout as sleep } from 'node:timers/promises';
import { getOctokit } from '@actions/github';
import { ActionError } from './errors.js';

/**
 * The few GitHub REST calls the action makes (issue comments), with retries
 * where retrying helps: server errors and rate limits. Every other failure
 * becomes an ActionError that says what the status means for this action and
 * what to change. The token only ever travels in the Authorization header
 * (GITHUB_API_URL, via @actions/github); it is never logged.
 */
export interface GitHubApi {
  listComments(pr: PrRef): Promise<IssueComment[]>;
  createComment(pr: PrRef, body: string): Promise<IssueComment>;
  updateComment(pr: PrRef, id: number, body: string): Promise<IssueComment>;
}

export interface PrRef {
  owner: string;
  repo: string;
  number: number;
}

export interface IssueComment {
  id: number;
  body?: string | null;
  html_url: string;
  user?: { login?: string; type?: string } | null;
  author_association?: string;
}

export interface RetryPolicy {
  /** Tries per request, the first included. */
  attempts: number;
  /** First back-off after a server error (ms); doubles each time. */
  baseDelayMs: number;
  /** A rate limit that resets later than this is not waited for (ms). */
  maxWaitMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 4, baseDelayMs: 1_000, maxWaitMs: 60_000 };

/** What an Octokit RequestError carries, read defensively. */
interface HttpFailure {
  status?: number;
  message?: string;
  response?: { headers?: Record<string, string | number | undefined>; data?: unknown };
}

export function createGitHubApi(
  token: string,
  log: (line: string) => void,
  retry: RetryPolicy = DEFAULT_RETRY,
): GitHubApi {
  if (!token) {
    throw new ActionError(
      'input "github-token" is empty: the PR comment needs a token. Leave the input unset to use the job token, or set comment: never.',
    );
  }
  const octokit = getOctokit(token);
  octokit.hook.wrap('request', async (request, options) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await request(options);
      } catch (error) {
        // A POST that failed without an answer may still have created the comment:
        // retrying blindly would post a duplicate. The caller checks first (comment.ts).
        if (options.method === 'POST' && unanswered(error as HttpFailure)) throw error;
        const wait = retryDelayMs(error as HttpFailure, attempt, retry);
        if (wait === null || attempt >= retry.attempts) throw error;
        const status = (error as HttpFailure).status ?? 'network error';
        log(
          `GitHub API ${options.method} ${options.url}: ${status}; retrying in ${(wait / 1000).toFixed(1)} s (attempt ${attempt + 1} of ${retry.attempts})`,
        );
        await sleep(wait);
      }
    }
  });
  const call = async <T>(what: string, pr: PrRef, send: () => Promise<{ data: T }>) => {
    try {
      return (await send()).data;
    } catch (error) {
      throw explain(error as HttpFailure, what, pr, retry);
    }
  };
  const target = (pr: PrRef) => ({ owner: pr.owner, repo: pr.repo, issue_number: pr.number });
  return {
    listComments: (pr) =>
      call('list the comments of', pr, async () => ({
        data: (await octokit.paginate(octokit.rest.issues.listComments, {
          ...target(pr),
          per_page: 100,
        })) as IssueComment[],
      })),
    createComment: (pr, body) =>
      call('comment on', pr, () => octokit.rest.issues.createComment({ ...target(pr), body })),
    updateComment: (pr, id, body) =>
      call('update its comment on', pr, () =>
        octokit.rest.issues.updateComment({ owner: pr.owner, repo: pr.repo, comment_id: id, body }),
      ),
  };
}

/** No status, or a server error: the request may or may not have taken effect. */
function unanswered(error: HttpFailure): boolean {
  return error.status === undefined || error.status >= 500;
}

/** True when a write failed in a way that leaves its outcome unknown (it may have happened). */
export function outcomeUnknown(error: unknown): boolean {
  const cause = (error as { cause?: HttpFailure } | null)?.cause;
  return error instanceof ActionError && cause !== undefined && unanswered(cause);
}

/** How long to wait before trying again, or null when another try cannot help. */
export function retryDelayMs(
  error: HttpFailure,
  attempt: number,
  policy: RetryPolicy,
): number | null {
  const status = error.status;
  const headers = error.response?.headers ?? {};
  const header = (name: string) => {
    const value = headers[name];
    return value === undefined ? undefined : String(value);
  };
  const retryAfter = Number(header('retry-after'));
  if (status === 429 || (status === 403 && isRateLimited(error))) {
    // Secondary limits say retry-after; primary ones say when the window resets.
    let wait = Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter * 1000 : null;
    const reset = Number(header('x-ratelimit-reset'));
    if (wait === null && header('x-ratelimit-remaining') === '0' && Number.isFinite(reset))
      wait = Math.max(0, reset * 1000 - Date.now()) + 500;
    wait ??= policy.baseDelayMs * 2 ** (attempt - 1);
    return wait <= policy.maxWaitMs ? wait : null;
  }
  // No status: the connection failed (reset, DNS, timeout). 5xx: GitHub had a problem.
  if (status === undefined || status >= 500) {
    if (Number.isFinite(retryAfter) && retryAfter >= 0)
      return Math.min(retryAfter * 1000, policy.maxWaitMs);
    return policy.baseDelayMs * 2 ** (attempt - 1);
  }
  return null;
}

function isRateLimited(error: HttpFailure): boolean {
  const headers = error.response?.headers ?? {};
  if (String(headers['x-ratelimit-remaining']) === '0') return true;
  return /rate limit/i.test(`${error.message ?? ''} ${JSON.stringify(error.response?.data ?? '')}`);
}

/** An ActionError that says what the status means here. */
function explain(error: HttpFailure, what: string, pr: PrRef, policy: RetryPolicy): ActionError {
  const where = `${pr.owner}/${pr.repo}#${pr.number}`;
  const detail = (error.message ?? '').split('\n')[0];
  const status = error.status;
  let advice: string;
  if (status === 401) {
    advice =
      'the token was rejected. Check the `github-token` input (unset, it is the job token, which works).';
  } else if (status === 403 && isRateLimited(error)) {
    advice = `GitHub's API rate limit was hit and did not reset within ${policy.maxWaitMs / 1000} s. The report is in the job summary; re-run the job later.`;
  } else if (status === 403) {
    advice =
      'the token may not write comments here. On a fork PR the job token is read-only: see docs/fork-prs.md for the workflow_run follow-up that comments safely. Otherwise give the job `permissions: pull-requests: write`.';
  } else if (status === 404) {
    advice =
      'the pull request or repository was not found with this token. Check `pr-number`, and that the token can read this repository.';
  } else if (status === 422) {
    advice = 'GitHub rejected the request as invalid (for a comment: usually its size).';
  } else if (status === undefined) {
    advice = `the API could not be reached after ${policy.attempts} tries. Check GITHUB_API_URL and the runner's network or proxy.`;
  } else if (status >= 500) {
    advice = `GitHub kept failing after ${policy.attempts} tries. Re-run the job; the report is in the job summary meanwhile.`;
  } else {
    advice = 'unexpected response.';
  }
  return new ActionError(
    `could not ${what} ${where}: ${status ?? 'no response'} ${detail}: ${advice}`,
    { cause: error },
  );
}
