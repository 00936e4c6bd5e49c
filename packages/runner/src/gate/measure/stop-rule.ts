import type { StopRule } from '@vggt-perf-gate/timing';
import type { Measuring } from './state.js';

/** Why measuring a benchmark stopped when it stopped on its own (not failed, not interrupted). */
export type RoundsStopReason = 'decided' | 'max-rounds' | 'max-time';

/**
 * Decides, after each ABBA pair of rounds, whether a benchmark's measuring
 * stops. Given the measurement so far (the comparisons, the planned looks),
 * it returns timing's StopRule; measureBenchmark takes another through
 * `MeasureOptions.stopRule`, and the time and round budgets stop a run
 * whatever the rule says.
 *
 * @example
 * // Stop after the first pair past 10 rounds, whatever the verdicts say.
 * const tenRounds: BenchmarkStopRule = () => ({
 *   shouldStop: ({ rounds }) => (rounds >= 10 ? 'max-rounds' : null),
 * });
 * await measureBenchmark(plan, dirs, console.log, { stopRule: tenRounds });
 */
export type BenchmarkStopRule = (m: Readonly<Measuring>) => StopRule<RoundsStopReason>;

/**
 * The gate's rule: stop only at a planned look (looks.ts), where the
 * interval's level is what keeps stopping early honest, and there once every
 * metric is decided; at the plan's last look the budget it was planned for
 * is spent, so the run ends there undecided, naming the limit.
 */
export const stopAtPlannedLooks: BenchmarkStopRule = (m) => ({
  shouldStop: ({ rounds }) => {
    const looks = m.looks ? Object.values(m.looks)[0]!.looks : [];
    if (!looks.includes(rounds)) return null;
    if (Object.values(m.comparisons).every((c) => c.verdict !== 'inconclusive')) return 'decided';
    if (rounds === looks[looks.length - 1])
      return rounds >= m.plan.maxRounds ? 'max-rounds' : 'max-time';
    return null;
  },
});
