import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { MemoryBreakdownRow } from '@vggt-perf-gate/memory';
import type { Verdict } from '@vggt-perf-gate/timing';
import { RunnerError } from './errors.js';
import type { OutOfMemory } from './out-of-memory.js';
import { checkResults } from './results-schema.js';
import type { SharedGpu } from './shared-gpu.js';
import type { WorkloadInfo, WorkloadProfile } from './workload-reports.js';

/**
 * The results file: everything a report, a PR comment or a later merge
 * needs, versioned so readers can refuse what they do not understand.
 * Documented in docs/results-schema.md.
 */
export const RESULTS_SCHEMA_VERSION = 1;

export type MetricName = 'latency' | 'memory' | 'throughput';

export interface SideSummary {
  /** Samples behind the numbers (iterations for latency, rounds for memory). */
  count: number;
  median: number;
  p5: number;
  p95: number;
}

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
  shape: 'pocock' | 'obrien-fleming';
}

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

export interface MetricSamples {
  base: number[];
  head: number[];
  baseRounds: number[];
  headRounds: number[];
}

export interface VramTimeline {
  gpuIndex: number;
  /** [ms since the benchmark started, bytes]: the highest reading of each stretch, so peaks survive. */
  points: Array<[number, number]>;
}

export type GateVerdict = 'pass' | 'regression' | 'inconclusive' | 'failed';

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

/** The gate's verdict from its benchmarks: any failure or regression decides it. */
export function gateVerdict(benchmarks: readonly BenchmarkResult[]): {
  verdict: GateVerdict;
  regressions: number;
} {
  const verdicts = benchmarks.flatMap((b) => b.metrics.map((m) => m.verdict));
  const regressions = verdicts.filter((v) => v === 'regression').length;
  if (benchmarks.some((b) => b.status === 'failed')) return { verdict: 'failed', regressions };
  if (regressions > 0) return { verdict: 'regression', regressions };
  if (verdicts.includes('inconclusive')) return { verdict: 'inconclusive', regressions };
  // Measured beside another GPU process, "no regression" is not a clean pass.
  if (benchmarks.some((b) => (b.sharedGpu?.rounds.length ?? 0) > 0))
    return { verdict: 'inconclusive', regressions };
  return { verdict: 'pass', regressions };
}

/**
 * Writes atomically: a temporary file in the same directory, then a rename,
 * so a reader never sees half a file and a crash never leaves one.
 */
export async function writeResults(path: string, results: GateResults): Promise<void> {
  const temporary = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(temporary, `${JSON.stringify(results, null, 2)}\n`);
    await rename(temporary, path);
  } catch (cause) {
    // Best effort: where the write failed (a parent that is a file), so can this.
    await rm(temporary, { force: true }).catch(() => undefined);
    throw new RunnerError(
      'RESULTS_IO',
      `cannot write the results to ${path}: ${(cause as Error).message}. Choose a writable path with --results.`,
      { cause },
    );
  }
}

/**
 * Reads and checks a results file: its schema version, then every field's
 * type (results-schema.ts), since the file may come from a fork's run.
 * Throws a RunnerError (RESULTS_IO) naming the file and the fields.
 */
export async function readResults(path: string): Promise<GateResults> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (cause) {
    throw new RunnerError(
      'RESULTS_IO',
      `cannot read results from ${path}: ${(cause as Error).message}`,
      { cause },
    );
  }
  const version = (parsed as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (version !== RESULTS_SCHEMA_VERSION) {
    throw new RunnerError(
      'RESULTS_IO',
      `${path} has results schema version ${JSON.stringify(version)}; this tool reads version ${RESULTS_SCHEMA_VERSION}. Re-run the gate with this version, or use the version that wrote it.`,
    );
  }
  return checkResults(parsed, path);
}

/**
 * Joins the results of several shards (matrix jobs) into one: benchmarks are
 * concatenated (a name twice is an error), the verdict recomputed, and the
 * run is partial if any shard was.
 */
export function mergeResults(shards: readonly GateResults[]): GateResults {
  const [first] = shards;
  if (!first) throw new RunnerError('USAGE', 'merge needs at least one results file.');
  const seen = new Map<string, string>();
  for (const shard of shards) {
    for (const b of shard.benchmarks) {
      const other = seen.get(b.name);
      if (other !== undefined) {
        // Names quoted as JSON: a name from a file must not start a line of its own in a log.
        throw new RunnerError(
          'USAGE',
          `benchmark ${JSON.stringify(b.name)} appears in two shards (${inline(other)} and ${inline(shard.shard ?? 'unnamed')}): give each shard its own benchmarks.`,
        );
      }
      seen.set(b.name, shard.shard ?? 'unnamed');
    }
  }
  const benchmarks = shards.flatMap((s) => s.benchmarks);
  const { verdict, regressions } = gateVerdict(benchmarks);
  // The header names one device: say so when shards measured on different ones.
  const devices = new Map<string, string[]>();
  for (const s of shards) {
    const name = s.device.state === 'ok' ? s.device.name : 'no GPU';
    devices.set(name, [...(devices.get(name) ?? []), s.shard ?? 'unnamed']);
  }
  const deviceWarning =
    devices.size > 1
      ? [
          `shards ran on different devices: ${[...devices].map(([name, names]) => `${name} (${names.join(', ')})`).join('; ')}; each benchmark's base and head still shared one`,
        ]
      : [];
  return {
    ...first,
    createdAt: new Date().toISOString(),
    status: shards.every((s) => s.status === 'complete') ? 'complete' : 'partial',
    verdict:
      shards.some((s) => s.status !== 'complete') && verdict === 'pass' ? 'inconclusive' : verdict,
    regressions,
    benchmarks,
    warnings: [...new Set([...shards.flatMap((s) => s.warnings), ...deviceWarning])],
    shard: null,
  };
}

/** Text from a results file inside a message: JSON's escapes (line breaks, quotes), without the quotes. */
function inline(text: string): string {
  return JSON.stringify(text).slice(1, -1);
}
