import { studentTQuantile } from './distributions.js';
import { invalidOption } from './errors.js';

/**
 * Rounds as the unit of an interleaved comparison. In each round both sides
 * took a turn back to back, so one round gives one paired observation: the
 * log of head's turn level over base's. Turns are summarised by the mean of
 * their log times without the fastest and the slowest (with 3 or more), so
 * one stray iteration does not move a round, while a turn that is slow as a
 * whole (a slow state of the GPU or the host lasting seconds) still counts.
 *
 * Rounds of one worker process (or one session) are not independent: they
 * share the process's offset and a slow state can last several turns. So the
 * interval is cluster-robust (CR1) over the clusters the caller names, with
 * Student's t on (clusters - 1) degrees of freedom: the process pair, not the
 * round, is what the number of independent observations counts. Its standard
 * error is never below the one that treats rounds as independent: with two
 * or three clusters, two that agree by chance would otherwise give an
 * interval narrower than the rounds' own spread allows.
 */
export interface PairedRounds {
  /** Per round with both sides: log(head level / base level), in round order. */
  logRatios: number[];
  /** The round number of each entry. */
  rounds: number[];
  /** The cluster (process pair) of each entry. */
  clusters: number[];
}

/**
 * The result of `clusteredInterval()`: the head/base ratio and its interval
 * (`lower`, `upper`, on the ratio scale), with what they were computed from.
 */
export interface ClusteredInterval {
  /** exp(mean log ratio): the change's estimate, head over base. */
  ratio: number;
  lower: number;
  upper: number;
  /** Clusters that had at least one paired round. */
  clusters: number;
  rounds: number;
  /** Degrees of freedom of the t quantile: clusters - 1. */
  df: number;
  /**
   * The standard error of the mean log ratio: the largest of the
   * cluster-robust one, the per-round one and the floor (`minClusterSd`).
   */
  standardError: number;
  /** Standard deviation of the per-round log ratios: the run's round-to-round noise. */
  perRoundSd: number;
  /** Standard deviation of the clusters' mean log ratios (those of the usual size): the noise between process pairs. */
  betweenClusterSd: number;
  /** True when `minClusterSd` set the standard error: the run's own spread was narrower. */
  floored: boolean;
}

/** What clusteredInterval may be given besides the rounds and the level. */
export interface ClusteredIntervalOptions {
  /**
   * A floor for the spread between clusters' means (log scale), e.g. what a
   * runner's A/A calibration runs measured: the standard error is never
   * below `minClusterSd / sqrt(clusters)`. A floor only widens the interval,
   * so it can lower the false-alarm rate, never raise it; it keeps a run whose
   * few process pairs agreed by chance from claiming more than the runner's
   * noise allows.
   */
  minClusterSd?: number;
}

/**
 * Pairs the two sides' samples by round and summarises each turn.
 * `clusterOf(round)` names the cluster of a round; without it every round is
 * its own cluster. Rounds with samples on one side only are left out.
 *
 * @example
 * const paired = pairRounds(base, head, { base: baseRounds, head: headRounds }, (r) => Math.floor(r / 2));
 * paired.logRatios.length; // rounds with both sides
 */
export function pairRounds(
  base: readonly number[],
  head: readonly number[],
  labels: { base: readonly number[]; head: readonly number[] },
  clusterOf: (round: number) => number = (round) => round,
): PairedRounds {
  if (labels.base.length !== base.length || labels.head.length !== head.length) {
    throw invalidOption(
      'rounds',
      `${labels.base.length} base and ${labels.head.length} head labels`,
      `one round label per sample (${base.length} base, ${head.length} head)`,
    );
  }
  const baseTurns = groupByRound(base, labels.base);
  const headTurns = groupByRound(head, labels.head);
  const out: PairedRounds = { logRatios: [], rounds: [], clusters: [] };
  for (const round of [...headTurns.keys()].sort((a, b) => a - b)) {
    const baseTimes = baseTurns.get(round);
    if (!baseTimes) continue;
    const b = turnLevel(baseTimes);
    const h = turnLevel(headTurns.get(round)!);
    if (!Number.isFinite(b) || !Number.isFinite(h)) continue;
    out.logRatios.push(h - b);
    out.rounds.push(round);
    out.clusters.push(clusterOf(round));
  }
  return out;
}

/**
 * The CR1 cluster-robust interval of the mean log ratio at `level`; null
 * with fewer than two clusters (one process pair cannot show how much a
 * process-level offset moves the ratio).
 *
 * @example
 * const i = clusteredInterval(paired, 0.95); // null with one cluster
 * i && [i.lower, i.upper]; // head over base
 */
export function clusteredInterval(
  paired: PairedRounds,
  level: number,
  options: ClusteredIntervalOptions = {},
): ClusteredInterval | null {
  const n = paired.logRatios.length;
  const sums = new Map<number, { deviation: number; count: number }>();
  const centre = paired.logRatios.reduce((a, x) => a + x, 0) / n;
  paired.logRatios.forEach((x, i) => {
    const c = paired.clusters[i]!;
    const sum = sums.get(c) ?? { deviation: 0, count: 0 };
    sums.set(c, { deviation: sum.deviation + (x - centre), count: sum.count + 1 });
  });
  const g = sums.size;
  if (g < 2) return null;
  let squares = 0;
  for (const { deviation } of sums.values()) squares += deviation * deviation;
  let spread = 0;
  for (const x of paired.logRatios) spread += (x - centre) ** 2;
  const perRoundSd = n > 1 ? Math.sqrt(spread / (n - 1)) : 0;
  const betweenClusterSd = fullClusterSd([...sums.values()], centre);
  const own = Math.max(Math.sqrt((g / (g - 1)) * squares) / n, perRoundSd / Math.sqrt(n));
  const floor = (options.minClusterSd ?? 0) / Math.sqrt(g);
  const standardError = Math.max(own, floor);
  const half = studentTQuantile(1 - (1 - level) / 2, g - 1) * standardError;
  return {
    ratio: Math.exp(centre),
    lower: Math.exp(centre - half),
    upper: Math.exp(centre + half),
    clusters: g,
    rounds: n,
    df: g - 1,
    standardError,
    perRoundSd,
    betweenClusterSd,
    floored: floor > own,
  };
}

/**
 * The spread of the clusters' mean log ratios, over the clusters of the
 * usual size: a last cluster cut short (a stop in the middle of a process
 * pair) has a noisier mean, and would pass its extra noise off as the
 * spread between process pairs. All clusters count when fewer than two are
 * of the usual size.
 */
function fullClusterSd(
  clusters: ReadonlyArray<{ deviation: number; count: number }>,
  centre: number,
): number {
  const size = Math.max(...clusters.map((c) => c.count));
  const full = clusters.filter((c) => c.count === size);
  const used = full.length >= 2 ? full : clusters;
  // Deviations are from the overall centre; the spread is around these clusters' own mean.
  const means = used.map((c) => centre + c.deviation / c.count);
  const mean = means.reduce((a, x) => a + x, 0) / means.length;
  return Math.sqrt(means.reduce((a, x) => a + (x - mean) ** 2, 0) / (means.length - 1));
}

/**
 * A turn's level on the log scale: the mean log time, trimmed by one at each end from 3 samples.
 *
 * @example
 * Math.exp(turnLevel([100, 100, 100, 100, 500])); // 100: the slowest iteration dropped
 */
export function turnLevel(times: readonly number[]): number {
  const logs = times.map(Math.log).sort((a, b) => a - b);
  const kept = logs.length >= 3 ? logs.slice(1, -1) : logs;
  return kept.reduce((a, x) => a + x, 0) / kept.length;
}

function groupByRound(values: readonly number[], rounds: readonly number[]) {
  const byRound = new Map<number, number[]>();
  values.forEach((value, i) => {
    if (!(value > 0)) return; // log needs a positive time; summarize() reports bad samples
    const round = rounds[i]!;
    const list = byRound.get(round);
    if (list) list.push(value);
    else byRound.set(round, [value]);
  });
  return byRound;
}
