/**
 * The resolved config: what consumers (orchestrator, workloads, reports)
 * read. Every default is already applied, so nothing downstream needs to know
 * about the `defaults:` section or the built-in values.
 */
import type { DTYPES, GPU_BUSY_POLICIES, METRICS, ONNX_PROVIDERS } from './schema.js';

/** A quantity the gate measures and can fail on. */
export type Metric = (typeof METRICS)[number];
/** Requested precision; `auto` is resolved from the GPU's compute capability at run time. */
export type DtypeSetting = (typeof DTYPES)[number];
/** What to do when another process is using the GPU. */
export type GpuBusyPolicy = (typeof GPU_BUSY_POLICIES)[number];
/** onnxruntime execution provider. */
export type OnnxProvider = (typeof ONNX_PROVIDERS)[number];

/** Regression thresholds as fractions of the base value (0.02 = 2%). */
export interface Thresholds {
  latency: number;
  memory: number;
  throughput: number;
}

export interface Budget {
  /** Wall-clock limit (s) for one benchmark. */
  maxSeconds: number;
  /** Most interleaved base/head rounds. */
  maxRounds: number;
  /** Timed iterations per side per round. */
  iterationsPerRound: number;
}

export interface Warmup {
  /** Untimed iterations per side before sampling (and after each worker start). */
  iterations: number;
}

export interface ExpectedMemory {
  parameters: number;
  activationsGiB: number;
  /** A measured peak above `factor` x the expectation is flagged. */
  factor: number;
}

/** Setup commands per side; null when that side has none. */
export interface SetupCommands {
  base: string | null;
  head: string | null;
}

/**
 * A command: a string runs through the shell (`sh -c`); an array is an
 * argument vector run directly, with no shell quoting to get wrong.
 */
export type Command = string | string[];

export interface OnnxWorkloadConfig {
  kind: 'onnx';
  /** Path of the .onnx file, relative to the side's checkout. */
  model: string;
  provider: OnnxProvider;
  /** Sizes of symbolic input dimensions by name; empty when none were given. */
  inputs: Record<string, number>;
  /** Fresh base and head sessions every this many rounds; 0 never. */
  restartEveryRounds: number;
  /** Most session pairs a restart opens together, memory allowing. */
  processPairsAtOnce: number;
}

export interface WorkerWorkloadConfig {
  kind: 'worker';
  command: Command;
  /** Relative to the side's checkout ('.' by default). */
  cwd: string;
  /** Extra environment; empty when none was given. */
  env: Record<string, string>;
  startupTimeoutSeconds: number;
  /** A fixed limit per iteration (s); null for the adaptive default. */
  iterationTimeoutSeconds: number | null;
  /** Overrides what the worker reports; null to use the worker's own figure. */
  itemsPerIteration: number | null;
  /** Fresh base and head processes every this many rounds; 0 never. */
  restartEveryRounds: number;
  /** Most process pairs a restart starts together, GPU memory allowing. */
  processPairsAtOnce: number;
  /** Passed to the worker's setup as `ctx.options`; empty when none were given. */
  options: Record<string, unknown>;
}

export interface SamplesWorkloadConfig {
  kind: 'samples';
  command: Command;
  /** Path of the samples JSON the command writes, relative to `cwd`. */
  output: string;
  cwd: string;
  env: Record<string, string>;
  timeoutSeconds: number;
  /** Which benchmark of an output that holds several (pytest-benchmark, torch.utils.benchmark); null when one. */
  select: string | null;
}

/** What a benchmark runs, discriminated on `kind`. */
export type WorkloadConfig = OnnxWorkloadConfig | WorkerWorkloadConfig | SamplesWorkloadConfig;

/** One benchmark with every default resolved. */
export interface BenchmarkConfig {
  name: string;
  /** Metrics measured and gated on, in the order given. */
  metrics: Metric[];
  workload: WorkloadConfig;
  threshold: Thresholds;
  budget: Budget;
  warmup: Warmup;
  dtype: DtypeSetting;
  /** GPU index. */
  device: number;
  gpuBusy: GpuBusyPolicy;
  /** Null when the config states no expectation. */
  expectedMemory: ExpectedMemory | null;
  setup: SetupCommands;
  /** Limit (s) for each side's setup command. */
  setupTimeoutSeconds: number;
}

/** A validated `perf-gate.yml` with defaults resolved into every benchmark. */
export interface GateConfig {
  version: 1;
  benchmarks: BenchmarkConfig[];
}
