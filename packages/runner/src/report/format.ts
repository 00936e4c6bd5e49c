import { formatChange } from '@vggt-perf-gate/timing';
import type { MetricResult } from '../results.js';

/** Shared number formatting for every report. */
export function formatValue(value: number, unit: MetricResult['unit']): string {
  switch (unit) {
    case 'ms':
      return value >= 1000
        ? `${(value / 1000).toFixed(3)} s`
        : value >= 10
          ? `${value.toFixed(1)} ms`
          : `${value.toFixed(3)} ms`;
    case 'bytes':
      return value >= 2 ** 30
        ? `${(value / 2 ** 30).toFixed(2)} GiB`
        : `${(value / 2 ** 20).toFixed(1)} MiB`;
    case 'items/s':
      return `${value.toFixed(2)}/s`;
    default:
      // Only reachable from a file that skipped readResults' checks.
      return `${value} ${unit}`;
  }
}

export { formatChange } from '@vggt-perf-gate/timing';

/**
 * `table[key]` when `key` is one of the table's own keys, else `fallback`.
 * Labels and class names come from tables like this, never from the value
 * itself, and own keys only: a results file is data, and a verdict of
 * "constructor" must not find Object's.
 */
export function lookup<V>(table: Readonly<Record<string, V>>, key: unknown, fallback: V): V {
  return typeof key === 'string' && Object.hasOwn(table, key) ? (table[key] as V) : fallback;
}

const METRIC_LABEL: Readonly<Record<MetricResult['metric'], string>> = {
  latency: 'latency',
  memory: 'peak VRAM',
  throughput: 'throughput',
};

/** The metric's name in reports; an unknown one as it is (the reports escape it). */
export function metricLabel(metric: MetricResult['metric']): string {
  return lookup(METRIC_LABEL, metric, String(metric));
}

export function changeCell(m: MetricResult): string {
  if (m.ratio === null || m.interval === null) return 'n/a';
  return `${formatChange(m.ratio)} [${formatChange(m.interval.lower)}, ${formatChange(m.interval.upper)}]`;
}
