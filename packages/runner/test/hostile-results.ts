/**
 * Results as a fork's run could write them: every text field of a results
 * file (names, errors, warnings, refs, device and framework strings, dtype
 * strings, kernel and operator names, record keys, notes) holding an attack
 * payload, with enough of every kind of section (failed and complete
 * benchmarks, profiles, memory rows with ranks, samples, a VRAM timeline)
 * that each field reaches the reports.
 */
import type { BenchmarkResult, GateResults, MetricResult } from '../src/results/types.js';
import type { WorkloadInfo, WorkloadProfile } from '../src/workloads/types.js';

/** What an attacker would put in a text field, one kind of injection each. */
export const PAYLOADS = [
  '<img src=x onerror=alert(1)>',
  '</td><script>alert(1)</script>',
  '"><svg onload=alert(1)>',
  "'><iframe srcdoc=x>",
  '| col | col |',
  '@org/team and @someone',
  '[x](javascript:alert(1))',
  '![img](https://example.invalid/x.png)',
  '`code` ``two``',
  'first line\n### heading\r\n| a | b |',
  '&#64;org &lt;b&gt; #123 org/repo#45',
  '**bold** _em_ ~~gone~~ $x^2$ \\| \\',
  '<!-- vggt-perf-gate:comment:default -->',
  '::error::pwned ##[warning]pwned \u001b[31mred\u001b[0m \u202eevil',
] as const;

/** A harmless text, for a render with the same shape to compare with. */
export const PLAIN = 'plain text';

const MiB = 2 ** 20;
/** Valid shas: the renderers get hostile ones from `hostileResults` by default. */
const BASE_SHA = '4b825dc642cb6eb9a060e54bf8d69288fbee4904';
const HEAD_SHA = '9f2c1e7a5b3d4c6e8f0a1b2c3d4e5f6a7b8c9d0e';

function info(text: string, framework: string): WorkloadInfo {
  return {
    framework: `${framework} ${text}`,
    frameworkVersion: text,
    device: text,
    dtype: text,
    itemsPerIteration: 20,
    extra: { attention: text, [text]: text, count: 3 },
  };
}

function torchProfile(text: string, extraKernel: boolean): WorkloadProfile {
  return {
    source: text,
    available: true,
    kernels: [
      { name: `flash_fwd ${text}`, count: 24, deviceUs: 9_000 },
      { name: `sm90_xmma_gemm_bf16 ${text}`, count: 96, deviceUs: 4_000 },
      ...(extraKernel ? [{ name: `void softmax<${text}>(${text})`, count: 4, deviceUs: 900 }] : []),
    ],
    totalDeviceUs: 14_000,
    ops: { 'aten::_scaled_dot_product_flash_attention': 24, [text]: 2 },
    matmulDtypes: { bf16: 90, [text]: 6 },
    allowTf32: false,
    parameterDtype: text,
    autocastDtype: text,
    flops: 2e12,
  };
}

function onnxProfile(text: string): WorkloadProfile {
  return {
    source: 'onnxruntime',
    available: true,
    kernels: [{ name: `MatMul ${text}`, count: 4, deviceUs: 800, provider: text }],
    totalDeviceUs: 800,
    ops: {},
    matmulDtypes: {},
    allowTf32: null,
    parameterDtype: null,
    autocastDtype: null,
    flops: null,
    placement: { byProvider: { [text]: 3, CPUExecutionProvider: 1 }, cpuNodes: [text] },
  };
}

function metric(
  name: MetricResult['metric'],
  unit: MetricResult['unit'],
  verdict: MetricResult['verdict'],
  text: string,
  median: number,
): MetricResult {
  return {
    metric: name,
    unit,
    base: { count: 8, median, p5: median * 0.98, p95: median * 1.02 },
    head: { count: 8, median: median * 1.05, p5: median * 1.03, p95: median * 1.07 },
    ratio: 1.05,
    interval: { lower: 1.03, upper: 1.07, level: 0.95 },
    threshold: 0.02,
    verdict,
    explanation: `${verdict}: ${text}`,
  };
}

function workerBenchmark(text: string): BenchmarkResult {
  return {
    name: `worker ${text}`,
    workload: 'worker',
    status: 'complete',
    error: null,
    dtype: { requested: text, resolved: text, explanation: text },
    ran: { base: info(text, 'torch'), head: info(text, 'torch') },
    rounds: 4,
    stopReason: 'decided',
    seconds: 12.5,
    verdictSeconds: 10.25,
    processes: 2,
    throttledRounds: [1, 3],
    metrics: [
      metric('latency', 'ms', 'regression', text, 180),
      metric('memory', 'bytes', 'unchanged', text, 9_000 * MiB),
      metric('throughput', 'items/s', 'improvement', text, 110),
    ],
    memory: {
      base: [
        {
          gpuIndex: 0,
          ranks: [0, 1],
          allocatorPeak: 8_000 * MiB,
          reservedPeak: 8_500 * MiB,
          processPeak: 9_000 * MiB,
          contextOverhead: 500 * MiB,
          note: text,
        },
      ],
      head: [
        {
          gpuIndex: 1,
          allocatorPeak: 8_100 * MiB,
          reservedPeak: 8_600 * MiB,
          processPeak: null,
          contextOverhead: null,
        },
      ],
    },
    samples: {
      latency: {
        base: [179, 180, 181],
        head: [188, 189, 190],
        baseRounds: [0, 1, 2],
        headRounds: [0, 1, 2],
      },
    },
    profiles: { base: torchProfile(text, false), head: torchProfile(text, true) },
    vramTimeline: {
      base: [
        {
          gpuIndex: 0,
          points: [
            [100, 8_000 * MiB],
            [150, 8_900 * MiB],
          ],
        },
      ],
      head: [{ gpuIndex: 1, points: [[400, 9_000 * MiB]] }],
    },
    warnings: [text],
  };
}

function onnxBenchmark(text: string): BenchmarkResult {
  return {
    ...workerBenchmark(text),
    name: `onnx ${text}`,
    workload: 'onnx',
    stopReason: 'max-rounds',
    ran: { base: info(text, 'onnxruntime'), head: null },
    metrics: [metric('latency', 'ms', 'inconclusive', text, 20)],
    memory: { base: null, head: null },
    samples: undefined,
    vramTimeline: undefined,
    profiles: {
      base: onnxProfile(text),
      head: {
        ...onnxProfile(text),
        available: false,
        reason: text,
        kernels: [],
      },
    },
  };
}

function failedBenchmark(text: string): BenchmarkResult {
  return {
    ...workerBenchmark(text),
    name: `failed ${text}`,
    status: 'failed',
    error: `the head worker exited: ${text}`,
    stopReason: 'failed',
    verdictSeconds: null,
    metrics: [],
  };
}

/**
 * A results file with `text` in every text field. `validShas` keeps the
 * commit shas hex (as readResults requires); by default they hold `text` too,
 * for the renderers, which must not rely on that check.
 */
export function hostileResults(text: string, { validShas = false } = {}): GateResults {
  return {
    schemaVersion: 1,
    tool: { name: 'vggt-perf-gate', version: text },
    createdAt: text,
    configHash: text,
    commits: {
      base: { ref: text, sha: validShas ? BASE_SHA : text },
      head: { ref: text, sha: validShas ? HEAD_SHA : text, dirty: true },
    },
    device: {
      state: 'ok',
      name: text,
      computeCapability: text,
      driver: text,
      source: text,
    },
    status: 'partial',
    verdict: 'failed',
    regressions: 1,
    benchmarks: [workerBenchmark(text), onnxBenchmark(text), failedBenchmark(text)],
    warnings: [text, `shards ran on different devices: ${text}`],
    shard: text,
  };
}

/** The same run on no GPU: the device's `reason` is the text shown. */
export function hostileNoGpu(text: string): GateResults {
  return { ...hostileResults(text), device: { state: 'no-gpu', reason: text } };
}

/** Paths of every number in `value` (array indices as numbers), depth first. */
export function numberPaths(
  value: unknown,
  path: Array<string | number> = [],
): Array<Array<string | number>> {
  if (typeof value === 'number') return [path];
  if (Array.isArray(value)) return value.flatMap((item, i) => numberPaths(item, [...path, i]));
  if (typeof value === 'object' && value !== null)
    return Object.entries(value).flatMap(([key, item]) => numberPaths(item, [...path, key]));
  return [];
}

/** A deep copy of `value` with `replacement` at `path`. */
export function withValueAt<T>(
  value: T,
  path: ReadonlyArray<string | number>,
  replacement: unknown,
): T {
  const copy = structuredClone(value);
  let parent = copy as unknown as Record<string | number, unknown>;
  for (const segment of path.slice(0, -1))
    parent = parent[segment] as Record<string | number, unknown>;
  parent[path[path.length - 1]!] = replacement;
  return copy;
}
