import type { MetricName, MetricResult, OutOfMemory } from '../results/types.js';

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
