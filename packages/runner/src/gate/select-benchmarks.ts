/**
 * Which of the config's benchmarks a run measures. A filter that names a
 * benchmark the config does not have is a mistake (a typo, a renamed
 * benchmark, a shard list gone stale), not a request for fewer benchmarks:
 * measuring none and reporting "no regression" would hide it.
 */
import type { BenchmarkConfig, GateConfig } from '../config/index.js';
import { didYouMean } from '../config/suggest.js';
import { RunnerError } from '../errors.js';

/**
 * A benchmark filter that names benchmarks the config does not have, or none
 * at all. Its code is `USAGE`; its message names the filter (`setBy`), the
 * config's benchmarks and a likely fix.
 *
 * @example
 * import { BenchmarkSelectionError, selectBenchmarks } from '@vggt-perf-gate/runner';
 * try {
 *   selectBenchmarks(config, ['vggt-forwrd-20f'], '--only');
 * } catch (error) {
 *   if (error instanceof BenchmarkSelectionError) console.error(`unknown: ${error.unknown.join(', ')}; known: ${error.known.join(', ')}`);
 * }
 */
export class BenchmarkSelectionError extends RunnerError {
  /** The names asked for that the config does not have. */
  readonly unknown: readonly string[];
  /** Every benchmark name the config has, in config order. */
  readonly known: readonly string[];

  constructor(unknown: readonly string[], known: readonly string[], message: string) {
    super('USAGE', message);
    this.name = 'BenchmarkSelectionError';
    this.unknown = unknown;
    this.known = known;
  }
}

/**
 * The benchmarks to measure, in config order.
 *
 * @param only the names to keep; null or undefined for every benchmark
 * @param setBy how the user gave the filter, for the message (`--only`,
 *   `input "benchmarks"`); default `the benchmark filter`
 * @throws BenchmarkSelectionError when a name is not in the config or the
 *   list is empty, naming the unknown names, the known ones and a likely fix
 * @example
 * import { loadConfig, selectBenchmarks } from '@vggt-perf-gate/runner';
 * const config = await loadConfig('perf-gate.yml');
 * const only = ['vggt-forward-20f'];
 * // Before runGate (which checks again with a generic label), so a bad name's message names --only.
 * const benchmarks = selectBenchmarks(config, only, '--only');
 * console.log(benchmarks.map((b) => b.name)); // in config order
 */
export function selectBenchmarks(
  config: GateConfig,
  only: readonly string[] | null | undefined,
  setBy = 'the benchmark filter',
): BenchmarkConfig[] {
  if (only === null || only === undefined) return config.benchmarks;
  const known = config.benchmarks.map((b) => b.name);
  const unknown = [...new Set(only.filter((name) => !known.includes(name)))];
  if (only.length === 0 || unknown.length > 0)
    throw new BenchmarkSelectionError(unknown, known, describe(unknown, known, setBy));
  return config.benchmarks.filter((b) => only.includes(b.name));
}

function describe(unknown: readonly string[], known: readonly string[], setBy: string): string {
  const list = `The config's benchmarks: ${known.join(', ')}.`;
  const fix = `Fix the name${unknown.length === 1 ? '' : 's'} in ${setBy}, or leave ${setBy} out to measure every benchmark.`;
  if (unknown.length === 0) return `${setBy} names no benchmark. ${list} ${fix}`;
  const names = unknown.map((name) => `"${name}"${suggestion(name, known)}`).join(', ');
  const noun = unknown.length === 1 ? 'a benchmark' : 'benchmarks';
  return `${setBy} names ${noun} the config does not have: ${names}. ${list} ${fix}`;
}

function suggestion(name: string, known: readonly string[]): string {
  const guess = didYouMean(name, known);
  return guess === undefined ? '' : ` (did you mean "${guess}"?)`;
}
