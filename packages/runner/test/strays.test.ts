import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GateResults } from '../src/results/types.js';
import { findTokenCarriers, newRunToken, RUN_TOKEN_ENV } from '../src/workloads/strays.js';
import { killPids, pidsIn } from './fixtures/pids.js';
import { repository, runGateOn } from './fixtures/repository.js';
import { CLIENT_DIR, FIXTURES, isGone } from './fixtures/workers/helpers.js';

/**
 * A setup command or a worker command that starts a daemon (setsid, then its
 * parent exits): the daemon leaves the process tree and keeps the pipes the
 * gate reads open. The gate must return anyway, report the daemon and stop it.
 */

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
/** Writes one round of samples: a samples workload needs no Python. */
const SAMPLES_SH = `printf '{"version": 1, "samples": [1.0, 1.1, 1.2, 0.9, 1.05]}' > "$PERF_GATE_SAMPLES_OUTPUT"\n`;

let repo: ReturnType<typeof repository>;
/** Where the daemons record their PIDs, and a `finished` marker if one lives out its sleep. */
let marks: string;
let logged: string[];

beforeEach(() => {
  repo = repository('perf-gate-strays-');
  marks = mkdtempSync(join(tmpdir(), 'perf-gate-marks-'));
  logged = [];
});

afterEach(() => {
  killPids(pidsIn(marks));
  repo.remove();
  rmSync(marks, { recursive: true, force: true });
});

/** A shell line that starts a daemon sleeping 30 s, which records its PID as `<name>-<pid>.pid`. */
function daemon(name: string): string {
  return `(setsid sh -c 'touch "${marks}/${name}-$$.pid"; sleep 30; touch "${marks}/finished"' &)`;
}

function benchmark(lines: string): string {
  return `version: 1
benchmarks:
  - name: strays
    metrics: [latency]
    budget: { maxRounds: 4, iterationsPerRound: 2 }
    warmup: { iterations: 1 }
${lines}`;
}

const samplesWorkload = '    workload: { kind: samples, command: sh samples.sh, output: s.json }\n';

function workerWorkload(command: string): string {
  return `    workload:
      kind: worker
      command: ${JSON.stringify(command)}
      env: { PYTHONPATH: ${JSON.stringify(CLIENT_DIR)} }
      restartEveryRounds: 0
`;
}

async function gate(config: string): Promise<GateResults> {
  repo.commit({ 'perf-gate.yml': config, 'samples.sh': SAMPLES_SH }, 'base');
  repo.commit({ 'a.txt': 'a' }, 'head');
  return runGateOn(repo.dir, config, (line) => logged.push(line));
}

/** The PIDs a warning names ("pid 123 (sleep 30)"). */
function pidsNamed(warnings: readonly string[]): number[] {
  return warnings.flatMap((w) => [...w.matchAll(/pid (\d+) \(/g)].map((m) => Number(m[1])));
}

/** Every daemon the test started is gone, and none lived to the end of its sleep. */
function expectDaemonsStopped(warnings: readonly string[]): void {
  const named = pidsNamed(warnings);
  expect(named.length).toBeGreaterThan(0);
  for (const pid of [...named, ...pidsIn(marks)]) expect(isGone(pid)).toBe(true);
  expect(existsSync(join(marks, 'finished'))).toBe(false);
}

describe('findTokenCarriers', () => {
  it('names every process that carries the token, even one scanned as it starts', async () => {
    const token = newRunToken();
    // Scanned at once, without waiting for 'spawn': the child is often still in execve().
    const children = Array.from({ length: 5 }, () =>
      spawn('sleep', ['30'], { env: { ...process.env, [RUN_TOKEN_ENV]: token }, stdio: 'ignore' }),
    );
    try {
      const found = await findTokenCarriers(token);
      expect(found.map((c) => c.pid).sort()).toEqual(children.map((c) => c.pid).sort());
      for (const carrier of found) expect(carrier.commandLine).toMatch(/sleep 30|\[sleep\]/);
    } finally {
      for (const child of children) child.kill('SIGKILL');
    }
  });
});

describe('a daemon started by a setup command', () => {
  // Caught inside execve() a process may have no command line yet: then the kernel's name stands in.
  it('does not hold the gate; it is reported with its PID and command line, and stopped', async () => {
    const results = await gate(
      benchmark(
        `    setup: ${JSON.stringify(`${daemon('setup')}; echo set up`)}\n${samplesWorkload}`,
      ),
    );
    const bench = results.benchmarks[0];
    expect(bench?.status).toBe('complete');
    const strays = bench?.warnings.filter((w) => w.includes('left')) ?? [];
    for (const side of ['base', 'head']) {
      expect(strays).toContainEqual(
        expect.stringMatching(
          new RegExp(
            `^the ${side} setup command ".*" left \\d+ process(es)? running after it exited: pid \\d+ \\((.*sleep 30|\\[[\\w-]+\\])`,
          ),
        ),
      );
    }
    expectDaemonsStopped(strays);
    expect(logged).toContain('[strays base] set up');
  });
});

describe('a daemon started by a worker command', () => {
  it('is found by the run token when the worker stops, reported and stopped', async () => {
    const command = `${daemon('worker')}; exec python3 ${join(FIXTURES, 'sleepy.py')}`;
    const results = await gate(benchmark(workerWorkload(command)));
    const bench = results.benchmarks[0];
    expect(bench?.status).toBe('complete');
    const strays = bench?.warnings.filter((w) => w.includes('left its process tree')) ?? [];
    for (const side of ['base', 'head']) {
      expect(strays).toContainEqual(
        expect.stringMatching(
          new RegExp(
            `^the worker \\(side ${side}, pid \\d+\\) .* started \\d+ process(es)? that left its process tree`,
          ),
        ),
      );
    }
    expectDaemonsStopped(strays);
  });
});

describe('the CLI with daemons in setup and in the worker command', () => {
  it('exits with the daemons reported in the results file and stopped', async () => {
    const command = `${daemon('worker')}; exec python3 ${join(FIXTURES, 'sleepy.py')}`;
    const config = benchmark(
      `    setup: ${JSON.stringify(daemon('setup'))}\n${workerWorkload(command)}`,
    );
    repo.commit({ 'perf-gate.yml': config }, 'base');
    repo.commit({ 'a.txt': 'a' }, 'head');
    const resultsPath = join(repo.dir, 'out', 'results.json');
    const child = spawn(
      process.execPath,
      [
        cli,
        'run',
        '--base',
        'HEAD~1',
        '--dir',
        repo.dir,
        '--config',
        join(repo.dir, 'perf-gate.yml'),
        '--results',
        resultsPath,
      ],
      { env: { ...process.env, CI: 'true' }, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    try {
      // The CLI process ends: nothing it no longer tracks holds its event loop open.
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      expect(code, stderr).not.toBeNull();
      const results = JSON.parse(readFileSync(resultsPath, 'utf8')) as GateResults;
      const warnings = results.benchmarks[0]?.warnings ?? [];
      expect(warnings.filter((w) => /setup command .* left \d+ process/.test(w))).toHaveLength(2);
      expect(warnings.filter((w) => w.includes('left its process tree'))).toHaveLength(2);
      expectDaemonsStopped(warnings);
    } finally {
      child.kill('SIGKILL');
    }
  }, 120_000);
});
