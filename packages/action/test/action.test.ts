import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildVggtShapedModel, DEMO_MODEL_OPTIONS } from '@vggt-perf-gate/runner/demo';
import { describe, expect, it } from 'vitest';
import { bundleDir, bundledActionPerTest, TOKEN } from './bundled-action.js';
import { gitRepository, samplesConfig } from './git-repository.js';
import { closedPortUrl } from './github-server.js';
import { benchmark, gateResults, writeResultsFile } from './results-fixture.js';
import type { ActionRun } from './run-action.js';

const MARKER = '<!-- vggt-perf-gate:comment:default -->';
const repoRoot = new URL('../../../', import.meta.url).pathname;

const action = bundledActionPerTest();

/** Reports a results file (no measuring), as a matrix merge job or a workflow_run follow-up does. */
function report(
  results: Parameters<typeof writeResultsFile>[2],
  inputs: Record<string, string> = {},
  extra: Partial<Parameters<typeof action.run>[0]> = {},
): Promise<ActionRun> {
  writeResultsFile(action.workspace, 'shard.json', results);
  return action.run({
    inputs: { results: 'shard.json', ...inputs },
    ...extra,
  });
}

const pass = () => gateResults([benchmark('vggt-forward-20f')]);
const slower = () => gateResults([benchmark('vggt-forward-20f', 1.08)]);

function expectNoToken(run: ActionRun, token = TOKEN) {
  // The runner turns ::add-mask:: into masking and never shows the line; the
  // token must appear nowhere else (it is only sent in the Authorization header).
  expect(run.stdout).toContain(`::add-mask::${token}`);
  const shown = run.stdout.split('\n').filter((l) => !l.startsWith('::add-mask::'));
  expect(shown.join('\n') + run.stderr + run.summary).not.toContain(token);
}

describe('the PR comment: one sticky comment per key', () => {
  it('the first run creates it, the second updates it in place', async () => {
    const first = await report(slower());
    expect(first.exitCode).toBe(1);
    expect(first.outputs).toMatchObject({
      verdict: 'regression',
      regressions: '1',
      'pr-number': '42',
    });
    const [created] = action.github.commentsOn(42);
    expect(created?.body.startsWith(MARKER)).toBe(true);
    expect(created?.body).toContain('vggt-forward-20f');
    expect(created?.body).toMatch(/\+8\.00% \[\+7\.60%, \+8\.40%\] \| 🔴 \*\*regression\*\*/);
    expect(first.outputs['comment-url']).toBe(created?.html_url);
    expect(first.stdout).toMatch(
      /::error title=perf regression%3A vggt-forward-20f latency::vggt-forward-20f latency: \+8\.00%25/,
    );
    expect(first.summary).toContain('| vggt-forward-20f | latency |');

    const second = await report(pass());
    expect(second.exitCode).toBe(0);
    expect(action.github.commentsOn(42)).toHaveLength(1);
    expect(action.github.commentsOn(42)[0]?.body).toContain('No performance regression');
    expect(action.github.requests.filter((r) => r.method === 'PATCH')).toHaveLength(1);
    expectNoToken(first);
    expectNoToken(second);
  });

  it('finds its comment on a later page of a busy PR', async () => {
    action.github.seed(
      42,
      Array.from({ length: 230 }, (_, i) => `review comment ${i}`),
    );
    action.github.seed(42, [`${MARKER}\nan earlier report`], {
      login: 'github-actions[bot]',
      type: 'Bot',
      association: 'NONE',
    });
    action.github.seed(
      42,
      Array.from({ length: 40 }, (_, i) => `later comment ${i}`),
    );
    const run = await report(pass());
    expect(run.exitCode).toBe(0);
    expect(action.github.commentsOn(42)).toHaveLength(271);
    const ours = action.github.commentsOn(42).filter((c) => c.body.includes(MARKER));
    expect(ours).toHaveLength(1);
    expect(ours[0]?.body).toContain('No performance regression');
    const pages = action.github.requests.filter((r) => r.method === 'GET').map((r) => r.path);
    expect(pages.some((p) => p.includes('page=3'))).toBe(true);
  });

  it('comment keys give each shard or config a comment of its own', async () => {
    await report(pass(), { 'comment-key': 'inference' });
    await report(slower(), { 'comment-key': 'training' });
    await report(slower(), { 'comment-key': 'training' });
    const bodies = action.github.commentsOn(42).map((c) => c.body);
    expect(bodies).toHaveLength(2);
    expect(bodies[0]?.startsWith('<!-- vggt-perf-gate:comment:inference -->')).toBe(true);
    expect(bodies[1]?.startsWith('<!-- vggt-perf-gate:comment:training -->')).toBe(true);
  });

  it('merges shards into one report and one comment', async () => {
    writeResultsFile(action.workspace, 'a.json', gateResults([benchmark('vggt-forward-10f')], 'a'));
    writeResultsFile(
      action.workspace,
      'b.json',
      gateResults([benchmark('vggt-forward-20f', 1.08)], 'b'),
    );
    const run = await action.run({
      inputs: { results: 'a.json\nb.json' },
    });
    expect(run.exitCode).toBe(1);
    const body = action.github.commentsOn(42)[0]?.body ?? '';
    expect(body).toContain('vggt-forward-10f');
    expect(body).toContain('vggt-forward-20f');
    const merged = JSON.parse(readFileSync(run.outputs['results-path'] ?? '', 'utf8'));
    expect(merged.benchmarks).toHaveLength(2);
  });

  it('on-change: no new comment for a clean pass, but an existing one is updated', async () => {
    const quiet = await report(pass(), { comment: 'on-change' });
    expect(quiet.exitCode).toBe(0);
    expect(action.github.commentsOn(42)).toHaveLength(0);
    expect(quiet.stdout).toContain('PR comment: skipped');
    await report(slower(), { comment: 'on-change' });
    await report(pass(), { comment: 'on-change' });
    expect(action.github.commentsOn(42)).toHaveLength(1);
    expect(action.github.commentsOn(42)[0]?.body).toContain('No performance regression');
  });

  it('comment: never posts nothing and calls no API', async () => {
    const run = await report(slower(), { comment: 'never' });
    expect(run.exitCode).toBe(1);
    expect(action.github.requests).toHaveLength(0);
  });
});

describe('GitHub API failures never hide the verdict', () => {
  it('a 403 on writing (read-only token) is a warning; the verdict still decides the step', async () => {
    action.github.readOnly = true;
    const failing = await report(slower());
    expect(failing.exitCode).toBe(1);
    expect(failing.stdout).toMatch(
      /::warning title=perf gate%3A no PR comment::PR comment not posted: could not comment on org\/app#42: 403/,
    );
    expect(failing.stdout).toContain('docs/fork-prs.md');
    expect(failing.outputs.verdict).toBe('regression');
    expect(failing.summary).toContain('Performance regression');
    const passing = await report(pass());
    expect(passing.exitCode).toBe(0);
  });

  it('a bad token (401) is explained, and the step result follows the verdict', async () => {
    const run = await report(pass(), { 'github-token': 'ghs_wrong' });
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toMatch(
      /could not list the comments of org\/app#42: 401 Bad credentials.*github-token/,
    );
    expectNoToken(run, 'ghs_wrong');
  });

  it('server errors are retried, then the comment goes through', async () => {
    action.github.fail(
      'GET',
      /\/issues\/42\/comments$/,
      { status: 502, body: { message: 'Server Error' }, headers: { 'retry-after': '0' } },
      { status: 503, body: { message: 'Service Unavailable' } },
    );
    const run = await report(pass());
    expect(run.exitCode).toBe(0);
    expect(action.github.commentsOn(42)).toHaveLength(1);
    expect(run.stdout).toMatch(/GitHub API GET .*: 502; retrying in 0\.0 s \(attempt 2 of 4\)/);
    expect(run.stdout).toMatch(/: 503; retrying in 2\.0 s \(attempt 3 of 4\)/);
  });

  it('a create that fails without an answer is checked before it is sent again: no duplicate', async () => {
    // First: the comment was created, but the answer was a 502.
    action.github.fail('POST', /\/issues\/42\/comments$/, {
      afterWrite: true,
      status: 502,
      body: { message: 'Server Error' },
    });
    const landed = await report(pass());
    expect(landed.exitCode).toBe(0);
    expect(action.github.commentsOn(42)).toHaveLength(1);
    // Then: a 502 where nothing was created: posted again, once.
    action.github.comments.length = 0;
    action.github.fail('POST', /\/issues\/42\/comments$/, {
      status: 502,
      body: { message: 'Server Error' },
    });
    const lost = await report(pass());
    expect(lost.exitCode).toBe(0);
    expect(action.github.commentsOn(42)).toHaveLength(1);
    expect(lost.stdout).toContain('it is not there; posting again');
  });

  it("a contributor's comment carrying the marker is not taken for the gate's", async () => {
    action.github.seed(42, [`${MARKER}\nfake: no regression here`]);
    const run = await report(slower());
    expect(run.exitCode).toBe(1);
    const comments = action.github.commentsOn(42);
    expect(comments).toHaveLength(2);
    expect(comments[0]?.body).toBe(`${MARKER}\nfake: no regression here`);
    expect(comments[1]?.body).toContain('Performance regression');
  });

  it('rate limits are waited out: 429 retry-after, and 403 until x-ratelimit-reset', async () => {
    action.github.fail('GET', /\/issues\/42\/comments$/, {
      status: 429,
      headers: { 'retry-after': '1' },
      body: { message: 'You have exceeded a secondary rate limit' },
    });
    action.github.fail('POST', /\/issues\/42\/comments$/, {
      status: 403,
      headers: {
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset': String(Math.ceil(Date.now() / 1000) + 1),
      },
      body: { message: 'API rate limit exceeded for installation ID 1.' },
    });
    const run = await report(pass());
    expect(run.exitCode).toBe(0);
    expect(action.github.commentsOn(42)).toHaveLength(1);
    expect(run.stdout).toMatch(/: 429; retrying in 1\.0 s/);
    expect(run.stdout).toMatch(/: 403; retrying in [0-2]\.\d s/);
  });

  it('a rate limit that resets too late is not waited for, and says so', async () => {
    action.github.fail('GET', /\/issues\/42\/comments$/, {
      status: 403,
      headers: {
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset': String(Math.ceil(Date.now() / 1000) + 3600),
      },
      body: { message: 'API rate limit exceeded' },
    });
    const run = await report(slower());
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toMatch(
      /rate limit was hit \(after 1 try\) and GitHub asked to wait 60 min \(the limit resets at [\dT:-]+Z\), beyond this action's budget of 60 s for one wait, so it did not wait/,
    );
    expect(run.outputs.verdict).toBe('regression');
  });

  it('an API that cannot be reached is named, not "GitHub kept failing"', async () => {
    writeResultsFile(action.workspace, 'shard.json', slower());
    const closed = await closedPortUrl();
    const run = await action.run({
      apiUrl: closed,
      inputs: { results: 'shard.json' },
    });
    expect(run.exitCode).toBe(1);
    expect(run.outputs.verdict).toBe('regression');
    expect(run.stdout).toContain(
      `PR comment not posted: could not list the comments of org/app#42: the GitHub API at ${closed} could not be reached (ECONNREFUSED`,
    );
    expect(run.stdout).toMatch(/\) after 4 tries\. Check GITHUB_API_URL/);
    expect(run.stdout).not.toContain('GitHub kept failing');
  });

  it('an answer that is not JSON (a web page where the API should be) says so', async () => {
    action.github.fail('GET', /\/issues\/42\/comments$/, {
      status: 200,
      headers: { 'content-type': 'text/html' },
      raw: '<!DOCTYPE html><html><title>GitHub</title></html>',
    });
    const run = await report(slower());
    expect(run.exitCode).toBe(1);
    expect(run.outputs.verdict).toBe('regression');
    expect(run.stdout).toContain(
      `could not list the comments of org/app#42: the API at ${action.github.url} answered 200 with text/html, not JSON (it begins "<!DOCTYPE html><html><title>GitHub</title></html>") after 1 try.`,
    );
    expect(run.stdout).not.toContain('could not be reached');
    expect(action.github.requests).toHaveLength(1);
  });
});

describe('reports that do not fit a comment', () => {
  it('stays under 65,536 characters, keeps the regressions, and points to the full report', async () => {
    const many = Array.from({ length: 600 }, (_, i) =>
      benchmark(`vggt-forward-${String(i).padStart(3, '0')}-frames-518x336-bf16-flash-attention`),
    );
    many.push(benchmark('zz-the-one-that-regressed', 1.08));
    const run = await report(gateResults(many));
    expect(run.exitCode).toBe(1);
    const body = action.github.commentsOn(42)[0]?.body ?? '';
    expect(body.length).toBeLessThanOrEqual(65_536);
    expect(body).toContain('zz-the-one-that-regressed');
    expect(body).toMatch(
      /benchmark\(s\) of 601 left out to fit GitHub's limit of 65,536 characters/,
    );
    expect(body).toContain('https://github.com/org/app/actions/runs/7001');
    // The job summary has room for all of them.
    expect(run.summary).toContain('vggt-forward-599-frames');
  });

  it("one benchmark's 100 KB error is shortened; every benchmark keeps its row", async () => {
    const crashed = {
      ...benchmark('vggt-forward-20f'),
      status: 'failed' as const,
      error: `worker exited: ${'RuntimeError: CUDA error: an illegal memory access '.repeat(2_000)}`,
      metrics: [],
    };
    const run = await report(
      gateResults([benchmark('vggt-forward-10f'), crashed, benchmark('vggt-forward-40f', 1.08)]),
    );
    expect(run.exitCode).toBe(1);
    const body = action.github.commentsOn(42)[0]?.body ?? '';
    expect(body.length).toBeLessThanOrEqual(65_536);
    expect(body).toContain('| vggt-forward-10f | latency |');
    expect(body).toMatch(
      /\| vggt-forward-20f \| \| \| \| \| 💥 failed: worker exited: RuntimeError/,
    );
    expect(body).toContain('… (truncated, full text in the job summary / results file) |');
    expect(body).toMatch(/\| vggt-forward-40f \| latency \|.*🔴 \*\*regression\*\*/);
    expect(body).not.toContain('benchmark(s) of 3 left out');
  });
});

describe('inputs and context', () => {
  it("a results file's text cannot break the table, inject HTML or mention people", async () => {
    // A workflow_run follow-up reports a results file a fork PR's run produced.
    const hostile = benchmark(
      'x | <img src=x onerror=alert(1)> @org/maintainers <!-- vggt-perf-gate:comment:default -->',
    );
    await report(gateResults([hostile]), { 'pr-number': '42' });
    const body = action.github.commentsOn(42)[0]?.body ?? '';
    expect(body).toContain('x \\| &lt;img src=x onerror=alert(1)&gt; @\u200borg/maintainers');
    expect(body).not.toContain('<img');
    expect(body.split('<!-- vggt-perf-gate:comment:default -->')).toHaveLength(2);
  });

  it('a bad input fails the step with what to change', async () => {
    const run = await report(pass(), { 'fail-on': 'sometimes' });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain(
      '::error::input "fail-on" must be one of regression, regression-or-inconclusive, never, not "sometimes"',
    );
  });

  it('a job summary that cannot be written is a warning, not a hidden verdict', async () => {
    const run = await report(pass(), {}, { env: { GITHUB_STEP_SUMMARY: '/nonexistent/summary' } });
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toMatch(/::warning::job summary not written/);
    expect(action.github.commentsOn(42)).toHaveLength(1);
  });

  it('fail-on never reports a regression without failing the step', async () => {
    const run = await report(slower(), { 'fail-on': 'never' });
    expect(run.exitCode).toBe(0);
    expect(run.outputs.verdict).toBe('regression');
  });

  it('a workflow_run follow-up names the PR with pr-number', async () => {
    const run = await report(
      slower(),
      { 'pr-number': '77' },
      { event: { workflow_run: { id: 1, conclusion: 'success' } }, eventName: 'workflow_run' },
    );
    expect(run.exitCode).toBe(1);
    expect(action.github.commentsOn(77)).toHaveLength(1);
    const bad = await report(slower(), { 'pr-number': '77; rm -rf /' });
    expect(bad.stdout).toContain('input "pr-number" must be a pull request number');
  });
});

/** A git repository gated for real: base and head run a tiny samples harness. */
function gatedRepository(headFactor: number): string {
  // Also leaves the environment the benchmark saw, to check no secret reached the PR's code.
  const bench = (factor: number) => `import { writeFileSync } from 'node:fs';
writeFileSync('env-dump.json', JSON.stringify(process.env));
const samples = Array.from({ length: 9 }, (_, i) => (10 + (i % 3) * 0.05) * ${factor});
writeFileSync(process.env.PERF_GATE_SAMPLES_OUTPUT, JSON.stringify({ version: 1, samples }));
`;
  return gitRepository(
    {
      'bench.mjs': bench(1),
      '.gitignore': 'env-dump.json\n',
      'perf-gate.yml': samplesConfig(),
    },
    headFactor === 1 ? {} : { 'bench.mjs': bench(headFactor) },
  );
}

describe('measuring on the runner', () => {
  it('runs the gate base vs head, writes results, report, summary and outputs, and comments', async () => {
    const repo = gatedRepository(1.2);
    const run = await action.run({
      workspace: repo,
      inputs: { 'base-ref': 'HEAD~1' },
    });
    expect(run.exitCode).toBe(1);
    expect(run.outputs.verdict).toBe('regression');
    const results = JSON.parse(readFileSync(join(repo, 'perf-gate-results.json'), 'utf8'));
    expect(results.status).toBe('complete');
    expect(readFileSync(join(repo, 'perf-gate-report.md'), 'utf8')).toContain(
      '| harness | latency |',
    );
    expect(readFileSync(join(repo, 'perf-gate-report.html'), 'utf8')).toContain('<!doctype html>');
    expect(action.github.commentsOn(42)[0]?.body).toContain('+20.');
    expect(run.stdout).toMatch(
      /measuring took [\d.]+ s, everything else \(probe, checkout, reports, comment\) [\d.]+ s/,
    );
    expect(run.stdout).toContain('::group::Measuring base vs head');
    expect(run.outputs['html-path']).toBe(join(repo, 'perf-gate-report.html'));
  });

  // Inherited environment only: /proc/<action pid>/environ still holds the inputs
  // (docs/fork-prs.md says so and what to do about it).
  it("does not pass the job token or the runner's credentials down in the environment", async () => {
    const repo = gatedRepository(1);
    const run = await action.run({
      workspace: repo,
      inputs: { 'base-ref': 'HEAD~1' },
      env: {
        ACTIONS_RUNTIME_TOKEN: 'runtime-secret',
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'oidc-secret',
        ACTIONS_ID_TOKEN_REQUEST_URL: 'https://oidc.example/token',
      },
    });
    expect(run.exitCode).toBe(0);
    const seen = readFileSync(join(repo, 'env-dump.json'), 'utf8');
    for (const secret of [TOKEN, 'runtime-secret', 'oidc-secret', 'INPUT_'])
      expect(seen).not.toContain(secret);
    expect(JSON.parse(seen).GITHUB_REPOSITORY).toBe('org/app');
  });

  // The files are still the runner user's to find and write (docs/fork-prs.md
  // says so); what is checked is that the benchmarks are not handed them.
  it("does not hand the benchmarks the job's file commands, and still writes its own outputs and summary", async () => {
    const repo = gatedRepository(1);
    const files = mkdtempSync(join(tmpdir(), 'perf-gate-file-commands-'));
    const env: Record<string, string> = {};
    for (const name of ['GITHUB_ENV', 'GITHUB_PATH', 'GITHUB_STATE']) {
      env[name] = join(files, name.toLowerCase());
      writeFileSync(env[name], '');
    }
    const run = await action.run({
      workspace: repo,
      inputs: { 'base-ref': 'HEAD~1' },
      env,
    });
    expect(run.exitCode).toBe(0);
    const seen = JSON.parse(readFileSync(join(repo, 'env-dump.json'), 'utf8')) as Record<
      string,
      string
    >;
    for (const name of [
      'GITHUB_ENV',
      'GITHUB_PATH',
      'GITHUB_OUTPUT',
      'GITHUB_STEP_SUMMARY',
      'GITHUB_STATE',
    ])
      expect(seen[name], name).toBeUndefined();
    expect(seen.GITHUB_REPOSITORY).toBe('org/app');
    // The action's own file commands still went where the runner said.
    expect(run.outputs).toMatchObject({ verdict: 'pass', regressions: '0', 'pr-number': '42' });
    expect(run.summary).toContain('| harness | latency |');
    expect(action.github.commentsOn(42)).toHaveLength(1);
  });

  it('outside a pull request, base-ref is required and the message says so', async () => {
    const repo = gatedRepository(1);
    const run = await action.run({
      workspace: repo,
      event: { ref: 'refs/heads/main', before: 'abc' },
      eventName: 'push',
    });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain(
      'no base to compare with: this is not a pull_request event, so set the input "base-ref"',
    );
  });

  it('a base missing from a shallow checkout, and not fetchable, is explained', async () => {
    const repo = gatedRepository(1);
    const run = await action.run({
      workspace: repo,
    });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain(
      'the base 4b825dc642cb6eb9a060e54bf8d69288fbee4904 is not in the checkout and could not be fetched',
    );
    expect(run.stdout).toContain('fetch-depth: 0');
  });

  it('a fork PR is measured and reported, but not commented on (read-only token)', async () => {
    const repo = gatedRepository(1);
    const run = await action.run({
      workspace: repo,
      event: 'pull_request.fork.json',
      inputs: { 'base-ref': 'HEAD~1' },
    });
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toMatch(
      /::notice title=perf gate%3A no comment on a fork PR::This pull request comes from a fork/,
    );
    expect(action.github.requests).toHaveLength(0);
    expect(run.summary).toContain('| harness | latency |');
  });
});

describe('the history on a data branch', () => {
  /** The gated repository with a bare remote as origin, main pushed there, as a checkout has it. */
  function withRemote(repo: string): string {
    const remote = mkdtempSync(join(tmpdir(), 'perf-gate-remote-'));
    const git = (cwd: string, ...args: string[]) => {
      const r = spawnSync('git', args, { cwd, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
      return r.stdout;
    };
    git(remote, 'init', '-q', '--bare', '-b', 'main');
    git(repo, 'remote', 'add', 'origin', remote);
    git(repo, 'push', '-q', 'origin', 'main');
    return remote;
  }
  const onMain = {
    event: { ref: 'refs/heads/main', before: 'abc', repository: { default_branch: 'main' } },
    eventName: 'push',
    env: { GITHUB_REF: 'refs/heads/main', RUNNER_NAME: 'rtx4090-1' },
  };

  it('a push to the default branch appends its results; a PR comment then shows the trend', async () => {
    const repo = gatedRepository(1);
    const remote = withRemote(repo);
    const inputs = { 'base-ref': 'HEAD~1', 'history-branch': 'perf-gate-data' };
    for (let i = 0; i < 2; i++) {
      const run = await action.run({ workspace: repo, inputs, ...onMain });
      expect(run.exitCode).toBe(0);
      expect(run.stdout).toMatch(/history: added runs\/[^ ]+\.json to perf-gate-data/);
    }
    const files = spawnSync('git', ['ls-tree', '-r', '--name-only', 'perf-gate-data'], {
      cwd: remote,
      encoding: 'utf8',
    })
      .stdout.trim()
      .split('\n');
    expect(files).toHaveLength(2);
    const entry = JSON.parse(
      spawnSync('git', ['show', `perf-gate-data:${files[0]}`], { cwd: remote, encoding: 'utf8' })
        .stdout,
    );
    expect(entry).toMatchObject({ kind: 'vggt-perf-gate-history', runner: 'rtx4090-1' });
    expect(entry.benchmarks[0].points[0]).toMatchObject({ metric: 'latency', unit: 'ms' });
    // The job's checkout is as it was: nothing was checked out to write the branch.
    const inRepo = (...args: string[]) =>
      spawnSync('git', args, { cwd: repo, encoding: 'utf8' }).stdout;
    expect(inRepo('status', '--porcelain', '--untracked-files=no')).toBe('');
    expect(inRepo('rev-parse', '--abbrev-ref', 'HEAD').trim()).toBe('main');
    const pr = await action.run({ workspace: repo, inputs });
    expect(pr.exitCode).toBe(0);
    const body = action.github.commentsOn(42)[0]?.body ?? '';
    expect(body).toContain('Trend on the default branch (last 2 runs)');
    expect(body).toMatch(/```mermaid\nxychart-beta/);
    // A pull request never writes the history.
    expect(
      spawnSync('git', ['ls-tree', '-r', '--name-only', 'perf-gate-data'], {
        cwd: remote,
        encoding: 'utf8',
      })
        .stdout.trim()
        .split('\n'),
    ).toHaveLength(2);
  });

  it('a scheduled A/A run calibrates the runner; a PR run then floors its interval at that noise', async () => {
    const repo = gatedRepository(1.01);
    withRemote(repo);
    const calibrate = await action.run({
      workspace: repo,
      inputs: { 'base-ref': 'HEAD', 'history-branch': 'perf-gate-data' },
      // A schedule's payload as GitHub sends it: no repository, no ref in it.
      event: { schedule: '17 3 * * *' },
      eventName: 'schedule',
      env: { GITHUB_REF: 'refs/heads/main', RUNNER_NAME: 'rtx4090-1' },
    });
    expect(calibrate.exitCode).toBe(0);
    expect(calibrate.stdout).toMatch(
      /history: added A\/A calibration runs\/[^ ]+\.json to perf-gate-data/,
    );
    const pr = await action.run({
      workspace: repo,
      inputs: { 'base-ref': 'HEAD~1', 'history-branch': 'perf-gate-data' },
      env: { RUNNER_NAME: 'rtx4090-1' },
    });
    expect(pr.stdout).toMatch(
      /history: harness's noise floor on rtx4090-1 is [\d.]+% between process pairs \(1 A\/A runs, newest \d{4}-\d\d-\d\d\)/,
    );
    const results = JSON.parse(readFileSync(join(repo, 'perf-gate-results.json'), 'utf8'));
    expect(results.benchmarks[0].metrics[0].intervalMethod.noiseFloor).toMatchObject({
      calibrations: 1,
      runner: 'rtx4090-1',
    });
    expect(action.github.commentsOn(42)[0]?.body).toContain(
      "no narrower than the runner's calibrated noise",
    );
  });

  it('a history that cannot be pushed is a warning; the verdict still decides the step', async () => {
    const repo = gatedRepository(1.2);
    const remote = withRemote(repo);
    writeFileSync(
      join(remote, 'hooks', 'pre-receive'),
      '#!/bin/sh\necho "protected branch" >&2\nexit 1\n',
      {
        mode: 0o755,
      },
    );
    const run = await action.run({
      workspace: repo,
      inputs: { 'base-ref': 'HEAD~1', 'history-branch': 'perf-gate-data' },
      ...onMain,
    });
    expect(run.exitCode).toBe(1);
    expect(run.outputs.verdict).toBe('regression');
    expect(run.stdout).toMatch(
      /::warning::history not recorded: cannot push to the history branch perf-gate-data/,
    );
  });

  it('a bad history-branch name fails the step before measuring, saying what is allowed', async () => {
    const run = await action.run({
      workspace: gatedRepository(1),
      inputs: { 'base-ref': 'HEAD~1', 'history-branch': 'data..branch' },
    });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain('input "history-branch" must be a branch name');
  });
});

describe('ONNX workloads in the bundled action', () => {
  it("load onnxruntime-node from the gated repository's node_modules (the bundle does not ship it)", async () => {
    const repo = gitRepository({
      'model.onnx': buildVggtShapedModel({ ...DEMO_MODEL_OPTIONS, slowdown: 0 }),
      'perf-gate.yml': `version: 1
benchmarks:
  - name: tiny-vggt
    metrics: [latency]
    threshold: { latency: 0.5 }
    budget: { maxRounds: 4, iterationsPerRound: 3 }
    warmup: { iterations: 2 }
    workload: { kind: onnx, model: model.onnx, provider: cpu }
`,
      '.gitignore': 'node_modules/\n',
    });
    // As `npm install onnxruntime-node` in the repository would leave it.
    mkdirSync(join(repo, 'node_modules'));
    for (const name of ['onnxruntime-node', 'onnxruntime-common'])
      symlinkSync(join(repoRoot, 'node_modules', name), join(repo, 'node_modules', name));
    const run = await action.run({
      workspace: repo,
      inputs: { 'base-ref': 'HEAD~1', comment: 'never' },
    });
    expect(run.stdout).not.toContain('onnxruntime-node is not installed');
    expect(run.exitCode).toBe(0);
    const results = JSON.parse(readFileSync(join(repo, 'perf-gate-results.json'), 'utf8'));
    expect(results.benchmarks[0].ran.head.framework).toBe('onnxruntime');
    expect(results.benchmarks[0].status).toBe('complete');
  });
});

describe('the committed dist/', () => {
  it('is the bundle of the current sources (rebuild with npm run bundle)', () => {
    const committed = new URL('../../../dist/', import.meta.url).pathname;
    for (const file of ['index.js', 'sampler-worker.js', 'package.json']) {
      const fresh = readFileSync(join(bundleDir, file), 'utf8');
      let current = '';
      try {
        current = readFileSync(join(committed, file), 'utf8');
      } catch {
        // reported below
      }
      expect(current === fresh, `dist/${file} is stale: run npm run bundle and commit dist/`).toBe(
        true,
      );
    }
  });
});
