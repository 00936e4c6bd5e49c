import type { MetricName } from '../../results/types.js';

/** The run's overall false-alarm budget: 5%, shared by all its verdicts. */
export const GATE_ERROR_RATE = 0.05;

/**
 * A memory verdict's weight against a latency verdict's. Peak VRAM repeats
 * to the byte across turns of the same code, so a small share hardly widens
 * its interval; latency, the noisy metric, gets most of the budget.
 */
export const MEMORY_ERROR_WEIGHT = 0.1;

/**
 * Each metric's share of the run's 5% (weighted Bonferroni): every look of
 * every verdict then holds at once with 95%. At 95% per verdict instead, a
 * run of 30 benchmarks would fail about 26% of unchanged PRs on some metric.
 * `weight` is the run's total: latency verdicts count 1, memory ones
 * `MEMORY_ERROR_WEIGHT`.
 */
export function errorShares(weight: number): Record<MetricName, number> {
  const latency = GATE_ERROR_RATE / Math.max(weight, 1);
  return { latency, throughput: latency, memory: latency * MEMORY_ERROR_WEIGHT };
}
