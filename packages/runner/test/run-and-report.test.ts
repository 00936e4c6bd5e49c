import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/index.js';
import type { GateReporter } from '../src/report/reporter.js';
import { runAndReport } from '../src/report/run-and-report.js';
import type { OutputTarget } from '../src/results/output-paths.js';
import { NO_GPU, repository } from './fixtures/repository.js';

/** One round of samples per run of the command: no Python needed. */
const SAMPLES_SH = `printf '{"version": 1, "samples": [1.0, 1.1, 1.2, 0.9, 1.05]}' > "$PERF_GATE_SAMPLES_OUTPUT"\n`;
const CONFIG = `version: 1
benchmarks:
  - name: quick
    metrics: [latency]
    budget: { maxRounds: 4, iterationsPerRound: 1 }
    workload: { kind: samples, command: sh samples.sh, output: s.json }
`;

/** A reporter that writes down which hook was called, in order (log and progress once each). */
function recorder() {
  const calls: string[] = [];
  const note = (hook: string) => {
    if (calls.at(-1) !== hook) calls.push(hook);
  };
  const reporter: GateReporter = {
    onStart: () => note('start'),
    onLog: () => note('log'),
    onProgress: () => note('progress'),
    onFailed: () => note('failed'),
    onMeasured: (results) => note(`measured ${results.verdict}`),
    onUnsaved: () => note('unsaved'),
    onWritten: (_results, written) => note(`written ${written.problems.length}`),
  };
  return { calls, reporter };
}

let repo: ReturnType<typeof repository>;
beforeEach(() => {
  repo = repository('perf-gate-run-and-report-');
  repo.commit({ 'perf-gate.yml': CONFIG, 'samples.sh': SAMPLES_SH }, 'base');
  repo.commit({ 'a.txt': 'a' }, 'head');
});
afterEach(() => repo.remove());

function targets(): OutputTarget[] {
  return [
    { path: join(repo.dir, 'out', 'results.json'), setBy: '--results', format: 'results' },
    { path: join(repo.dir, 'out', 'report.md'), setBy: '--markdown', format: 'markdown' },
  ];
}

describe('runAndReport', () => {
  it('tells every reporter each step in order, and writes the results and the reports', async () => {
    const first = recorder();
    const second = recorder();
    const { results, written } = await runAndReport({
      config: parseConfig(CONFIG, 'perf-gate.yml'),
      dir: repo.dir,
      baseRef: 'HEAD~1',
      probe: NO_GPU,
      targets: targets(),
      reporters: [first.reporter, second.reporter],
    });
    // Log lines and progress interleave while measuring: what matters is the frame around them.
    const frame = first.calls.filter((c) => c !== 'log' && c !== 'progress');
    expect(frame).toEqual(['start', `measured ${results.verdict}`, 'written 0']);
    expect(first.calls).toContain('progress');
    expect(second.calls).toEqual(first.calls);
    expect(written).toMatchObject({ resultsFellBack: false, problems: [] });
    expect(JSON.parse(readFileSync(written.results ?? '', 'utf8')).benchmarks[0].name).toBe(
      'quick',
    );
    expect(readFileSync(written.markdown ?? '', 'utf8')).toContain('quick');
  });

  it('a run that cannot start: onFailed, then the error, and no report is written', async () => {
    const { calls, reporter } = recorder();
    await expect(
      runAndReport({
        config: parseConfig(CONFIG, 'perf-gate.yml'),
        dir: repo.dir,
        baseRef: 'no-such-ref',
        probe: NO_GPU,
        targets: targets(),
        reporters: [reporter],
      }),
    ).rejects.toThrow(/no-such-ref/);
    expect(calls.filter((c) => c !== 'log')).toEqual(['start', 'failed']);
    expect(existsSync(join(repo.dir, 'out', 'report.md'))).toBe(false);
  });

  it('refuses targets without a results file, naming what is missing', async () => {
    await expect(
      runAndReport({
        config: parseConfig(CONFIG, 'perf-gate.yml'),
        dir: repo.dir,
        baseRef: 'HEAD~1',
        probe: NO_GPU,
        targets: [],
        reporters: [],
      }),
    ).rejects.toThrow(/needs a target with format "results"/);
  });
});
