import type { GpuReader } from '@vggt-perf-gate/device';
import { THROTTLING_REASONS } from '@vggt-perf-gate/device';
import {
  type ForeignProcess,
  mergeFrameworkMemory,
  type ProcessPeak,
  startVramSampler,
  type VramReport,
} from '@vggt-perf-gate/memory';
import {
  type Comparison,
  compare,
  DEFAULT_MIN_ROUNDS,
  formatChange,
  interleaveRounds,
  type LookPlan,
  planLooks,
  type SampleStats,
  summarize,
  thinLooks,
} from '@vggt-perf-gate/timing';
import type { BenchmarkProgress } from './benchmark-progress.js';
import { RunnerError } from './errors.js';
import { describeOutOfMemory, type OutOfMemory, outOfMemoryMetrics } from './out-of-memory.js';
import {
  closePairs,
  footprintPerPair,
  type Pair,
  pairsToStart,
  startPairs,
  usedBytes,
} from './process-pairs.js';
import type {
  BenchmarkResult,
  MemoryRow,
  MetricName,
  MetricResult,
  VramTimeline,
} from './results.js';
import { noteNeighbours, ownPids, processesOn, sharedGpuWarning } from './shared-gpu.js';
import type {
  FrameworkMemory,
  SideName,
  Workload,
  WorkloadProfile,
  WorkloadSession,
} from './workloads/types.js';
import { OutOfMemoryError } from './workloads/worker-failures.js';

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
  /**
   * Rounds that share one process (or session) per side: the cluster the
   * interval treats as one independent observation. `restartEveryRounds`
   * for workers and onnx sessions; 1 for samples commands, whose every
   * round is a fresh process; 0 when nothing restarts.
   */
  roundsPerProcess: number;
  /**
   * Most process pairs a restart starts together, GPU memory allowing (the
   * extra ones wait, warmed up, for their turn); 1 starts one at a time.
   */
  pairsAtOnce: number;
  /**
   * Per metric, the probability that its verdict's intervals miss the truth
   * at any of its looks: its share of the run's 5% (`errorShares`).
   * Throughput shares latency's: the same samples, inverted.
   */
  errorRates: Readonly<Record<MetricName, number>>;
  /** The run's verdicts the 5% is shared by, for the report. */
  verdicts: number;
}

/** The run's overall false-alarm budget: 5%, shared by all its verdicts. */
export const GATE_ERROR_RATE = 0.05;
/**
 * A memory verdict's weight against a latency verdict's. Peak VRAM repeats
 * to the byte across turns of the same code, so a small share hardly widens
 * its interval; latency, the noisy metric, gets most of the budget.
 */
export const MEMORY_ERROR_WEIGHT = 0.1;

/**
 * Each metric's share of the run's 5% (weighted Bonferroni): every look of
 * every verdict then holds at once with 95%. At 95% per verdict instead, a
 * run of 30 benchmarks would fail about 26% of unchanged PRs on some metric.
 * `weight` is the run's total: latency verdicts count 1, memory ones
 * `MEMORY_ERROR_WEIGHT`.
 */
export function errorShares(weight: number): Record<MetricName, number> {
  const latency = GATE_ERROR_RATE / Math.max(weight, 1);
  return { latency, throughput: latency, memory: latency * MEMORY_ERROR_WEIGHT };
}

export type { BenchmarkProgress } from './benchmark-progress.js';

export interface SideDirs {
  base: string;
  head: string;
}

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

type MemoryDetail = { framework: FrameworkMemory[]; processPeaks: ProcessPeak[] };

/** One benchmark's measurement in progress: what its steps share and the result is made of. */
interface Measuring {
  plan: BenchmarkPlan;
  dirs: SideDirs;
  log: (line: string) => void;
  signal: AbortSignal | undefined;
  /** Date.now() at the start: the budget and the timeline count from here. */
  started: number;
  progress: (phase: BenchmarkProgress['phase']) => void;
  processes: number;
  rounds: number;
  estimate: string | null;
  verdictSeconds: number | null;
  series: Record<MetricName, Series>;
  sessions: Partial<Record<SideName, WorkloadSession>>;
  /** Pairs started with the current one, warmed up, waiting for their turn. */
  pool: Pair[];
  /** What one pair holds per GPU, measured at the first start; null until then or without a GPU. */
  footprint: Map<number, number> | null;
  comparisons: Partial<Record<MetricName, Comparison>>;
  /** Set when one side ran out of GPU memory where the other fit. */
  outOfMemory: OutOfMemory | null;
  /**
   * Per metric, where a verdict may stop the run and the interval level at
   * each look; planned once the pace is known (verdictMinRounds), null before.
   */
  looks: Partial<Record<MetricName, LookPlan>> | null;
  /** Date.now() when the first rounds began (after the first start and warm-up). */
  measuringSince: number | null;
  throttledRounds: number[];
  throttleReasons: Set<string>;
  /** Processes outside the run on the benchmark's GPUs, and the rounds they were there. */
  neighbours: {
    rounds: Set<number>;
    processes: Map<string, ForeignProcess>;
    /** Rounds with processes on the GPU of which none was the run's own: no telling who they are. */
    unattributed: Set<number>;
  };
  /** Latency samples taken with the workload's device timer, and with a host clock. */
  clocks: { device: number; host: number };
  memoryDetail: Record<SideName, MemoryDetail>;
  timeline: Record<SideName, Map<number, Array<[number, number]>>>;
  profiles: Record<SideName, WorkloadProfile | null>;
  warnings: string[];
}

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
  const m = startMeasuring(plan, dirs, log, onProgress, signal);
  let stopReason: BenchmarkResult['stopReason'] = 'max-rounds';
  let error: string | null = null;
  const restarts = restartWarning(plan);
  if (restarts) m.warnings.push(restarts);
  try {
    await openSessions(m);
    if (plan.metrics.includes('memory') && !plan.gpu)
      m.warnings.push('memory: not measured (no NVIDIA GPU on this machine)');
    stopReason = await measureRounds(m);
    m.verdictSeconds = (Date.now() - m.started) / 1000;
    // After the last timed sample: the profiled iterations cannot change any sample.
    m.progress('profiling');
    for (const side of ['base', 'head'] as const) {
      m.profiles[side] = await profileSide(m.sessions[side], side, log, m.warnings, plan.name);
    }
  } catch (cause) {
    m.outOfMemory =
      cause instanceof OutOfMemoryError && !signal?.aborted
        ? await settleOutOfMemory(m, cause)
        : null;
    if (m.outOfMemory) {
      stopReason = 'out-of-memory';
      m.verdictSeconds = (Date.now() - m.started) / 1000;
      log(`[${plan.name}] ${describeOutOfMemory(m.outOfMemory)}: a memory verdict, not a failure`);
    } else {
      error = failureMessage(m, cause);
      stopReason = 'failed';
      log(`[${plan.name}] failed: ${error}`);
    }
  } finally {
    await closePairs([m.sessions, ...m.pool]);
    m.pool = [];
    m.progress('done');
  }
  return benchmarkResult(m, stopReason, error);
}

function startMeasuring(
  plan: BenchmarkPlan,
  dirs: SideDirs,
  log: (line: string) => void,
  onProgress: (progress: BenchmarkProgress) => void,
  signal: AbortSignal | undefined,
): Measuring {
  const m: Measuring = {
    plan,
    dirs,
    log,
    signal,
    started: Date.now(),
    progress: (phase) =>
      onProgress({
        benchmark: plan.name,
        phase,
        rounds: m.rounds,
        maxRounds: plan.maxRounds,
        elapsedSeconds: (Date.now() - m.started) / 1000,
        maxSeconds: plan.maxSeconds,
        processes: m.processes,
        estimate: m.estimate,
        verdictSeconds: m.verdictSeconds,
      }),
    processes: 0,
    rounds: 0,
    estimate: null,
    verdictSeconds: null,
    series: { latency: emptySeries(), memory: emptySeries(), throughput: emptySeries() },
    sessions: {},
    pool: [],
    footprint: null,
    comparisons: {},
    looks: null,
    measuringSince: null,
    outOfMemory: null,
    throttledRounds: [],
    throttleReasons: new Set(),
    clocks: { device: 0, host: 0 },
    neighbours: { rounds: new Set(), processes: new Map(), unattributed: new Set() },
    memoryDetail: {
      base: { framework: [], processPeaks: [] },
      head: { framework: [], processPeaks: [] },
    },
    timeline: { base: new Map(), head: new Map() },
    profiles: { base: null, head: null },
    warnings: [],
  };
  return m;
}

/**
 * A side ran out of GPU memory: a verdict when the other side fits. It fits
 * if it took a measured turn; otherwise it is given one now (a fresh
 * session if its start was abandoned, warmed up, its VRAM sampled), so the
 * report can say what it needed. Null when the other side fails too.
 */
async function settleOutOfMemory(
  m: Measuring,
  cause: OutOfMemoryError,
): Promise<OutOfMemory | null> {
  const { plan } = m;
  const side: SideName = cause.side === 'base' ? 'base' : 'head';
  const other: SideName = side === 'head' ? 'base' : 'head';
  if (m.series.latency[other].length === 0) {
    try {
      // Closed, not dropped: what it reported about itself stays in the results.
      await closePairs([{ [side]: m.sessions[side] }]);
      m.sessions[other] ??= await openSide(m, other, new AbortController().signal);
      await m.sessions[other].warmup(plan.warmupIterations);
      await takeTurn(m, other, m.rounds, true);
    } catch (second) {
      m.log(`[${plan.name}] ${other} did not fit either: ${(second as Error).message}`);
      return null;
    }
  }
  return {
    side,
    phase: cause.phase,
    triedBytes: cause.triedBytes,
    otherPeakBytes: peakOf(m, other),
    message: cause.message,
  };
}

/** A side's peak: the sampler's process-tree peak, else the framework's reserved peak; null unknown. */
function peakOf(m: Measuring, side: SideName): number | null {
  const sampled = m.series.memory[side];
  if (sampled.length > 0) return Math.max(...sampled);
  const reserved = m.memoryDetail[side].framework.map((f) => f.maxReservedBytes);
  return reserved.length > 0 ? Math.max(...reserved) : null;
}

/** An interrupt also makes the worker's request fail (its process is killed): say why. */
function failureMessage(m: Measuring, cause: unknown): string {
  const { signal } = m;
  if (signal?.aborted)
    return `${signal.reason instanceof Error ? signal.reason.message : 'interrupted'} after ${m.rounds} rounds; the samples taken are kept`;
  return cause instanceof Error ? cause.message : String(cause);
}

/** Warm-up iterations per side for a pair that waited in the pool: it was warmed when it started. */
const REWARM_ITERATIONS = 1;

/**
 * Closes the pair there is and puts a fresh one in its place, warmed up: the
 * next from the pool when one waits there, else newly started ones (several
 * together when GPU memory allows: process-pairs.ts).
 */
async function openSessions(m: Measuring): Promise<void> {
  const { plan, signal } = m;
  signal?.throwIfAborted();
  m.progress(m.processes === 0 ? 'starting' : 'restarting');
  const old = m.sessions;
  m.sessions = {};
  await closePairs([old]);
  // Checked after closing: that takes seconds, and an interrupt in between must
  // not start new workers.
  signal?.throwIfAborted();
  const pooled = m.pool.shift();
  if (pooled) {
    m.sessions = pooled;
    await warmPairs(m, [pooled], Math.min(REWARM_ITERATIONS, plan.warmupIterations));
  } else {
    const count =
      m.processes === 0
        ? 1
        : pairsToStart(
            plan.gpu?.reader ?? null,
            m.footprint,
            plan.pairsAtOnce,
            pairsStillNeeded(m),
          );
    const before = usedBytes(plan.gpu?.reader ?? null);
    const pairs = await startPairs(count, (side, abandon) => openSide(m, side, abandon));
    m.sessions = pairs[0]!;
    m.pool = pairs.slice(1);
    if (count > 1)
      m.log(
        `[${plan.name}] started ${count} process pairs together; ${count - 1} wait, warmed up, for their turn`,
      );
    await warmPairs(m, pairs, plan.warmupIterations);
    m.footprint ??= footprintPerPair(before, usedBytes(plan.gpu?.reader ?? null), count);
  }
  m.processes += 1;
  m.progress('measuring');
}

/** Process pairs the rest of the round budget can use (the pair being replaced excluded). */
function pairsStillNeeded(m: Measuring): number {
  const { plan } = m;
  if (plan.roundsPerProcess <= 0) return 1;
  return Math.max(1, Math.ceil((plan.maxRounds - m.rounds) / plan.roundsPerProcess));
}

async function warmPairs(m: Measuring, pairs: readonly Pair[], iterations: number): Promise<void> {
  m.progress('warm-up');
  for (const pair of pairs)
    for (const side of ['base', 'head'] as const) {
      m.signal?.throwIfAborted();
      await pair[side].warmup(iterations);
    }
}

/**
 * One side's session. All sessions of a restart start at once: starting is
 * untimed (a model build, seconds on a GPU); one after the other, the starts
 * took 16-24 s of a 53 s gate run on the VGGT example. `abandon` ends a
 * start when another session of the same restart failed.
 */
function openSide(m: Measuring, side: SideName, abandon: AbortSignal): Promise<WorkloadSession> {
  const { plan, dirs, signal } = m;
  // An interrupt reaches the sessions too: a samples round in progress is stopped at once.
  const sessionSignal = signal === undefined ? abandon : AbortSignal.any([abandon, signal]);
  return plan.workload.open({
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
    log: (line) => m.log(`[${plan.name} ${side}] ${line}`),
    signal: sessionSignal,
  });
}

/**
 * The measuring rounds, on timing's ABBA driver: new processes every
 * `restartEveryRounds` rounds, a throttle check after each round, every
 * metric compared after each pair, and a stop once all are decided (with
 * enough processes per side), at `maxRounds` or at `maxSeconds`.
 */
async function measureRounds(m: Measuring): Promise<'decided' | 'max-rounds' | 'max-time'> {
  const { plan } = m;
  const memoryWanted = plan.metrics.includes('memory');
  const { stopReason } = await interleaveRounds({
    beforeRound: async (round) => {
      if (plan.restartEveryRounds > 0 && round > 0 && round % plan.restartEveryRounds === 0) {
        m.log(`[${plan.name}] ${round} rounds: starting new base and head processes`);
        await openSessions(m);
      }
    },
    runTurn: (side, round) => {
      m.measuringSince ??= Date.now();
      return takeTurn(m, side, round, memoryWanted);
    },
    afterRound: (round) => {
      checkThrottling(m, round);
      m.rounds = round + 1;
    },
    afterPair: (rounds) => {
      if (m.looks === null && rounds >= verdictMinRounds(plan))
        m.looks = planVerdictLooks(m, rounds);
      m.comparisons = compareAll(plan, m.series, m.looks);
      m.estimate = describe(m.comparisons);
      m.log(`[${plan.name}] ${m.rounds} rounds: ${m.estimate}`);
      m.progress('measuring');
    },
    // Only at planned looks: their levels are what keeps stopping early honest.
    stopRule: {
      shouldStop: ({ rounds }) => {
        const looks = m.looks ? Object.values(m.looks)[0]!.looks : [];
        if (!looks.includes(rounds)) return null;
        if (Object.values(m.comparisons).every((c) => c.verdict !== 'inconclusive'))
          return 'decided';
        // The plan's last look: the budget it was planned for is spent.
        if (rounds === looks[looks.length - 1])
          return rounds >= plan.maxRounds ? 'max-rounds' : 'max-time';
        return null;
      },
    },
    maxRounds: plan.maxRounds,
    // Seconds since the benchmark started, as `maxSeconds` is meant: starting workers counts.
    clock: () => (Date.now() - m.started) / 1000,
    start: 0,
    maxTime: plan.maxSeconds,
    ...(m.signal ? { signal: m.signal } : {}),
  });
  // The driver stops on an interrupt before a turn: fail as an interrupt anywhere else does.
  if (stopReason === 'aborted') throw m.signal?.reason;
  return stopReason;
}

/**
 * Rounds before a verdict may stop the run: timing's minimum, and with
 * restarts two processes per side (one process pair cannot show how much a
 * process-level offset moves the ratio).
 */
function verdictMinRounds(plan: BenchmarkPlan): number {
  return plan.roundsPerProcess > 1
    ? Math.max(DEFAULT_MIN_ROUNDS, 2 * plan.roundsPerProcess)
    : DEFAULT_MIN_ROUNDS;
}

/**
 * The cluster of a round: its process pair. Without restarts there is one
 * pair for the whole run, and ABBA pairs of rounds stand in (a warning says
 * that an offset between processes is then not in the interval).
 */
export function clusterOfRound(
  plan: Pick<BenchmarkPlan, 'roundsPerProcess'>,
): (round: number) => number {
  const per = plan.roundsPerProcess > 0 ? plan.roundsPerProcess : 2;
  return (round) => Math.floor(round / per);
}

/**
 * Plans a verdict's looks once the pace is known: how many rounds the rest
 * of the time budget allows at the pace so far (restarts included), up to
 * `maxRounds`. Planning for rounds the budget cannot reach would spend
 * confidence on looks that never come.
 */
function planVerdictLooks(m: Measuring, rounds: number): Partial<Record<MetricName, LookPlan>> {
  const { plan } = m;
  const now = Date.now();
  const secondsPerRound = (now - (m.measuringSince ?? m.started)) / 1000 / rounds;
  const left = plan.maxSeconds - (now - m.started) / 1000;
  const lastRound = plan.maxRounds + (plan.maxRounds % 2);
  const fit = 2 * Math.floor(left / secondsPerRound / 2);
  // Rounds that took no measurable time (0 / 0) fit without end: the round budget decides.
  const reachable = Number.isNaN(fit) ? lastRound : rounds + fit;
  const horizon = Math.max(rounds, Math.min(lastRound, reachable));
  const looks = plannedLooks(plan, horizon);
  const plans: Partial<Record<MetricName, LookPlan>> = {};
  for (const metric of plan.metrics) {
    const confidence = 1 - plan.errorRates[metric];
    // Metrics with the same share (latency, throughput) share one plan.
    plans[metric] =
      Object.values(plans).find((p) => p.confidence === confidence) ??
      planLooks({ looks, clusterOf: clusterOfRound(plan), confidence });
  }
  return plans;
}

/**
 * The rounds at which a verdict may stop the run, up to `horizon`: each
 * complete ABBA pair that ends a process pair, from `verdictMinRounds`, and
 * the horizon itself; thinned (timing's thinLooks), keeping the first and last.
 */
export function plannedLooks(plan: BenchmarkPlan, horizon: number): number[] {
  const clusterOf = clusterOfRound(plan);
  const candidates: number[] = [];
  for (let rounds = Math.min(verdictMinRounds(plan), horizon); rounds <= horizon; rounds += 2) {
    if (rounds === horizon || clusterOf(rounds) !== clusterOf(rounds - 1)) candidates.push(rounds);
  }
  return thinLooks(candidates.length > 0 ? candidates : [horizon]);
}

/** Why the plan's restarts cannot show a process-level offset, or null. */
function restartWarning(plan: BenchmarkPlan): string | null {
  if (plan.roundsPerProcess === 0)
    return 'every round ran in one process per side (restartEveryRounds: 0): pairs of rounds stood in for processes, so an offset between two processes of the same code is not in the interval. Set restartEveryRounds (e.g. 4) for an honest verdict.';
  if (plan.roundsPerProcess > 1 && plan.maxRounds <= plan.roundsPerProcess)
    return `restartEveryRounds (${plan.roundsPerProcess}) is not below maxRounds (${plan.maxRounds}): every round ran in one process per side, so no verdict could be decided. Raise maxRounds or lower restartEveryRounds.`;
  return null;
}

/** One side's turn: its samples per metric, with a VRAM sampler around it for memory. */
async function takeTurn(
  m: Measuring,
  side: SideName,
  round: number,
  memoryWanted: boolean,
): Promise<void> {
  const { plan, series } = m;
  const session = m.sessions[side]!;
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
    if (report && plan.gpu) recordVram(m, side, round, report);
    checkNeighbours(m, round, report ?? null);
  }
  m.memoryDetail[side].framework = maxFramework(m.memoryDetail[side].framework, result.memory);
  const times = result.samples.map((s) => {
    m.clocks[s.deviceMs === null ? 'host' : 'device']++;
    return s.deviceMs ?? s.hostMs;
  });
  push(series.latency, side, round, times);
  const items = plan.itemsPerIteration ?? session.info.itemsPerIteration;
  if (items)
    push(
      series.throughput,
      side,
      round,
      times.map((ms) => (items * 1000) / ms),
    );
}

function recordVram(m: Measuring, side: SideName, round: number, report: VramReport): void {
  // The busiest GPU's peak: what runs out first. With one GPU that is
  // simply its peak; a DDP run gates on its fullest rank's GPU.
  const busiest = Math.max(0, ...report.perGpu.map((g) => g.peakBytes));
  push(m.series.memory, side, round, [busiest]);
  m.memoryDetail[side].processPeaks = maxPeaks(m.memoryDetail[side].processPeaks, report.perGpu);
  addTimeline(m.timeline[side], report, m.started);
}

/**
 * Notes processes outside the run on the GPUs this turn used: from the
 * sampler's readings through the turn, or, without one, a listing after it.
 */
function checkNeighbours(m: Measuring, round: number, report: VramReport | null): void {
  const { gpu } = m.plan;
  if (!gpu) return;
  const gpus = new Set([
    gpu.index,
    ...(report?.perGpu ?? []).filter((g) => g.peakBytes > 0).map((g) => g.gpuIndex),
  ]);
  const listed = report ? null : processesOn(gpu.reader, gpus);
  const seen = report ? report.foreign : listed!;
  if (seen.length === 0) return;
  const sessions = [m.sessions.base, m.sessions.head, ...m.pool.flatMap((p) => [p.base, p.head])];
  const own = ownPids(sessions.filter((s) => s !== undefined).map((s) => s.pid));
  // None of the run's own processes on the GPU while others are: in a container the
  // driver lists host PIDs, which match nothing here, so who shares it cannot be told.
  const ownSeen = report ? report.pidsSeen.length > 0 : listed!.some((p) => own.has(p.pid));
  if (!ownSeen) {
    m.neighbours.unattributed.add(round);
    return;
  }
  noteNeighbours(m.neighbours, round, seen, own, gpus);
}

/** Notes a round in which the GPU reported a clock-limiting event. */
function checkThrottling(m: Measuring, round: number): void {
  const { gpu } = m.plan;
  if (!gpu) return;
  const reasons = gpu.reader.inventory().gpus[gpu.index]?.throttleReasons ?? [];
  const throttling = reasons.filter((r) => THROTTLING_REASONS.has(r));
  if (throttling.length === 0) return;
  m.throttledRounds.push(round);
  for (const r of throttling) m.throttleReasons.add(r);
}

function benchmarkResult(
  m: Measuring,
  stopReason: BenchmarkResult['stopReason'],
  error: string | null,
): BenchmarkResult {
  const { plan, series, warnings } = m;
  if (m.throttledRounds.length > 0)
    warnings.push(throttleWarning(m.throttledRounds, m.rounds, [...m.throttleReasons]));
  const sharedGpu =
    m.neighbours.rounds.size > 0
      ? {
          rounds: [...m.neighbours.rounds].sort((a, b) => a - b),
          processes: [...m.neighbours.processes.values()],
        }
      : null;
  if (sharedGpu) warnings.push(sharedGpuWarning(sharedGpu, m.rounds));
  else if (m.neighbours.unattributed.size > 0)
    warnings.push(
      `in ${m.neighbours.unattributed.size} of ${m.rounds} rounds the driver listed processes on the GPU and none of them was this run's own: in a container it reports host PIDs, which match nothing here, so whether another process shared the GPU cannot be told. Run the container with the host PID namespace (docker --pid=host) for that check.`,
    );
  if (m.outOfMemory)
    warnings.push(
      `${describeOutOfMemory(m.outOfMemory)}. That is the memory verdict, not a failure to measure; the error: ${m.outOfMemory.message}`,
    );
  const gpuIndexOfUuid = uuidLookup(plan.gpu);
  const base = m.sessions.base?.info ?? null;
  const head = m.sessions.head?.info ?? null;
  warnings.push(...dtypeWarnings(plan, base?.dtype, head?.dtype));
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
    for (const [part, why] of Object.entries(profile?.available ? (profile.failedParts ?? {}) : {}))
      log(`[${name}] ${side}: profile kept without its ${part} part (${why})`);
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
  looks: Partial<Record<MetricName, LookPlan>> | null,
): Partial<Record<MetricName, Comparison>> {
  const out: Partial<Record<MetricName, Comparison>> = {};
  const clusterOf = clusterOfRound(plan);
  for (const metric of plan.metrics) {
    const s = series[metric];
    if (s.base.length < 2 || s.head.length < 2) continue;
    const rounds = Math.max(0, ...s.baseRounds, ...s.headRounds) + 1;
    try {
      out[metric] = compare(s.base, s.head, {
        threshold: plan.thresholds[metric],
        // Before the looks are planned no verdict can stop the run: the estimate is for display.
        confidence: looks?.[metric]?.levelAt(rounds) ?? 1 - plan.errorRates[metric],
        // Every look and verdict of the run together hold with 95%: what the report names.
        overallConfidence: 1 - GATE_ERROR_RATE,
        higherIsBetter: metric === 'throughput',
        rounds: { base: s.baseRounds, head: s.headRounds, clusterOf },
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
          shape: looks?.shape ?? 'pocock',
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
