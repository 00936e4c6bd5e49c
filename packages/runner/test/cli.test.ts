import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { GateResults } from '../src/results.js';

/** The built CLI, as users and the Action run it (test/build.global.ts builds it). */
const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const MiB = 2 ** 20;

function vggtPerfGate(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [cli, ...args], {
    encoding: 'utf8',
    env: { ...process.env, CI: 'true', ...env },
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A small complete results file with samples and a VRAM timeline, as `run` writes it. */
function resultsFile(): string {
  const results: GateResults = {
    schemaVersion: 1,
    tool: { name: 'vggt-perf-gate', version: '0.0.0' },
    createdAt: '2026-11-23T18:40:00.000Z',
    configHash: 'a3f1c9e07b5d2e48c6a1f0b9d8e7c6b5',
    commits: {
      base: { ref: 'origin/main', sha: '4b825dc642cb6eb9a060e54bf8d69288fbee4904' },
      head: { ref: 'working tree', sha: null, dirty: true },
    },
    device: { state: 'no-gpu', reason: 'nvidia-smi not found' },
    status: 'complete',
    verdict: 'pass',
    regressions: 0,
    warnings: [],
    shard: null,
    benchmarks: [
      {
        name: 'tiny <model>',
        workload: 'worker',
        status: 'complete',
        error: null,
        dtype: { requested: 'fp32', resolved: 'fp32', explanation: 'fp32 as configured' },
        ran: { base: null, head: null },
        rounds: 4,
        stopReason: 'decided',
        seconds: 2.5,
        processes: 1,
        throttledRounds: [],
        warnings: [],
        memory: { base: null, head: null },
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
      },
    ],
  };
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

/** A git repository whose base and head run the same tiny samples harness (no GPU, no model). */
function samplesRepository(): string {
  const dir = mkdtempSync(join(tmpdir(), 'perf-gate-cli-run-'));
  const git = (...args: string[]) => {
    const r = spawnSync('git', args, { cwd: dir, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  };
  writeFileSync(
    join(dir, 'bench.mjs'),
    `import { writeFileSync } from 'node:fs';
writeFileSync(process.env.PERF_GATE_SAMPLES_OUTPUT, JSON.stringify({ version: 1, samples: [10, 10.1, 9.9, 10.05, 9.95] }));
`,
  );
  writeFileSync(
    join(dir, 'perf-gate.yml'),
    `version: 1
defaults:
  threshold: { latency: 0.05 }
  budget: { maxSeconds: 60, maxRounds: 8 }
benchmarks:
  - name: harness
    metrics: [latency]
    workload: { kind: samples, command: [${JSON.stringify(process.execPath)}, bench.mjs], output: samples.json }
`,
  );
  git('init', '-q', '-b', 'main');
  git('config', 'user.email', 'cli@example.com');
  git('config', 'user.name', 'cli');
  git('add', '.');
  git('commit', '-q', '-m', 'base');
  writeFileSync(join(dir, 'README.md'), 'head\n');
  git('add', '.');
  git('commit', '-q', '-m', 'head');
  return dir;
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
