import type { MetricName, MetricResult } from './results.js';
import type { SideName } from './workloads/types.js';

/**
 * One side ran out of GPU memory where the other fits: the field failure
 * this project exists for (a head that forced the math attention kernel at
 * 48 frames asked for 109.51 GiB while base fit). That is a verdict, not a
 * failure to measure: a memory regression when head ran out, an improvement
 * when head fixed a base that did.
 */
export interface OutOfMemory {
  /** The side that ran out. */
  side: SideName;
  /** Where: setup, warm-up, or a measured turn. */
  phase: string;
  /** What the failing allocation asked for, from the framework's message; null when it did not say. */
  triedBytes: number | null;
  /** The other side's peak, as measured (process-tree peak, else the framework's reserved peak); null when unknown. */
  otherPeakBytes: number | null;
  /** The framework's message, as the worker reported it. */
  message: string;
}

const GIB = 2 ** 30;
const gib = (bytes: number) => `${(bytes / GIB).toFixed(2)} GiB`;

/** One sentence: which side, where, how much it asked for, and what the other side needed. */
export function describeOutOfMemory(oom: OutOfMemory): string {
  const other = oom.side === 'head' ? 'base' : 'head';
  const tried = oom.triedBytes === null ? '' : `: it tried to allocate ${gib(oom.triedBytes)}`;
  const fit =
    oom.otherPeakBytes === null
      ? `${other} fit`
      : `${other} fit, with a peak of ${gib(oom.otherPeakBytes)}`;
  return `${oom.side} ran out of GPU memory in ${oom.phase}${tried}; ${fit}`;
}

/**
 * The metric results of a benchmark one side of which ran out of memory:
 * memory is the verdict (always reported, even where the config measures
 * only latency), and the metrics that need both sides say why they have
 * none, unless rounds before the failure gave them a comparison.
 */
export function outOfMemoryMetrics(
  oom: OutOfMemory,
  metrics: readonly MetricName[],
  measured: (metric: MetricName) => MetricResult,
  threshold: number,
): MetricResult[] {
  const names: MetricName[] = metrics.includes('memory') ? [...metrics] : [...metrics, 'memory'];
  return names.map((metric) => {
    if (metric === 'memory') return memoryVerdict(oom, measured('memory'), threshold);
    const result = measured(metric);
    if (result.verdict !== 'not-measured') return result;
    return {
      ...result,
      explanation: `${metric} was not measured: ${oom.side} ran out of GPU memory in ${oom.phase}`,
    };
  });
}

function memoryVerdict(oom: OutOfMemory, measured: MetricResult, threshold: number): MetricResult {
  const ranOut = oom.side;
  const peak =
    oom.otherPeakBytes === null
      ? null
      : { count: 1, median: oom.otherPeakBytes, p5: oom.otherPeakBytes, p95: oom.otherPeakBytes };
  const other = ranOut === 'head' ? 'base' : 'head';
  return {
    ...measured,
    metric: 'memory',
    unit: 'bytes',
    [other]: measured[other] ?? peak,
    [ranOut]: null,
    ratio: null,
    interval: null,
    intervalMethod: null,
    threshold,
    verdict: ranOut === 'head' ? 'regression' : 'improvement',
    explanation: `${ranOut === 'head' ? 'regression' : 'improvement'}: ${describeOutOfMemory(oom)}`,
  };
}
