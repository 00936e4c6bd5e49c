import { RunnerError } from '../errors.js';
import { convertSamples } from './samples-formats.js';
import type { FrameworkMemory } from './types.js';

/**
 * The samples file a `samples` command writes (docs/config.md, "The samples
 * file"): `{ "version": 1, "samples": [ms, ...], "framework"?: string,
 * "dtype"?: string, "memory"?: [{ "device", "maxAllocatedBytes",
 * "maxReservedBytes" }] }`. Checked in full when read: one bad value would
 * otherwise surface far from its cause, in the statistics.
 */
export interface SamplesFile {
  version: 1;
  /** Times in ms, each finite and above 0. */
  samples: number[];
  framework?: string;
  dtype?: string;
  memory?: FrameworkMemory[];
}

/** What the file must look like, for every message about it. */
const SHAPE =
  '{ "version": 1, "samples": [12.5, 12.7, ...] }: every sample a time in milliseconds above 0, ' +
  'optionally "framework" and "dtype" strings and "memory": [{ "device": 0, "maxAllocatedBytes": 123, "maxReservedBytes": 456 }]';

/**
 * Parses and checks the text of a samples file read from `path`: the gate's
 * own format, or pytest-benchmark's and torch.utils.benchmark's output as
 * they are (samples-formats.ts; `select` picks one of several benchmarks).
 *
 * @throws {RunnerError} WORKLOAD_FAILED naming the file, the first bad
 *   entry with its value, and the shape the file must have
 */
export function parseSamplesFile(
  text: string,
  path: string,
  select: string | null = null,
): SamplesFile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw invalid(path, `is not JSON (${(cause as Error).message})`, cause);
  }
  // pytest-benchmark's JSON, or a torch.utils.benchmark Measurement, as they are.
  const converted = convertSamples(parsed, path, select);
  if (converted) parsed = { version: 1, ...converted };
  if (!isRecord(parsed)) throw invalid(path, `holds ${shown(parsed)}, not an object`);
  if (parsed.version !== 1)
    throw invalid(path, `${field('version', parsed.version)}; it must be 1`);
  checkSamples(parsed.samples, path);
  for (const key of ['framework', 'dtype'] as const) {
    const value = parsed[key];
    if (value !== undefined && typeof value !== 'string')
      throw invalid(path, `${field(key, value)}; it must be a string when present`);
  }
  if (parsed.memory !== undefined) checkMemory(parsed.memory, path);
  return parsed as unknown as SamplesFile;
}

function checkSamples(samples: unknown, path: string): void {
  if (!Array.isArray(samples) || samples.length === 0)
    throw invalid(path, `${field('samples', samples)}; it must be a list of at least one time`);
  const bad = samples.flatMap((value, index) => (isTime(value) ? [] : [index]));
  const first = bad[0];
  if (first === undefined) return;
  const value: unknown = samples[first];
  // JSON has no Infinity, but an overflowing literal such as 1e999 parses as one.
  const infinity =
    value === Infinity || value === -Infinity
      ? ' (a number too large for JSON, e.g. 1e999, reads as Infinity)'
      : '';
  const more =
    bad.length > 1
      ? `, and ${bad.length - 1} more of its ${samples.length} samples are invalid`
      : '';
  throw invalid(
    path,
    `has samples[${first}] = ${shown(value)}${infinity}${more}; every sample must be a finite time in milliseconds above 0`,
  );
}

function checkMemory(memory: unknown, path: string): void {
  if (!Array.isArray(memory))
    throw invalid(path, `${field('memory', memory)}; it must be a list of per-device peaks`);
  memory.forEach((entry: unknown, index) => {
    const at = `memory[${index}]`;
    if (!isRecord(entry)) throw invalid(path, `has ${at} = ${shown(entry)}; it must be an object`);
    if (!(Number.isInteger(entry.device) && (entry.device as number) >= 0))
      throw invalid(
        path,
        `has ${at}.device = ${shown(entry.device)}; it must be a device index, 0 or more`,
      );
    for (const key of ['maxAllocatedBytes', 'maxReservedBytes'] as const) {
      const bytes = entry[key];
      if (!(typeof bytes === 'number' && Number.isFinite(bytes) && bytes >= 0))
        throw invalid(
          path,
          `has ${at}.${key} = ${shown(bytes)}; it must be a number of bytes, 0 or more`,
        );
    }
  });
}

/** A time a sample can be: a finite number of ms above 0 (0 ms would make throughput infinite). */
function isTime(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `has "key" value`, or `has no "key"`. */
function field(key: string, value: unknown): string {
  return value === undefined ? `has no "${key}"` : `has "${key}" ${shown(value)}`;
}

/** A value as a message shows it: numbers as JavaScript reads them (Infinity), the rest as JSON, cut. */
function shown(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'number') return String(value);
  const json = JSON.stringify(value);
  return json.length > 80 ? `${json.slice(0, 80)}...` : json;
}

function invalid(path: string, problem: string, cause?: unknown): RunnerError {
  return new RunnerError(
    'WORKLOAD_FAILED',
    `the samples file ${path} ${problem}. The samples command must write ${SHAPE} there (its path is also in $PERF_GATE_SAMPLES_OUTPUT).`,
    cause === undefined ? undefined : { cause },
  );
}
