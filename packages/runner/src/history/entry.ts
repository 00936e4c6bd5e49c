import { sideMedianInterval } from '../results/median-interval.js';
import type { BenchmarkResult, GateResults, MetricName, MetricResult } from '../results/types.js';

/**
 * One run as the history keeps it: per benchmark and metric the head side's
 * median with its 95% interval, the change against the run's base, and the
 * verdict. Small on purpose (no samples): one file per run, and a hundred
 * of them load at once for a trend page.
 */

export const HISTORY_SCHEMA_VERSION = 1;
/** The `kind` every history entry carries, so a stray JSON file is told apart from an entry. */
export const HISTORY_KIND = 'vggt-perf-gate-history';

/** One metric of one benchmark at one commit. */
export interface HistoryPoint {
  metric: MetricName;
  unit: MetricResult['unit'];
  /** The head side's median, in `unit`. */
  median: number;
  /** A 95% interval of that median, from its samples; null when they were too few. */
  lower: number | null;
  upper: number | null;
  /** Head over base in this run, with its interval; null when not compared. */
  change: { ratio: number; lower: number; upper: number } | null;
  verdict: MetricResult['verdict'];
  threshold: number;
  /**
   * The noise this run measured (log scale): round to round, and between
   * process pairs of `roundsPerPair` rounds. An A/A run's is the runner's
   * noise floor. Absent in entries from before it was recorded.
   */
  noise?: { perRoundSd: number; betweenPairSd: number; roundsPerPair: number } | null;
}

/** One benchmark of a run. */
export interface HistoryBenchmark {
  name: string;
  status: BenchmarkResult['status'];
  points: HistoryPoint[];
}

/** One run of the gate, as appended to the history. */
export interface HistoryEntry {
  schemaVersion: typeof HISTORY_SCHEMA_VERSION;
  kind: typeof HISTORY_KIND;
  /** When the entry was made (ISO 8601); the order of the history. */
  recordedAt: string;
  /** When the gate ran (the results' createdAt). */
  measuredAt: string;
  /** The commit measured (the run's head) and the one it was compared with. */
  commit: { sha: string | null; ref: string; baseSha: string | null };
  /** The GPU (or "no GPU") and the runner's name, where the workflow said it. */
  device: string;
  runner: string | null;
  configHash: string;
  /** True for an A/A run (base and head the same commit): its noise calibrates the runner. */
  calibration?: boolean;
  verdict: GateResults['verdict'];
  benchmarks: HistoryBenchmark[];
}

/**
 * The history entry of a results file.
 *
 * @param options.runner the runner's name (the Action passes RUNNER_NAME)
 * @example
 * const entry = historyEntry(await readResults('perf-gate-results.json'), { runner: 'rtx4090-1' });
 * entry.benchmarks[0]?.points[0]?.median; // head's latency median, ms
 */
export function historyEntry(
  results: GateResults,
  options: { runner?: string | null; recordedAt?: Date } = {},
): HistoryEntry {
  return {
    schemaVersion: HISTORY_SCHEMA_VERSION,
    kind: HISTORY_KIND,
    recordedAt: (options.recordedAt ?? new Date()).toISOString(),
    measuredAt: results.createdAt,
    commit: {
      sha: results.commits.head.sha,
      ref: results.commits.head.ref,
      baseSha: results.commits.base.sha,
    },
    device: results.device.state === 'ok' ? results.device.name : 'no GPU',
    runner: options.runner ?? null,
    configHash: results.configHash,
    calibration: isCalibration(results),
    verdict: results.verdict,
    benchmarks: results.benchmarks.map((b) => ({
      name: b.name,
      status: b.status,
      points: b.metrics.flatMap((m) => pointOf(m, b.samples?.[m.metric]?.head)),
    })),
  };
}

function pointOf(m: MetricResult, headSamples: readonly number[] | undefined): HistoryPoint[] {
  if (!m.head) return [];
  const interval = sideMedianInterval(headSamples);
  return [
    {
      metric: m.metric,
      unit: m.unit,
      median: m.head.median,
      lower: interval?.lower ?? null,
      upper: interval?.upper ?? null,
      change:
        m.ratio !== null && m.interval
          ? { ratio: m.ratio, lower: m.interval.lower, upper: m.interval.upper }
          : null,
      verdict: m.verdict,
      threshold: m.threshold,
      noise: m.intervalMethod?.noise
        ? { ...m.intervalMethod.noise, roundsPerPair: m.intervalMethod.roundsPerCluster }
        : null,
    },
  ];
}

/**
 * An A/A run: the same commit on both sides, nothing changed in the working
 * tree. What such a run measures is the runner's noise alone.
 *
 * @example
 * // A scheduled run with base-ref HEAD gates the commit against itself.
 * isCalibration(await readResults('perf-gate-results.json')); // true
 */
export function isCalibration(results: GateResults): boolean {
  const { base, head } = results.commits;
  return base.sha !== null && base.sha === head.sha && !head.dirty;
}
