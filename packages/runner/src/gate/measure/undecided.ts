import { type Comparison, formatChange } from '@vggt-perf-gate/timing';
import { MAX_ROUNDS, MAX_SECONDS } from '../../config/schema.js';
import type { BenchmarkResult, MetricName } from '../../results/types.js';

/** What a limit-stopped run had spent, and the limits it ran under. */
export interface Spent {
  /** Seconds from the first worker start to the last timed round. */
  seconds: number;
  /** Of those, the first start and warm-up: a longer budget does not repeat them. */
  startupSeconds: number;
  rounds: number;
  maxSeconds: number;
  maxRounds: number;
}

/** Suggested budgets are rounded up to this many seconds. */
const SECONDS_STEP = 10;

/**
 * The warning for a benchmark that its time or round limit stopped with a
 * verdict undecided: which metrics, and about what budget would likely decide
 * them at this run's pace. On a noisy model (VGGT-1B with its host reads) a
 * real +3% often ends so, and "raise budget.maxSeconds" alone does not say
 * by how much. The size comes from the square-root rule compare() gives each
 * undecided verdict (`moreSamples`); it leaves out that the interval's
 * t-quantile falls as pairs are added, so it errs long. None is given for a
 * change that sits on its threshold, or for rounds of one process pair (no
 * verdict before a second). Null when nothing is undecided or no limit
 * stopped the run.
 *
 * @example
 * undecidedWarning('max-time', comparisons, {
 *   seconds: 182, startupSeconds: 7, rounds: 26, maxSeconds: 180, maxRounds: 40,
 * });
 * // 'undecided at the time limit (180 s; stopped at 182 s): latency +3.02% [+1.99%, +4.06%]
 * //  against ±2%; throughput … At this run's pace about 240 s would likely decide them:
 * //  budget.maxSeconds: 240.'
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
      ? `the time limit (${spent.maxSeconds} s; stopped at ${spent.seconds.toFixed(0)} s)`
      : `the round limit (${spent.maxRounds} rounds)`;
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
    return 'Its rounds all came from one process pair, and a verdict needs at least two: give the budget room for a second.';
  const growths = open.map(([, c]) => growth(c));
  const onThreshold = open.filter((_, i) => growths[i] === null).map(([metric]) => metric);
  if (onThreshold.length > 0)
    return `More time is unlikely to decide ${onThreshold.join(' and ')}: the change is about the threshold's size. A threshold further from it, or a quieter step, would.`;
  const need = needed(Math.max(...(growths as number[])), spent);
  const it = open.length === 1 ? 'it' : 'them';
  if (need.seconds > MAX_SECONDS || need.rounds > MAX_ROUNDS)
    return `Deciding ${it} would take more than the largest budget: a threshold further from the change, or a quieter step, would.`;
  if (stopReason === 'max-time') {
    // A run can stop at its last planned look before the limit: still a longer budget.
    const seconds = Math.max(need.seconds, roundUp(spent.maxSeconds + 1));
    return `At this run's pace about ${seconds} s would likely decide ${it}: budget.maxSeconds: ${seconds}.`;
  }
  const rounds = Math.max(need.rounds, spent.maxRounds + 2);
  const time =
    need.seconds > spent.maxSeconds
      ? `, and budget.maxSeconds: ${need.seconds}, the time they take at this run's pace`
      : '';
  return `About ${rounds} rounds would likely decide ${it}: budget.maxRounds: ${rounds}${time}.`;
}

/** Rounds and seconds for `factor` times the rounds so far; the first start is not repeated. */
function needed(factor: number, spent: Spent): { seconds: number; rounds: number } {
  const measuring = spent.seconds - spent.startupSeconds;
  return {
    seconds: roundUp(spent.startupSeconds + measuring * factor),
    rounds: Math.ceil((spent.rounds * factor) / 2) * 2,
  };
}

function roundUp(seconds: number): number {
  return Math.ceil(seconds / SECONDS_STEP) * SECONDS_STEP;
}

/**
 * How many times the samples so far a verdict likely needs (compare()'s
 * perSide is over the same count, so units cancel); null on its threshold.
 */
function growth(c: Comparison): number | null {
  const perSide = c.moreSamples?.perSide ?? null;
  const now = Math.max(c.base.count, c.head.count);
  if (perSide === null || now === 0) return null;
  return perSide / now;
}
