import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { GateResults } from '../src/results/types.js';
import { repository } from './fixtures/repository.js';
import { benchmarkResult, noGpuResults } from './fixtures/results.js';

/** The built CLI, as users and the Action run it (test/build.global.ts builds it). */
const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const MiB = 2 ** 20;

function vggtPerfGate(args: string[], env: Record<string, string> = {}, cwd?: string) {
  const r = spawnSync(process.execPath, [cli, ...args], {
    encoding: 'utf8',
    env: { ...process.env, CI: 'true', ...env },
    timeout: 60_000,
    cwd,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A small complete results file with samples and a VRAM timeline, as `run` writes it. */
function resultsFile(): string {
  const results = noGpuResults({
    benchmarks: [
      benchmarkResult({
        name: 'tiny <model>',
        dtype: { requested: 'fp32', resolved: 'fp32', explanation: 'fp32 as configured' },
        rounds: 4,
        seconds: 2.5,
        processes: 1,
        metrics: [
          {
            metric: 'latency',
            unit: 'ms',
            base: { count: 4, median: 10, p5: 9.8, p95: 10.2 },
            head: { count: 4, median: 10.01, p5: 9.8, p95: 10.2 },
            ratio: 1.001,
            interval: { lower: 0.995, upper: 1.006, level: 0.95 },
            threshold: 0.05,
            verdict: 'unchanged',
            explanation: 'unchanged: within the ±5% threshold',
          },
        ],
        samples: {
          latency: {
            base: [9.8, 10, 10.1, 10.2],
            head: [9.8, 10, 10.02, 10.2],
            baseRounds: [0, 1, 2, 3],
            headRounds: [0, 1, 2, 3],
          },
        },
        vramTimeline: {
          base: [
            {
              gpuIndex: 0,
              points: [
                [100, 500 * MiB],
                [200, 510 * MiB],
              ],
            },
          ],
          head: [
            {
              gpuIndex: 0,
              points: [
                [300, 505 * MiB],
                [400, 512 * MiB],
              ],
            },
          ],
        },
      }),
    ],
  });
  results.commits.head.dirty = true;
  const path = join(mkdtempSync(join(tmpdir(), 'perf-gate-cli-')), 'results.json');
  writeFileSync(path, JSON.stringify(results));
  return path;
}

describe('vggt-perf-gate report', () => {
  it('--format html writes the self-contained page to stdout', () => {
    const r = vggtPerfGate(['report', '--results', resultsFile(), '--format', 'html']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout.startsWith('<!doctype html>')).toBe(true);
    expect(r.stdout).toContain('tiny &lt;model&gt;');
    expect(r.stdout.match(/<circle class="dot"/g)).toHaveLength(8);
    expect(r.stdout).toContain('<svg class="chart timeline"');
    expect(r.stdout).not.toMatch(/<script/i);
  });

  it('--out writes the report to a file instead', () => {
    const results = resultsFile();
    const out = join(results, '..', 'report.html');
    const r = vggtPerfGate(['report', '--results', results, '--format', 'html', '--out', out]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`html report written to ${out}`);
    expect(readFileSync(out, 'utf8')).toContain('</html>');
  });

  it('refuses an unknown format with exit 2, naming the ones it knows', () => {
    const r = vggtPerfGate(['report', '--results', resultsFile(), '--format', 'pdf']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--format must be terminal, markdown, html, not "pdf"');
  });

  it('still prints the terminal table by default', () => {
    const r = vggtPerfGate(['report', '--results', resultsFile()]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/tiny <model>\s+latency\s+10\.0 ms\s+10\.0 ms\s+\+0\.10%/);
  });
});

/** A harness that writes a few samples at once. */
const QUICK_BENCH = `import { writeFileSync } from 'node:fs';
writeFileSync(process.env.PERF_GATE_SAMPLES_OUTPUT, JSON.stringify({ version: 1, samples: [10, 10.1, 9.9, 10.05, 9.95] }));
`;

/** A git repository whose base and head run the same tiny samples harness (no GPU, no model). */
function samplesRepository(bench = QUICK_BENCH): string {
  const repo = repository('perf-gate-cli-run-');
  repo.commit(
    {
      'bench.mjs': bench,
      'perf-gate.yml': `version: 1
defaults:
  threshold: { latency: 0.05 }
  budget: { maxSeconds: 60, maxRounds: 8 }
benchmarks:
  - name: harness
    metrics: [latency]
    workload: { kind: samples, command: [${JSON.stringify(process.execPath)}, bench.mjs], output: samples.json }
`,
    },
    'base',
  );
  repo.commit({ 'README.md': 'head\n' }, 'head');
  return repo.dir;
}

describe('vggt-perf-gate run progress in a CI log', () => {
  it('prints a plain line per phase, no status line and no control characters', () => {
    const dir = samplesRepository();
    const r = vggtPerfGate([
      'run',
      '--base',
      'HEAD~1',
      '--dir',
      dir,
      '--config',
      join(dir, 'perf-gate.yml'),
      '--results',
      join(dir, 'out', 'results.json'),
    ]);
    expect(r.stderr).toMatch(/\[harness\] starting processes \(round 0\/8/);
    expect(r.stderr).toMatch(
      /\[harness\] measuring \(round 0\/8, [\d.]+s of 60s, 1 process per side\)/,
    );
    expect(r.stderr).toMatch(/\[harness\] done \(\d+ rounds/);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: asserting there are none.
    expect(r.stderr).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f]/);
    expect(r.stdout).toMatch(/harness\s+latency/);
    expect(r.status).toBe(0);
  }, 60_000);
});

describe('vggt-perf-gate <command> --help', () => {
  it.each([
    ['run', '--base <ref>'],
    ['report', '--format <format>'],
    ['merge', '--out <file>'],
    ['compare', '--threshold'],
    ['probe', '--json'],
  ])('%s --help prints its own usage and exits 0', (command, option) => {
    const r = vggtPerfGate([command, '--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`usage: vggt-perf-gate ${command}`);
    expect(r.stdout).toContain(option);
    // Only this command's usage, not the overview of all of them.
    expect(r.stdout).not.toContain('commands:');
  });

  it('run --help prints run usage even without the required --base', () => {
    const r = vggtPerfGate(['run', '--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('--fail-on <mode>');
    expect(r.stdout).not.toContain('usage: vggt-perf-gate report');
  });

  it('--help alone prints the overview of every command', () => {
    const r = vggtPerfGate(['--help']);
    expect(r.status).toBe(0);
    for (const command of ['run', 'report', 'merge', 'compare', 'probe'])
      expect(r.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
  });
});

/** `run` on a repository from samplesRepository(), from inside it, with relative paths. */
function runIn(dir: string, args: string[], env: Record<string, string> = {}) {
  return vggtPerfGate(['run', '--base', 'HEAD~1', '--config', 'perf-gate.yml', ...args], env, dir);
}

/** Whether the run got as far as the base checkout or a benchmark. */
const measured = (stderr: string) => /checked out|\[harness\]/.test(stderr);
/** A stack trace's frames, which no expected failure may show. */
const STACK_FRAME = /^\s+at /m;

describe('vggt-perf-gate run checks its inputs before measuring', () => {
  it('a broken config is reported first, even without --base', () => {
    const dir = mkdtempSync(join(tmpdir(), 'perf-gate-cli-config-'));
    const config = join(dir, 'perf-gate.yml');
    writeFileSync(
      config,
      'version: 1\nbenchmarks:\n  - name: a\n    metrics: [latncy]\n    workload: { kind: onnx, model: m.onnx }\n',
    );
    const r = vggtPerfGate(['run', '--config', config]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${config}:4:15: benchmarks[0].metrics[0]: unknown value "latncy"`);
    expect(r.stderr).not.toContain('--base');
  });

  it('--only that matches no benchmark: exit 2 naming it and the known ones, before the checkout', () => {
    const r = runIn(samplesRepository(), ['--only', 'nope']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(
      `error: --only names a benchmark the config does not have: "nope". The config's benchmarks: harness.`,
    );
    expect(measured(r.stderr)).toBe(false);
    expect(r.stdout).toBe('');
  });

  it('--only with an unknown name among known ones: exit 2, with a did-you-mean', () => {
    const r = runIn(samplesRepository(), ['--only', 'harness, harnes']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('"harnes" (did you mean "harness"?)');
    expect(measured(r.stderr)).toBe(false);
  });

  it('--results under a file: exit 2 naming the path, the flag, the reason and the fix', () => {
    const r = runIn(samplesRepository(), ['--results', 'perf-gate.yml/x.json']);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      'error: cannot write --results perf-gate.yml/x.json: perf-gate.yml is a file, not a directory (ENOTDIR). Choose a path whose parent is a directory, or move perf-gate.yml away. (Checked before measuring: nothing was run.)\n',
    );
  });

  it('--markdown that is a directory and --html under a file are refused the same way', () => {
    const dir = samplesRepository();
    mkdirSync(join(dir, 'reports'));
    const markdown = runIn(dir, ['--markdown', 'reports']);
    expect(markdown.status).toBe(2);
    expect(markdown.stderr).toContain(
      'cannot write --markdown reports: it is a directory (EISDIR)',
    );
    const html = runIn(dir, ['--html', 'bench.mjs/report.html']);
    expect(html.status).toBe(2);
    expect(html.stderr).toContain('cannot write --html bench.mjs/report.html: bench.mjs is a file');
    expect(measured(markdown.stderr + html.stderr)).toBe(false);
  });

  it('--only with no name at all is the --only message, not a generic one', () => {
    const r = runIn(samplesRepository(), ['--only', ',']);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      "error: --only names no benchmark. The config's benchmarks: harness. Fix the names in --only, or leave --only out to measure every benchmark.\n",
    );
  });

  it('--results and --markdown on one file: exit 2 naming both flags, before the checkout', () => {
    const dir = samplesRepository();
    const r = runIn(dir, ['--results', 'out.json', '--markdown', './out.json']);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      'error: cannot write --markdown ./out.json: it is the same file as --results out.json, so one would overwrite the other. Give --markdown and --results different paths. (Checked before measuring: nothing was run.)\n',
    );
    expect(existsSync(join(dir, 'out.json'))).toBe(false);
    const html = runIn(dir, ['--markdown', 'r.md', '--html', 'r.md']);
    expect(html.status).toBe(2);
    expect(html.stderr).toContain('Give --html and --markdown different paths.');
  });

  it('a directory named "..cache" inside the checkout is shown relative, as inside', () => {
    const dir = samplesRepository();
    writeFileSync(join(dir, '..cache'), '');
    const r = runIn(dir, ['--results', '..cache/results.json']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(
      'cannot write --results ..cache/results.json: ..cache is a file, not a directory (ENOTDIR). Choose a path whose parent is a directory, or move ..cache away.',
    );
  });
});

/**
 * A harness that breaks the run's outputs while it measures, as a disk that
 * fills up meanwhile would: paths in TEST_FILL_UP become links to /dev/full
 * (every write there fails with ENOSPC), and TEST_TURN_TO_FILE, a directory,
 * becomes a file. Base and head run it, so each step tolerates the other side
 * having done it first.
 */
const BREAKING_BENCH = `import { rmSync, symlinkSync, writeFileSync } from 'node:fs';
for (const path of (process.env.TEST_FILL_UP ?? '').split(',').filter(Boolean)) {
  try { rmSync(path, { force: true }); symlinkSync('/dev/full', path); } catch {}
}
const dir = process.env.TEST_TURN_TO_FILE;
if (dir) try { rmSync(dir, { recursive: true, force: true }); writeFileSync(dir, ''); } catch {}
writeFileSync(process.env.PERF_GATE_SAMPLES_OUTPUT, JSON.stringify({ version: 1, samples: [10, 10.1, 9.9, 10.05, 9.95] }));
`;

describe('vggt-perf-gate run when a file cannot be written after measuring', () => {
  it.skipIf(!existsSync('/dev/full'))(
    'reports on a disk that filled up: the table, the results file, one error line each, exit 3',
    () => {
      const dir = samplesRepository(BREAKING_BENCH);
      const [markdown, html] = [join(dir, 'report.md'), join(dir, 'report.html')];
      const r = runIn(
        dir,
        ['--results', 'out/results.json', '--markdown', markdown, '--html', html],
        {
          TEST_FILL_UP: `${markdown},${html}`,
        },
      );
      expect(r.status).toBe(3);
      expect(r.stdout).toMatch(/harness\s+latency/);
      expect(r.stderr).toContain('results written to out/results.json');
      const results = JSON.parse(readFileSync(join(dir, 'out', 'results.json'), 'utf8'));
      expect(results.benchmarks[0].name).toBe('harness');
      expect(r.stderr).toContain(
        `error: cannot write the Markdown report to ${markdown}: the disk holding ${dir} is full (no space left, ENOSPC). Free some space there, or choose a path on another disk. To render it again once fixed: vggt-perf-gate report --results out/results.json --format markdown --out ${markdown}\n`,
      );
      expect(r.stderr).toContain(
        `error: cannot write the HTML report to ${html}: the disk holding`,
      );
      expect(r.stderr).not.toMatch(STACK_FRAME);
    },
  );

  it('results whose directory went away: the table, the results in a temp file, one error line, exit 3', () => {
    const dir = samplesRepository(BREAKING_BENCH);
    const r = runIn(dir, ['--results', 'out/results.json'], {
      TEST_TURN_TO_FILE: join(dir, 'out'),
    });
    expect(r.status).toBe(3);
    expect(r.stdout).toMatch(/harness\s+latency/);
    expect(r.stderr).not.toMatch(STACK_FRAME);
    const line = r.stderr.split('\n').find((l) => l.startsWith('error: ')) ?? '';
    expect(line).toMatch(
      /^error: cannot write the results to out\/results\.json: out is a file, not a directory \(ENOTDIR\); saved them to (\S+) instead \(copy that file where you need it\)\. Choose a path whose parent is a directory, or move out away\.$/,
    );
    const fallback = line.match(/saved them to (\S+) instead/)?.[1] ?? '';
    expect(fallback.startsWith(tmpdir())).toBe(true);
    try {
      const results = JSON.parse(readFileSync(fallback, 'utf8')) as GateResults;
      expect(results.status).toBe('complete');
      expect(results.benchmarks.map((b) => b.name)).toEqual(['harness']);
      expect(results.benchmarks[0]?.samples?.latency?.head.length).toBeGreaterThan(0);
    } finally {
      rmSync(fallback, { force: true });
    }
  });
});
