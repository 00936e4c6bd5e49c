import { type Comparison, formatChange } from '@vggt-perf-gate/timing';
import type { BenchmarkResult, MetricName } from '../../results/types.js';

/** What a limit-stopped run had spent: measuring seconds and rounds. */
export interface Spent {
  seconds: number;
  rounds: number;
}

/** Suggested budgets are rounded up to this many seconds. */
const SECONDS_STEP = 10;

/**
 * The warning for a benchmark that its time or round limit stopped with a
 * verdict undecided: which metrics, and about what budget would likely decide
 * them at this run's pace. On a noisy model (VGGT-1B with its host reads) a
 * real +3% often ends so, and "raise budget.maxSeconds" alone does not say
 * by how much. The estimate is the square-root rule compare() gives each
 * undecided verdict (`moreSamples`): a likely size, not a promise, and none at
 * all for a change that sits on its threshold, or for rounds of one process
 * pair (no verdict before a second). Null when nothing is undecided
 * or no limit stopped the run.
 *
 * @example
 * undecidedWarning('max-time', comparisons, { seconds: 182, rounds: 26 }, 180);
 * // 'undecided at the time limit (182 s): latency +3.02% [+1.99%, +4.06%] against ±2%. At this
 * //  run's pace about 230 s would likely decide it: budget.maxSeconds: 230.'
 */
export function undecidedWarning(
  stopReason: BenchmarkResult['stopReason'],
  comparisons: Partial<Record<MetricName, Comparison>>,
  spent: Spent,
): string | null {
  if (stopReason !== 'max-time' && stopReason !== 'max-rounds') return null;
  const open = Object.entries(comparisons).filter(([, c]) => c.verdict === 'inconclusive');
  if (open.length === 0) return null;
  const limit =
    stopReason === 'max-time'
      ? `the time limit (${spent.seconds.toFixed(0)} s)`
      : `the round limit (${spent.rounds} rounds)`;
  const which = open.map(([metric, c]) => `${metric} ${describe(c)}`).join('; ');
  return `undecided at ${limit}: ${which}. ${advice(stopReason, open, spent)}`;
}

function describe(c: Comparison): string {
  return `${formatChange(c.ratio)} [${formatChange(c.interval.lower)}, ${formatChange(c.interval.upper)}] against ±${+(c.threshold * 100).toFixed(2)}%`;
}

/** How much longer, from the slowest of the undecided verdicts to decide. */
function advice(
  stopReason: 'max-time' | 'max-rounds',
  open: [string, Comparison][],
  spent: Spent,
): string {
  if (open.some(([, c]) => c.intervalBasis === 'rounds' && c.paired === null))
    return 'Its rounds all came from one worker process pair, and a verdict needs at least two: give the budget room for a restart, or restart sooner (workload.restartEveryRounds).';
  const growths = open.map(([, c]) => growth(c));
  const onThreshold = open.filter((_, i) => growths[i] === null).map(([metric]) => metric);
  if (onThreshold.length > 0)
    return `More time is unlikely to decide ${onThreshold.join(' and ')}: the change is about the threshold's size. A threshold further from it, or a quieter step, would.`;
  const factor = Math.max(...(growths as number[]));
  const it = open.length === 1 ? 'it' : 'them';
  if (stopReason === 'max-time') {
    const seconds = Math.ceil((spent.seconds * factor) / SECONDS_STEP) * SECONDS_STEP;
    return `At this run's pace about ${seconds} s would likely decide ${it}: budget.maxSeconds: ${seconds}.`;
  }
  const rounds = Math.ceil((spent.rounds * factor) / 2) * 2;
  return `About ${rounds} rounds would likely decide ${it}: budget.maxRounds: ${rounds}.`;
}

/** How many times the samples so far a verdict likely needs; null on its threshold. */
function growth(c: Comparison): number | null {
  const perSide = c.moreSamples?.perSide ?? null;
  const now = Math.max(c.base.count, c.head.count);
  if (perSide === null || now === 0) return null;
  return Math.max(1, perSide / now);
}
