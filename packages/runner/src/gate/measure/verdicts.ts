import { type Comparison, compare, formatChange, type LookPlan } from '@vggt-perf-gate/timing';
import { RunnerError } from '../../errors.js';
import { HIGHER_IS_BETTER, type MetricName } from '../../results/types.js';
import { GATE_ERROR_RATE } from './error-budget.js';
import { clusterOfRound } from './looks.js';
import type { BenchmarkPlan } from './plan.js';
import type { Series } from './state.js';

/** What the verdicts read of a benchmark's plan. */
export type VerdictPlan = Pick<
  BenchmarkPlan,
  'metrics' | 'thresholds' | 'errorRates' | 'noiseFloor' | 'roundsPerProcess'
>;

/**
 * Each metric's comparison of the samples so far, at the level its looks
 * give for this many rounds (or, before they are planned, its share of the
 * error rate: an estimate for display that no look decides on).
 */
export function compareAll(
  plan: VerdictPlan,
  series: Record<MetricName, Series>,
  looks: Partial<Record<MetricName, Pick<LookPlan, 'levelAt'>>> | null,
): Partial<Record<MetricName, Comparison>> {
  const out: Partial<Record<MetricName, Comparison>> = {};
  const clusterOf = clusterOfRound(plan);
  for (const metric of plan.metrics) {
    const s = series[metric];
    if (s.base.length < 2 || s.head.length < 2) continue;
    const rounds = Math.max(0, ...s.baseRounds, ...s.headRounds) + 1;
    try {
      out[metric] = compare(s.base, s.head, {
        threshold: plan.thresholds[metric],
        // Before the looks are planned no verdict can stop the run: the estimate is for display.
        confidence: looks?.[metric]?.levelAt(rounds) ?? 1 - plan.errorRates[metric],
        // Every look and verdict of the run together hold with 95%: what the report names.
        overallConfidence: 1 - GATE_ERROR_RATE,
        higherIsBetter: HIGHER_IS_BETTER[metric],
        rounds: {
          base: s.baseRounds,
          head: s.headRounds,
          clusterOf,
          // Peak VRAM repeats to the byte: the runner's timing noise says nothing about it.
          ...(plan.noiseFloor && metric !== 'memory'
            ? { minClusterSd: plan.noiseFloor.betweenPairSd }
            : {}),
        },
      });
    } catch (cause) {
      throw new RunnerError(
        'WORKLOAD_FAILED',
        `${metric} samples could not be compared: ${(cause as Error).message}`,
        { cause },
      );
    }
  }
  return out;
}

export function describe(comparisons: Partial<Record<MetricName, Comparison>>): string {
  return Object.entries(comparisons)
    .map(
      ([metric, c]) =>
        `${metric} ${formatChange(c.ratio)} [${formatChange(c.interval.lower)}, ${formatChange(c.interval.upper)}] ${c.verdict}`,
    )
    .join('; ');
}
