/**
 * The results file's shape, checked where a file comes in (readResults):
 * `merge` and the Action's `results:` input may read files a fork's run
 * wrote, so a file is data of unknown origin until it passes. Numbers must
 * be finite numbers, counts and GPU indices whole numbers, every enum one
 * of its values, every text a string, a commit sha hex: a file with
 * `verdict: "<script>"` or `gpuIndex: "<img src=x onerror=...>"` is
 * refused with the file and the field named. The reports escape all text
 * anyway (report/html-escape.ts, report/markdown-escape.ts): this check is
 * what lets them trust types (a number formats as a number, a verdict picks
 * a known class), and it fails at the boundary, with a message, rather than
 * deep in a renderer.
 */
import * as z from 'zod';
import { formatPath } from '../config/describe.js';
import { RunnerError } from '../errors.js';
// Types only: io.ts imports this module to check what it reads.
import type { GateResults } from './types.js';

/** Problems listed in one error; the rest are counted. */
const MAX_LISTED_ISSUES = 5;
/** Characters of a wrong value shown in a message. */
const MAX_SHOWN_VALUE = 60;
/** What `git rev-parse` prints: SHA-1 or SHA-256 hex, maybe abbreviated. */
const COMMIT_SHA = /^[0-9a-f]{7,64}$/i;
/** zod's type names in words. */
const TYPE_WORDS: Readonly<Record<string, string>> = {
  number: 'a number',
  int: 'a whole number',
  string: 'a string',
  boolean: 'true or false',
  array: 'a list',
  tuple: 'a list',
  object: 'an object',
  record: 'an object',
};

// zod 4's number() takes finite numbers only: no NaN, no Infinity.
const finite = z.number();
const whole = z.number().int().nonnegative();
const text = z.string();

const sideSummary = z.object({ count: whole, median: finite, p5: finite, p95: finite });

const metricResult = z.object({
  metric: z.enum(['latency', 'memory', 'throughput']),
  unit: z.enum(['ms', 'bytes', 'items/s']),
  base: sideSummary.nullable(),
  head: sideSummary.nullable(),
  ratio: finite.nullable(),
  interval: z.object({ lower: finite, upper: finite, level: finite }).nullable(),
  intervalMethod: z
    .object({
      clusters: whole,
      pairedRounds: whole,
      roundsPerCluster: whole,
      confidence: finite,
      verdicts: whole,
      looks: whole,
      lookRounds: z.array(whole).optional(),
      shape: z.enum(['pocock', 'obrien-fleming']),
      noise: z.object({ perRoundSd: finite, betweenPairSd: finite }).nullable().optional(),
      noiseFloor: z
        .object({
          betweenPairSd: finite,
          perRoundSd: finite,
          roundsPerPair: whole.optional(),
          calibrations: whole,
          newest: text,
          runner: text.nullable(),
          widened: z.boolean(),
        })
        .nullable()
        .optional(),
    })
    .nullable()
    .optional(),
  threshold: finite,
  verdict: z.enum(['regression', 'improvement', 'unchanged', 'inconclusive', 'not-measured']),
  explanation: text,
});

const workloadInfo = z.object({
  framework: text,
  frameworkVersion: text.nullable(),
  device: text.nullable(),
  dtype: text.nullable(),
  itemsPerIteration: finite.nullable(),
  extra: z.record(z.string(), z.unknown()),
});

const memoryRow = z.object({
  gpuIndex: whole,
  allocatorPeak: finite,
  reservedPeak: finite,
  processPeak: finite.nullable(),
  // Negative when the sampler missed the peak: a number, not a count.
  contextOverhead: finite.nullable(),
  note: text.optional(),
  ranks: z.array(whole).optional(),
});

const metricSamples = z.object({
  base: z.array(finite),
  head: z.array(finite),
  baseRounds: z.array(whole),
  headRounds: z.array(whole),
});

const profile = z.object({
  source: text,
  available: z.boolean(),
  reason: text.optional(),
  kernels: z.array(
    z.object({ name: text, count: whole, deviceUs: finite, provider: text.optional() }),
  ),
  totalDeviceUs: finite.nullable(),
  ops: z.record(z.string(), finite),
  matmulDtypes: z.record(z.string(), finite),
  allowTf32: z.boolean().nullable(),
  parameterDtype: text.nullable(),
  autocastDtype: text.nullable(),
  flops: finite.nullable(),
  placement: z
    .object({ byProvider: z.record(z.string(), whole), cpuNodes: z.array(text) })
    .optional(),
  failedParts: z.record(z.string(), text).optional(),
  hostReads: whole.optional(),
});

const vramTimeline = z.object({
  gpuIndex: whole,
  points: z.array(z.tuple([finite, finite])),
});

const sides = <T extends z.ZodType>(side: T) => z.object({ base: side, head: side });

const benchmarkResult = z.object({
  name: text,
  workload: z.enum(['onnx', 'worker', 'samples']),
  status: z.enum(['complete', 'failed']),
  error: text.nullable(),
  dtype: z.object({ requested: text, resolved: text, explanation: text }),
  ran: sides(workloadInfo.nullable()),
  rounds: whole,
  stopReason: z.enum(['decided', 'max-rounds', 'max-time', 'out-of-memory', 'failed']),
  outOfMemory: z
    .object({
      side: z.enum(['base', 'head']),
      phase: text,
      triedBytes: finite.nullable(),
      otherPeakBytes: finite.nullable(),
      message: text,
    })
    .nullable()
    .optional(),
  sharedGpu: z
    .object({
      rounds: z.array(whole),
      processes: z.array(z.object({ gpuIndex: whole, pid: whole, peakBytes: finite.nullable() })),
    })
    .nullable()
    .optional(),
  timing: z
    .object({ warmupIterations: whole, clock: z.enum(['device', 'host', 'mixed', 'none']) })
    .optional(),
  seconds: finite,
  warnings: z.array(text),
  throttledRounds: z.array(whole),
  metrics: z.array(metricResult),
  // Absent from files written before each was added; reports handle their absence.
  verdictSeconds: finite.nullable().optional(),
  processes: whole.optional(),
  memory: sides(z.array(memoryRow).nullable()).default({ base: null, head: null }),
  samples: z
    .object({
      latency: metricSamples.optional(),
      memory: metricSamples.optional(),
      throughput: metricSamples.optional(),
    })
    .optional(),
  profiles: sides(profile.nullable()).optional(),
  vramTimeline: sides(z.array(vramTimeline)).optional(),
});

const sha = z.string().regex(COMMIT_SHA, 'a commit sha (hex digits)').nullable();

const gateResults = z.object({
  // RESULTS_SCHEMA_VERSION; readResults checks it first, with its own message.
  schemaVersion: z.literal(1),
  tool: z.object({ name: z.literal('vggt-perf-gate'), version: text }),
  createdAt: text,
  configHash: text,
  commits: z.object({
    base: z.object({ ref: text, sha }),
    head: z.object({ ref: text, sha, dirty: z.boolean() }),
  }),
  device: z.discriminatedUnion('state', [
    z.object({
      state: z.literal('ok'),
      name: text,
      computeCapability: text.nullable(),
      driver: text,
      source: text,
    }),
    z.object({ state: z.literal('no-gpu'), reason: text }),
  ]),
  status: z.enum(['complete', 'partial']),
  verdict: z.enum(['pass', 'regression', 'inconclusive', 'failed']),
  regressions: whole,
  benchmarks: z.array(benchmarkResult),
  warnings: z.array(text),
  shard: text.nullable(),
});

/**
 * `data` (parsed JSON from `path`) as results, or a RunnerError (RESULTS_IO)
 * naming the file and each field that is wrong, what it must be and what
 * it is. Keys the schema does not know are dropped: nothing downstream
 * reads them.
 */
export function checkResults(data: unknown, path: string): GateResults {
  const parsed = gateResults.safeParse(data);
  if (parsed.success) {
    // Typed without a cast: the compiler checks that what passes is GateResults.
    const results: GateResults = parsed.data;
    return results;
  }
  const issues = parsed.error.issues;
  const listed = issues.slice(0, MAX_LISTED_ISSUES).map((issue) => describeIssue(issue, data));
  const more = issues.length - listed.length;
  throw new RunnerError(
    'RESULTS_IO',
    `${path} is not a valid results file: ${listed.join('; ')}${more > 0 ? `; and ${more} more` : ''}. A results file is written by vggt-perf-gate run (or merge): if this one came from another run, that run or something after it changed it; re-run the gate to get a file this version reads.`,
  );
}

/** "benchmarks[0].memory.base[0].gpuIndex must be a whole number >= 0, not the string "<img ...>"". */
function describeIssue(issue: z.core.$ZodIssue, data: unknown): string {
  const path = issue.path.filter(
    (segment): segment is string | number => typeof segment !== 'symbol',
  );
  const where = path.length === 0 ? 'the file' : formatPath(path);
  const value = valueAt(data, path);
  return `${where} must be ${expectation(issue)}, not ${shown(value)}`;
}

function expectation(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_value':
      return `one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'invalid_type':
      return Object.hasOwn(TYPE_WORDS, issue.expected)
        ? TYPE_WORDS[issue.expected]!
        : issue.expected;
    case 'too_small':
      return `${issue.inclusive === false ? 'above' : 'at least'} ${issue.minimum}`;
    case 'invalid_format':
      return issue.message;
    case 'invalid_union': {
      // A discriminated union (device.state) names its choices.
      const options = (issue as { options?: unknown[] }).options;
      return options ? `one of ${options.map((v) => JSON.stringify(v)).join(', ')}` : 'valid';
    }
    default:
      return `valid (${issue.message})`;
  }
}

function valueAt(data: unknown, path: ReadonlyArray<string | number>): unknown {
  let value = data;
  for (const segment of path) {
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, segment))
      return undefined;
    value = (value as Record<string | number, unknown>)[segment];
  }
  return value;
}

/** A wrong value for a message: strings quoted and cut short, so a hostile one stays one line. */
function shown(value: unknown): string {
  if (value === undefined) return 'missing';
  if (typeof value === 'string') {
    const cut = value.length > MAX_SHOWN_VALUE ? `${value.slice(0, MAX_SHOWN_VALUE)}…` : value;
    return `the string ${JSON.stringify(cut)}`;
  }
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object' && value !== null) return 'an object';
  return String(value);
}
