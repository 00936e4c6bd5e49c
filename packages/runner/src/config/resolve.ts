/**
 * Layers each benchmark over the file's `defaults:` over the built-ins,
 * key by key inside `threshold`, `budget` and `warmup`, so a benchmark can
 * override one threshold and keep the others.
 */
import {
  DEFAULT_CWD,
  DEFAULT_DEVICE,
  DEFAULT_DTYPE,
  DEFAULT_EXPECTED_ACTIVATIONS_GIB,
  DEFAULT_EXPECTED_MEMORY_FACTOR,
  DEFAULT_GPU_BUSY,
  DEFAULT_ITERATIONS_PER_ROUND,
  DEFAULT_LATENCY_THRESHOLD,
  DEFAULT_MAX_ROUNDS,
  DEFAULT_MAX_SECONDS,
  DEFAULT_MEMORY_THRESHOLD,
  DEFAULT_METRICS,
  DEFAULT_ONNX_PROVIDER,
  DEFAULT_PROCESS_PAIRS_AT_ONCE,
  DEFAULT_SAMPLES_TIMEOUT_SECONDS,
  DEFAULT_SETUP_TIMEOUT_SECONDS,
  DEFAULT_WARMUP_ITERATIONS,
  DEFAULT_WORKER_RESTART_EVERY_ROUNDS,
  DEFAULT_WORKER_STARTUP_TIMEOUT_SECONDS,
} from './defaults.js';
import type { ConfigFile } from './schema.js';
import type { BenchmarkConfig, GateConfig, SetupCommands, WorkloadConfig } from './types.js';

type FileBenchmark = ConfigFile['benchmarks'][number];
type FileDefaults = NonNullable<ConfigFile['defaults']>;
type FileWorkload = FileBenchmark['workload'];

/** Resolves a validated file into the config consumers read. */
export function resolveConfig(file: ConfigFile): GateConfig {
  const defaults = file.defaults ?? {};
  return {
    version: file.version,
    benchmarks: file.benchmarks.map((benchmark) => resolveBenchmark(benchmark, defaults)),
  };
}

function resolveBenchmark(own: FileBenchmark, defaults: FileDefaults): BenchmarkConfig {
  const threshold = { ...defaults.threshold, ...own.threshold };
  const budget = { ...defaults.budget, ...own.budget };
  const warmup = { ...defaults.warmup, ...own.warmup };
  const latency = threshold.latency ?? DEFAULT_LATENCY_THRESHOLD;
  return {
    name: own.name,
    metrics: [...(own.metrics ?? defaults.metrics ?? DEFAULT_METRICS)],
    workload: resolveWorkload(own.workload),
    threshold: {
      latency,
      memory: threshold.memory ?? DEFAULT_MEMORY_THRESHOLD,
      // Throughput is latency's samples inverted: held to latency's threshold unless set,
      // so that lowering one lowers both (a looser throughput verdict would only keep the
      // run measuring after latency is decided).
      throughput: threshold.throughput ?? latency,
    },
    budget: {
      maxSeconds: budget.maxSeconds ?? DEFAULT_MAX_SECONDS,
      maxRounds: budget.maxRounds ?? DEFAULT_MAX_ROUNDS,
      iterationsPerRound: budget.iterationsPerRound ?? DEFAULT_ITERATIONS_PER_ROUND,
    },
    warmup: { iterations: warmup.iterations ?? DEFAULT_WARMUP_ITERATIONS },
    dtype: own.dtype ?? defaults.dtype ?? DEFAULT_DTYPE,
    device: own.device ?? defaults.device ?? DEFAULT_DEVICE,
    gpuBusy: own.gpuBusy ?? defaults.gpuBusy ?? DEFAULT_GPU_BUSY,
    expectedMemory: own.expectedMemory
      ? {
          parameters: own.expectedMemory.parameters,
          activationsGiB: own.expectedMemory.activationsGiB ?? DEFAULT_EXPECTED_ACTIVATIONS_GIB,
          factor: own.expectedMemory.factor ?? DEFAULT_EXPECTED_MEMORY_FACTOR,
        }
      : null,
    setup: resolveSetup(own.setup),
    setupTimeoutSeconds:
      own.setupTimeoutSeconds ?? defaults.setupTimeoutSeconds ?? DEFAULT_SETUP_TIMEOUT_SECONDS,
  };
}

function resolveWorkload(workload: FileWorkload): WorkloadConfig {
  switch (workload.kind) {
    case 'onnx':
      return {
        kind: 'onnx',
        model: workload.model,
        provider: workload.provider ?? DEFAULT_ONNX_PROVIDER,
        inputs: { ...workload.inputs },
        restartEveryRounds: workload.restartEveryRounds ?? DEFAULT_WORKER_RESTART_EVERY_ROUNDS,
        processPairsAtOnce: workload.processPairsAtOnce ?? DEFAULT_PROCESS_PAIRS_AT_ONCE,
      };
    case 'worker':
      return {
        kind: 'worker',
        command: copyCommand(workload.command),
        cwd: workload.cwd ?? DEFAULT_CWD,
        env: { ...workload.env },
        startupTimeoutSeconds:
          workload.startupTimeoutSeconds ?? DEFAULT_WORKER_STARTUP_TIMEOUT_SECONDS,
        iterationTimeoutSeconds: workload.iterationTimeoutSeconds ?? null,
        itemsPerIteration: workload.itemsPerIteration ?? null,
        restartEveryRounds: workload.restartEveryRounds ?? DEFAULT_WORKER_RESTART_EVERY_ROUNDS,
        processPairsAtOnce: workload.processPairsAtOnce ?? DEFAULT_PROCESS_PAIRS_AT_ONCE,
        options: { ...workload.options },
      };
    case 'samples':
      return {
        kind: 'samples',
        command: copyCommand(workload.command),
        output: workload.output,
        cwd: workload.cwd ?? DEFAULT_CWD,
        env: { ...workload.env },
        timeoutSeconds: workload.timeoutSeconds ?? DEFAULT_SAMPLES_TIMEOUT_SECONDS,
        select: workload.select ?? null,
      };
  }
}

/** Copies so that no two benchmarks share (and can mutate) one array. */
function copyCommand(command: string | string[]): string | string[] {
  return typeof command === 'string' ? command : [...command];
}

/** A single string means "the same command on both sides". */
function resolveSetup(setup: FileBenchmark['setup']): SetupCommands {
  if (setup === undefined) return { base: null, head: null };
  if (typeof setup === 'string') return { base: setup, head: setup };
  return { base: setup.base ?? null, head: setup.head ?? null };
}
