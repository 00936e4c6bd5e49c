import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { upsertComment } from '../src/comment.js';
import { createGitHubApi, type RetryPolicy } from '../src/github-api.js';
import { FakeGitHub } from './github-server.js';

/**
 * Creating the sticky comment when GitHub does not say whether the POST
 * worked: look before posting again, and count every POST in the message.
 * Against a real local server; POSTs are counted by the server.
 */
const TOKEN = 'ghs_commentTestToken0123456789';
const PR = { owner: 'org', repo: 'app', number: 42 };
const COMMENTS = /\/issues\/42\/comments$/;
/** Unanswered POSTs cost one time-out each; answered GETs have ample time on a loaded machine. */
const POLICY: RetryPolicy = {
  attempts: 4,
  baseDelayMs: 1,
  maxWaitMs: 5_000,
  requestTimeoutMs: 1_000,
};
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

function upsert() {
  const log = (line: string) => logged.push(line);
  return upsertComment(createGitHubApi(TOKEN, log, POLICY, github.url), PR, OPTIONS, log);
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
    const outcome = await upsert();
    expect(posts()).toBe(1);
    expect(github.commentsOn(42)).toHaveLength(1);
    expect(outcome).toEqual({ action: 'created', url: github.commentsOn(42)[0]?.html_url });
  });

  it('that never lands is posted again, and the message counts every POST', async () => {
    github.fail('POST', COMMENTS, { hang: true }, { hang: true }, { hang: true });
    const message = await failure(upsert());
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
