import { beforeEach, describe, expect, it } from 'vitest';
import { upsertComment } from '../src/comment.js';
import { createGitHubApi, type GitHubApi, type RetryPolicy } from '../src/github-api.js';
import { ANSWERED, COMMENTS, failure, fakeGitHubPerTest, PR } from './fake-github.js';

/**
 * Creating the sticky comment when GitHub does not say whether the POST
 * worked: look before posting again, and count every POST in the message.
 * Against a real local server; POSTs are counted by the server, and only
 * where the server alone decides them: a POST it holds unanswered ends only
 * when the client's time limit aborts it, and every other request is
 * answered at once, with a time limit no loaded machine reaches.
 */
const TOKEN = 'ghs_commentTestToken0123456789';
/** For POSTs the server holds unanswered on purpose: each costs one time-out, 1 s. */
const HELD: RetryPolicy = { ...ANSWERED, requestTimeoutMs: 1_000 };
const OPTIONS = {
  key: 'default',
  body: 'the report',
  mode: 'always',
  verdict: 'regression',
} as const;

const fake = fakeGitHubPerTest(TOKEN);
let logged: string[];
beforeEach(() => {
  logged = [];
});

/**
 * The upsert, its comments listed by a client with a long time limit and
 * created by one with `posts` for its policy: a held POST times out quickly,
 * and the list that follows still has all the time it needs.
 */
function upsert(posts: RetryPolicy = ANSWERED) {
  const log = (line: string) => logged.push(line);
  const api: GitHubApi = {
    ...createGitHubApi(TOKEN, log, ANSWERED, fake.github.url),
    createComment: createGitHubApi(TOKEN, log, posts, fake.github.url).createComment,
  };
  return upsertComment(api, PR, OPTIONS, log);
}

const posts = () => fake.github.requests.filter((r) => r.method === 'POST').length;

describe('a create with no clear answer', () => {
  it('that landed is found, not posted twice', async () => {
    fake.github.fail('POST', COMMENTS, { hang: true, afterWrite: true });
    const outcome = await upsert(HELD);
    expect(posts()).toBe(1);
    expect(fake.github.commentsOn(42)).toHaveLength(1);
    expect(outcome).toEqual({ action: 'created', url: fake.github.commentsOn(42)[0]?.html_url });
  });

  it('that never lands is posted again, and the message counts every POST', async () => {
    fake.github.fail('POST', COMMENTS, { hang: true }, { hang: true }, { hang: true });
    const message = await failure(upsert(HELD));
    expect(posts()).toBe(3);
    expect(fake.github.commentsOn(42)).toHaveLength(0);
    expect(message).toContain(
      `could not comment on org/app#42: the GitHub API at ${fake.github.url} did not answer (no answer within 1.0 s, timed out) after 3 tries.`,
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
    fake.github.fail(
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
    const api = createGitHubApi(TOKEN, log, { ...ANSWERED, deadlineMs }, fake.github.url);
    return upsertComment(api, PR, OPTIONS, log);
  }

  it('gives up on a create GitHub holds, says it may be there, and sends nothing more', async () => {
    // The POST lands and its answer never comes: the deadline alone ends it.
    fake.github.fail('POST', COMMENTS, { hang: true, afterWrite: true });
    const message = await failure(upsertWithin(1_000));
    expect(posts()).toBe(1);
    expect(fake.github.requests.map((r) => r.method)).toEqual(['GET', 'POST']);
    expect(message).toContain('could not comment on org/app#42: the GitHub API at');
    expect(message).toContain(
      'had not answered when the time limit of the PR comment step, 1 s for all its requests, ran out (1 try), so the action gave up. The comment may or may not have been posted.',
    );
  });

  it('a list held past it, while checking for a create with no clear answer, says the comment may be there', async () => {
    fake.github.fail('POST', COMMENTS, { status: 502, body: { message: 'Server Error' } });
    // The first list is answered; the one that looks for the comment is held.
    fake.github.fail('GET', COMMENTS, { status: 200, body: [] }, { hang: true });
    const message = await failure(upsertWithin(1_000));
    expect(posts()).toBe(1);
    expect(message).toContain('could not list the comments of org/app#42: the GitHub API at');
    expect(message).toContain(
      'It was looking for the comment after a create that got no clear answer, so the comment may have been posted.',
    );
  });
});
