import { sideMedianInterval } from './median-interval.js';
import type { BenchmarkResult, GateResults, MetricResult } from './types.js';

/**
 * The head side's numbers in the formats of dashboards teams already run:
 * github-action-benchmark's `customSmallerIsBetter` JSON and Bencher's
 * Metric Format. The gate's verdicts stay with the gate; these carry the
 * level of each metric at the measured commit, for a trend kept elsewhere.
 */

/** The formats `vggt-perf-gate export --format` writes. */
export const EXPORT_FORMATS = ['github-action-benchmark', 'bencher'] as const;
/** One of EXPORT_FORMATS. */
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** One entry of github-action-benchmark's customSmallerIsBetter list. */
export interface ActionBenchmarkEntry {
  name: string;
  unit: string;
  value: number;
  /** "± half-width" of the median's 95% interval, as that tool shows a range. */
  range?: string;
  /** Shown in the tool's tooltip: base, change, verdict, commit. */
  extra: string;
}

/** Bencher Metric Format: benchmark name, then measure slug, then the metric. */
export type BencherMetrics = Record<
  string,
  Record<string, { value: number; lower_value?: number; upper_value?: number }>
>;

/** The measure slugs the Bencher export uses; `latency` and `throughput` are Bencher's built-ins. */
const BENCHER_MEASURES: Readonly<Record<MetricResult['metric'], string>> = {
  latency: 'latency',
  throughput: 'throughput',
  memory: 'peak-vram',
};
/** Bencher's built-in latency measure is in nanoseconds; the gate's in milliseconds. */
const NS_PER_MS = 1e6;

/**
 * The results as github-action-benchmark's `customSmallerIsBetter` input:
 * one entry per benchmark and smaller-is-better metric (latency, peak VRAM),
 * the head's median as the value. Throughput, bigger-is-better, needs that
 * tool's other mode, so it is left out.
 *
 * @example
 * writeFileSync('bench.json', JSON.stringify(toActionBenchmark(results), null, 2));
 */
export function toActionBenchmark(results: GateResults): ActionBenchmarkEntry[] {
  const commit = results.commits.head.sha?.slice(0, 12) ?? 'working tree';
  return completed(results).flatMap((b) =>
    b.metrics
      .filter((m) => m.metric !== 'throughput' && m.head)
      .map((m) => {
        const interval = sideMedianInterval(b.samples?.[m.metric]?.head);
        const halfWidth = interval ? (interval.upper - interval.lower) / 2 : null;
        return {
          name: `${b.name} - ${m.metric === 'memory' ? 'peak VRAM' : m.metric}`,
          unit: m.unit,
          value: m.head!.median,
          ...(halfWidth !== null ? { range: `± ${round(halfWidth)}` } : {}),
          extra: extraOf(m, commit),
        };
      }),
  );
}

/**
 * The results as Bencher Metric Format JSON: per benchmark, `latency` (ns,
 * Bencher's built-in), `throughput` and `peak-vram` (bytes), each the
 * head's median with its 95% interval as lower and upper values.
 *
 * @example
 * writeFileSync('bmf.json', JSON.stringify(toBencher(results)));
 * // bencher run --adapter json --file bmf.json
 */
export function toBencher(results: GateResults): BencherMetrics {
  const out: BencherMetrics = {};
  for (const b of completed(results)) {
    const measures: BencherMetrics[string] = {};
    for (const m of b.metrics) {
      if (!m.head) continue;
      const scale = m.metric === 'latency' ? NS_PER_MS : 1;
      const interval = sideMedianInterval(b.samples?.[m.metric]?.head);
      measures[BENCHER_MEASURES[m.metric]] = {
        value: m.head.median * scale,
        ...(interval
          ? { lower_value: interval.lower * scale, upper_value: interval.upper * scale }
          : {}),
      };
    }
    if (Object.keys(measures).length > 0) out[b.name] = measures;
  }
  return out;
}

function completed(results: GateResults): BenchmarkResult[] {
  return results.benchmarks.filter((b) => b.status === 'complete');
}

function extraOf(m: MetricResult, commit: string): string {
  const lines = [`commit ${commit}`];
  if (m.base) lines.push(`base median ${round(m.base.median)} ${m.unit}`);
  if (m.ratio !== null) lines.push(`change ${((m.ratio - 1) * 100).toFixed(2)}% (${m.verdict})`);
  return lines.join('\n');
}

/** Four significant digits: what a dashboard shows, without float noise. */
function round(value: number): number {
  return Number(value.toPrecision(4));
}
