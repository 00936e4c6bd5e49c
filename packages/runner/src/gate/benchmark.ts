import type { DeviceProbe, GpuReader, ResolvedDtype } from '@vggt-perf-gate/device';
import { addChecks } from '../analysis/benchmark-checks.js';
import type { BenchmarkConfig } from '../config/index.js';
import { RunnerError } from '../errors.js';
import type { BenchmarkResult, NoiseFloor } from '../results/types.js';
import { measureBenchmark } from './measure/measure-benchmark.js';
import type { SideDirs } from './measure/plan.js';
import { benchmarkPlan, type RunVerdicts } from './plan.js';
import { preflightProblem, resolveBenchmarkDtype } from './preflight.js';
import type { BenchmarkProgress } from './progress-events.js';
import { runSetup } from './setup.js';

/** What one benchmark's run needs from the gate's run. */
export interface BenchmarkRun {
  dirs: SideDirs;
  probe: DeviceProbe;
  reader: GpuReader | null;
  log: (line: string) => void;
  /** The run's verdicts, for the share of the false-alarm budget each gets. */
  verdicts: RunVerdicts;
  /** The runner's calibrated noise for this benchmark; null without one. */
  noiseFloor?: NoiseFloor | null;
  onProgress?: (progress: BenchmarkProgress) => void;
  signal?: AbortSignal;
}

/**
 * One benchmark, start to end: the preflight checks, each side's setup, the
 * plan, the measurement, and the checks of what ran. Never throws: whatever
 * goes wrong becomes this benchmark's failed result, so the benchmarks after
 * it still run and the results list them all.
 */
export async function runBenchmark(
  benchmark: BenchmarkConfig,
  run: BenchmarkRun,
): Promise<BenchmarkResult> {
  const { dirs, probe, reader, log } = run;
  const dtype = resolveBenchmarkDtype(benchmark, probe);
  const problem = preflightProblem(benchmark, probe);
  if (problem) return failedResult(benchmark, dtype, problem, []);
  // Warnings the setup and the workload raise (processes they left running) go into the results.
  const warnings: string[] = [];
  let result: BenchmarkResult;
  try {
    const setup = await runSetup(benchmark, dirs, log, run.signal);
    warnings.push(...setup.warnings);
    if (setup.error !== null) return failedResult(benchmark, dtype, setup.error, warnings);
    const gpu = reader && probe.state === 'ok' ? { index: benchmark.device, reader } : null;
    const plan = {
      ...benchmarkPlan(benchmark, dtype, gpu, run.verdicts, (w) => warnings.push(w)),
      noiseFloor: run.noiseFloor ?? null,
    };
    result = await measureBenchmark(plan, dirs, log, {
      ...(run.onProgress ? { onProgress: run.onProgress } : {}),
      ...(run.signal ? { signal: run.signal } : {}),
    });
  } catch (cause) {
    // measureBenchmark turns a workload's failure into a failed result; anything
    // that still escapes (a bug, a value nobody expected) fails this benchmark alone.
    const message =
      cause instanceof RunnerError
        ? cause.message
        : `unexpected error (please report it, with the log): ${cause instanceof Error ? cause.message : String(cause)}`;
    log(`[${benchmark.name}] failed: ${message}`);
    return failedResult(benchmark, dtype, message, warnings);
  }
  result.warnings.push(...warnings);
  const deviceName =
    probe.state === 'ok' ? (probe.inventory.gpus[benchmark.device]?.name ?? null) : null;
  try {
    addChecks(result, benchmark, dtype, deviceName);
  } catch (cause) {
    // The samples are taken: a check that fails must not lose them.
    result.warnings.push(`the checks after measuring failed: ${(cause as Error).message}`);
  }
  return result;
}

/** A benchmark that failed before it measured anything: why, and what its setup warned about. */
function failedResult(
  benchmark: BenchmarkConfig,
  dtype: ResolvedDtype,
  error: string,
  warnings: string[],
): BenchmarkResult {
  return {
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
  };
}
