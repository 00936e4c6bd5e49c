import { describe, expect, it } from 'vitest';
import { howMeasured } from '../src/report/format.js';
import { renderHtml } from '../src/report/html.js';
import { renderMarkdown } from '../src/report/markdown.js';
import { renderTerminal } from '../src/report/terminal.js';
import type { BenchmarkResult, GateResults, MetricResult } from '../src/results/types.js';
import { benchmarkResult, noGpuResults } from './fixtures/results.js';

const latency = (verdict: MetricResult['verdict']): MetricResult => ({
  metric: 'latency',
  unit: 'ms',
  base: { count: 60, median: 340, p5: 338, p95: 352 },
  head: { count: 60, median: 341, p5: 338, p95: 353 },
  ratio: 1.003,
  interval: { lower: 0.99, upper: 1.016, level: 0.9918 },
  intervalMethod: {
    clusters: 6,
    pairedRounds: 12,
    roundsPerCluster: 2,
    confidence: 0.9545,
    verdicts: 2,
    looks: 11,
    shape: 'pocock',
  },
  threshold: 0.02,
  verdict,
  explanation: '',
});

const benchmark = (over: Partial<BenchmarkResult>): BenchmarkResult =>
  benchmarkResult({
    dtype: { requested: 'auto', resolved: 'bf16', explanation: 'auto -> bf16' },
    rounds: 12,
    seconds: 70.4,
    verdictSeconds: 52.3,
    processes: 6,
    timing: { warmupIterations: 3, clock: 'device' },
    metrics: [latency('unchanged')],
    ...over,
  });

const results = (b: BenchmarkResult): GateResults =>
  noGpuResults({
    createdAt: '2026-12-01T00:00:00.000Z',
    configHash: 'x',
    commits: {
      base: { ref: 'main', sha: null },
      head: { ref: 'working tree', sha: null, dirty: false },
    },
    device: { state: 'no-gpu', reason: 'test' },
    benchmarks: [b],
  });

describe('howMeasured: how a verdict was reached, in every report', () => {
  it('counts rounds, iterations per turn and process pairs, and says what the interval holds over', () => {
    expect(howMeasured(benchmark({}))).toBe(
      "12 rounds of 5 iterations per side, 6 process pairs, each process after 3 warm-up iterations per side, timed on the device that ran the work (CUDA events on a GPU, the host clock on a CPU); stopped once every verdict was decided (52 s); each interval paired by round and counted over process pairs (5 degrees of freedom), and it holds with 95% over the run's 11 planned looks and 2 verdicts at once",
    );
  });

  it('names the limit that stopped an undecided benchmark and the key to raise', () => {
    const timedOut = benchmark({ stopReason: 'max-time', metrics: [latency('inconclusive')] });
    expect(howMeasured(timedOut)).toMatch(
      /stopped undecided by the time limit: raise budget\.maxSeconds/,
    );
    const rounds = benchmark({ stopReason: 'max-rounds', metrics: [latency('inconclusive')] });
    expect(howMeasured(rounds)).toMatch(/raise budget\.maxRounds/);
    // A limit that ends a decided run is not blamed.
    expect(howMeasured(benchmark({ stopReason: 'max-time' }))).toMatch(
      /stopped at its budget, decided/,
    );
  });

  it('is in the comment, the page and the terminal, and absent for a failed benchmark', () => {
    const r = results(benchmark({ stopReason: 'max-time', metrics: [latency('inconclusive')] }));
    for (const text of [renderMarkdown(r), renderHtml(r), renderTerminal(r)])
      expect(text).toContain('raise budget.maxSeconds');
    expect(howMeasured(benchmark({ status: 'failed', error: 'boom' }))).toBeNull();
  });

  it('reads results from before processes and the interval method were recorded', () => {
    const { processes: _, timing: __, ...old } = benchmark({});
    const text = howMeasured({
      ...(old as BenchmarkResult),
      metrics: [{ ...latency('unchanged'), intervalMethod: undefined }],
    });
    expect(text).toBe(
      '12 rounds of 5 iterations per side; stopped once every verdict was decided (52 s)',
    );
  });
});
