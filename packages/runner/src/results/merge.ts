import { RunnerError } from '../errors.js';
import type { GateResults } from './types.js';
import { gateVerdict } from './verdict.js';

/**
 * Joins the results of several shards (matrix jobs) into one: benchmarks are
 * concatenated (a name twice is an error), the verdict recomputed, and the
 * run is partial if any shard was. Throws a RunnerError (USAGE) for no
 * shards, or a benchmark that appears in two.
 *
 * @example
 * import { mergeResults, readResults, writeResults } from '@vggt-perf-gate/runner';
 * const shards = await Promise.all(['shard-a.json', 'shard-b.json'].map(readResults));
 * await writeResults('perf-gate-results.json', mergeResults(shards));
 */
export function mergeResults(shards: readonly GateResults[]): GateResults {
  const [first] = shards;
  if (!first) throw new RunnerError('USAGE', 'merge needs at least one results file.');
  const seen = new Map<string, string>();
  for (const shard of shards) {
    for (const b of shard.benchmarks) {
      const other = seen.get(b.name);
      if (other !== undefined) {
        // Names quoted as JSON: a name from a file must not start a line of its own in a log.
        throw new RunnerError(
          'USAGE',
          `benchmark ${JSON.stringify(b.name)} appears in two shards (${inline(other)} and ${inline(shard.shard ?? 'unnamed')}): give each shard its own benchmarks.`,
        );
      }
      seen.set(b.name, shard.shard ?? 'unnamed');
    }
  }
  const benchmarks = shards.flatMap((s) => s.benchmarks);
  const { verdict, regressions } = gateVerdict(benchmarks);
  // The header names one device: say so when shards measured on different ones.
  const devices = new Map<string, string[]>();
  for (const s of shards) {
    const name = s.device.state === 'ok' ? s.device.name : 'no GPU';
    devices.set(name, [...(devices.get(name) ?? []), s.shard ?? 'unnamed']);
  }
  const deviceWarning =
    devices.size > 1
      ? [
          `shards ran on different devices: ${[...devices].map(([name, names]) => `${name} (${names.join(', ')})`).join('; ')}; each benchmark's base and head still shared one`,
        ]
      : [];
  return {
    ...first,
    createdAt: new Date().toISOString(),
    status: shards.every((s) => s.status === 'complete') ? 'complete' : 'partial',
    verdict:
      shards.some((s) => s.status !== 'complete') && verdict === 'pass' ? 'inconclusive' : verdict,
    regressions,
    benchmarks,
    warnings: [...new Set([...shards.flatMap((s) => s.warnings), ...deviceWarning])],
    shard: null,
  };
}

/** Text from a results file inside a message: JSON's escapes (line breaks, quotes), without the quotes. */
function inline(text: string): string {
  return JSON.stringify(text).slice(1, -1);
}
