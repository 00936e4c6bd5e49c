import { describe, expect, it } from 'vitest';
import { mergeResults } from '../src/results/merge.js';
import type { GateResults } from '../src/results/types.js';
import { benchmarkResult, noGpuResults } from './fixtures/results.js';

function shard(name: string, device: string, benchmark: string): GateResults {
  return noGpuResults({
    createdAt: '2026-11-23T00:00:00.000Z',
    configHash: 'h',
    commits: {
      base: { ref: 'main', sha: null },
      head: { ref: 'working tree', sha: null, dirty: false },
    },
    device: { state: 'ok', name: device, computeCapability: '8.9', driver: '580', source: 'nvml' },
    benchmarks: [benchmarkResult({ name: benchmark, seconds: 1, processes: 2 })],
    shard: name,
  });
}

describe('merging matrix shards', () => {
  it('joins the benchmarks and says when shards measured on different GPUs', () => {
    const merged = mergeResults([
      shard('a', 'NVIDIA GeForce RTX 4090', 'fwd-10f'),
      shard('b', 'NVIDIA GeForce RTX 3090', 'fwd-20f'),
    ]);
    expect(merged.benchmarks.map((b) => b.name)).toEqual(['fwd-10f', 'fwd-20f']);
    expect(merged.warnings).toEqual([
      "shards ran on different devices: NVIDIA GeForce RTX 4090 (a); NVIDIA GeForce RTX 3090 (b); each benchmark's base and head still shared one",
    ]);
    expect(
      mergeResults([shard('a', 'RTX 4090', 'x'), shard('b', 'RTX 4090', 'y')]).warnings,
    ).toEqual([]);
  });

  it('refuses a benchmark that two shards both ran', () => {
    expect(() => mergeResults([shard('a', 'g', 'x'), shard('b', 'g', 'x')])).toThrow(
      'benchmark "x" appears in two shards (a and b)',
    );
  });

  it('keeps names from the files on one line in its error (a CI log would read a new line)', () => {
    const name = 'x\n::error::injected';
    expect(() => mergeResults([shard('a\nb', 'g', name), shard('c', 'g', name)])).toThrow(
      'benchmark "x\\n::error::injected" appears in two shards (a\\nb and c)',
    );
  });
});
