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
  }
}

export { formatChange } from '@vggt-perf-gate/timing';

export function metricLabel(metric: MetricResult['metric']): string {
  return metric === 'memory' ? 'peak VRAM' : metric;
}

export function changeCell(m: MetricResult): string {
  if (m.ratio === null || m.interval === null) return 'n/a';
  return `${formatChange(m.ratio)} [${formatChange(m.interval.lower)}, ${formatChange(m.interval.upper)}]`;
}
