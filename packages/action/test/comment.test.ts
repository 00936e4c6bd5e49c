import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { upsertComment } from '../src/comment.js';
import { createGitHubApi, type GitHubApi, type RetryPolicy } from '../src/github-api.js';
import { FakeGitHub } from './github-server.js';

/**
 * Creating the sticky comment when GitHub does not say whether the POST
 * worked: look before posting again, and count every POST in the message.
 * Against a real local server; POSTs are counted by the server, and only
 * where the server alone decides them: a POST it holds unanswered ends only
 * when the client's time limit aborts it, and every other request is
 * answered at once, with a time limit no loaded machine reaches.
 */
const TOKEN = 'ghs_commentTestToken0123456789';
const PR = { owner: 'org', repo: 'app', number: 42 };
const COMMENTS = /\/issues\/42\/comments$/;
/** For requests that are answered: a time limit far beyond any load. */
const ANSWERED: RetryPolicy = {
  attempts: 4,
  baseDelayMs: 1,
  maxWaitMs: 5_000,
  requestTimeoutMs: 10_000,
  deadlineMs: 120_000,
};
/** For POSTs the server holds unanswered on purpose: each costs one time-out, 1 s. */
const HELD: RetryPolicy = { ...ANSWERED, requestTimeoutMs: 1_000 };
const OPTIONS = {
  key: 'default',
  body: 'the report',
  mode: 'always',
  verdict: 'regression',
} as const;

let github: FakeGitHub;
let logged: string[];

beforeEach(async () => {
  github = await new FakeGitHub(TOKEN).start();
  logged = [];
});
afterEach(async () => {
  await github.stop();
});

/**
 * The upsert, its comments listed by a client with a long time limit and
 * created by one with `posts` for its policy: a held POST times out quickly,
 * and the list that follows still has all the time it needs.
 */
function upsert(posts: RetryPolicy = ANSWERED) {
  const log = (line: string) => logged.push(line);
  const api: GitHubApi = {
    ...createGitHubApi(TOKEN, log, ANSWERED, github.url),
    createComment: createGitHubApi(TOKEN, log, posts, github.url).createComment,
  };
  return upsertComment(api, PR, OPTIONS, log);
}

const posts = () => github.requests.filter((r) => r.method === 'POST').length;

async function failure(call: Promise<unknown>): Promise<string> {
  const error = await call.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error, 'the call should have failed').toBeInstanceOf(Error);
  return (error as Error).message;
}

describe('a create with no clear answer', () => {
  it('that landed is found, not posted twice', async () => {
    github.fail('POST', COMMENTS, { hang: true, afterWrite: true });
    const outcome = await upsert(HELD);
    expect(posts()).toBe(1);
    expect(github.commentsOn(42)).toHaveLength(1);
    expect(outcome).toEqual({ action: 'created', url: github.commentsOn(42)[0]?.html_url });
  });

  it('that never lands is posted again, and the message counts every POST', async () => {
    github.fail('POST', COMMENTS, { hang: true }, { hang: true }, { hang: true });
    const message = await failure(upsert(HELD));
    expect(posts()).toBe(3);
    expect(github.commentsOn(42)).toHaveLength(0);
    expect(message).toContain(
      `could not comment on org/app#42: the GitHub API at ${github.url} did not answer (no answer within 1.0 s, timed out) after 3 tries.`,
    );
    expect(message).toContain(
      'Before each new try the pull request was checked for the comment, and it was not there.',
    );
    expect(logged.filter((l) => l.includes('it is not there; posting again'))).toEqual([
      'creating the PR comment got no clear answer (no answer within 1.0 s) and it is not there; posting again (try 2 of 3)',
      'creating the PR comment got no clear answer (no answer within 1.0 s) and it is not there; posting again (try 3 of 3)',
    ]);
  });

  it('then a rate limit too long to wait for: the count is the POSTs made', async () => {
    github.fail(
      'POST',
      COMMENTS,
      { status: 502, body: { message: 'Server Error' } },
      { status: 429, headers: { 'retry-after': '900' }, body: { message: 'secondary rate limit' } },
    );
    const message = await failure(upsert());
    expect(posts()).toBe(2);
    expect(message).toContain('(after 2 tries) and GitHub asked to wait 15 min (retry-after: 900)');
  });
});

describe('the time limit of the whole comment step', () => {
  /** One client for every call, as the action makes it: its deadline spans the whole upsert. */
  function upsertWithin(deadlineMs: number) {
    const log = (line: string) => logged.push(line);
    const api = createGitHubApi(TOKEN, log, { ...ANSWERED, deadlineMs }, github.url);
    return upsertComment(api, PR, OPTIONS, log);
  }

  it('gives up on a create GitHub holds, says it may be there, and sends nothing more', async () => {
    // The POST lands and its answer never comes: the deadline alone ends it.
    github.fail('POST', COMMENTS, { hang: true, afterWrite: true });
    const message = await failure(upsertWithin(1_000));
    expect(posts()).toBe(1);
    expect(github.requests.map((r) => r.method)).toEqual(['GET', 'POST']);
    expect(message).toContain('could not comment on org/app#42: the GitHub API at');
    expect(message).toContain(
      'had not answered when the time limit of the PR comment step, 1 s for all its requests, ran out (1 try), so the action gave up. The comment may or may not have been posted.',
    );
  });

  it('a list held past it, while checking for a create with no clear answer, says the comment may be there', async () => {
    github.fail('POST', COMMENTS, { status: 502, body: { message: 'Server Error' } });
    // The first list is answered; the one that looks for the comment is held.
    github.fail('GET', COMMENTS, { status: 200, body: [] }, { hang: true });
    const message = await failure(upsertWithin(1_000));
    expect(posts()).toBe(1);
    expect(message).toContain('could not list the comments of org/app#42: the GitHub API at');
    expect(message).toContain(
      'It was looking for the comment after a create that got no clear answer, so the comment may have been posted.',
    );
  });
});
