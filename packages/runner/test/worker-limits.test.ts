import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_WORKER_STARTUP_TIMEOUT_SECONDS } from '../src/config/defaults.js';
import { DEFAULT_STARTUP_TIMEOUT_MS } from '../src/workloads/worker.js';
import { defaultRunLimit, timedOut } from '../src/workloads/worker-failures.js';
import { repository, runGateOn } from './fixtures/repository.js';
import { CLIENT_DIR, FIXTURES, isGone } from './fixtures/workers/helpers.js';

/** A worker's time limits are set in perf-gate.yml, and their messages name those keys. */

describe('a worker workload’s time limits', () => {
  let repo: ReturnType<typeof repository>;
  beforeEach(() => {
    repo = repository('perf-gate-limits-');
  });
  afterEach(() => repo.remove());

  it('iterationTimeoutSeconds reaches the worker, and the timeout names it', async () => {
    const config = `version: 1
benchmarks:
  - name: hangs
    metrics: [latency]
    warmup: { iterations: 1 }
    workload:
      kind: worker
      command: [python3, ${JSON.stringify(join(FIXTURES, 'hang.py'))}]
      env: { PYTHONPATH: ${JSON.stringify(CLIENT_DIR)} }
      iterationTimeoutSeconds: 0.5
`;
    repo.commit({ 'perf-gate.yml': config }, 'base');
    repo.commit({ 'a.txt': 'a' }, 'head');
    const results = await runGateOn(repo.dir, config);
    const bench = results.benchmarks[0];
    expect(bench?.status).toBe('failed');
    expect(bench?.error).toContain(
      "did not send 'result' of warm-up (1 iterations) within 500 ms (iterationTimeoutSeconds: 0.5 x 1 iterations)",
    );
    expect(bench?.error).toContain(
      "raise iterationTimeoutSeconds under the benchmark's `workload:` in perf-gate.yml; otherwise look for a hang",
    );
    // What the CLI and the Action show: perf-gate.yml keys only, never the API's names.
    expect(bench?.error).not.toMatch(/TimeoutMs|workerWorkload/);
    // The worker's grandchild (hang.py starts one in setup) was stopped with it.
    for (const side of ['base', 'head'] as const) {
      const grandchild = bench?.ran[side]?.extra.grandchildPid;
      expect(typeof grandchild).toBe('number');
      expect(isGone(grandchild as number)).toBe(true);
    }
  });

  it('without iterationTimeoutSeconds, a run timeout says how to set one', () => {
    const who = { side: 'head', pid: 7, command: 'python w.py', cwd: '/repo' };
    const limit = defaultRunLimit(
      60_000,
      '10 x the slowest iteration seen x 5 iterations, at least 60 s',
    );
    const message = timedOut(who, "'result' of run (5 iterations)", limit, 3000, '').message;
    expect(message).toContain(
      'within 60 s (the default run limit: 10 x the slowest iteration seen x 5 iterations, at least 60 s)',
    );
    expect(message).toContain(
      "set iterationTimeoutSeconds under the benchmark's `workload:` in perf-gate.yml to give each iteration a fixed limit",
    );
    expect(message).not.toMatch(/startupTimeoutMs|default run timeout/);
  });

  it('the API and perf-gate.yml share one startup default', () => {
    expect(DEFAULT_STARTUP_TIMEOUT_MS).toBe(DEFAULT_WORKER_STARTUP_TIMEOUT_SECONDS * 1000);
  });
});
