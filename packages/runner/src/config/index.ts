/**
 * The gate's config file, `perf-gate.yml`: parse, validate (every problem
 * with file, line and column), resolve defaults, fingerprint, and the JSON
 * Schema for editors.
 */
export { ConfigError, type ConfigProblem, formatProblem } from './errors.js';
export { STARTER_CONFIG } from './example.js';
export { canonicalJson, hashConfig } from './hash.js';
export { configJsonSchema } from './json-schema.js';
export { loadConfig } from './load.js';
export { parseConfig } from './parse.js';
export {
  BENCHMARK_NAME_PATTERN,
  CONFIG_VERSION,
  DTYPES,
  GPU_BUSY_POLICIES,
  METRICS,
  ONNX_PROVIDERS,
  WORKLOAD_KINDS,
} from './schema.js';
export type {
  BenchmarkConfig,
  Budget,
  Command,
  DtypeSetting,
  ExpectedMemory,
  GateConfig,
  GpuBusyPolicy,
  Metric,
  OnnxProvider,
  OnnxWorkloadConfig,
  SamplesWorkloadConfig,
  SetupCommands,
  Thresholds,
  Warmup,
  WorkerWorkloadConfig,
  WorkloadConfig,
} from './types.js';
