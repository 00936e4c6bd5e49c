import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { workerWorkload } from '../src/workloads/worker.js';
import { CLIENT_DIR, FIXTURES, isReaped, testContext } from './fixtures/workers/helpers.js';

/** The client's pytest plugin needs pytest in the worker's Python. */
const HAS_PYTEST = spawnSync('python3', ['-c', 'import pytest'], { stdio: 'ignore' }).status === 0;
const TEST_FILE = join(FIXTURES, 'pytest_benchmark_test.py');

/** A worker workload whose command is a pytest selection, as perf-gate.yml would give it. */
function pytestWorkload(selection: string) {
  return workerWorkload({
    command: [
      'python3',
      '-m',
      'pytest',
      selection,
      '-p',
      'perf_gate.pytest_plugin',
      '-p',
      'no:cacheprovider',
      '-q',
    ],
    env: { PYTHONPATH: CLIENT_DIR },
  });
}

describe.skipIf(!HAS_PYTEST)('a pytest selection as one worker (needs pytest in python3)', () => {
  it("serves the runner from inside the test: fixtures are the setup, the test's call the step", async () => {
    const { context, lines } = testContext({ dtype: 'fp32' });
    const session = await pytestWorkload(`${TEST_FILE}::test_forward`).open(context);
    try {
      expect(session.info).toMatchObject({
        framework: 'python',
        itemsPerIteration: 4,
        extra: { name: 'pytest-forward' },
      });
      await session.warmup(2);
      for (let round = 0; round < 2; round++) {
        const { samples } = await session.run(3);
        expect(samples).toHaveLength(3);
        for (const s of samples) expect(s.hostMs).toBeGreaterThanOrEqual(2);
      }
    } finally {
      await session.close();
    }
    expect(isReaped(session.pid)).toBe(true);
    // After shutdown the test returned and passed: pytest said so in the worker's output.
    expect(lines.some((line) => /1 passed/.test(line))).toBe(true);
  });

  it('plain pytest on the same file times the benchmark and runs the other tests', () => {
    const run = spawnSync(
      'python3',
      [
        '-m',
        'pytest',
        TEST_FILE,
        '-p',
        'perf_gate.pytest_plugin',
        '-p',
        'no:cacheprovider',
        '-q',
        '--perf-gate-iterations',
        '3',
      ],
      { encoding: 'utf8', env: { ...process.env, PYTHONPATH: CLIENT_DIR } },
    );
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/pytest-forward: median [\d.]+ ms over 3 iterations/);
    expect(run.stdout).toContain('2 passed');
  });
});
