import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/index.js';
import { errorShares, GATE_ERROR_RATE } from '../src/gate/measure/error-budget.js';
import { plannedLooks } from '../src/gate/measure/looks.js';
import { processPlan, verdictsOf } from '../src/gate/plan.js';
import { plan } from './fixtures/plan.js';

const CONFIG = `version: 1
benchmarks:
  - name: onnx-model
    metrics: [latency, memory]
    workload: { kind: onnx, model: m.onnx }
  - name: torch-model
    metrics: [latency, memory, throughput]
    workload: { kind: worker, command: python3 worker.py }
  - name: own-harness
    metrics: [latency]
    workload: { kind: samples, command: ./bench.sh, output: samples.json }
`;

describe("the run's 5% false-alarm budget, shared by its verdicts", () => {
  const config = parseConfig(CONFIG, 'perf-gate.yml');

  it('counts latency and throughput of a benchmark as one verdict, memory as a lighter one', () => {
    expect(verdictsOf(config.benchmarks)).toEqual({ count: 5, weight: 3.2 });
  });

  it("gives shares that add up to the run's 5%", () => {
    const shares = errorShares(verdictsOf(config.benchmarks).weight);
    expect(shares.latency).toBeCloseTo(GATE_ERROR_RATE / 3.2, 12);
    expect(shares.throughput).toBe(shares.latency);
    expect(shares.memory).toBeCloseTo(shares.latency / 10, 12);
    // 3 latency verdicts and 2 memory verdicts in this config.
    expect(3 * shares.latency + 2 * shares.memory).toBeCloseTo(GATE_ERROR_RATE, 12);
  });

  it('restarts onnx sessions and workers every 2 rounds, one pair at a time, by default; a samples round is its own process', () => {
    const [onnx, worker, samples] = config.benchmarks;
    const every2 = { restartEveryRounds: 2, roundsPerProcess: 2, pairsAtOnce: 1 };
    expect(processPlan(onnx!)).toEqual(every2);
    expect(processPlan(worker!)).toEqual(every2);
    expect(processPlan(samples!)).toEqual({
      restartEveryRounds: 0,
      roundsPerProcess: 1,
      pairsAtOnce: 1,
    });
  });
});

describe('plannedLooks: where a verdict may stop', () => {
  const workload = { kind: 'worker' as const, open: () => Promise.reject(new Error('unused')) };

  it('looks at each pair that ends a process pair, from the second, up to the horizon', () => {
    expect(
      plannedLooks(plan(workload, { restartEveryRounds: 4, roundsPerProcess: 4 }), 24),
    ).toEqual([8, 12, 16, 20, 24]);
    expect(
      plannedLooks(plan(workload, { restartEveryRounds: 2, roundsPerProcess: 2 }), 12),
    ).toEqual([4, 6, 8, 10, 12]);
  });

  it('keeps at most 12 looks, the first and the horizon included', () => {
    const looks = plannedLooks(plan(workload, { restartEveryRounds: 2, roundsPerProcess: 2 }), 80);
    expect(looks).toHaveLength(12);
    expect(looks[0]).toBe(4);
    expect(looks.at(-1)).toBe(80);
  });
});
