import { mergeFrameworkMemory, type ProcessPeak } from '@vggt-perf-gate/memory';
import {
  type Comparison,
  type LookPlan,
  type SampleStats,
  summarize,
} from '@vggt-perf-gate/timing';
import { describeOutOfMemory, outOfMemoryMetrics } from '../../analysis/out-of-memory.js';
import { sharedGpuWarning } from '../../analysis/shared-gpu.js';
import type {
  BenchmarkResult,
  MemoryRow,
  MetricName,
  MetricResult,
  VramTimeline,
} from '../../results/types.js';
import type { FrameworkMemory, SideName } from '../../workloads/types.js';
import type { BenchmarkPlan } from './plan.js';
import type { Measuring, Series } from './state.js';
import { undecidedWarning } from './undecided.js';

const UNITS: Record<MetricName, MetricResult['unit']> = {
  latency: 'ms',
  memory: 'bytes',
  throughput: 'items/s',
};

export function benchmarkResult(
  m: Measuring,
  stopReason: BenchmarkResult['stopReason'],
  error: string | null,
): BenchmarkResult {
  const { plan, series, warnings } = m;
  const sharedGpu = sharedGpuOf(m);
  addWarnings(m, stopReason, sharedGpu);
  const gpuIndexOfUuid = uuidLookup(plan.gpu);
  const base = m.sessions.base?.info ?? null;
  const head = m.sessions.head?.info ?? null;
  return {
    name: plan.name,
    workload: plan.workload.kind,
    status: error === null ? 'complete' : 'failed',
    error,
    dtype: plan.dtype,
    ran: { base, head },
    rounds: m.rounds,
    stopReason,
    seconds: (Date.now() - m.started) / 1000,
    verdictSeconds: m.verdictSeconds,
    processes: m.processes,
    timing: { warmupIterations: plan.warmupIterations, clock: clockOf(m.clocks) },
    throttledRounds: m.throttledRounds,
    sharedGpu,
    metrics: resultMetrics(m),
    outOfMemory: m.outOfMemory,
    memory: {
      base: breakdown(m.memoryDetail.base, gpuIndexOfUuid),
      head: breakdown(m.memoryDetail.head, gpuIndexOfUuid),
    },
    samples: Object.fromEntries(
      plan.metrics
        .filter((metric) => series[metric].base.length > 0 || series[metric].head.length > 0)
        .map((metric) => [metric, series[metric]]),
    ),
    vramTimeline: { base: timelineOut(m.timeline.base), head: timelineOut(m.timeline.head) },
    profiles: m.profiles,
    warnings,
  };
}

function sharedGpuOf(m: Measuring): BenchmarkResult['sharedGpu'] {
  if (m.neighbours.rounds.size === 0) return null;
  return {
    rounds: [...m.neighbours.rounds].sort((a, b) => a - b),
    processes: [...m.neighbours.processes.values()],
  };
}

/** The run's own warnings, after the checks made while measuring. */
function addWarnings(
  m: Measuring,
  stopReason: BenchmarkResult['stopReason'],
  sharedGpu: BenchmarkResult['sharedGpu'],
): void {
  const { plan, warnings } = m;
  if (m.throttledRounds.length > 0)
    warnings.push(throttleWarning(m.throttledRounds, m.rounds, [...m.throttleReasons]));
  if (sharedGpu) warnings.push(sharedGpuWarning(sharedGpu, m.rounds));
  else if (m.neighbours.unattributed.size > 0)
    warnings.push(
      `in ${m.neighbours.unattributed.size} of ${m.rounds} rounds the driver listed processes on the GPU and none of them was this run's own: in a container it reports host PIDs, which match nothing here, so whether another process shared the GPU cannot be told. Run the container with the host PID namespace (docker --pid=host) for that check.`,
    );
  const undecided = undecidedWarning(stopReason, m.comparisons, {
    seconds: m.verdictSeconds ?? (Date.now() - m.started) / 1000,
    startupSeconds: ((m.measuringSince ?? m.started) - m.started) / 1000,
    rounds: m.rounds,
    maxSeconds: plan.maxSeconds,
    maxRounds: plan.maxRounds,
  });
  if (undecided) warnings.push(undecided);
  if (m.outOfMemory)
    warnings.push(
      `${describeOutOfMemory(m.outOfMemory)}. That is the memory verdict, not a failure to measure; the error: ${briefOutOfMemory(m.outOfMemory.message)}`,
    );
  const base = m.sessions.base?.info ?? null;
  const head = m.sessions.head?.info ?? null;
  // A side out of memory whose error did not say its dtype (an older client) may only
  // have reported its weights' dtype at setup, before autocast was seen: no warning
  // from that guess. The Python client says it, and then a fallback is real news.
  const guessed = (side: SideName, info: typeof base) =>
    m.outOfMemory?.side === side &&
    !m.outOfMemoryDtypeKnown &&
    info?.extra.dtypeSource === 'parameters';
  warnings.push(
    ...dtypeWarnings(
      plan,
      guessed('base', base) ? null : base?.dtype,
      guessed('head', head) ? null : head?.dtype,
    ),
  );
}

function clockOf(counts: { device: number; host: number }): 'device' | 'host' | 'mixed' | 'none' {
  if (counts.device > 0 && counts.host > 0) return 'mixed';
  if (counts.device > 0) return 'device';
  return counts.host > 0 ? 'host' : 'none';
}

function resultMetrics(m: Measuring): MetricResult[] {
  const { plan, series } = m;
  const measured = (metric: MetricName) =>
    metricResult(metric, plan, series[metric], m.comparisons[metric], m.looks?.[metric] ?? null);
  if (!m.outOfMemory) return plan.metrics.map(measured);
  return outOfMemoryMetrics(m.outOfMemory, plan.metrics, measured, plan.thresholds.memory);
}

/**
 * PyTorch's out-of-memory message up to what it says of the GPU's memory: its advice on
 * the allocator's settings and the documentation link stay in the results file.
 */
export function briefOutOfMemory(message: string): string {
  const cut = message.search(/ If reserved but unallocated| See documentation/);
  return (cut > 0 ? message.slice(0, cut) : message).trim();
}

/** A side that ran in another precision than configured, or two sides that differ. */
function dtypeWarnings(
  plan: BenchmarkPlan,
  base: string | null | undefined,
  head: string | null | undefined,
): string[] {
  const out: string[] = [];
  for (const [side, dtype] of [
    ['base', base],
    ['head', head],
  ] as const) {
    if (dtype && dtype !== plan.dtype.resolved)
      out.push(`${side} ran in ${dtype}, not the configured ${plan.dtype.resolved}`);
  }
  if (base && head && base !== head)
    out.push(
      `base ran in ${base} and head in ${head}: the two sides do not compute in the same precision`,
    );
  return out;
}

/**
 * The warning for rounds in which the GPU slowed its clocks. A GPU capped in
 * every round (data-centre GPUs under a power cap often are) slowed base and
 * head alike, so the ratio stands and only absolute times are lower; a cap in
 * some rounds only is worth checking against a close verdict.
 */
export function throttleWarning(
  throttledRounds: number[],
  rounds: number,
  reasons: string[],
): string {
  const events = `throttling clock events (${reasons.join(', ')})`;
  if (rounds > 0 && throttledRounds.length >= rounds)
    return `the GPU reported ${events} in every round (${rounds} of ${rounds}): base and head ran under the same limit, so the change is measured fairly; absolute times are those of the limited GPU`;
  const which = `${throttledRounds.length === 1 ? 'round' : 'rounds'} ${throttledRounds.join(', ')}`;
  return `the GPU reported ${events} in ${which} of ${rounds}: base and head take turns within every pair of rounds, so a limit lasting whole pairs moves both; a shorter one can favour one side, so check a close verdict against those rounds (the results file keeps each sample's round)`;
}

function timelineOut(byGpu: Map<number, Array<[number, number]>>): VramTimeline[] {
  return [...byGpu].sort(([a], [b]) => a - b).map(([gpuIndex, points]) => ({ gpuIndex, points }));
}

/**
 * Framework peaks beside the sampler's process peaks, per GPU, with the ranks
 * that reported each; null when the workload reported none. Entries that
 * carry a device UUID are placed by it, so CUDA_VISIBLE_DEVICES renumbering
 * cannot put a rank's numbers beside another GPU's process peak.
 */
function breakdown(
  detail: { framework: FrameworkMemory[]; processPeaks: ProcessPeak[] },
  gpuIndexOfUuid: (uuid: string) => number | undefined,
): MemoryRow[] | null {
  if (detail.framework.length === 0) return null;
  const placed = detail.framework.map((f) => ({
    ...f,
    device: (f.uuid ? gpuIndexOfUuid(f.uuid) : undefined) ?? f.device,
  }));
  return mergeFrameworkMemory(placed, detail.processPeaks).rows.map((row) => {
    const ranks = placed
      .filter((f) => f.device === row.gpuIndex && typeof f.rank === 'number')
      .map((f) => f.rank as number)
      .sort((a, b) => a - b);
    return ranks.length > 0 ? { ...row, ranks } : row;
  });
}

/** NVML says "GPU-<uuid>", torch says "<uuid>": compare without the prefix. */
function uuidLookup(gpu: BenchmarkPlan['gpu']): (uuid: string) => number | undefined {
  const bare = (u: string) => u.replace(/^GPU-/i, '').toLowerCase();
  const byUuid = new Map<string, number>();
  try {
    for (const g of gpu?.reader.inventory().gpus ?? []) byUuid.set(bare(g.uuid), g.index);
  } catch {
    // No inventory: fall back to the framework's own device numbers.
  }
  return (uuid) => byUuid.get(bare(uuid));
}

function metricResult(
  metric: MetricName,
  plan: BenchmarkPlan,
  s: Series,
  comparison: Comparison | undefined,
  looks: LookPlan | null,
): MetricResult {
  // The comparison already summarised both sides; summarise here only what it did not.
  const side = (values: number[], known: SampleStats | undefined) => {
    if (values.length === 0) return null;
    if (values.length === 1)
      return { count: 1, median: values[0]!, p5: values[0]!, p95: values[0]! };
    // Samples summarize rejects (Infinity, NaN) already failed the comparison inside the
    // measuring loop; throwing again here, after it, would lose the whole benchmark.
    const stats = known ?? summarizeOrNull(values);
    if (stats === null) return null;
    return {
      count: stats.count,
      median: stats.median,
      p5: stats.percentiles.p5,
      p95: stats.percentiles.p95,
    };
  };
  return {
    metric,
    unit: UNITS[metric],
    base: side(s.base, comparison?.base),
    head: side(s.head, comparison?.head),
    ratio: comparison?.ratio ?? null,
    interval: comparison?.interval ?? null,
    intervalMethod: comparison
      ? {
          clusters: comparison.paired?.clusters ?? 0,
          pairedRounds: comparison.paired?.rounds ?? 0,
          roundsPerCluster: plan.roundsPerProcess > 0 ? plan.roundsPerProcess : 2,
          confidence: 1 - plan.errorRates[metric],
          verdicts: plan.verdicts,
          looks: looks?.looks.length ?? 0,
          lookRounds: looks ? [...looks.looks] : [],
          shape: looks?.shape ?? 'pocock',
          noise: comparison.paired
            ? {
                perRoundSd: comparison.paired.perRoundSd,
                betweenPairSd: comparison.paired.betweenClusterSd,
              }
            : null,
          noiseFloor:
            plan.noiseFloor && metric !== 'memory'
              ? { ...plan.noiseFloor, widened: comparison.paired?.floored ?? false }
              : null,
        }
      : null,
    threshold: plan.thresholds[metric],
    verdict: comparison?.verdict ?? 'not-measured',
    explanation: comparison?.explanation ?? `${metric} was not measured`,
  };
}

/** summarize(), or null for samples it cannot summarise (the failure is reported elsewhere). */
function summarizeOrNull(values: number[]): SampleStats | null {
  try {
    return summarize(values);
  } catch {
    return null;
  }
}
