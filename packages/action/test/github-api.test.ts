import { beforeEach, describe, expect, it } from 'vitest';
import { createGitHubApi, type GitHubApi, type RetryPolicy } from '../src/github-api.js';
import { ANSWERED, COMMENTS, failure, fakeGitHubPerTest, PR } from './fake-github.js';
import { closedPortUrl } from './github-server.js';

/**
 * The GitHub API client against a real local server that misbehaves on
 * purpose: no answer, a refused or dropped connection, answers that are not
 * JSON, rate limits. Tries are counted by the server (or by the client's own
 * retry log lines), never by the clock, and only where the server alone
 * decides them: a request it holds unanswered ends only when the client's
 * time limit aborts it, and every other request is answered at once, with a
 * time limit so long that no loaded machine reaches it.
 */
const TOKEN = 'ghs_apiTestToken0123456789';
const fake = fakeGitHubPerTest(TOKEN);
let logged: string[];
beforeEach(() => {
  logged = [];
});

function api(policy: RetryPolicy = ANSWERED, url = fake.github.url): GitHubApi {
  return createGitHubApi(TOKEN, (line) => logged.push(line), policy, url);
}

const triesOf = (method: string) => fake.github.requests.filter((r) => r.method === method).length;
const retries = () => logged.filter((l) => l.includes('; retrying in '));

describe('a server that does not answer', () => {
  it('times each try out, retries, and says it did not answer after the tries it made', async () => {
    fake.github.fail(
      'GET',
      COMMENTS,
      { hang: true },
      { hang: true },
      { hang: true },
      { hang: true },
    );
    // Every try hangs, so the count is 4 however long the time-out.
    const message = await failure(api({ ...ANSWERED, requestTimeoutMs: 300 }).listComments(PR));
    expect(triesOf('GET')).toBe(4);
    expect(message).toContain(
      `could not list the comments of org/app#42: the GitHub API at ${fake.github.url} did not answer (no answer within 0.3 s, timed out) after 4 tries.`,
    );
    expect(message).not.toContain('GitHub kept failing');
    expect(retries()).toHaveLength(3);
    expect(retries()[0]).toContain(': no answer within 0.3 s; retrying in');
  });

  it('goes on once a later try is answered', async () => {
    fake.github.seed(42, ['hello']);
    fake.github.fail('GET', COMMENTS, { hang: true });
    // One time limit for both tries: the held one costs all of it (5 s), and the
    // answered one, sent at once, has the same 5 s, far beyond any load.
    const comments = await api({ ...ANSWERED, requestTimeoutMs: 5_000 }).listComments(PR);
    expect(comments.map((c) => c.body)).toEqual(['hello']);
    expect(triesOf('GET')).toBe(2);
    expect(retries()).toEqual([expect.stringContaining(': no answer within 5.0 s; retrying in')]);
  });
});

describe('connection errors are "could not be reached", not "GitHub kept failing"', () => {
  it('a refused connection (nothing listening) names the API URL and the code', async () => {
    const closed = await closedPortUrl();
    const message = await failure(api(ANSWERED, closed).listComments(PR));
    expect(message).toMatch(
      new RegExp(
        `^could not list the comments of org/app#42: the GitHub API at ${closed} could not be reached \\(ECONNREFUSED: [^)]*\\) after 4 tries\\. Check GITHUB_API_URL`,
      ),
    );
    expect(message).not.toContain('GitHub kept failing');
    // Three waits between four tries, each logged with its length.
    expect(retries()).toHaveLength(3);
    expect(retries()[0]).toMatch(
      /: ECONNREFUSED \(no answer\); retrying in \d+\.\d s \(attempt 2 of 4\)/,
    );
  });

  it('a connection closed without an answer is retried, then reported with its code', async () => {
    fake.github.fail(
      'GET',
      COMMENTS,
      { drop: true },
      { drop: true },
      { drop: true },
      { drop: true },
    );
    const message = await failure(api().listComments(PR));
    expect(triesOf('GET')).toBe(4);
    expect(message).toMatch(
      /the GitHub API at http:\/\/127\.0\.0\.1:\d+ could not be reached \([A-Z_]+: [^)]*\) after 4 tries/,
    );
  });
});

describe('answers that are not JSON', () => {
  it('malformed JSON is reported as such, at once, with status, content-type and its start', async () => {
    fake.github.fail('GET', COMMENTS, {
      status: 200,
      headers: { 'content-type': 'application/json; charset=utf-8' },
      raw: '[{"id": 1, "body": ',
    });
    const message = await failure(api().listComments(PR));
    expect(triesOf('GET')).toBe(1);
    expect(message).toContain(
      `the API at ${fake.github.url} answered 200 with application/json; charset=utf-8, not JSON (it begins "[{"id": 1, "body":") after 1 try.`,
    );
    expect(message).toContain('GITHUB_API_URL may point at a web page');
    expect(message).not.toContain('could not be reached');
  });

  it("a web page (a wrong GITHUB_API_URL, a proxy's page) says what it likely means", async () => {
    fake.github.fail('POST', COMMENTS, {
      status: 200,
      headers: { 'content-type': 'text/html; charset=utf-8' },
      raw: '<!DOCTYPE html>\n<html><head><title>Sign in to the proxy</title></head></html>',
    });
    const message = await failure(api().createComment(PR, 'report'));
    expect(triesOf('POST')).toBe(1);
    expect(message).toMatch(
      /^could not comment on org\/app#42: the API at .* answered 200 with text\/html; charset=utf-8, not JSON \(it begins "<!DOCTYPE html> <html><head><title>Sign in to the proxy/,
    );
    expect(message).toContain('a proxy answered with a page of its own');
  });

  it("a proxy's 502 page is retried like a server error, and the count is the tries made", async () => {
    const page = {
      status: 502,
      headers: { 'content-type': 'text/html' },
      raw: '<html>Bad Gateway</html>',
    };
    fake.github.fail('GET', COMMENTS, page, page, page, page);
    const message = await failure(api().listComments(PR));
    expect(triesOf('GET')).toBe(4);
    expect(message).toContain(
      'answered 502 with text/html, not JSON (it begins "<html>Bad Gateway</html>") after 4 tries',
    );
  });

  it('JSON that is not a comment is not taken for one', async () => {
    fake.github.fail('POST', COMMENTS, {
      status: 201,
      body: { message: 'welcome to some other service' },
    });
    const message = await failure(api().createComment(PR, 'report'));
    expect(message).toContain('answered with JSON that is not an issue comment');
  });
});

describe('rate limits', () => {
  it('a 429 whose retry-after is beyond the budget says how long, that it is too long, and what to do', async () => {
    fake.github.fail('GET', COMMENTS, {
      status: 429,
      headers: { 'retry-after': '3600' },
      body: { message: 'You have exceeded a secondary rate limit' },
    });
    const message = await failure(api().listComments(PR));
    expect(triesOf('GET')).toBe(1);
    expect(message).toContain(
      "429 You have exceeded a secondary rate limit: GitHub's API rate limit was hit (after 1 try) and GitHub asked to wait 60 min (retry-after: 3600), beyond this action's budget of 5 s for one wait, so it did not wait.",
    );
    expect(message).toContain('re-run the job once the limit has reset');
  });

  it('a 403 rate limit that resets beyond the budget names the reset time', async () => {
    const reset = Math.ceil(Date.now() / 1000) + 7200;
    fake.github.fail('GET', COMMENTS, {
      status: 403,
      headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset) },
      body: { message: 'API rate limit exceeded for installation ID 1.' },
    });
    const message = await failure(api().listComments(PR));
    expect(triesOf('GET')).toBe(1);
    const at = new Date(reset * 1000).toISOString().replace('.000Z', 'Z');
    expect(message).toContain(`(the limit resets at ${at}), beyond this action's budget of 5 s`);
  });

  it('a rate limit within the budget is waited for as GitHub asked, and logged', async () => {
    fake.github.seed(42, ['hello']);
    fake.github.fail('GET', COMMENTS, {
      status: 429,
      headers: { 'retry-after': '0' },
      body: { message: 'slow down' },
    });
    expect(await api().listComments(PR)).toHaveLength(1);
    expect(retries()).toEqual([
      expect.stringMatching(
        /^GitHub API GET http:.*\/issues\/42\/comments\?per_page=100: 429; retrying in 0\.0 s \(attempt 2 of 4\), as GitHub asked \(retry-after: 0\)$/,
      ),
    ]);
  });
});

describe('retries and their count', () => {
  it('backs off exponentially, each wait logged', async () => {
    fake.github.seed(42, ['hello']);
    const busy = { status: 503, body: { message: 'Service Unavailable' } };
    fake.github.fail('GET', COMMENTS, busy, busy, busy);
    await api({ ...ANSWERED, baseDelayMs: 100 }).listComments(PR);
    expect(triesOf('GET')).toBe(4);
    expect(retries().map((l) => l.replace(/^.*: 503; /, ''))).toEqual([
      'retrying in 0.1 s (attempt 2 of 4), backing off exponentially',
      'retrying in 0.2 s (attempt 3 of 4), backing off exponentially',
      'retrying in 0.4 s (attempt 4 of 4), backing off exponentially',
    ]);
  });

  it('server errors to the last try: "GitHub kept failing after 4 tries"', async () => {
    const broken = { status: 500, body: { message: 'Server Error' } };
    fake.github.fail('GET', COMMENTS, broken, broken, broken, broken);
    const message = await failure(api().listComments(PR));
    expect(triesOf('GET')).toBe(4);
    expect(message).toContain('500 Server Error: GitHub kept failing after 4 tries.');
  });

  it('a rate limit too long to wait for after two server errors says 3 tries, the number made', async () => {
    const broken = { status: 502, body: { message: 'Server Error' } };
    const limited = {
      status: 429,
      headers: { 'retry-after': '600' },
      body: { message: 'rate limit' },
    };
    fake.github.fail('GET', COMMENTS, broken, broken, limited);
    const message = await failure(api().listComments(PR));
    expect(triesOf('GET')).toBe(3);
    expect(message).toContain('(after 3 tries) and GitHub asked to wait 10 min');
  });

  it('a non-retryable answer stops at once, and claims no tries it did not make', async () => {
    fake.github.fail('GET', COMMENTS, { status: 502, body: { message: 'Server Error' } });
    fake.github.fail('GET', COMMENTS, { status: 404, body: { message: 'Not Found' } });
    const message = await failure(api().listComments(PR));
    expect(triesOf('GET')).toBe(2);
    expect(message).toContain('404 Not Found: no such pull request or repository for this token');
    expect(message).not.toMatch(/after \d+ tries/);
  });

  it('a comment deleted while the job ran is not "no such pull request"', async () => {
    const message = await failure(api().updateComment(PR, 999_999, 'report'));
    expect(message).toContain(
      'could not update its comment on org/app#42: 404 Not Found: the comment to update is gone',
    );
  });
});

describe("the time limit for all of a client's calls together", () => {
  it('ends a try held past it, however long one request may take, and says so', async () => {
    fake.github.fail('GET', COMMENTS, { hang: true }, { hang: true });
    // The server holds the first try until the deadline aborts it: one try, whatever the load.
    const message = await failure(api({ ...ANSWERED, deadlineMs: 1_000 }).listComments(PR));
    expect(triesOf('GET')).toBe(1);
    expect(message).toBe(
      `could not list the comments of org/app#42: the GitHub API at ${fake.github.url} had not answered when the time limit of the PR comment step, 1 s for all its requests, ran out (1 try), so the action gave up. GitHub may be slow, down or rate-limiting this token: check https://www.githubstatus.com and re-run the job; the report is in the job summary meanwhile.`,
    );
    expect(retries()).toEqual([]);
  });

  it('a write cut short by it may have landed, and the message says so', async () => {
    fake.github.fail('POST', COMMENTS, { hang: true, afterWrite: true });
    const message = await failure(
      api({ ...ANSWERED, deadlineMs: 1_000 }).createComment(PR, 'report'),
    );
    expect(triesOf('POST')).toBe(1);
    expect(fake.github.commentsOn(42)).toHaveLength(1);
    expect(message).toContain(
      'ran out (1 try), so the action gave up. The comment may or may not have been posted.',
    );
  });

  it('a wait GitHub asks for that would end past it is not made', async () => {
    // Within the budget for one wait (60 s), beyond what is left of the 30 s deadline.
    fake.github.fail('GET', COMMENTS, {
      status: 429,
      headers: { 'retry-after': '45' },
      body: { message: 'You have exceeded a secondary rate limit' },
    });
    const message = await failure(
      api({ ...ANSWERED, maxWaitMs: 60_000, deadlineMs: 30_000 }).listComments(PR),
    );
    expect(triesOf('GET')).toBe(1);
    expect(message).toContain(
      'could not list the comments of org/app#42: 429 after 1 try, and the next try, in 45.0 s, would come after the time limit of the PR comment step, 30 s for all its requests, ran out, so the action gave up.',
    );
  });

  it('counts from the first request, across every call of the client', async () => {
    fake.github.fail('GET', COMMENTS, { hang: true });
    const client = api({ ...ANSWERED, deadlineMs: 1_000 });
    // Held until the deadline ends it; the next call then finds no time left and sends nothing.
    await failure(client.listComments(PR));
    const message = await failure(client.createComment(PR, 'report'));
    expect(triesOf('POST')).toBe(0);
    expect(message).toBe(
      'could not comment on org/app#42: the time limit of the PR comment step, 1 s for all its requests, ran out before this request could be sent, so the action gave up. GitHub may be slow, down or rate-limiting this token: check https://www.githubstatus.com and re-run the job; the report is in the job summary meanwhile.',
    );
  });
});
