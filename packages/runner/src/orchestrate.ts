import { resolve } from 'node:path';
import {
  type DeviceProbe,
  type GpuReader,
  isComputeDtype,
  openGpuReader,
  probeDevice,
  type RequestedDtype,
  resolveDtype,
} from '@vggt-perf-gate/device';
import { checkExpectedMemory } from '@vggt-perf-gate/memory';
import { whatRan, whatRanWarnings } from './analysis/what-ran.js';
import { type BenchmarkConfig, type GateConfig, hashConfig } from './config/index.js';
import { RunnerError } from './errors.js';
import {
  type BaseCheckout,
  checkoutBase,
  gitCommonDir,
  isDirty,
  pruneStaleBaseCheckouts,
  resolveCommit,
} from './git.js';
import {
  type BenchmarkPlan,
  type BenchmarkProgress,
  errorShares,
  MEMORY_ERROR_WEIGHT,
  measureBenchmark,
} from './measure-benchmark.js';
import {
  type BenchmarkResult,
  type GateResults,
  gateVerdict,
  RESULTS_SCHEMA_VERSION,
  writeResults,
} from './results.js';
import { acquireRunLock, type RunLock } from './run-lock.js';
import { selectBenchmarks } from './select-benchmarks.js';
import { runSetup } from './setup.js';
import { ResultsNotSavedError } from './unsaved-results.js';
import { onnxWorkload } from './workloads/onnx.js';
import { samplesWorkload } from './workloads/samples.js';
import type { Workload } from './workloads/types.js';
import { workerWorkload } from './workloads/worker.js';

export const TOOL_VERSION = '0.0.0';

export interface GateOptions {
  config: GateConfig;
  /** The head side: the working tree to gate (a git checkout). */
  dir: string;
  /** The base side: a git ref, checked out into a temporary worktree. */
  baseRef: string;
  /** Where the results JSON goes (written atomically, also for a failed run). */
  resultsPath: string;
  /** Progress and workload output, one line at a time. */
  log: (line: string) => void;
  /** Only these benchmarks (by name); all when absent. A name not in the config is an error. */
  only?: readonly string[];
  shard?: string | null;
  /** Device probe to use (tests); probed here when absent. */
  probe?: DeviceProbe;
  /** Called as each benchmark measures, for a live progress display. */
  onProgress?: (progress: BenchmarkProgress) => void;
  /**
   * Aborting stops the run: the benchmark being measured ends as failed with
   * every sample it took, no further benchmark starts, and the results are
   * written with status "partial".
   */
  signal?: AbortSignal;
}

/**
 * Runs the whole gate: probe the device, check the base out, run each
 * side's setup, measure every benchmark base vs head, and write the results.
 * The base worktree is removed and every worker is stopped whatever happens.
 *
 * @throws ResultsNotSavedError when the results file cannot be written at the
 *   end; it carries the results, so the caller can still report and keep them
 */
export async function runGate(options: GateOptions): Promise<GateResults> {
  const { config, log } = options;
  const dir = resolve(options.dir);
  const probe = options.probe ?? probeDevice();
  const warnings = probe.state === 'ok' ? [...probe.warnings] : [];
  if (probe.state === 'no-gpu')
    log(`device: no NVIDIA GPU (${probe.reason.split('\n')[0]}); GPU metrics will not be measured`);
  const gpu0 = probe.state === 'ok' ? probe.inventory.gpus[0] : undefined;
  const results: GateResults = {
    schemaVersion: RESULTS_SCHEMA_VERSION,
    tool: { name: 'vggt-perf-gate', version: TOOL_VERSION },
    createdAt: new Date().toISOString(),
    configHash: hashConfig(config),
    commits: {
      base: { ref: options.baseRef, sha: null },
      head: {
        ref: 'working tree',
        sha: await resolveCommit(dir, 'HEAD'),
        dirty: await isDirty(dir),
      },
    },
    device:
      probe.state === 'ok' && gpu0
        ? {
            state: 'ok',
            name: gpu0.name,
            computeCapability: gpu0.computeCapability
              ? `${gpu0.computeCapability.major}.${gpu0.computeCapability.minor}`
              : null,
            driver: probe.inventory.driverVersion,
            source: probe.inventory.source,
          }
        : { state: 'no-gpu', reason: probe.state === 'no-gpu' ? probe.reason : 'no GPU listed' },
    status: 'partial',
    verdict: 'failed',
    regressions: 0,
    benchmarks: [],
    warnings,
    shard: options.shard ?? null,
  };
  const benchmarks = selectBenchmarks(config, options.only);
  // Counted over the whole config, not the selection: shards of one run then share one budget.
  const verdicts = verdictsOf(config.benchmarks);
  let reader: GpuReader | null = null;
  const lock = await lockRepository(dir, options.resultsPath, log, results.warnings);
  let base: BaseCheckout;
  try {
    base = await checkoutBase(dir, options.baseRef);
  } catch (error) {
    lock.release();
    throw error;
  }
  results.commits.base.sha = base.sha;
  log(`base ${options.baseRef} (${base.sha.slice(0, 12)}) checked out in ${base.dir}`);
  try {
    if (probe.state === 'ok') reader = openGpuReader();
    for (const benchmark of benchmarks) {
      if (options.signal?.aborted) break;
      log(`benchmark ${benchmark.name}: ${benchmark.workload.kind}`);
      results.benchmarks.push(
        await runBenchmark(benchmark, {
          dirs: { base: base.dir, head: dir },
          probe,
          reader,
          log,
          verdicts,
          ...(options.onProgress ? { onProgress: options.onProgress } : {}),
          ...(options.signal ? { signal: options.signal } : {}),
        }),
      );
      // Written after every benchmark: a crash later loses nothing measured (status stays partial).
      // A failed write does not stop measuring: the final write below reports it, results attached.
      await writeResults(options.resultsPath, results).catch((e: Error) =>
        log(`results not saved to ${options.resultsPath} yet (${e.message}); measuring goes on`),
      );
    }
    if (!options.signal?.aborted) results.status = 'complete';
  } finally {
    // Nothing in cleanup may cost the measured results, or leave the lock held.
    try {
      closeReader(reader, results.warnings);
      const leftover = await base.remove();
      if (leftover) results.warnings.push(leftover);
      Object.assign(results, gateVerdict(results.benchmarks));
      if (results.status !== 'complete' && results.verdict === 'pass')
        results.verdict = 'inconclusive';
      await writeResults(options.resultsPath, results).catch((cause) => {
        throw new ResultsNotSavedError(options.resultsPath, results, cause);
      });
    } finally {
      lock.release();
    }
  }
  return results;
}

function closeReader(reader: GpuReader | null, warnings: string[]): void {
  try {
    reader?.close();
  } catch (error) {
    warnings.push(
      `closing the GPU reader failed (${(error as Error).message}); the results are unaffected`,
    );
  }
}

/**
 * Takes the repository's run lock, then removes the base worktrees a killed
 * run left behind: with the lock held, none of them can be a live run's.
 * What could not be removed becomes a warning of the run.
 */
async function lockRepository(
  dir: string,
  resultsPath: string,
  log: (line: string) => void,
  warnings: string[],
): Promise<RunLock> {
  const gitDir = await gitCommonDir(dir).catch(() => null);
  // Not a repository: checkoutBase says so, with what to do.
  if (gitDir === null) return { path: '', release: () => {} };
  const lock = acquireRunLock(gitDir, resolve(resultsPath));
  const { removed, problems } = await pruneStaleBaseCheckouts(dir);
  if (removed.length > 0)
    log(
      `removed ${removed.length} base worktree(s) an earlier, interrupted run left: ${removed.join(', ')}`,
    );
  warnings.push(...problems);
  return lock;
}

/** What one benchmark's run needs from the gate's run. */
interface BenchmarkRun {
  dirs: { base: string; head: string };
  probe: DeviceProbe;
  reader: GpuReader | null;
  log: (line: string) => void;
  /** The run's verdicts, for the share of the false-alarm budget each gets. */
  verdicts: { count: number; weight: number };
  onProgress?: (progress: BenchmarkProgress) => void;
  signal?: AbortSignal;
}

/**
 * The verdicts a config's run reaches, and their weight in the error budget
 * (errorShares): per benchmark one for latency and throughput together
 * (throughput is the same samples, inverted, so it cannot disagree), weight
 * 1, and one for memory, weight MEMORY_ERROR_WEIGHT.
 */
export function verdictsOf(benchmarks: readonly BenchmarkConfig[]): {
  count: number;
  weight: number;
} {
  let count = 0;
  let weight = 0;
  for (const b of benchmarks) {
    if (b.metrics.includes('latency') || b.metrics.includes('throughput')) {
      count++;
      weight += 1;
    }
    if (b.metrics.includes('memory')) {
      count++;
      weight += MEMORY_ERROR_WEIGHT;
    }
  }
  return { count: Math.max(1, count), weight: Math.max(1, weight) };
}

async function runBenchmark(
  benchmark: BenchmarkConfig,
  run: BenchmarkRun,
): Promise<BenchmarkResult> {
  const { dirs, probe, reader, log, onProgress, signal } = run;
  const gpu = probe.state === 'ok' ? probe.inventory.gpus[benchmark.device] : undefined;
  const dtype = gpu
    ? resolveDtype(benchmark.dtype as RequestedDtype, gpu)
    : {
        dtype: benchmark.dtype === 'auto' ? 'fp32' : benchmark.dtype,
        explanation:
          benchmark.dtype === 'auto'
            ? 'auto -> fp32: no GPU on this machine'
            : `${benchmark.dtype} as configured (no GPU)`,
        warning: null,
      };
  const failed = (error: string, warnings: string[] = []): BenchmarkResult => ({
    name: benchmark.name,
    workload: benchmark.workload.kind,
    status: 'failed',
    error,
    dtype: { requested: benchmark.dtype, resolved: dtype.dtype, explanation: dtype.explanation },
    ran: { base: null, head: null },
    rounds: 0,
    stopReason: 'failed',
    seconds: 0,
    verdictSeconds: null,
    processes: 0,
    throttledRounds: [],
    metrics: [],
    memory: { base: null, head: null },
    warnings,
  });
  if (probe.state === 'ok' && !gpu) {
    return failed(
      `device ${benchmark.device} does not exist: this machine has ${probe.inventory.gpus.length} GPU(s). Fix "device" in the config.`,
    );
  }
  const busy = probe.state === 'ok' ? (probe.gpus[benchmark.device]?.otherProcesses ?? []) : [];
  if (busy.length > 0 && benchmark.gpuBusy === 'fail') {
    return failed(
      `GPU ${benchmark.device} is in use by PIDs ${busy.map((p) => p.pid).join(', ')} and gpuBusy is "fail": stop them, or set gpuBusy: warn.`,
    );
  }
  // Warnings the setup and the workload raise (processes they left running) go into the results.
  const warnings: string[] = [];
  let result: BenchmarkResult;
  try {
    const setup = await runSetup(benchmark, dirs, log, signal);
    warnings.push(...setup.warnings);
    if (setup.error !== null) return failed(setup.error, warnings);
    const plan: BenchmarkPlan = {
      name: benchmark.name,
      workload: workloadFor(benchmark, { onWarning: (warning) => warnings.push(warning) }),
      metrics: benchmark.metrics,
      thresholds: benchmark.threshold,
      warmupIterations: benchmark.warmup.iterations,
      iterationsPerRound: benchmark.budget.iterationsPerRound,
      maxRounds: benchmark.budget.maxRounds,
      maxSeconds: benchmark.budget.maxSeconds,
      dtype: { requested: benchmark.dtype, resolved: dtype.dtype, explanation: dtype.explanation },
      device: benchmark.device,
      gpu: reader && gpu ? { index: benchmark.device, reader } : null,
      itemsPerIteration:
        benchmark.workload.kind === 'worker' ? benchmark.workload.itemsPerIteration : null,
      ...processPlan(benchmark),
      errorRates: errorShares(run.verdicts.weight),
      verdicts: run.verdicts.count,
    };
    result = await measureBenchmark(plan, dirs, log, onProgress, signal);
  } catch (cause) {
    // measureBenchmark turns a workload's failure into a failed result; anything
    // that still escapes (a bug, a value nobody expected) fails this benchmark
    // alone, so the benchmarks after it still run and the results list them all.
    const message =
      cause instanceof RunnerError
        ? cause.message
        : `unexpected error (please report it, with the log): ${cause instanceof Error ? cause.message : String(cause)}`;
    log(`[${benchmark.name}] failed: ${message}`);
    return failed(message, warnings);
  }
  result.warnings.push(...warnings);
  try {
    addChecks(result, benchmark, dtype, gpu?.name ?? null);
  } catch (cause) {
    // The samples are taken: a check that fails must not lose them.
    result.warnings.push(`the checks after measuring failed: ${(cause as Error).message}`);
  }
  return result;
}

/** Warnings about what ran (dtype, kernels, memory against the expectation), added to `result`. */
/**
 * How often each side gets a fresh process (or session), and how many rounds
 * share one: workers and onnx sessions restart every `restartEveryRounds`;
 * a samples command is a fresh process every round.
 */
export function processPlan(
  benchmark: BenchmarkConfig,
): Pick<BenchmarkPlan, 'restartEveryRounds' | 'roundsPerProcess' | 'pairsAtOnce'> {
  const { workload } = benchmark;
  if (workload.kind === 'samples')
    return { restartEveryRounds: 0, roundsPerProcess: 1, pairsAtOnce: 1 };
  return {
    restartEveryRounds: workload.restartEveryRounds,
    roundsPerProcess: workload.restartEveryRounds,
    pairsAtOnce: workload.processPairsAtOnce,
  };
}

export function addChecks(
  result: BenchmarkResult,
  benchmark: BenchmarkConfig,
  dtype: { dtype: string; warning: string | null },
  deviceName: string | null,
): void {
  if (dtype.warning) result.warnings.push(dtype.warning);
  const latency = result.metrics.find((m) => m.metric === 'latency');
  result.warnings.push(
    ...whatRanWarnings(
      whatRan(result.profiles?.base, latency?.base?.median ?? null, deviceName),
      whatRan(result.profiles?.head, latency?.head?.median ?? null, deviceName),
      dtype.dtype,
    ),
  );
  const peak = result.metrics.find((m) => m.metric === 'memory')?.head?.median;
  if (benchmark.expectedMemory && peak !== undefined && isComputeDtype(dtype.dtype)) {
    // The weights' storage dtype, as the head's profile saw the parameters: fp32 weights
    // under bf16 autocast (how VGGT runs) are not a precision fallback.
    const stored = result.profiles?.head?.parameterDtype;
    const check = checkExpectedMemory({
      parameterCount: benchmark.expectedMemory.parameters,
      dtype: dtype.dtype,
      ...(typeof stored === 'string' && isComputeDtype(stored) ? { weightsDtype: stored } : {}),
      activationBytes: benchmark.expectedMemory.activationsGiB * 2 ** 30,
      factor: benchmark.expectedMemory.factor,
      measuredPeakBytes: peak,
      requestedDtype: dtype.dtype,
    });
    if (check.state === 'exceeded')
      result.warnings.push(
        `head peak VRAM exceeds the expectation: ${check.likelyCause ?? check.note ?? ''}`,
      );
  }
}

/** What a workload reports besides its measurements. */
export interface WorkloadHooks {
  /** A warning for the benchmark's results, e.g. a process a command left running. */
  onWarning?: (message: string) => void;
}

/** The workload a benchmark's config describes. */
export function workloadFor(benchmark: BenchmarkConfig, hooks: WorkloadHooks = {}): Workload {
  const w = benchmark.workload;
  switch (w.kind) {
    case 'onnx':
      return onnxWorkload({
        model: w.model,
        provider: w.provider,
        inputs: w.inputs,
        deviceId: benchmark.device,
      });
    case 'worker':
      return workerWorkload({
        command: w.command,
        cwd: w.cwd,
        env: w.env,
        options: w.options,
        startupTimeoutMs: w.startupTimeoutSeconds * 1000,
        iterationTimeoutMs:
          w.iterationTimeoutSeconds === null ? undefined : w.iterationTimeoutSeconds * 1000,
        onWarning: hooks.onWarning,
      });
    case 'samples':
      return samplesWorkload({
        command: w.command,
        output: w.output,
        cwd: w.cwd,
        env: w.env,
        timeoutSeconds: w.timeoutSeconds,
        onWarning: hooks.onWarning,
      });
  }
}
