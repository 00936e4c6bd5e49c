import { RunnerError } from '../errors.js';

/**
 * Samples files other harnesses already write, read as they are: a
 * `samples` command may run `pytest --benchmark-json` or dump a
 * `torch.utils.benchmark` Measurement, and the gate takes the per-round
 * times from those. Each becomes the gate's own shape (times in ms); which
 * format a file is, is told by its keys.
 */

/** A format other than the gate's own, converted: times in ms, and the framework that wrote them. */
export interface ConvertedSamples {
  samples: number[];
  framework: string;
}

const MS_PER_S = 1000;

/**
 * The samples of `data` when it is one of the formats below, else null (the
 * gate's own format, or something else: parseSamplesFile says which).
 *
 * - pytest-benchmark's `--benchmark-json`, with `--benchmark-save-data`:
 *   `{ "machine_info", "benchmarks": [{ "name", "fullname", "stats": { "data": [s, ...] } }] }`
 * - a `torch.utils.benchmark` Measurement as JSON (`dataclasses.asdict(m)`),
 *   or a list of them: `{ "number_per_run": n, "raw_times": [s, ...], "task_spec": {...} }`
 *
 * @param select which benchmark of a file that holds several (the workload's `select`)
 * @throws {RunnerError} WORKLOAD_FAILED saying what is missing and how to get it
 */
export function convertSamples(
  data: unknown,
  path: string,
  select: string | null,
): ConvertedSamples | null {
  if (isPytestBenchmark(data)) return fromPytestBenchmark(data, path, select);
  const measurements =
    Array.isArray(data) && data.every(isMeasurement) ? data : isMeasurement(data) ? [data] : null;
  if (measurements && measurements.length > 0) return fromMeasurements(measurements, path, select);
  return null;
}

interface PytestBenchmark {
  name?: unknown;
  fullname?: unknown;
  stats?: { data?: unknown; iterations?: unknown };
}

function isPytestBenchmark(data: unknown): data is { benchmarks: PytestBenchmark[] } {
  return (
    isRecord(data) &&
    Array.isArray(data.benchmarks) &&
    ('machine_info' in data || 'commit_info' in data)
  );
}

function fromPytestBenchmark(
  data: { benchmarks: PytestBenchmark[] },
  path: string,
  select: string | null,
): ConvertedSamples {
  const names = data.benchmarks.map((b) => String(b.fullname ?? b.name));
  const chosen = pick(
    data.benchmarks,
    (b) => [b.name, b.fullname],
    names,
    path,
    select,
    'pytest-benchmark',
  );
  const seconds = chosen.stats?.data;
  if (!Array.isArray(seconds) || seconds.length === 0)
    throw failed(
      path,
      `is pytest-benchmark JSON without the per-round times (stats.data) of ${String(chosen.fullname ?? chosen.name)}: run pytest with --benchmark-json (and --benchmark-save-data, where your pytest-benchmark version leaves them out): a verdict needs the samples, not only their summary`,
    );
  // stats.data holds each round's time per iteration, in seconds.
  return { samples: seconds.map((s) => Number(s) * MS_PER_S), framework: 'pytest-benchmark' };
}

interface Measurement {
  number_per_run: number;
  raw_times: unknown[];
  task_spec?: { label?: unknown; sub_label?: unknown; description?: unknown; stmt?: unknown };
}

function isMeasurement(data: unknown): data is Measurement {
  return (
    isRecord(data) &&
    Array.isArray(data.raw_times) &&
    typeof data.number_per_run === 'number' &&
    data.number_per_run > 0
  );
}

function fromMeasurements(
  measurements: Measurement[],
  path: string,
  select: string | null,
): ConvertedSamples {
  const titles = [...new Set(measurements.map(titleOf))];
  // Several measurements of one task (blocked_autorange's) are one series; of several, select one.
  const names = (m: Measurement) => [titleOf(m), m.task_spec?.label, m.task_spec?.description];
  const chosen =
    select === null
      ? titles.length === 1
        ? measurements
        : []
      : measurements.filter((m) => names(m).includes(select));
  if (chosen.length === 0) throw notOne(path, 'torch.utils.benchmark', titles, select);
  // raw_times are each run's total over number_per_run calls, in seconds.
  return {
    samples: chosen.flatMap((m) =>
      m.raw_times.map((t) => (Number(t) / m.number_per_run) * MS_PER_S),
    ),
    framework: 'torch.utils.benchmark',
  };
}

/** A Measurement's title as torch prints it: label and sub-label, else the statement. */
function titleOf(m: Measurement): string {
  const label = [m.task_spec?.label, m.task_spec?.sub_label].filter(Boolean).join(': ');
  return label || String(m.task_spec?.stmt ?? '');
}

/** The one entry `select` names (by any of its names), or the only entry; else an error listing them. */
function pick<T>(
  entries: readonly T[],
  namesOf: (entry: T) => unknown[],
  listed: readonly string[],
  path: string,
  select: string | null,
  format: string,
): T {
  if (select === null && entries.length === 1) return entries[0]!;
  const found = select === null ? [] : entries.filter((e) => namesOf(e).includes(select));
  if (found.length === 1) return found[0]!;
  throw notOne(path, format, listed, select);
}

/** Several benchmarks and no `select`, or a `select` that names none of them. */
function notOne(
  path: string,
  format: string,
  listed: readonly string[],
  select: string | null,
): RunnerError {
  const which =
    select === null
      ? 'several benchmarks'
      : `no benchmark named ${JSON.stringify(select)} among its`;
  const names = listed
    .slice(0, 10)
    .map((n) => JSON.stringify(n))
    .join(', ');
  return failed(
    path,
    `is ${format} output with ${which} (${names}${listed.length > 10 ? ', ...' : ''}): set "select" under the benchmark's workload to the one this benchmark gates`,
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function failed(path: string, problem: string): RunnerError {
  return new RunnerError('WORKLOAD_FAILED', `the samples file ${path} ${problem}.`);
}
