import type { GpuReader, ResolvedDtype } from '@vggt-perf-gate/device';
import type { BenchmarkConfig } from '../config/index.js';
import { onnxWorkload } from '../workloads/onnx.js';
import { samplesWorkload } from '../workloads/samples.js';
import type { Workload } from '../workloads/types.js';
import { workerWorkload } from '../workloads/worker.js';
import { errorShares, MEMORY_ERROR_WEIGHT } from './measure/error-budget.js';
import type { BenchmarkPlan } from './measure/plan.js';

/**
 * From a benchmark's config to the plan measureBenchmark follows: the
 * workload, the budget, the resolved dtype and GPU, how often processes
 * restart, and the benchmark's share of the run's false-alarm budget.
 */

/** The run's verdicts, counted over the whole config (verdictsOf). */
export interface RunVerdicts {
  count: number;
  weight: number;
}

/** The plan for one benchmark; `onWarning` collects what the workload warns about. */
export function benchmarkPlan(
  benchmark: BenchmarkConfig,
  dtype: ResolvedDtype,
  gpu: { index: number; reader: GpuReader } | null,
  verdicts: RunVerdicts,
  onWarning: (warning: string) => void,
): BenchmarkPlan {
  const { workload, budget } = benchmark;
  return {
    name: benchmark.name,
    workload: workloadFor(benchmark, { onWarning }),
    metrics: benchmark.metrics,
    thresholds: benchmark.threshold,
    warmupIterations: benchmark.warmup.iterations,
    iterationsPerRound: budget.iterationsPerRound,
    maxRounds: budget.maxRounds,
    maxSeconds: budget.maxSeconds,
    dtype: { requested: benchmark.dtype, resolved: dtype.dtype, explanation: dtype.explanation },
    device: benchmark.device,
    gpu,
    itemsPerIteration: workload.kind === 'worker' ? workload.itemsPerIteration : null,
    ...processPlan(benchmark),
    errorRates: errorShares(verdicts.weight),
    verdicts: verdicts.count,
  };
}

/**
 * The verdicts a config's run reaches, and their weight in the error budget
 * (errorShares): per benchmark one for latency and throughput together
 * (throughput is the same samples, inverted, so it cannot disagree), weight
 * 1, and one for memory, weight MEMORY_ERROR_WEIGHT.
 */
export function verdictsOf(benchmarks: readonly BenchmarkConfig[]): RunVerdicts {
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
        select: w.select,
        onWarning: hooks.onWarning,
      });
  }
}
