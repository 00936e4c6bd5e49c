import type { MetricName, MetricResult } from '../results/types.js';
import type { HistoryEntry, HistoryPoint } from './entry.js';
import { lastOf } from './store.js';

/**
 * The history turned around for drawing: one series per benchmark and
 * metric, a point per run that measured it, oldest first.
 */

/** One run's value in a series. */
export interface TrendPoint extends Omit<HistoryPoint, 'metric' | 'unit'> {
  sha: string | null;
  recordedAt: string;
  device: string;
}

/** One benchmark's metric over the runs. */
export interface TrendSeries {
  benchmark: string;
  metric: MetricName;
  unit: MetricResult['unit'];
  points: TrendPoint[];
}

const METRIC_ORDER: readonly MetricName[] = ['latency', 'memory', 'throughput'];

/**
 * Every benchmark's metrics over `entries` (oldest first), at most the last
 * `limit` points each; failed benchmarks add no point.
 *
 * @example
 * const { entries } = await readStore('perf-history');
 * for (const s of trendSeries(entries, 30)) console.log(s.benchmark, s.metric, s.points.length);
 */
export function trendSeries(
  entries: readonly HistoryEntry[],
  limit = Number.POSITIVE_INFINITY,
): TrendSeries[] {
  const byKey = new Map<string, TrendSeries>();
  for (const entry of entries) {
    for (const b of entry.benchmarks) {
      if (b.status !== 'complete') continue;
      for (const { metric, unit, ...point } of b.points) {
        const key = JSON.stringify([b.name, metric]);
        const series = byKey.get(key) ?? { benchmark: b.name, metric, unit, points: [] };
        series.points.push({
          ...point,
          sha: entry.commit.sha,
          recordedAt: entry.recordedAt,
          device: entry.device,
        });
        byKey.set(key, series);
      }
    }
  }
  return [...byKey.values()]
    .map((s) => ({ ...s, points: lastOf(s.points, limit) }))
    .sort(
      (a, b) =>
        a.benchmark.localeCompare(b.benchmark) ||
        METRIC_ORDER.indexOf(a.metric) - METRIC_ORDER.indexOf(b.metric),
    );
}

/**
 * The series grouped by benchmark, in their order: what a page draws under
 * one heading per benchmark.
 *
 * @example
 * for (const [benchmark, metrics] of byBenchmark(trendSeries(entries))) console.log(benchmark, metrics.length);
 */
export function byBenchmark(series: readonly TrendSeries[]): Map<string, TrendSeries[]> {
  const out = new Map<string, TrendSeries[]>();
  for (const s of series) out.set(s.benchmark, [...(out.get(s.benchmark) ?? []), s]);
  return out;
}
