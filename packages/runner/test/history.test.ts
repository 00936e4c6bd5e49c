import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { historyEntry } from '../src/history/entry.js';
import { appendToBranch, readBranch } from '../src/history/git-branch.js';
import { calibratedNoise, noiseGrowth } from '../src/history/noise-floor.js';
import { trendSeries } from '../src/history/series.js';
import { appendToStore, readStore } from '../src/history/store.js';
import { renderTrendHtml } from '../src/report/trend-html.js';
import { renderTrendComment } from '../src/report/trend-markdown.js';
import { toActionBenchmark, toBencher } from '../src/results/exports.js';
import type { GateResults, MetricResult } from '../src/results/types.js';
import { gitHttpServer } from './fixtures/git-http-server.js';
import { benchmarkResult, noGpuResults } from './fixtures/results.js';

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOT = fileURLToPath(new URL('../test-results/trend-page.png', import.meta.url));
const GiB = 2 ** 30;

/** A sha from a run number: 40 hex digits, distinct per run. */
const shaOf = (run: number) => `${run.toString(16).padStart(4, '0')}${'c0ffee'.repeat(6)}`;

/** Head samples around a median: enough of them for the median's interval. */
const around = (median: number) =>
  Array.from({ length: 30 }, (_, i) => median * (1 + 0.004 * Math.sin(i * 1.3)));

function metric(
  name: 'latency' | 'memory',
  median: number,
  verdict: MetricResult['verdict'],
): MetricResult {
  const unit = name === 'latency' ? 'ms' : 'bytes';
  return {
    metric: name,
    unit,
    base: { count: 30, median: median / 1.01, p5: median * 0.98, p95: median * 1.02 },
    head: { count: 30, median, p5: median * 0.99, p95: median * 1.01 },
    ratio: 1.01,
    interval: { lower: 1.002, upper: 1.018, level: 0.95 },
    threshold: 0.02,
    verdict,
    explanation: verdict,
  };
}

/** The results of run `run` on main: latency `ms`, peak VRAM `gib`. */
function runResults(
  run: number,
  ms: number,
  gib: number,
  verdict: MetricResult['verdict'] = 'unchanged',
): GateResults {
  return noGpuResults({
    createdAt: new Date(Date.UTC(2026, 10, 1 + run)).toISOString(),
    commits: {
      base: { ref: 'HEAD~1', sha: shaOf(run - 1) },
      head: { ref: 'working tree', sha: shaOf(run), dirty: false },
    },
    verdict: verdict === 'regression' ? 'regression' : 'pass',
    benchmarks: [
      benchmarkResult({
        verdictSeconds: 55,
        metrics: [metric('latency', ms, verdict), metric('memory', gib * GiB, 'unchanged')],
        samples: {
          latency: { base: around(ms), head: around(ms), baseRounds: [], headRounds: [] },
          memory: {
            base: around(gib * GiB),
            head: around(gib * GiB),
            baseRounds: [],
            headRounds: [],
          },
        },
      }),
    ],
  });
}

/** Twelve runs on main: latency steady, a step up at run 9 that the gate called a regression. */
const RUNS = Array.from({ length: 12 }, (_, i) => {
  const run = i + 1;
  const ms = run < 9 ? 330 + (run % 3) : 345 + (run % 2);
  return runResults(run, ms, 9.4 + run * 0.01, run === 9 ? 'regression' : 'unchanged');
});
const entriesOf = (runs: readonly GateResults[]) =>
  runs.map((r, i) =>
    historyEntry(r, { runner: 'rtx4090-1', recordedAt: new Date(Date.UTC(2026, 10, 2 + i)) }),
  );

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'perf-gate-history-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function node(args: string[], cwd = dir) {
  return spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8' });
}

function git(cwd: string, ...args: string[]): string {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

describe('the history store in a directory', () => {
  it('keeps one file per run and reads them back oldest first, each median with its interval', async () => {
    const files = await appendToStore(join(dir, 'store'), entriesOf(RUNS).reverse());
    expect(files).toHaveLength(12);
    expect(new Set(files).size).toBe(12);
    const { entries, skipped } = await readStore(join(dir, 'store'));
    expect(skipped).toEqual([]);
    expect(entries.map((e) => e.commit.sha)).toEqual(RUNS.map((r) => r.commits.head.sha));
    const latency = entries[0]?.benchmarks[0]?.points.find((p) => p.metric === 'latency');
    expect(latency?.median).toBe(331);
    expect(latency?.lower).toBeLessThan(331);
    expect(latency?.upper).toBeGreaterThan(331);
    expect(latency?.change).toEqual({ ratio: 1.01, lower: 1.002, upper: 1.018 });
  });

  it('names a corrupt entry and skips it; the CLI still draws the rest', async () => {
    const store = join(dir, 'store');
    await appendToStore(store, entriesOf(RUNS.slice(0, 3)));
    writeFileSync(
      join(store, 'runs', '2026-11-20-broken.json'),
      '{"schemaVersion": 1, "kind": "vggt',
    );
    writeFileSync(
      join(store, 'runs', '2026-11-21-other.json'),
      JSON.stringify({ ...entriesOf(RUNS.slice(0, 1))[0], recordedAt: 'yesterday' }),
    );
    const { entries, skipped } = await readStore(store);
    expect(entries).toHaveLength(3);
    expect(skipped).toEqual([
      expect.stringMatching(/^runs\/2026-11-20-broken\.json: not JSON/),
      expect.stringMatching(/^runs\/2026-11-21-other\.json: recordedAt: /),
    ]);
    const report = node(['history', 'report', '--store', store, '--format', 'json']);
    expect(report.status).toBe(0);
    expect(report.stderr).toContain('history: skipped runs/2026-11-20-broken.json: not JSON');
    const parsed = JSON.parse(report.stdout);
    expect(parsed.runs).toBe(3);
    expect(parsed.series.map((s: { metric: string }) => s.metric)).toEqual(['latency', 'memory']);
  });
});

describe('vggt-perf-gate history and export', () => {
  it('append adds results files; report draws them as Markdown with a Mermaid chart', () => {
    const paths = RUNS.slice(0, 4).map((r, i) => {
      const path = join(dir, `results-${i}.json`);
      writeFileSync(path, JSON.stringify(r));
      return path;
    });
    const append = node([
      'history',
      'append',
      '--store',
      'store',
      '--runner',
      'rtx4090-1',
      ...paths,
    ]);
    expect(append.status).toBe(0);
    expect(append.stderr.match(/history: added runs\//g)).toHaveLength(4);
    expect(readdirSync(join(dir, 'store', 'runs'))).toHaveLength(4);
    const md = node(['history', 'report', '--store', 'store', '--format', 'markdown']);
    expect(md.status).toBe(0);
    expect(md.stdout).toContain('### vggt-forward-20f');
    expect(md.stdout).toMatch(
      /```mermaid\nxychart-beta\n {2}title "latency \(ms\)"\n {2}x-axis \["0001c0f", "0002c0f", "0003c0f", "0004c0f"\]/,
    );
    expect(md.stdout).toContain('  line [331.00, 332.00, 330.00, 331.00]');
    expect(md.stdout).toMatch(/ {2}y-axis "ms" 328\.\d\d --> 333\.\d\d/);
  });

  it('a bad results file adds nothing; bad flags are usage errors that say what to fix', () => {
    writeFileSync(join(dir, 'good.json'), JSON.stringify(RUNS[0]));
    writeFileSync(join(dir, 'bad.json'), '{}');
    const append = node(['history', 'append', '--store', 'store', 'good.json', 'bad.json']);
    expect(append.status).toBe(3);
    expect(append.stderr).toContain('bad.json');
    expect(existsSync(join(dir, 'store'))).toBe(false);
    const format = node(['history', 'report', '--store', 'store', '--format', 'pdf']);
    expect(format.status).toBe(2);
    expect(format.stderr).toContain('--format must be html, markdown, json, not "pdf"');
    expect(node(['history', 'report']).stderr).toContain('history needs --store <dir>');
    expect(node(['export', '--results', 'good.json']).stderr).toContain(
      'export needs --format github-action-benchmark or bencher',
    );
  });

  it("exports match github-action-benchmark's customSmallerIsBetter and Bencher's metric format", () => {
    writeFileSync(join(dir, 'r.json'), JSON.stringify(RUNS[0]));
    // github-action-benchmark: a list of { name, unit, value, range?, extra? }.
    const actionSchema = z.array(
      z.strictObject({
        name: z.string(),
        unit: z.string(),
        value: z.number(),
        range: z.string().optional(),
        extra: z.string().optional(),
      }),
    );
    const gab = node(['export', '--results', 'r.json', '--format', 'github-action-benchmark']);
    expect(gab.status).toBe(0);
    const entries = actionSchema.parse(JSON.parse(gab.stdout));
    expect(entries.map((e) => [e.name, e.unit, e.value])).toEqual([
      ['vggt-forward-20f - latency', 'ms', 331],
      ['vggt-forward-20f - peak VRAM', 'bytes', 9.41 * GiB],
    ]);
    expect(entries[0]?.range).toMatch(/^± \d/);
    // Bencher Metric Format: benchmark -> measure -> { value, lower_value?, upper_value? }.
    const bmfSchema = z.record(
      z.string().min(1),
      z.record(
        z.string().min(1),
        z.strictObject({
          value: z.number(),
          lower_value: z.number().optional(),
          upper_value: z.number().optional(),
        }),
      ),
    );
    const bmf = bmfSchema.parse(
      JSON.parse(node(['export', '--results', 'r.json', '--format', 'bencher']).stdout),
    );
    const latency = bmf['vggt-forward-20f']?.latency;
    expect(latency?.value).toBe(331e6); // Bencher's latency is in nanoseconds
    expect(latency?.lower_value).toBeLessThan(331e6);
    expect(Object.keys(bmf['vggt-forward-20f'] ?? {})).toEqual(['latency', 'peak-vram']);
    expect(toActionBenchmark(RUNS[0]!)).toEqual(JSON.parse(gab.stdout));
    expect(toBencher(RUNS[0]!)).toEqual(bmf);
  });
});

describe('the history on a data branch', () => {
  /** A bare remote and `count` clones of it, as jobs' checkouts would be. */
  function remoteWithClones(count: number): string[] {
    const remote = join(dir, 'remote.git');
    git(dir, 'init', '-q', '--bare', '-b', 'main', remote);
    const seed = join(dir, 'seed');
    git(dir, 'clone', '-q', remote, seed);
    git(
      seed,
      '-c',
      'user.email=t@example.com',
      '-c',
      'user.name=t',
      'commit',
      '-q',
      '--allow-empty',
      '-m',
      'main',
    );
    git(seed, 'push', '-q', 'origin', 'HEAD:main');
    return Array.from({ length: count }, (_, i) => {
      const clone = join(dir, `job-${i}`);
      git(dir, 'clone', '-q', remote, clone);
      return clone;
    });
  }

  it('is created on the first append, and two jobs appending at once both land', async () => {
    const [a, b, reader] = remoteWithClones(3) as [string, string, string];
    const store = (repo: string) => ({ repo, branch: 'perf-gate-data' });
    expect(await readBranch(store(reader))).toEqual({ entries: [], skipped: [] });
    const [first, second] = entriesOf(RUNS.slice(0, 2)) as [never, never];
    await Promise.all([appendToBranch(store(a), [first]), appendToBranch(store(b), [second])]);
    const { entries } = await readBranch(store(reader));
    expect(entries.map((e) => e.commit.sha).sort()).toEqual([shaOf(1), shaOf(2)]);
    // Nothing was checked out: the jobs' working trees and their main are as they were.
    expect(git(a, 'status', '--porcelain')).toBe('');
    expect(git(a, 'rev-parse', '--abbrev-ref', 'HEAD').trim()).toBe('main');
  });

  it('a push that loses its race is built again on the new tip and retried', async () => {
    const [a, b, reader] = remoteWithClones(3) as [string, string, string];
    const entries = entriesOf(RUNS.slice(0, 3));
    await appendToBranch({ repo: b, branch: 'perf-gate-data' }, [entries[0]!]);
    // While job a pushes, job b lands another entry first: the remote's pre-receive hook, on
    // a's first push, has b push (the push itself runs no hooks of a's checkout).
    const other = join(dir, 'other-entry.json');
    writeFileSync(other, JSON.stringify(entries[1]));
    const hook = join(dir, 'remote.git', 'hooks', 'pre-receive');
    writeFileSync(
      hook,
      `#!/bin/sh
cat >/dev/null
[ -f "${dir}/raced" ] && exit 0
touch "${dir}/raced"
unset GIT_DIR GIT_QUARANTINE_PATH GIT_OBJECT_DIRECTORY GIT_ALTERNATE_OBJECT_DIRECTORIES
cd "${b}" && git fetch -q origin perf-gate-data && git checkout -q FETCH_HEAD && mkdir -p runs && cp "${other}" runs/zz-other.json && git add runs && git -c user.email=t@example.com -c user.name=t commit -q -m other && git push -q origin HEAD:perf-gate-data
`,
    );
    chmodSync(hook, 0o755);
    const logged: string[] = [];
    const result = await appendToBranch({ repo: a, branch: 'perf-gate-data' }, [entries[2]!], {
      log: (line) => logged.push(line),
    });
    expect(existsSync(join(dir, 'raced'))).toBe(true);
    expect(result.attempts).toBe(2);
    expect(logged[0]).toMatch(/moved while appending \(attempt 1\)/);
    const read = await readBranch({ repo: reader, branch: 'perf-gate-data' });
    expect(read.entries.map((e) => e.commit.sha).sort()).toEqual([shaOf(1), shaOf(2), shaOf(3)]);
  });

  it("over HTTP, the job's token goes in a header through git's environment, never its command line", async () => {
    const remote = join(dir, 'remote.git');
    git(dir, 'init', '-q', '--bare', '-b', 'main', remote);
    const token = Buffer.from('x-access-token:ghs_secret').toString('base64');
    const server = await gitHttpServer(dir, `basic ${token}`);
    try {
      const job = join(dir, 'job');
      git(dir, 'init', '-q', '-b', 'main', job);
      git(job, 'remote', 'add', 'origin', `${server.url}/remote.git`);
      // What actions/checkout persists by default: a header of its own, which must not be sent too.
      git(
        job,
        'config',
        `http.${server.url}/.extraheader`,
        'AUTHORIZATION: basic c3RhbGU6dG9rZW4=',
      );
      const store = {
        repo: job,
        branch: 'perf-gate-data',
        extraHeader: { url: `${server.url}/`, value: `AUTHORIZATION: basic ${token}` },
      };
      await appendToBranch(store, entriesOf(RUNS.slice(0, 1)));
      expect((await readBranch(store)).entries.map((e) => e.commit.sha)).toEqual([shaOf(1)]);
      expect(
        server.requests.some((r) => r.startsWith('POST /remote.git/git-receive-pack with')),
      ).toBe(true);
      // Nothing of the token was written to the checkout's config (only checkout's own header is there).
      expect(git(job, 'config', '--list')).not.toContain(token);
      const { extraHeader: _, ...withoutToken } = store;
      await expect(appendToBranch(withoutToken, entriesOf(RUNS.slice(1, 2)))).rejects.toThrow(
        /cannot fetch the history branch perf-gate-data from origin/,
      );
    } finally {
      await server.close();
    }
  });

  it('a push the remote refuses (no permission) is an error that names what to grant', async () => {
    const [a] = remoteWithClones(1) as [string];
    const remote = join(dir, 'remote.git');
    const hook = join(remote, 'hooks', 'pre-receive');
    writeFileSync(hook, '#!/bin/sh\necho "permission denied to github-actions[bot]" >&2\nexit 1\n');
    chmodSync(hook, 0o755);
    await expect(
      appendToBranch({ repo: a, branch: 'perf-gate-data' }, entriesOf(RUNS.slice(0, 1))),
    ).rejects.toThrow(
      /cannot push to the history branch perf-gate-data on origin: .*permissions: contents: write/,
    );
  });
});

describe('the trend page', () => {
  it('marks the regression, names each point on hover, and the PR comment gets the compact charts', () => {
    const series = trendSeries(entriesOf(RUNS));
    const page = renderTrendHtml(series);
    expect(page).not.toMatch(/<script|<link|https?:\/\//i);
    expect(page.match(/<circle class="trend-point /g)).toHaveLength(24);
    expect(page.match(/<circle class="trend-point regression"/g)).toHaveLength(1);
    expect(page).toContain(`<title>${shaOf(9)} · 2026-11-10 00:00 UTC · no GPU`);
    const comment = renderTrendComment(trendSeries(entriesOf(RUNS), 5));
    expect(comment).toContain('Trend on the default branch (last 5 runs)');
    expect(comment.match(/```mermaid/g)).toHaveLength(2);
  });

  it('Mermaid gets a label per point (a repeated commit is numbered) and plain numbers, never exponents', () => {
    const tiny = (run: number) => {
      const r = runResults(1, 0.00005 + run * 1e-7, 9.4);
      return historyEntry(r, { recordedAt: new Date(Date.UTC(2026, 10, 2 + run)) });
    };
    const comment = renderTrendComment(trendSeries([tiny(0), tiny(1), tiny(2)]));
    expect(comment).toContain('x-axis ["0001c0f", "0001c0f #2", "0001c0f #3"]');
    expect(comment).not.toMatch(/\d(e|E)[-+]?\d/);
    expect(comment).toMatch(/y-axis "ms" 0\.0000\d+ --> 0\.0000\d+/);
  });

  it.skipIf(!existsSync(CHROMIUM))(
    'draws in a real browser: no errors, nothing fetched (needs /usr/bin/chromium)',
    async () => {
      const page = renderTrendHtml(trendSeries(entriesOf(RUNS)));
      mkdirSync(dirname(SCREENSHOT), { recursive: true });
      const file = SCREENSHOT.replace(/\.png$/, '.html');
      writeFileSync(file, page);
      const browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
      });
      try {
        const tab = await browser.newPage({ viewport: { width: 1280, height: 900 } });
        const problems: string[] = [];
        const requests: string[] = [];
        tab.on('pageerror', (e) => problems.push(e.message));
        tab.on('request', (r) => requests.push(r.url()));
        await tab.goto(pathToFileURL(file).href);
        expect(await tab.locator('svg.chart').count()).toBe(2);
        const box = await tab.locator('circle.trend-point.regression').first().boundingBox();
        expect(box?.width).toBeGreaterThan(8);
        await tab.screenshot({ path: SCREENSHOT, fullPage: true });
        expect(problems).toEqual([]);
        expect(requests.filter((url) => !url.startsWith('file:'))).toEqual([]);
      } finally {
        await browser.close();
      }
    },
  );
});

/** How a run of 4 process pairs of 2 rounds measured, with the noise it saw. */
function measuredNoise(perRoundSd: number, betweenPairSd: number): MetricResult['intervalMethod'] {
  return {
    clusters: 4,
    pairedRounds: 8,
    roundsPerCluster: 2,
    confidence: 0.95,
    verdicts: 1,
    looks: 2,
    shape: 'pocock',
    noise: { perRoundSd, betweenPairSd },
  };
}

describe("the runner's calibrated noise", () => {
  /** An A/A entry (or not) of `runner`, recorded `daysAgo` before NOW, with latency noise `sd`. */
  const NOW = new Date(Date.UTC(2026, 11, 1));
  function calibration(runner: string, daysAgo: number, sd: number, aa = true) {
    const results = runResults(50 + daysAgo, 330, 9.4);
    if (aa) results.commits.base.sha = results.commits.head.sha;
    const metric = results.benchmarks[0]!.metrics[0]!;
    metric.intervalMethod = measuredNoise(sd, sd / 2);
    return historyEntry(results, {
      runner,
      recordedAt: new Date(NOW.getTime() - daysAgo * 86_400_000),
    });
  }

  it("is the median of the runner's fresh A/A runs; others' runs, old ones and PR runs do not count", () => {
    const entries = [
      calibration('rtx4090-1', 1, 0.004),
      calibration('rtx4090-1', 2, 0.006),
      calibration('rtx4090-1', 3, 0.005),
      calibration('rtx4090-1', 30, 0.05), // too old
      calibration('rtx4090-2', 1, 0.05), // another runner
      calibration('rtx4090-1', 1, 0.05, false), // not an A/A run
    ];
    expect(entries.map((e) => e.calibration)).toEqual([true, true, true, true, true, false]);
    const floors = calibratedNoise(entries, { runner: 'rtx4090-1', now: NOW });
    expect(floors['vggt-forward-20f']).toEqual({
      betweenPairSd: 0.0025,
      perRoundSd: 0.005,
      calibrations: 3,
      newest: new Date(NOW.getTime() - 86_400_000).toISOString(),
      runner: 'rtx4090-1',
      roundsPerPair: 2,
    });
    expect(calibratedNoise(entries, { runner: 'rtx4090-9', now: NOW })).toEqual({});
  });

  it('flags a run whose round-to-round noise grew beyond twice the calibrated, naming both', () => {
    const floors = calibratedNoise([calibration('rtx4090-1', 1, 0.004)], {
      runner: 'rtx4090-1',
      now: NOW,
    });
    const loud = runResults(60, 330, 9.4);
    loud.benchmarks[0]!.metrics[0]!.intervalMethod = measuredNoise(0.021, 0.01);
    expect(noiseGrowth(runResults(61, 330, 9.4), floors)).toEqual([]);
    const [line, ...rest] = noiseGrowth(loud, floors);
    expect(rest).toEqual([]);
    expect(line).toMatch(
      /^vggt-forward-20f: this run's latency moved 2\.10% from round to round, against 0\.40% in the runner's last 1 A\/A calibration runs on rtx4090-1/,
    );
  });
});
