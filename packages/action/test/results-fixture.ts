import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchmarkResult, GateResults } from '@vggt-perf-gate/runner';

/** One benchmark's result, latency and peak VRAM, as the runner writes it. */
export function benchmark(name: string, latencyRatio = 1.001): BenchmarkResult {
  const regression = latencyRatio > 1.05;
  return {
    name,
    workload: 'worker',
    status: 'complete',
    error: null,
    dtype: {
      requested: 'auto',
      resolved: 'bf16',
      explanation: 'auto -> bf16: compute capability 8.9',
    },
    ran: {
      base: {
        framework: 'torch',
        frameworkVersion: '2.11.0',
        device: 'cuda:0 NVIDIA GeForce RTX 4090',
        dtype: 'bf16',
        itemsPerIteration: 20,
        extra: {},
      },
      head: {
        framework: 'torch',
        frameworkVersion: '2.11.0',
        device: 'cuda:0 NVIDIA GeForce RTX 4090',
        dtype: 'bf16',
        itemsPerIteration: 20,
        extra: {},
      },
    },
    rounds: 8,
    stopReason: 'decided',
    seconds: 40,
    processes: 2,
    throttledRounds: [],
    warnings: [],
    memory: { base: null, head: null },
    metrics: [
      {
        metric: 'latency',
        unit: 'ms',
        base: { count: 40, median: 765, p5: 760, p95: 771 },
        head: {
          count: 40,
          median: 765 * latencyRatio,
          p5: 760 * latencyRatio,
          p95: 771 * latencyRatio,
        },
        ratio: latencyRatio,
        interval: { lower: latencyRatio - 0.004, upper: latencyRatio + 0.004, level: 0.95 },
        threshold: 0.02,
        verdict: regression ? 'regression' : 'unchanged',
        explanation: regression
          ? 'regression: the whole interval is above +2%'
          : 'unchanged: within ±2%',
      },
      {
        metric: 'memory',
        unit: 'bytes',
        base: { count: 8, median: 3.6 * 2 ** 30, p5: 3.6 * 2 ** 30, p95: 3.6 * 2 ** 30 },
        head: { count: 8, median: 3.6 * 2 ** 30, p5: 3.6 * 2 ** 30, p95: 3.6 * 2 ** 30 },
        ratio: 1,
        interval: { lower: 1, upper: 1, level: 0.95 },
        threshold: 0.05,
        verdict: 'unchanged',
        explanation: 'unchanged: within ±5%',
      },
    ],
  };
}

export function gateResults(
  benchmarks: BenchmarkResult[],
  shard: string | null = null,
): GateResults {
  const regressions = benchmarks
    .flatMap((b) => b.metrics)
    .filter((m) => m.verdict === 'regression').length;
  return {
    schemaVersion: 1,
    tool: { name: 'vggt-perf-gate', version: '0.0.0' },
    createdAt: '2026-11-23T08:05:00.000Z',
    configHash: '5f0c2d9a1b7e',
    commits: {
      base: {
        ref: '4b825dc642cb6eb9a060e54bf8d69288fbee4904',
        sha: '4b825dc642cb6eb9a060e54bf8d69288fbee4904',
      },
      head: { ref: 'working tree', sha: 'c0ffee1234567890abcdef1234567890abcdef12', dirty: false },
    },
    device: {
      state: 'ok',
      name: 'NVIDIA GeForce RTX 4090',
      computeCapability: '8.9',
      driver: '580.95.05',
      source: 'nvml',
    },
    status: 'complete',
    verdict: regressions > 0 ? 'regression' : 'pass',
    regressions,
    benchmarks,
    warnings: [],
    shard,
  };
}

export function writeResultsFile(dir: string, name: string, results: GateResults): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(results, null, 2));
  return path;
}
