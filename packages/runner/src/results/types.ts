import type { ForeignProcess, MemoryBreakdownRow } from '@vggt-perf-gate/memory';
import type { Verdict } from '@vggt-perf-gate/timing';
import type { WorkloadInfo, WorkloadProfile } from '../workloads/reports.js';
import type { SideName } from '../workloads/types.js';

/**
 * The results file: everything a report, a PR comment or a later merge
 * needs, versioned so readers can refuse what they do not understand.
 * Documented in docs/results-schema.md.
 */
export const RESULTS_SCHEMA_VERSION = 1;

/** A metric the gate measures: latency (ms per iteration), memory (peak process-tree VRAM, bytes) or throughput (items/s). */
export type MetricName = 'latency' | 'memory' | 'throughput';

/** Whether a higher value of the metric is the better one: throughput only. */
export const HIGHER_IS_BETTER: Readonly<Record<MetricName, boolean>> = {
  latency: false,
  memory: false,
  throughput: true,
};

/** One side's samples of a metric, summed up in the metric's unit: how many, the median, the 5th and 95th percentiles. */
export interface SideSummary {
  /** Samples behind the numbers (iterations for latency, rounds for memory). */
  count: number;
  median: number;
  p5: number;
  p95: number;
}

/**
 * One metric of one benchmark: each side's summary, head's change over base
 * with its interval, the threshold, and the verdict with a sentence that
 * explains it. See `metrics` in docs/results-schema.md.
 */
export interface MetricResult {
  metric: MetricName;
  unit: 'ms' | 'bytes' | 'items/s';
  base: SideSummary | null;
  head: SideSummary | null;
  /**
   * Head over base: exp of the mean per-round log ratio (each turn's trimmed
   * mean log time), the estimate the interval is centred on. Results from
   * before that change hold head / base of the medians.
   */
  ratio: number | null;
  /** The interval of `ratio`; `level` is the level of the look the run stopped at. */
  interval: { lower: number; upper: number; level: number } | null;
  /** How the interval was obtained (absent in results from before it was recorded). */
  intervalMethod?: IntervalMethod | null;
  threshold: number;
  verdict: Verdict | 'not-measured';
  explanation: string;
}

/**
 * The interval's method: paired rounds, clustered by process pair, at a
 * per-look level chosen so that every look of every verdict of the run
 * holds at once with the run's 95%: see timing's
 * planLooks and the runner's verdictConfidence.
 */
export interface IntervalMethod {
  /** Process pairs (clusters) the interval is over; its t has clusters - 1 degrees of freedom. */
  clusters: number;
  /** Rounds with both sides, each one paired observation. */
  pairedRounds: number;
  roundsPerCluster: number;
  /** Coverage of this verdict at all its looks at once: 1 - 0.05 / verdicts. */
  confidence: number;
  /** Verdicts of the run the 5% false-alarm budget is shared by. */
  verdicts: number;
  /** Planned looks, and the shape of their levels. */
  looks: number;
  /**
   * The rounds of the planned looks, in order: where the verdict could stop,
   * so that a reader can re-check where it did (absent in older results).
   */
  lookRounds?: number[];
  shape: 'pocock' | 'obrien-fleming';
  /**
   * The noise this run measured, on the log scale: the standard deviation
   * of the per-round log ratios and of the process pairs' means. An A/A run
   * of these is the runner's noise floor (absent in older results).
   */
  noise?: { perRoundSd: number; betweenPairSd: number } | null;
  /**
   * The runner's calibrated noise the interval was floored at (from its A/A
   * runs in the history), and whether it widened this run's interval; null
   * or absent when no fresh calibration was given.
   */
  noiseFloor?: (NoiseFloor & { widened: boolean }) | null;
}

/**
 * A runner's calibrated noise for one benchmark: the spread between process
 * pairs' mean log ratios that its recent A/A runs measured (the median of
 * them), how many runs that is, and when the newest was recorded.
 */
export interface NoiseFloor {
  betweenPairSd: number;
  perRoundSd: number;
  /** Rounds per process pair in those runs: a floor only applies to a run with the same (absent in older results). */
  roundsPerPair?: number;
  calibrations: number;
  newest: string;
  runner: string | null;
}

/**
 * One benchmark in the results file: what ran on each side, how it was
 * measured and why it stopped, and a MetricResult per metric; `status:
 * 'failed'` with `error` when it could not be measured. Every field is
 * described in docs/results-schema.md.
 */
export interface BenchmarkResult {
  name: string;
  workload: 'onnx' | 'worker' | 'samples';
  status: 'complete' | 'failed';
  error: string | null;
  dtype: { requested: string; resolved: string; explanation: string };
  /** What each side reported about itself (framework, device, dtype in effect). */
  ran: { base: WorkloadInfo | null; head: WorkloadInfo | null };
  rounds: number;
  stopReason: 'decided' | 'max-rounds' | 'max-time' | 'out-of-memory' | 'failed';
  /**
   * One side ran out of GPU memory where the other fit: the memory verdict
   * (regression when head ran out); null or absent otherwise.
   */
  outOfMemory?: OutOfMemory | null;
  /** Seconds from the first worker start to the end, profiled iterations and shutdown included. */
  seconds: number;
  /**
   * Seconds from the first worker start to the last timed round, when the
   * verdict was known; null when the benchmark failed. Absent in results from
   * before it was added.
   */
  verdictSeconds?: number | null;
  /**
   * Sessions (worker processes) started per side; more than 1 when restarts
   * replicate processes. Absent in results from before it was added.
   */
  processes?: number;
  /**
   * How the latency samples were taken: warm-up iterations per process
   * before any was timed, and the clock: `device` (the workload's own
   * device timer, e.g. CUDA events around each iteration), `host` (a host
   * clock around a synchronised iteration) or `mixed`. Absent in results
   * from before it was recorded.
   */
  timing?: { warmupIterations: number; clock: 'device' | 'host' | 'mixed' | 'none' };
  /** Rounds during which the GPU reported a throttling clock event. */
  throttledRounds: number[];
  /**
   * Processes outside the run on the benchmark's GPUs while it was measured,
   * and the rounds they were there; null when there were none (absent in
   * results from before it was recorded). A pass measured beside them makes
   * the run's verdict `inconclusive`.
   */
  sharedGpu?: SharedGpu | null;
  metrics: MetricResult[];
  /**
   * Per side and GPU: the framework's allocator and reserved peaks beside the
   * process-tree peak the sampler saw (the difference is the CUDA context);
   * null when the workload reports no framework numbers (ONNX, samples).
   */
  memory: { base: MemoryRow[] | null; head: MemoryRow[] | null };
  /**
   * Every sample behind each metric, in its unit, with the round it was taken
   * in (latency: one per iteration; memory: one peak per round), so reports can
   * draw them and a reader can recompute the statistics. Absent in results
   * from before it was added; `merge` keeps it.
   */
  samples?: Partial<Record<MetricName, MetricSamples>>;
  /**
   * Per side, one profiled iteration taken after the last timed sample (kernels,
   * operators, matmul dtypes, FLOPs); null when the workload cannot profile.
   */
  profiles?: { base: WorkloadProfile | null; head: WorkloadProfile | null };
  /** Per side, the process tree's VRAM per GPU over the benchmark (ms since it started). */
  vramTimeline?: { base: VramTimeline[]; head: VramTimeline[] };
  warnings: string[];
}

/** One GPU's memory layers; `ranks` names the distributed ranks (torchrun) whose numbers it adds up. */
export type MemoryRow = MemoryBreakdownRow & { ranks?: number[] };

/**
 * Every sample behind one metric, in its unit: `base` and `head` are the
 * values, `baseRounds` and `headRounds` the round of each, index for index.
 */
export interface MetricSamples {
  base: number[];
  head: number[];
  baseRounds: number[];
  headRounds: number[];
}

/** One side's process-tree VRAM on one GPU over a benchmark, as the HTML report draws it. */
export interface VramTimeline {
  gpuIndex: number;
  /** [ms since the benchmark started, bytes]: the highest reading of each stretch, so peaks survive. */
  points: Array<[number, number]>;
}

/**
 * The run's verdict: `failed` when a benchmark could not be measured, else
 * `regression` when a metric regressed, else `inconclusive` when a metric is
 * undecided, a benchmark shared its GPU with another process or the run
 * stopped early, else `pass`.
 */
export type GateVerdict = 'pass' | 'regression' | 'inconclusive' | 'failed';

/**
 * The whole results file, as runGate writes it and readResults reads it
 * back: commits, device, status, the run's verdict and every benchmark.
 * Documented in docs/results-schema.md.
 */
export interface GateResults {
  schemaVersion: typeof RESULTS_SCHEMA_VERSION;
  tool: { name: 'vggt-perf-gate'; version: string };
  createdAt: string;
  configHash: string;
  commits: {
    base: { ref: string; sha: string | null };
    head: { ref: string; sha: string | null; dirty: boolean };
  };
  device:
    | {
        state: 'ok';
        name: string;
        computeCapability: string | null;
        driver: string;
        source: string;
      }
    | { state: 'no-gpu'; reason: string };
  /** `partial` when the run stopped early (a failure, an interrupt): never passed off as complete. */
  status: 'complete' | 'partial';
  verdict: GateVerdict;
  regressions: number;
  benchmarks: BenchmarkResult[];
  warnings: string[];
  /** Set on a shard of a matrix run; `merge` joins shards. */
  shard: string | null;
}

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

/**
 * Another process on a benchmark's GPU while it was measured: a neighbour
 * running matrix products slowed a 517 ms step by 5 ms in a validation run,
 * and the gate called the result "unchanged". Measured beside a neighbour, a
 * pass is not a clean pass: the results record who was there and when, and
 * the run's verdict says so (verdict.ts, gateVerdict).
 */
export interface SharedGpu {
  /** Rounds in which a process outside the run's own held memory on the benchmark's GPUs. */
  rounds: number[];
  /** Those processes, by GPU and PID, with the most each held. */
  processes: ForeignProcess[];
}
