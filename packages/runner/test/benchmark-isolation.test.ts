import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { measureBenchmark } from '../src/gate/measure/measure-benchmark.js';
import type { GateResults } from '../src/results/types.js';
import type { Workload } from '../src/workloads/types.js';
import { plan } from './fixtures/plan.js';
import { repository, runGateOn } from './fixtures/repository.js';

/**
 * One benchmark's failure, however unexpected, fails that benchmark alone:
 * the benchmarks after it still run, and the results list every one.
 */

let repo: ReturnType<typeof repository>;
beforeEach(() => {
  repo = repository('perf-gate-isolation-');
});
afterEach(() => repo.remove());

/** A samples script that writes `samples` (JSON text) as its file. */
const writes = (samples: string) =>
  `printf '{"version": 1, "samples": [${samples}]}' > "$PERF_GATE_SAMPLES_OUTPUT"\n`;

const GOOD = `  - name: good
    metrics: [latency]
    budget: { maxRounds: 4 }
    workload: { kind: samples, command: sh good.sh, output: s.json }
`;

async function gate(firstBenchmark: string): Promise<GateResults> {
  const config = `version: 1\nbenchmarks:\n${firstBenchmark}${GOOD}`;
  const files = {
    'perf-gate.yml': config,
    'bad.sh': writes('1.5, 1e999, 2'),
    'good.sh': writes('1.0, 1.1, 1.2, 0.9, 1.05'),
  };
  repo.commit(files, 'base');
  repo.commit({ 'a.txt': 'a' }, 'head');
  return runGateOn(repo.dir, config);
}

function expectSecondMeasured(results: GateResults): void {
  expect(results.benchmarks.map((b) => b.name)).toEqual(['bad', 'good']);
  expect(results.status).toBe('complete');
  const good = results.benchmarks[1];
  expect(good?.status).toBe('complete');
  expect(good?.samples?.latency?.head.length).toBeGreaterThan(0);
}

describe('runGate: a benchmark that fails does not take the others with it', () => {
  it('a samples file holding Infinity (1e999) fails its benchmark, naming file, index and value', async () => {
    const results = await gate(`  - name: bad
    metrics: [latency]
    workload: { kind: samples, command: sh bad.sh, output: s.json }
`);
    const bad = results.benchmarks[0];
    expect(bad?.status).toBe('failed');
    expect(bad?.error).toMatch(/the samples file \/.*\/s\.json has samples\[1\] = Infinity/);
    expect(bad?.error).toContain('The samples command must write { "version": 1, "samples": [');
    expectSecondMeasured(results);
  });

  it('a failure outside the measuring (a setup command that fails) fails that benchmark only', async () => {
    // A blank command no longer gets this far: the config check rejects it (config.test.ts).
    const results = await gate(`  - name: bad
    metrics: [latency]
    setup: "echo preparing; exit 3"
    workload: { kind: samples, command: sh good.sh, output: s.json }
`);
    const bad = results.benchmarks[0];
    expect(bad?.status).toBe('failed');
    expect(bad?.error).toMatch(
      /^the base setup command "echo preparing; exit 3" failed in \/.*: it exited with code 3\. Its output below usually says why\./,
    );
    expect(bad?.error).toContain('  | preparing');
    expectSecondMeasured(results);
  });
});

describe('measureBenchmark: samples the statistics reject', () => {
  it('end in a failed result that keeps them, not in a throw', async () => {
    // An in-process workload: nothing to spawn, samples chosen to break summarize().
    const workload: Workload = {
      kind: 'samples',
      open: async () => ({
        info: {
          framework: 'test',
          frameworkVersion: null,
          device: null,
          dtype: null,
          itemsPerIteration: null,
          extra: {},
        },
        pid: process.pid,
        warmup: async () => undefined,
        run: async () => ({
          samples: [1, Number.POSITIVE_INFINITY, 2].map((ms) => ({ hostMs: ms, deviceMs: null })),
          memory: [],
        }),
        close: async () => undefined,
      }),
    };
    const result = await measureBenchmark(
      plan(workload, {
        name: 'infinite',
        thresholds: { latency: 0.02, memory: 0.05, throughput: 0.02 },
        warmupIterations: 0,
        maxRounds: 4,
      }),
      { base: '.', head: '.' },
      () => undefined,
    );
    expect(result.status).toBe('failed');
    expect(result.error).toContain('latency samples could not be compared');
    expect(result.samples?.latency?.base).toContain(Number.POSITIVE_INFINITY);
  });
});
