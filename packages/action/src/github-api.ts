import { setTimeout as sleep } from 'node:timers/promises';
import { getOctokit } from '@actions/github';
import { ActionError } from './errors.js';

/**
 * The few GitHub REST calls the action makes (issue comments), with a time
 * limit on every request, one for all of a client's calls together, and
 * retries where retrying helps: no answer, server errors and rate limits.
 * Every other failure becomes a GitHubApiError that says what happened,
 * where, and what to change. The token only ever travels in the
 * Authorization header (to GITHUB_API_URL, via @actions/github); it is never
 * logged.
 */
export interface GitHubApi {
  listComments(pr: PrRef): Promise<IssueComment[]>;
  createComment(pr: PrRef, body: string): Promise<IssueComment>;
  updateComment(pr: PrRef, id: number, body: string): Promise<IssueComment>;
}

/** The pull request (an issue, to the REST API) a comment belongs to. */
export interface PrRef {
  owner: string;
  repo: string;
  number: number;
}

/** The fields of a GitHub issue comment the action reads. */
export interface IssueComment {
  id: number;
  body?: string | null;
  html_url: string;
  user?: { login?: string; type?: string } | null;
  author_association?: string;
}

/** When and how often a request is tried. */
export interface RetryPolicy {
  /** Tries per request, the first included. */
  attempts: number;
  /** First back-off after a failed try (ms); doubles each time. */
  baseDelayMs: number;
  /** The longest single wait (ms): a rate limit that asks for more is not waited for. */
  maxWaitMs: number;
  /** How long one try may take, the answer's body included, before it counts as failed (ms). */
  requestTimeoutMs: number;
  /**
   * How long all calls through one client may take together, from its first
   * request: every try, wait and page (ms). The action makes one client per
   * comment step, so this bounds the whole step, whatever GitHub does.
   */
  deadlineMs: number;
}

/** Tries per request: with the back-off below, about 7 s of waiting in all. */
export const DEFAULT_ATTEMPTS = 4;
/** First back-off (ms): 1, 2, 4 s. */
export const DEFAULT_BASE_DELAY_MS = 1_000;
/** One minute: long enough for a secondary rate limit, short enough not to stall the job. */
export const DEFAULT_MAX_WAIT_MS = 60_000;
/**
 * GitHub's REST API gives up on a request itself after 10 s; twice that
 * leaves room for a slow proxy and a 100-comment page, and a server that
 * never answers costs at most this per try instead of hanging the step.
 */
export const DEFAULT_REQUEST_TIMEOUT_MS = 20_000;
/**
 * The whole comment step (list every page, create or update, the check
 * before a create is sent again) gives up after 3 min. Without it, retries
 * alone could hold the job for 18 min on a pull request with one page of
 * comments: four tries of up to 20 s with waits of up to 60 s are 260 s per
 * request, and create-then-check makes up to six (list, create, list,
 * create, list, create: 260 + 20 + 260 + 20 + 260 + 260 s, as a create whose
 * answer is lost costs one try, 20 s, and is not retried blindly).
 */
export const DEFAULT_DEADLINE_MS = 180_000;

/** The policy the action runs with. */
export const DEFAULT_RETRY: RetryPolicy = {
  attempts: DEFAULT_ATTEMPTS,
  baseDelayMs: DEFAULT_BASE_DELAY_MS,
  maxWaitMs: DEFAULT_MAX_WAIT_MS,
  requestTimeoutMs: DEFAULT_REQUEST_TIMEOUT_MS,
  deadlineMs: DEFAULT_DEADLINE_MS,
};

/** Added to a rate limit's reset time: GitHub's clock and ours differ by a little. */
const RESET_MARGIN_MS = 500;
/** How much of an answer that is not JSON is quoted in the message. */
const QUOTED_CHARS = 80;
/** Connection errors that happen before a request is sent: retrying a POST after them cannot duplicate it. */
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** Which call failed: it picks the message's wording and what a 404 means. */
export type Operation = 'list' | 'create' | 'update';

const OPERATION_TEXT: Record<Operation, string> = {
  list: 'list the comments of',
  create: 'comment on',
  update: 'update its comment on',
};

/** Why one try failed, as far as the action can tell from the outside. */
export type RequestFailure =
  /** No HTTP answer: the connection failed, or nothing came back in time. */
  | { kind: 'unreachable'; apiUrl: string; code: string; detail: string; timedOut: boolean }
  /** An answer whose body is not JSON: most likely not the REST API at all. */
  | { kind: 'not-json'; apiUrl: string; status: number; contentType: string; start: string }
  /** A JSON answer that is not what this endpoint returns. */
  | { kind: 'wrong-shape'; apiUrl: string; expected: string }
  /** An HTTP error status from the API. */
  | {
      kind: 'status';
      status: number;
      message: string;
      rateLimited: boolean;
      headers: Record<string, string>;
    };

/** Why the action stopped trying. */
export type StopReason =
  | { why: 'not-retryable' }
  | { why: 'out-of-tries' }
  /** A write with no clear answer: trying again blindly could post it twice. */
  | { why: 'outcome-unknown' }
  /** GitHub asked to wait longer than the policy allows for one wait. */
  | { why: 'wait-too-long'; askedMs: number; askedBy: string; budgetMs: number }
  /**
   * The client's deadline ran out: while a try waited for its answer (for a
   * write, whether it landed is then unknown), before the next try's wait
   * (`waitMs`) would have ended, or before a request could be sent.
   */
  | {
      why: 'deadline';
      deadlineMs: number;
      cut: 'answer' | 'wait' | 'start';
      waitMs: number;
      write: boolean;
    };

/** Everything a failed call's message is made from. */
export interface FailureDetails {
  operation: Operation;
  pr: PrRef;
  failure: RequestFailure;
  /** Tries actually made. */
  attempts: number;
  stop: StopReason;
  /** A last sentence from the caller (comment.ts: what it checked between tries). */
  note?: string;
}

/** A GitHub API call that failed for good, with a message that says what to do. */
export class GitHubApiError extends ActionError {
  readonly details: FailureDetails;
  constructor(details: FailureDetails, options?: { cause?: unknown }) {
    super(describeFailure(details), options);
    this.name = 'GitHubApiError';
    this.details = details;
  }
}

/** One try's failure, thrown from the request hook to the call that made it. */
class FailedRequest extends Error {
  constructor(
    readonly failure: RequestFailure,
    readonly attempts: number,
    readonly stop: StopReason,
    cause: unknown,
  ) {
    super(failure.kind, { cause });
  }
}

/** A 2xx answer whose body Octokit could not parse: it hands such a body back as text. */
class NotJsonAnswer extends Error {
  constructor(
    readonly status: number,
    readonly headers: Record<string, unknown>,
    readonly data: unknown,
  ) {
    super('the answer is not JSON');
  }
}

/** Our own abort reason, so a time-out is told apart from any other abort. */
class RequestTimeout extends Error {
  /**
   * @param byDeadline the try was cut short by the client's deadline, not by
   *   the time limit of one request
   */
  constructor(
    readonly ms: number,
    readonly byDeadline: boolean,
  ) {
    super(
      byDeadline
        ? 'no answer before the time limit of the comment step'
        : `no answer within ${seconds(ms, ms < 10_000 ? 1 : 0)} s`,
    );
    this.name = 'RequestTimeout';
  }
}

/** What an Octokit RequestError carries, read defensively. */
interface HttpFailure {
  status?: number;
  message?: string;
  cause?: unknown;
  response?: { headers?: Record<string, string | number | undefined>; data?: unknown };
}

/**
 * The action's GitHub API client. `apiUrl` overrides GITHUB_API_URL (which
 * @actions/github reads when it is loaded); tests point it at a local server.
 */
export function createGitHubApi(
  token: string,
  log: (line: string) => void,
  retry: RetryPolicy = DEFAULT_RETRY,
  apiUrl?: string,
): GitHubApi {
  if (!token) {
    throw new ActionError(
      'input "github-token" is empty: the PR comment needs a token. Leave the input unset to use the job token, or set comment: never.',
    );
  }
  const octokit = getOctokit(token, apiUrl ? { baseUrl: apiUrl } : {});
  const baseUrl = octokit.request.endpoint.DEFAULTS.baseUrl;
  /** When every call through this client must be over: started by the first request. */
  let deadline: Deadline | null = null;
  octokit.hook.wrap('request', async (request, options) => {
    const { method, url } = octokit.request.endpoint.parse(options);
    deadline ??= startDeadline(retry.deadlineMs);
    const { signal: expired, endsAt } = deadline;
    const write = method !== 'GET';
    const outOfTime = (cut: 'answer' | 'wait' | 'start', waitMs = 0): StopReason => ({
      why: 'deadline',
      deadlineMs: retry.deadlineMs,
      cut,
      waitMs,
      write,
    });
    let failure: RequestFailure = notSent(baseUrl);
    for (let attempt = 1; ; attempt++) {
      // Out of time before this try: a later page or call.
      if (expired.aborted) throw new FailedRequest(failure, attempt - 1, outOfTime('start'), null);
      let cause: unknown;
      try {
        return await withTimeout(retry.requestTimeoutMs, expired, async (signal) => {
          // Set on `options` itself: the token's auth hook, next in the chain, was
          // bound to this object and ignores options passed to it.
          options.request = { ...options.request, signal };
          const response = await request(options);
          if (isJsonBody(response.status, response.data)) return response;
          // A time-out while the body was read leaves it empty, not an error.
          if (signal.aborted) throw signal.reason;
          throw new NotJsonAnswer(response.status, response.headers, response.data);
        });
      } catch (error) {
        cause = error;
        failure = classify(error, baseUrl);
      }
      if (findCause(cause, (e) => e instanceof RequestTimeout && e.byDeadline))
        throw new FailedRequest(failure, attempt, outOfTime('answer'), cause);
      const next = nextTry(failure, attempt, method, retry);
      if ('why' in next) throw new FailedRequest(failure, attempt, next, cause);
      // The next try would start too late to be answered: give up now, not after the wait.
      if (Date.now() + next.waitMs >= endsAt)
        throw new FailedRequest(failure, attempt, outOfTime('wait', next.waitMs), cause);
      log(
        `GitHub API ${method} ${url}: ${shortReason(failure)}; retrying in ${seconds(next.waitMs, 1)} s (attempt ${attempt + 1} of ${retry.attempts}), ${next.because}`,
      );
      try {
        await sleep(next.waitMs, undefined, { signal: expired });
      } catch {
        throw new FailedRequest(failure, attempt, outOfTime('wait', next.waitMs), cause);
      }
    }
  });
  const call = checkedCall(baseUrl);
  const target = (pr: PrRef) => ({ owner: pr.owner, repo: pr.repo, issue_number: pr.number });
  return {
    listComments: (pr) =>
      call(
        'list',
        pr,
        () => octokit.paginate(octokit.rest.issues.listComments, { ...target(pr), per_page: 100 }),
        COMMENT_LIST,
      ),
    createComment: (pr, body) =>
      call(
        'create',
        pr,
        async () => (await octokit.rest.issues.createComment({ ...target(pr), body })).data,
        COMMENT,
      ),
    updateComment: (pr, id, body) =>
      call(
        'update',
        pr,
        async () =>
          (
            await octokit.rest.issues.updateComment({
              owner: pr.owner,
              repo: pr.repo,
              comment_id: id,
              body,
            })
          ).data,
        COMMENT,
      ),
  };
}

/** One API call: a failed request, or an answer of the wrong shape, as a GitHubApiError. */
function checkedCall(baseUrl: string) {
  return async <T>(
    operation: Operation,
    pr: PrRef,
    send: () => Promise<unknown>,
    expect: Shape<T>,
  ): Promise<T> => {
    let data: unknown;
    try {
      data = await send();
    } catch (error) {
      if (!(error instanceof FailedRequest)) throw error;
      const { failure, attempts, stop } = error;
      throw new GitHubApiError({ operation, pr, failure, attempts, stop }, { cause: error.cause });
    }
    if (expect.test(data)) return data;
    const failure: RequestFailure = {
      kind: 'wrong-shape',
      apiUrl: baseUrl,
      expected: expect.name,
    };
    throw new GitHubApiError({
      operation,
      pr,
      failure,
      attempts: 1,
      stop: { why: 'not-retryable' },
    });
  };
}

/** A client's time limit for all its calls: one timer, so "out of time" is one event, not a clock reading. */
interface Deadline {
  /** Aborted, with a RequestTimeout for its reason, when the time is up. */
  signal: AbortSignal;
  /** When that is (ms since the epoch), to tell whether a wait would end past it. */
  endsAt: number;
}

function startDeadline(ms: number): Deadline {
  const controller = new AbortController();
  // Unref'd: a client that is done must not keep the action's process alive.
  setTimeout(() => controller.abort(new RequestTimeout(ms, true)), ms).unref();
  return { signal: controller.signal, endsAt: Date.now() + ms };
}

/**
 * Runs `send` with a signal that aborts after `ms`, or when `deadline` does;
 * the timer never outlives it.
 */
async function withTimeout<T>(
  ms: number,
  deadline: AbortSignal,
  send: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new RequestTimeout(ms, false)), ms);
  try {
    return await send(AbortSignal.any([controller.signal, deadline]));
  } finally {
    clearTimeout(timer);
  }
}

/** A check that a parsed answer is what the endpoint returns. */
interface Shape<T> {
  name: string;
  test: (data: unknown) => data is T;
}

const COMMENT: Shape<IssueComment> = {
  name: 'an issue comment',
  test: (data): data is IssueComment =>
    typeof data === 'object' &&
    data !== null &&
    typeof (data as IssueComment).id === 'number' &&
    typeof (data as IssueComment).html_url === 'string',
};

const COMMENT_LIST: Shape<IssueComment[]> = {
  name: 'a list of issue comments',
  test: (data): data is IssueComment[] =>
    Array.isArray(data) && data.every((c) => typeof c === 'object' && c !== null && 'id' in c),
};

/** Octokit hands back a body it could not parse as a string (or bytes), not an error. */
function isJsonBody(status: number, data: unknown): boolean {
  if (status === 204 || status === 205) return true;
  return typeof data === 'object' && data !== null && !(data instanceof ArrayBuffer);
}

/** The failure of a request no try of which was made: only the deadline's message reads it. */
function notSent(apiUrl: string): RequestFailure {
  return { kind: 'unreachable', apiUrl, code: 'not sent', detail: 'not sent', timedOut: false };
}

/** Sorts a failed try into what the message and the retry decision need. */
function classify(error: unknown, apiUrl: string): RequestFailure {
  if (error instanceof NotJsonAnswer)
    return notJsonFailure(apiUrl, error.status, error.headers, error.data);
  const timeout = findCause(error, (e) => e instanceof RequestTimeout);
  if (timeout) {
    const { message } = timeout as RequestTimeout;
    return { kind: 'unreachable', apiUrl, code: 'timeout', detail: message, timedOut: true };
  }
  const http = error as HttpFailure;
  if (!http.response) {
    const code = connectionCode(error) ?? 'no answer';
    const detail = firstLine(http.message ?? String(error));
    return { kind: 'unreachable', apiUrl, code, detail, timedOut: false };
  }
  const status = http.status ?? 0;
  const data = http.response.data;
  const headers = stringHeaders(http.response.headers ?? {});
  // An error page from a proxy or a web server: HTML, plain text, JSON that does not parse.
  if (!isJsonBody(status, data) && !isEmpty(data))
    return notJsonFailure(apiUrl, status, headers, data);
  const message = firstLine(http.message ?? '');
  const rateLimited = status === 429 || (status === 403 && isRateLimited(headers, message, data));
  return { kind: 'status', status, message, rateLimited, headers };
}

function notJsonFailure(
  apiUrl: string,
  status: number,
  headers: Record<string, unknown>,
  data: unknown,
): RequestFailure {
  const contentType = stringHeaders(headers)['content-type'] ?? '';
  const text =
    data instanceof ArrayBuffer ? Buffer.from(data).toString('utf8') : String(data ?? '');
  const start = text.replace(/\s+/g, ' ').trim().slice(0, QUOTED_CHARS);
  return { kind: 'not-json', apiUrl, status, contentType, start };
}

/** The next try's wait, or why there is none. */
function nextTry(
  failure: RequestFailure,
  attempt: number,
  method: string,
  policy: RetryPolicy,
): { waitMs: number; because: string } | StopReason {
  const backoff = {
    waitMs: Math.min(policy.baseDelayMs * 2 ** (attempt - 1), policy.maxWaitMs),
    because: 'backing off exponentially',
  };
  const outOfTries = attempt >= policy.attempts;
  const isWrite = method !== 'GET';
  switch (failure.kind) {
    case 'unreachable':
      // A write that went out and got no answer may have landed: the caller looks first.
      if (isWrite && !NOT_SENT_CODES.has(failure.code)) return { why: 'outcome-unknown' };
      return outOfTries ? { why: 'out-of-tries' } : backoff;
    case 'not-json':
      // A proxy's 502 page passes; a 200 web page (a wrong GITHUB_API_URL) will not change.
      if (failure.status < 500) return { why: 'not-retryable' };
      if (isWrite) return { why: 'outcome-unknown' };
      return outOfTries ? { why: 'out-of-tries' } : backoff;
    case 'wrong-shape':
      return { why: 'not-retryable' };
    case 'status':
      return nextTryAfterStatus(failure, isWrite, outOfTries, backoff, policy);
  }
}

function nextTryAfterStatus(
  failure: Extract<RequestFailure, { kind: 'status' }>,
  isWrite: boolean,
  outOfTries: boolean,
  backoff: { waitMs: number; because: string },
  policy: RetryPolicy,
): { waitMs: number; because: string } | StopReason {
  const asked = askedWait(failure.headers);
  if (failure.rateLimited) {
    // Checked before the tries left: "GitHub asked for an hour" is the more useful message.
    if (asked && asked.ms > policy.maxWaitMs)
      return {
        why: 'wait-too-long',
        askedMs: asked.ms,
        askedBy: asked.by,
        budgetMs: policy.maxWaitMs,
      };
    if (outOfTries) return { why: 'out-of-tries' };
    return asked ? { waitMs: asked.ms, because: `as GitHub asked (${asked.by})` } : backoff;
  }
  if (failure.status >= 500) {
    if (isWrite) return { why: 'outcome-unknown' };
    if (outOfTries) return { why: 'out-of-tries' };
    return asked
      ? { waitMs: Math.min(asked.ms, policy.maxWaitMs), because: `as GitHub asked (${asked.by})` }
      : backoff;
  }
  return { why: 'not-retryable' };
}

/**
 * How long GitHub asked to wait: `retry-after` (secondary limits, some 5xx),
 * else, with the limit used up, until `x-ratelimit-reset` (primary limits).
 */
function askedWait(headers: Record<string, string>): { ms: number; by: string } | null {
  const retryAfter = headers['retry-after'];
  if (retryAfter !== undefined && retryAfter.trim() !== '') {
    const secondsAsked = Number(retryAfter);
    if (Number.isFinite(secondsAsked) && secondsAsked >= 0)
      return { ms: secondsAsked * 1000, by: `retry-after: ${retryAfter}` };
    // The header may also be an HTTP date.
    const at = Date.parse(retryAfter);
    if (Number.isFinite(at))
      return { ms: Math.max(0, at - Date.now()), by: `retry-after: ${retryAfter}` };
  }
  const reset = Number(headers['x-ratelimit-reset']);
  if (headers['x-ratelimit-remaining'] === '0' && Number.isFinite(reset) && reset > 0) {
    const at = new Date(reset * 1000);
    return {
      ms: Math.max(0, at.getTime() - Date.now()) + RESET_MARGIN_MS,
      by: `the limit resets at ${at.toISOString().replace('.000Z', 'Z')}`,
    };
  }
  return null;
}

function isRateLimited(headers: Record<string, string>, message: string, data: unknown): boolean {
  if (headers['x-ratelimit-remaining'] === '0') return true;
  return /rate limit/i.test(`${message} ${JSON.stringify(data ?? '')}`);
}

/** True when a write failed in a way that leaves its outcome unknown (it may have happened). */
export function outcomeUnknown(error: unknown): boolean {
  return error instanceof GitHubApiError && error.details.stop.why === 'outcome-unknown';
}

/** A failed try in a few words, for log lines. */
export function shortReason(failure: RequestFailure): string {
  switch (failure.kind) {
    case 'unreachable':
      return failure.timedOut ? failure.detail : `${failure.code} (no answer)`;
    case 'not-json':
      return `${failure.status}, not JSON (${failure.contentType || 'no content-type'})`;
    case 'wrong-shape':
      return 'unexpected JSON';
    case 'status':
      return String(failure.status);
  }
}

/** The whole message: what failed, where, after how many tries, and what to do. */
export function describeFailure(d: FailureDetails): string {
  const where = `${d.pr.owner}/${d.pr.repo}#${d.pr.number}`;
  const note = d.note ? ` ${d.note}` : '';
  return `could not ${OPERATION_TEXT[d.operation]} ${where}: ${explain(d)}${note}`;
}

function explain(d: FailureDetails): string {
  const f = d.failure;
  const after = `after ${tries(d.attempts)}`;
  if (d.stop.why === 'deadline') return explainDeadline(d, d.stop);
  switch (f.kind) {
    case 'unreachable':
      return f.timedOut
        ? `the GitHub API at ${f.apiUrl} did not answer (${f.detail}, timed out) ${after}. GitHub may be slow or down, or a proxy or firewall holds the connection: check https://www.githubstatus.com and the runner's network, and re-run the job; the report is in the job summary meanwhile.`
        : `the GitHub API at ${f.apiUrl} could not be reached (${f.code}: ${f.detail}) ${after}. Check GITHUB_API_URL (https://api.github.com, or https://HOST/api/v3 on GitHub Enterprise Server) and the runner's network, DNS and proxy settings (HTTPS_PROXY, NO_PROXY); the report is in the job summary meanwhile.`;
    case 'not-json':
      return `the API at ${f.apiUrl} answered ${f.status} with ${f.contentType || 'no content-type'}, not JSON (it begins "${f.start}") ${after}. That is most likely not the GitHub REST API: GITHUB_API_URL may point at a web page (github.com instead of api.github.com; https://HOST/api/v3 on GitHub Enterprise Server), or a proxy answered with a page of its own. Check GITHUB_API_URL and the runner's proxy settings.`;
    case 'wrong-shape':
      return `the API at ${f.apiUrl} answered with JSON that is not ${f.expected}: GITHUB_API_URL may point at another service, or a proxy changed the answer. Check GITHUB_API_URL.`;
    case 'status':
      return `${f.status}${f.message ? ` ${f.message}` : ''}: ${adviceForStatus(f, d)}`;
  }
}

function explainDeadline(
  d: FailureDetails,
  stop: Extract<StopReason, { why: 'deadline' }>,
): string {
  const limit = `the time limit of the PR comment step, ${duration(stop.deadlineMs)} for all its requests,`;
  const last = d.attempts > 0 ? shortReason(d.failure) : null;
  const where = 'apiUrl' in d.failure ? d.failure.apiUrl : 'GITHUB_API_URL';
  let what: string;
  if (stop.cut === 'answer') {
    const landed = stop.write ? ' The comment may or may not have been posted.' : '';
    what = `the GitHub API at ${where} had not answered when ${limit} ran out (${tries(d.attempts)}), so the action gave up.${landed}`;
  } else if (stop.cut === 'wait') {
    what = `${last} after ${tries(d.attempts)}, and the next try, in ${seconds(stop.waitMs, 1)} s, would come after ${limit} ran out, so the action gave up.`;
  } else {
    const before =
      d.attempts === 0
        ? 'before this request could be sent'
        : `after ${tries(d.attempts)} (the last: ${last})`;
    what = `${limit} ran out ${before}, so the action gave up.`;
  }
  return `${what} GitHub may be slow, down or rate-limiting this token: check https://www.githubstatus.com and re-run the job; the report is in the job summary meanwhile.`;
}

function adviceForStatus(
  f: Extract<RequestFailure, { kind: 'status' }>,
  d: FailureDetails,
): string {
  const after = `after ${tries(d.attempts)}`;
  if (d.stop.why === 'wait-too-long') {
    return `GitHub's API rate limit was hit (${after}) and GitHub asked to wait ${duration(d.stop.askedMs)} (${d.stop.askedBy}), beyond this action's budget of ${duration(d.stop.budgetMs)} for one wait, so it did not wait. The report is in the job summary; re-run the job once the limit has reset, or make fewer calls with this token at once (many matrix jobs commenting together share one limit).`;
  }
  if (f.rateLimited)
    return `GitHub's API rate limit was still hit ${after}. The report is in the job summary; re-run the job later.`;
  if (f.status === 401)
    return 'the token was rejected. Check the `github-token` input (unset, it is the job token, which works).';
  if (f.status === 403)
    return 'the token may not write comments here. On a fork PR the job token is read-only: see docs/fork-prs.md for the workflow_run follow-up that comments safely. Otherwise give the job `permissions: pull-requests: write`.';
  if (f.status === 404)
    return d.operation === 'update'
      ? 'the comment to update is gone (deleted while the job ran?). Re-run the job to post a new one.'
      : 'no such pull request or repository for this token. Check `pr-number` (or the event) and GITHUB_REPOSITORY, and that the token can read this repository (a token of another repository, or an app not installed on it, gets 404).';
  if (f.status === 422)
    return 'GitHub rejected the request as invalid (for a comment: usually its size).';
  if (f.status >= 500) {
    return d.stop.why === 'outcome-unknown'
      ? `GitHub failed ${after}, and the comment may or may not have been posted. Re-run the job; the report is in the job summary meanwhile.`
      : `GitHub kept failing ${after}. Re-run the job; the report is in the job summary meanwhile.`;
  }
  return `unexpected answer ${after}.`;
}

/** "1 try", "4 tries". */
function tries(n: number): string {
  return n === 1 ? '1 try' : `${n} tries`;
}

/** Seconds below two minutes, minutes below two hours, then hours: what a reader compares. */
function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}

function seconds(ms: number, digits = 0): string {
  return (ms / 1000).toFixed(digits);
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? '';
}

function isEmpty(data: unknown): boolean {
  return (
    data === undefined ||
    data === null ||
    data === '' ||
    (data instanceof ArrayBuffer && data.byteLength === 0)
  );
}

function stringHeaders(headers: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers))
    if (value !== undefined) out[name.toLowerCase()] = String(value);
  return out;
}

/** The first error in the `cause` chain (and AggregateError's `errors`) that matches. */
function findCause(error: unknown, match: (e: unknown) => boolean, depth = 0): unknown {
  if (error === null || typeof error !== 'object' || depth > 8) return undefined;
  if (match(error)) return error;
  const inner = (error as { errors?: unknown }).errors;
  if (Array.isArray(inner))
    for (const e of inner) {
      const found = findCause(e, match, depth + 1);
      if (found) return found;
    }
  return findCause((error as { cause?: unknown }).cause, match, depth + 1);
}

/** The system's error code (ECONNREFUSED, ENOTFOUND, ECONNRESET, UND_ERR_SOCKET...), if any. */
function connectionCode(error: unknown): string | undefined {
  const found = findCause(error, (e) => typeof (e as { code?: unknown }).code === 'string');
  return found ? String((found as { code: string }).code) : undefined;
}
