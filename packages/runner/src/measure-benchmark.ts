import type { GpuReader } from '@vggt-perf-gate/device';
import { THROTTLING_REASONS } from '@vggt-perf-gate/device';
import {
  type MemoryBreakdownRow,
  mergeFrameworkMemory,
  type ProcessPeak,
  startVramSampler,
} from '@vggt-perf-gate/memory';
import {
  type Comparison,
  compare,
  roundOrder,
  type SampleStats,
  summarize,
} from '@vggt-perf-gate/timing';
import { RunnerError } from './errors.js';
import type { BenchmarkResult, MetricName, MetricResult } from './results.js';
import type { FrameworkMemory, SideName, Workload, WorkloadSession } from './workloads/types.js';

/** Everything needed to measure one benchmark, resolved from the config. */
export interface BenchmarkPlan {
  name: string;
  workload: Workload;
  metrics: readonly MetricName[];
  thresholds: Readonly<Record<MetricName, number>>;
  warmupIterations: number;
  iterationsPerRound: number;
  maxRounds: number;
  maxSeconds: number;
  dtype: { requested: string; resolved: string; explanation: string };
  /** GPU to watch for memory and clock events; null without a GPU. */
  gpu: { index: number; reader: GpuReader } | null;
  /** Overrides the items per iteration a workload reports (throughput). */
  itemsPerIteration: number | null;
}

export interface SideDirs {
  base: string;
  head: string;
}

/** Rounds always come in ABBA pairs; at least this many before a verdict may stop the run. */
const MIN_ROUNDS = 4;
const UNITS: Record<MetricName, MetricResult['unit']> = {
  latency: 'ms',
  memory: 'bytes',
  throughput: 'items/s',
};

interface Series {
  base: number[];
  head: number[];
  baseRounds: number[];
  headRounds: number[];
}

const emptySeries = (): Series => ({ base: [], head: [], baseRounds: [], headRounds: [] });

/**
 * Measures one benchmark: opens a session per side, warms both up, then
 * takes rounds in ABBA order until every metric's verdict is decided or the
 * budget ends. Sessions are always closed (worker process trees killed),
 * also on failure; a failure becomes a `failed` result, not a throw, so the
 * other benchmarks still run and nothing measured is lost.
 */
export async function measureBenchmark(
  plan: BenchmarkPlan,
  dirs: SideDirs,
  log: (line: string) => void,
): Promise<BenchmarkResult> {
  const started = Date.now();
  const series: Record<MetricName, Series> = {
    latency: emptySeries(),
    memory: emptySeries(),
    throughput: emptySeries(),
  };
  const sessions: Partial<Record<SideName, WorkloadSession>> = {};
  const throttledRounds: number[] = [];
  const throttleReasons = new Set<string>();
  const memoryDetail: Record<
    SideName,
    { framework: FrameworkMemory[]; processPeaks: ProcessPeak[] }
  > = {
    base: { framework: [], processPeaks: [] },
    head: { framework: [], processPeaks: [] },
  };
  const warnings: string[] = [];
  let rounds = 0;
  let stopReason: BenchmarkResult['stopReason'] = 'max-rounds';
  let comparisons: Partial<Record<MetricName, Comparison>> = {};
  let error: string | null = null;
  try {
    for (const side of ['base', 'head'] as const) {
      sessions[side] = await plan.workload.open({
        side,
        cwd: dirs[side],
        dtype: plan.dtype.resolved,
        env: { PERF_GATE_DTYPE: plan.dtype.resolved, PERF_GATE_SIDE: side },
        log: (line) => log(`[${plan.name} ${side}] ${line}`),
      });
    }
    for (const side of ['base', 'head'] as const)
      await sessions[side]!.warmup(plan.warmupIterations);
    const memoryWanted = plan.metrics.includes('memory');
    if (memoryWanted && !plan.gpu)
      warnings.push('memory: not measured (no NVIDIA GPU on this machine)');
    for (;;) {
      for (const side of roundOrder(rounds)) {
        const session = sessions[side]!;
        const sampler =
          memoryWanted && plan.gpu
            ? await startVramSampler({
                rootPid: session.pid,
                intervalMs: 1,
                source: { kind: 'auto' },
              })
            : null;
        let result: Awaited<ReturnType<WorkloadSession['run']>>;
        try {
          result = await session.run(plan.iterationsPerRound);
        } finally {
          const report = await sampler?.stop();
          if (report && plan.gpu) {
            const gpu = report.perGpu.find((g) => g.gpuIndex === plan.gpu?.index);
            push(series.memory, side, rounds, [gpu?.peakBytes ?? report.total.peakBytes]);
            memoryDetail[side].processPeaks = maxPeaks(
              memoryDetail[side].processPeaks,
              report.perGpu,
            );
          }
        }
        memoryDetail[side].framework = maxFramework(memoryDetail[side].framework, result.memory);
        const times = result.samples.map((s) => s.deviceMs ?? s.hostMs);
        push(series.latency, side, rounds, times);
        const items = plan.itemsPerIteration ?? session.info.itemsPerIteration;
        if (items)
          push(
            series.throughput,
            side,
            rounds,
            times.map((ms) => (items * 1000) / ms),
          );
      }
      if (plan.gpu) {
        const reasons = plan.gpu.reader.inventory().gpus[plan.gpu.index]?.throttleReasons ?? [];
        const throttling = reasons.filter((r) => THROTTLING_REASONS.has(r));
        if (throttling.length > 0) {
          throttledRounds.push(rounds);
          for (const r of throttling) throttleReasons.add(r);
        }
      }
      rounds++;
      if (rounds % 2 !== 0) continue;
      comparisons = compareAll(plan, series);
      log(`[${plan.name}] ${rounds} rounds: ${describe(comparisons)}`);
      const decided = Object.values(comparisons).every((c) => c.verdict !== 'inconclusive');
      if (rounds >= MIN_ROUNDS && decided) {
        stopReason = 'decided';
        break;
      }
      if (rounds >= plan.maxRounds) {
        stopReason = 'max-rounds';
        break;
      }
      if ((Date.now() - started) / 1000 >= plan.maxSeconds) {
        stopReason = 'max-time';
        break;
      }
    }
  } catch (cause) {
    error = cause instanceof Error ? cause.message : String(cause);
    stopReason = 'failed';
    log(`[${plan.name}] failed: ${error}`);
  } finally {
    for (const session of Object.values(sessions)) await session?.close().catch(() => undefined);
  }
  if (throttledRounds.length > 0) {
    warnings.push(
      `the GPU reported throttling clock events in rounds ${throttledRounds.join(', ')}`,
    );
  }
  const base = sessions.base?.info ?? null;
  const head = sessions.head?.info ?? null;
  for (const [side, info] of [
    ['base', base],
    ['head', head],
  ] as const) {
    if (info?.dtype && info.dtype !== plan.dtype.resolved) {
      warnings.push(`${side} ran in ${info.dtype}, not the configured ${plan.dtype.resolved}`);
    }
  }
  if (base?.dtype && head?.dtype && base.dtype !== head.dtype) {
    warnings.push(
      `base ran in ${base.dtype} and head in ${head.dtype}: the two sides do not compute in the same precision`,
    );
  }
  return {
    name: plan.name,
    workload: plan.workload.kind,
    status: error === null ? 'complete' : 'failed',
    error,
    dtype: plan.dtype,
    ran: { base, head },
    rounds,
    stopReason,
    seconds: (Date.now() - started) / 1000,
    throttledRounds,
    metrics: plan.metrics.map((metric) =>
      metricResult(metric, plan, series[metric], comparisons[metric]),
    ),
    memory: {
      base: breakdown(memoryDetail.base),
      head: breakdown(memoryDetail.head),
    },
    warnings,
  };
}

/** Framework peaks beside the sampler's process peaks, per GPU; null when the workload reported none. */
function breakdown(detail: {
  framework: FrameworkMemory[];
  processPeaks: ProcessPeak[];
}): MemoryBreakdownRow[] | null {
  if (detail.framework.length === 0) return null;
  return mergeFrameworkMemory(detail.framework, detail.processPeaks).rows;
}

function maxPeaks(
  known: ProcessPeak[],
  perGpu: ReadonlyArray<{ gpuIndex: number; peakBytes: number }>,
): ProcessPeak[] {
  const out = new Map(known.map((p) => [p.gpuIndex, p.peakBytes]));
  for (const g of perGpu) out.set(g.gpuIndex, Math.max(out.get(g.gpuIndex) ?? 0, g.peakBytes));
  return [...out].map(([gpuIndex, peakBytes]) => ({ gpuIndex, peakBytes }));
}

function maxFramework(
  known: FrameworkMemory[],
  latest: readonly FrameworkMemory[],
): FrameworkMemory[] {
  const out = new Map(known.map((f) => [f.device, { ...f }]));
  for (const f of latest) {
    const seen = out.get(f.device);
    out.set(f.device, {
      device: f.device,
      maxAllocatedBytes: Math.max(seen?.maxAllocatedBytes ?? 0, f.maxAllocatedBytes),
      maxReservedBytes: Math.max(seen?.maxReservedBytes ?? 0, f.maxReservedBytes),
    });
  }
  return [...out.values()];
}

function push(s: Series, side: SideName, round: number, values: readonly number[]): void {
  for (const v of values) {
    s[side].push(v);
    s[side === 'base' ? 'baseRounds' : 'headRounds'].push(round);
  }
}

function compareAll(
  plan: BenchmarkPlan,
  series: Record<MetricName, Series>,
): Partial<Record<MetricName, Comparison>> {
  const out: Partial<Record<MetricName, Comparison>> = {};
  for (const metric of plan.metrics) {
    const s = series[metric];
    if (s.base.length < 2 || s.head.length < 2) continue;
    try {
      out[metric] = compare(s.base, s.head, {
        threshold: plan.thresholds[metric],
        higherIsBetter: metric === 'throughput',
        rounds: { base: s.baseRounds, head: s.headRounds },
      });
    } catch (cause) {
      throw new RunnerError(
        'WORKLOAD_FAILED',
        `${metric} samples could not be compared: ${(cause as Error).message}`,
        { cause },
      );
    }
  }
  return out;
}

function describe(comparisons: Partial<Record<MetricName, Comparison>>): string {
  return Object.entries(comparisons)
    .map(
      ([metric, c]) =>
        `${metric} ${pct(c.ratio)} [${pct(c.interval.lower)}, ${pct(c.interval.upper)}] ${c.verdict}`,
    )
    .join('; ');
}

const pct = (ratio: number) => `${ratio >= 1 ? '+' : ''}${((ratio - 1) * 100).toFixed(2)}%`;

function metricResult(
  metric: MetricName,
  plan: BenchmarkPlan,
  s: Series,
  comparison: Comparison | undefined,
): MetricResult {
  // The comparison already summarised both sides; summarise here only what it did not.
  const side = (values: number[], known: SampleStats | undefined) => {
    if (values.length === 0) return null;
    if (values.length === 1)
      return { count: 1, median: values[0]!, p5: values[0]!, p95: values[0]! };
    const stats = known ?? summarize(values);
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
    threshold: plan.thresholds[metric],
    verdict: comparison?.verdict ?? 'not-measured',
    explanation: comparison?.explanation ?? `${metric} was not measured`,
  };
}
