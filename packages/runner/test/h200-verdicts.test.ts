import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compareAll } from '../src/gate/measure/verdicts.js';
import { readResults } from '../src/results/io.js';
import type { BenchmarkResult, MetricResult } from '../src/results/types.js';

/**
 * The latency verdicts the shipped Action reached on an NVIDIA H200 since the
 * verdict's redesign (docs/validation.md: the A/A and +3% runs the verdicts
 * issue counts, and the diagnosis runs beside them), re-decided from the samples
 * their results files keep, at the level each file says its last look used. A
 * user can re-check a verdict from its file this way; and a change to the
 * interval or the verdict rule that would decide these real runs differently at
 * their last look fails here. (Which looks are planned, and at what levels, is
 * the simulation's to replay: packages/timing/bench/simulate-gate.mjs.)
 */
const runs = fileURLToPath(
  new URL('../../../examples/vggt-torch/validation/runs', import.meta.url),
);
const DIRS = [
  'verdicts-h200',
  'pairs-h200',
  'what-ran-h200',
  'what-ran2-h200',
  'counts-h200',
  'more-h200',
  'one-percent-h200',
  'uniform-h200',
];

interface Recorded {
  label: string;
  benchmark: BenchmarkResult;
  latency: MetricResult;
}

async function recorded(): Promise<Recorded[]> {
  const out: Recorded[] = [];
  for (const dir of DIRS)
    for (const file of readdirSync(join(runs, dir)).filter((f) => f.endsWith('.results.json'))) {
      const benchmark = (await readResults(join(runs, dir, file))).benchmarks[0]!;
      const latency = benchmark.metrics.find((m) => m.metric === 'latency');
      // Runs that stopped before a verdict (out of memory, a busy GPU refused) have none to re-decide.
      if (latency?.interval && benchmark.samples?.latency)
        out.push({ label: file, benchmark, latency });
    }
  return out;
}

function redecide({ benchmark, latency }: Recorded) {
  const method = latency.intervalMethod!;
  const series = benchmark.samples!.latency!;
  const comparisons = compareAll(
    {
      metrics: ['latency'],
      thresholds: { latency: latency.threshold!, memory: 0, throughput: 0 },
      errorRates: { latency: 0, memory: 0, throughput: 0 },
      noiseFloor: method.noiseFloor,
      roundsPerProcess: method.roundsPerCluster,
    },
    { latency: series, memory: series, throughput: series },
    { latency: { levelAt: () => latency.interval!.level } },
  );
  return comparisons.latency!;
}

describe('H200 runs re-decided from their results files', () => {
  it('reach the verdict, change and interval each run reported', async () => {
    const all = await recorded();
    // The 30 default-config runs validation.md counts, 6 at a 0.5% threshold, and 10
    // diagnosis runs beside them.
    expect(all.length).toBe(46);
    for (const run of all) {
      const again = redecide(run);
      expect(again.verdict, run.label).toBe(run.latency.verdict);
      expect(again.ratio, run.label).toBeCloseTo(run.latency.ratio!, 12);
      expect(again.interval.lower, run.label).toBeCloseTo(run.latency.interval!.lower, 12);
      expect(again.interval.upper, run.label).toBeCloseTo(run.latency.interval!.upper, 12);
    }
  });
});
