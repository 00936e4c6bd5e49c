import type { GpuReader } from '@vggt-perf-gate/device';
import { THROTTLING_REASONS } from '@vggt-perf-gate/device';
import {
  mergeFrameworkMemory,
  type ProcessPeak,
  startVramSampler,
  type VramReport,
} from '@vggt-perf-gate/memory';
import {
  type Comparison,
  compare,
  formatChange,
  roundOrder,
  type SampleStats,
  summarize,
} from '@vggt-perf-gate/timing';
import { RunnerError } from './errors.js';
import type {
  BenchmarkResult,
  MemoryRow,
  MetricName,
  MetricResult,
  VramTimeline,
} from './results.js';
import type {
  FrameworkMemory,
  SideName,
  Workload,
  WorkloadProfile,
  WorkloadSession,
} from './workloads/types.js';

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
  /** The config's GPU index (nvidia-smi numbering), passed to workers as PERF_GATE_DEVICE. */
  device: number;
  /** GPU to watch for memory and clock events; null without a GPU. */
  gpu: { index: number; reader: GpuReader } | null;
  /** Overrides the items per iteration a workload reports (throughput). */
  itemsPerIteration: number | null;
  /**
   * Start fresh base and head sessions (worker processes) every this many
   * rounds; 0 never does. Process-level offsets (allocator state, memory
   * layout, clocks at start) then vary between rounds, so they widen the
   * round-level interval instead of passing for a real difference.
   */
  restartEveryRounds: number;
}

/** What a long measurement is doing, for a progress display. */
export interface BenchmarkProgress {
  benchmark: string;
  phase: 'starting' | 'warm-up' | 'measuring' | 'restarting' | 'profiling' | 'done';
  /** Rounds finished (one turn of base and one of head each count as a round). */
  rounds: number;
  maxRounds: number;
  elapsedSeconds: number;
  maxSeconds: number;
  /** Worker processes started per side so far. */
  processes: number;
  /** The latest estimate per metric, e.g. "latency +0.4% [-0.2%, +1.1%] unchanged". */
  estimate: string | null;
  /** Seconds from the start to the last timed round, once measuring has ended; else null. */
  verdictSeconds: number | null;
}

export interface SideDirs {
  base: string;
  head: string;
}

/** Rounds always come in ABBA pairs; at least this many before a verdict may stop the run. */
const MIN_ROUNDS = 4;
/** VRAM timeline points kept per round and GPU: the shape of a round, not every reading. */
const TIMELINE_POINTS_PER_ROUND = 24;
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
  onProgress: (progress: BenchmarkProgress) => void = () => undefined,
  signal?: AbortSignal,
): Promise<BenchmarkResult> {
  const started = Date.now();
  let processes = 0;
  let estimate: string | null = null;
  let verdictSeconds: number | null = null;
  const progress = (phase: BenchmarkProgress['phase']) =>
    onProgress({
      benchmark: plan.name,
      phase,
      rounds,
      maxRounds: plan.maxRounds,
      elapsedSeconds: (Date.now() - started) / 1000,
      maxSeconds: plan.maxSeconds,
      processes,
      estimate,
      verdictSeconds,
    });
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
  const timeline: Record<SideName, Map<number, Array<[number, number]>>> = {
    base: new Map(),
    head: new Map(),
  };
  const warnings: string[] = [];
  const profiles: Record<SideName, WorkloadProfile | null> = { base: null, head: null };
  let rounds = 0;
  let stopReason: BenchmarkResult['stopReason'] = 'max-rounds';
  let comparisons: Partial<Record<MetricName, Comparison>> = {};
  let error: string | null = null;
  const openSessions = async () => {
    signal?.throwIfAborted();
    progress(processes === 0 ? 'starting' : 'restarting');
    await Promise.all(
      (['base', 'head'] as const).map(async (side) => {
        const old = sessions[side];
        delete sessions[side];
        await old?.close();
      }),
    );
    // Checked after closing: that takes seconds, and an interrupt in between must
    // not start new workers.
    signal?.throwIfAborted();
    // Both sides start at once: starting is untimed (a model build, seconds on a GPU);
    // one after the other, the starts took 16-24 s of a 53 s gate run on the VGGT example.
    // The first side to fail abandons the other's start rather than wait out its setup.
    const abandon = new AbortController();
    // An interrupt reaches the sessions too: a samples round in progress is stopped at once.
    const sessionSignal =
      signal === undefined ? abandon.signal : AbortSignal.any([abandon.signal, signal]);
    await Promise.allSettled(
      (['base', 'head'] as const).map(async (side) => {
        try {
          sessions[side] = await plan.workload.open({
            side,
            cwd: dirs[side],
            dtype: plan.dtype.resolved,
            env: {
              PERF_GATE_DTYPE: plan.dtype.resolved,
              PERF_GATE_SIDE: side,
              // The config's `device`, for single-process workers (the Python client sets it);
              // PCI order makes CUDA's device numbers the same as nvidia-smi's and NVML's.
              PERF_GATE_DEVICE: String(plan.device),
              CUDA_DEVICE_ORDER: process.env.CUDA_DEVICE_ORDER ?? 'PCI_BUS_ID',
            },
            log: (line) => log(`[${plan.name} ${side}] ${line}`),
            signal: sessionSignal,
          });
        } catch (error) {
          if (!abandon.signal.aborted) abandon.abort(error);
          throw error;
        }
      }),
    );
    // The first failure is the cause (the other side's, if any, was its abandoning).
    // A side that started is in `sessions`, so it is closed below all the same.
    if (abandon.signal.aborted) throw abandon.signal.reason;
    signal?.throwIfAborted();
    processes += 1;
    progress('warm-up');
    for (const side of ['base', 'head'] as const) {
      signal?.throwIfAborted();
      await sessions[side]!.warmup(plan.warmupIterations);
    }
    progress('measuring');
  };
  // With restarts, a verdict waits for a second process per side: one process
  // pair cannot show how much a process-level offset moves the ratio.
  if (plan.restartEveryRounds > 0 && plan.maxRounds <= plan.restartEveryRounds)
    warnings.push(
      `restartEveryRounds (${plan.restartEveryRounds}) is not below maxRounds (${plan.maxRounds}): every round ran in one process per side, so a process-level offset could pass for a change. Raise maxRounds or lower restartEveryRounds.`,
    );
  const minRounds =
    plan.restartEveryRounds > 0 ? Math.max(MIN_ROUNDS, 2 * plan.restartEveryRounds) : MIN_ROUNDS;
  try {
    await openSessions();
    const memoryWanted = plan.metrics.includes('memory');
    if (memoryWanted && !plan.gpu)
      warnings.push('memory: not measured (no NVIDIA GPU on this machine)');
    for (;;) {
      if (plan.restartEveryRounds > 0 && rounds > 0 && rounds % plan.restartEveryRounds === 0) {
        log(`[${plan.name}] ${rounds} rounds: starting new base and head processes`);
        await openSessions();
      }
      for (const side of roundOrder(rounds)) {
        signal?.throwIfAborted();
        const session = sessions[side]!;
        const sampler =
          memoryWanted && plan.gpu
            ? await startVramSampler({
                rootPid: session.pid,
                intervalMs: 1,
                source: { kind: 'auto' },
                maxPoints: TIMELINE_POINTS_PER_ROUND,
              })
            : null;
        let result: Awaited<ReturnType<WorkloadSession['run']>>;
        try {
          result = await session.run(plan.iterationsPerRound);
        } finally {
          const report = await sampler?.stop();
          if (report && plan.gpu) {
            // The busiest GPU's peak: what runs out first. With one GPU that is
            // simply its peak; a DDP run gates on its fullest rank's GPU.
            const busiest = Math.max(0, ...report.perGpu.map((g) => g.peakBytes));
            push(series.memory, side, rounds, [busiest]);
            memoryDetail[side].processPeaks = maxPeaks(
              memoryDetail[side].processPeaks,
              report.perGpu,
            );
            addTimeline(timeline[side], report, started);
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
      estimate = describe(comparisons);
      log(`[${plan.name}] ${rounds} rounds: ${estimate}`);
      progress('measuring');
      const decided = Object.values(comparisons).every((c) => c.verdict !== 'inconclusive');
      if (rounds >= minRounds && decided) {
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
    verdictSeconds = (Date.now() - started) / 1000;
    // After the last timed sample: the profiled iterations cannot change any sample.
    progress('profiling');
    for (const side of ['base', 'head'] as const) {
      profiles[side] = await profileSide(sessions[side], side, log, warnings, plan.name);
    }
  } catch (cause) {
    // An interrupt also makes the worker's request fail (its process is killed): say why.
    error = signal?.aborted
      ? `${signal.reason instanceof Error ? signal.reason.message : 'interrupted'} after ${rounds} rounds; the samples taken are kept`
      : cause instanceof Error
        ? cause.message
        : String(cause);
    stopReason = 'failed';
    log(`[${plan.name}] failed: ${error}`);
  } finally {
    for (const session of Object.values(sessions)) await session?.close().catch(() => undefined);
    progress('done');
  }
  if (throttledRounds.length > 0)
    warnings.push(throttleWarning(throttledRounds, rounds, [...throttleReasons]));
  const gpuIndexOfUuid = uuidLookup(plan.gpu);
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
    verdictSeconds,
    processes,
    throttledRounds,
    metrics: plan.metrics.map((metric) =>
      metricResult(metric, plan, series[metric], comparisons[metric]),
    ),
    memory: {
      base: breakdown(memoryDetail.base, gpuIndexOfUuid),
      head: breakdown(memoryDetail.head, gpuIndexOfUuid),
    },
    samples: Object.fromEntries(
      plan.metrics
        .filter((m) => series[m].base.length > 0 || series[m].head.length > 0)
        .map((m) => [m, series[m]]),
    ),
    vramTimeline: {
      base: timelineOut(timeline.base),
      head: timelineOut(timeline.head),
    },
    profiles,
    warnings,
  };
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

/** One side's profile, or null; a profile that fails is a warning, never the benchmark's failure. */
async function profileSide(
  session: WorkloadSession | undefined,
  side: SideName,
  log: (line: string) => void,
  warnings: string[],
  name: string,
): Promise<WorkloadProfile | null> {
  if (!session?.profile) return null;
  try {
    const profile = await session.profile();
    if (profile && !profile.available)
      log(`[${name}] ${side}: no profile (${profile.reason ?? 'unavailable'})`);
    return profile;
  } catch (cause) {
    warnings.push(`${side}: the profiled iteration failed: ${(cause as Error).message}`);
    return null;
  }
}

/** Appends one round's per-GPU timeline, in ms since the benchmark started. */
function addTimeline(
  into: Map<number, Array<[number, number]>>,
  report: VramReport,
  benchmarkStartMs: number,
): void {
  const offset = report.startEpochMs - benchmarkStartMs;
  for (const gpu of report.perGpu) {
    if (gpu.peakBytes === 0) continue; // a GPU this tree never used
    const points = into.get(gpu.gpuIndex) ?? [];
    for (const p of gpu.timeline) points.push([Math.round(offset + p.tMs), p.bytes]);
    into.set(gpu.gpuIndex, points);
  }
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

function maxPeaks(
  known: ProcessPeak[],
  perGpu: ReadonlyArray<{ gpuIndex: number; peakBytes: number }>,
): ProcessPeak[] {
  const out = new Map(known.map((p) => [p.gpuIndex, p.peakBytes]));
  for (const g of perGpu) out.set(g.gpuIndex, Math.max(out.get(g.gpuIndex) ?? 0, g.peakBytes));
  return [...out].map(([gpuIndex, peakBytes]) => ({ gpuIndex, peakBytes }));
}

/** Highest peaks so far per (device, rank): two ranks on one device stay two entries. */
function maxFramework(
  known: FrameworkMemory[],
  latest: readonly FrameworkMemory[],
): FrameworkMemory[] {
  const key = (f: FrameworkMemory) => `${f.device}/${f.rank ?? ''}/${f.uuid ?? ''}`;
  const out = new Map(known.map((f) => [key(f), { ...f }]));
  for (const f of latest) {
    const seen = out.get(key(f));
    out.set(key(f), {
      ...f,
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
        `${metric} ${formatChange(c.ratio)} [${formatChange(c.interval.lower)}, ${formatChange(c.interval.upper)}] ${c.verdict}`,
    )
    .join('; ');
}

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
