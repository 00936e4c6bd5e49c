import { formatChange } from '@vggt-perf-gate/timing';
import { GATE_ERROR_RATE } from '../gate/measure/error-budget.js';
import {
  type BenchmarkResult,
  type GateResults,
  HIGHER_IS_BETTER,
  type MetricResult,
} from '../results/types.js';

/**
 * The level every report gives the change's interval: it holds with this over
 * all of a run's looks and verdicts at once. Each look's own level is higher
 * (the results file's `interval.level`, e.g. 99.27%), which is how it gets there.
 */
export const INTERVAL_LEVEL_TEXT = `${Math.round((1 - GATE_ERROR_RATE) * 100)}%`;

/** The change column's heading in the terminal and on the page (the comment writes it as Markdown). */
export const CHANGE_HEADING = `change [${INTERVAL_LEVEL_TEXT} interval]`;

/** Shared number formatting for every report. */
export function formatValue(value: number, unit: MetricResult['unit']): string {
  switch (unit) {
    case 'ms':
      return value >= 1000
        ? `${(value / 1000).toFixed(3)} s`
        : value >= 10
          ? `${value.toFixed(1)} ms`
          : `${value.toFixed(3)} ms`;
    case 'bytes':
      return value >= 2 ** 30
        ? `${(value / 2 ** 30).toFixed(2)} GiB`
        : `${(value / 2 ** 20).toFixed(1)} MiB`;
    case 'items/s':
      return `${value.toFixed(2)}/s`;
    default:
      // Only reachable from a file that skipped readResults' checks.
      return `${value} ${unit}`;
  }
}

export { formatChange } from '@vggt-perf-gate/timing';

/**
 * `table[key]` when `key` is one of the table's own keys, else `fallback`.
 * Labels and class names come from tables like this, never from the value
 * itself, and own keys only: a results file is data, and a verdict of
 * "constructor" must not find Object's.
 */
export function lookup<V>(table: Readonly<Record<string, V>>, key: unknown, fallback: V): V {
  return typeof key === 'string' && Object.hasOwn(table, key) ? (table[key] as V) : fallback;
}

const METRIC_LABEL: Readonly<Record<MetricResult['metric'], string>> = {
  latency: 'latency',
  memory: 'peak VRAM',
  throughput: 'throughput',
};

/** The metric's name in reports; an unknown one as it is (the reports escape it). */
export function metricLabel(metric: MetricResult['metric']): string {
  return lookup(METRIC_LABEL, metric, String(metric));
}

/**
 * A metric's change and its interval as every report writes them, e.g.
 * `+2.29% [+1.90%, +2.60%]`; `n/a` when the metric has no ratio or interval
 * (not measured, or a side failed).
 *
 * @example
 * import { changeCell, readResults } from '@vggt-perf-gate/runner';
 * const results = await readResults('perf-gate-results.json');
 * for (const b of results.benchmarks)
 *   for (const m of b.metrics) console.log(`${b.name} ${m.metric}: ${changeCell(m)} ${m.verdict}`);
 */
export function changeCell(m: MetricResult): string {
  if (m.ratio === null || m.interval === null) return 'n/a';
  return `${formatChange(m.ratio)} [${formatChange(m.interval.lower)}, ${formatChange(m.interval.upper)}]`;
}

/**
 * How a benchmark was measured, in one sentence for every report: rounds,
 * iterations per turn, process pairs, why it stopped (and which budget key
 * to raise when a limit stopped it undecided), and what the interval counts
 * as independent. Null for a failed benchmark.
 */
export function howMeasured(b: BenchmarkResult): string | null {
  if (b.status !== 'complete') return null;
  const first = b.metrics.find((m) => m.metric === 'latency') ?? b.metrics[0];
  const perTurn = b.rounds > 0 ? Math.round((first?.base?.count ?? 0) / b.rounds) : 0;
  const method = first?.intervalMethod ?? null;
  // Results from before `processes` and `intervalMethod` were recorded have neither.
  const pairs = method?.clusters ?? (typeof b.processes === 'number' ? b.processes : null);
  const rounds =
    b.rounds === 0
      ? 'no timed round'
      : `${b.rounds} rounds of ${perTurn} ${perTurn === 1 ? 'iteration' : 'iterations'} per side${pairs === null ? '' : `, ${pairs} process ${pairs === 1 ? 'pair' : 'pairs'}`}`;
  const parts = [`${rounds}${timingText(b)}`, stopText(b)];
  if (method && method.clusters >= 2)
    parts.push(
      `each interval paired by round and counted over process pairs (${method.clusters - 1} degrees of freedom), and it holds with ${INTERVAL_LEVEL_TEXT} over the run's ${method.looks} planned ${method.looks === 1 ? 'look' : 'looks'} and ${method.verdicts} ${method.verdicts === 1 ? 'verdict' : 'verdicts'} at once`,
    );
  const floor = method?.noiseFloor;
  if (floor)
    parts.push(
      `latency's interval no narrower than the runner's calibrated noise (${(floor.betweenPairSd * 100).toFixed(2)}% between process pairs, the median of ${floor.calibrations} A/A ${floor.calibrations === 1 ? 'run' : 'runs'}${floor.runner ? ` on ${floor.runner}` : ''}, newest ${floor.newest.slice(0, 10)})${floor.widened ? ', which widened it' : ''}`,
    );
  return parts.join('; ');
}

const CLOCK_TEXT: Readonly<Record<string, string>> = {
  // The CPU provider (or a CPU worker) is its own device: its host clock is the device's.
  device: 'timed on the device that ran the work (CUDA events on a GPU, the host clock on a CPU)',
  host: 'timed on the host around synchronised iterations',
  mixed: 'timed on the device where the workload could, else on the host',
};

/** Warm-up and clock, for results that record them. */
function timingText(b: BenchmarkResult): string {
  const t = b.timing;
  if (!t) return '';
  const clock = lookup(CLOCK_TEXT, t.clock, '');
  return `, each process after ${t.warmupIterations} warm-up ${t.warmupIterations === 1 ? 'iteration' : 'iterations'} per side${clock ? `, ${clock}` : ''}`;
}

const STOP_TEXT: Readonly<Record<BenchmarkResult['stopReason'], string>> = {
  decided: 'stopped once every verdict was decided',
  'max-rounds': 'stopped undecided by the round limit: raise budget.maxRounds',
  'max-time': 'stopped undecided by the time limit: raise budget.maxSeconds',
  'out-of-memory': 'stopped: a side ran out of GPU memory',
  failed: 'failed',
};

function stopText(b: BenchmarkResult): string {
  const seconds = typeof b.verdictSeconds === 'number' ? b.verdictSeconds : b.seconds;
  const decided = b.metrics.every((m) => m.verdict !== 'inconclusive');
  // A limit that ends a run whose verdicts are all decided stopped nothing that mattered.
  const limited = (b.stopReason === 'max-rounds' || b.stopReason === 'max-time') && decided;
  const oom = b.stopReason === 'out-of-memory' ? b.outOfMemory : null;
  const reason = limited
    ? 'stopped at its budget, decided'
    : oom
      ? `stopped: ${oom.side} ran out of GPU memory in ${oom.phase}`
      : lookup(STOP_TEXT, b.stopReason, String(b.stopReason));
  return `${reason} (${seconds.toFixed(0)} s)`;
}

/**
 * Whether a metric's verdict of this benchmark would read as a pass although the
 * benchmark was measured beside another GPU process: such a row says so.
 */
export function passBesideOthers(b: BenchmarkResult, m: MetricResult): boolean {
  const shared = (b.sharedGpu?.rounds.length ?? 0) > 0;
  return shared && (m.verdict === 'unchanged' || m.verdict === 'improvement');
}

/**
 * What an inconclusive metric does tell when its interval leaves out "no
 * change": the head is surely worse (or better), by at least the interval's
 * near end, though not surely beyond the threshold. On a noisy model a real
 * +3% often ends so at a 2% threshold, and "could not tell" alone would hide
 * that it is slower. Null for any other metric, and for an interval over
 * fewer than two process pairs: that one only shows the estimate (the gate
 * decides nothing on it), so it says nothing sure either.
 *
 * @example
 * inconclusiveLean(latency); // 'worse by ≥ 1.99%' for +3.02% [+1.99%, +4.06%], inconclusive
 */
export function inconclusiveLean(m: MetricResult): string | null {
  const lean = leanOf(m);
  // Rounded down: a bound of "at least" must not round up onto the threshold.
  return lean && `${lean.way} by ≥ ${(Math.floor(lean.atLeast * 10_000) / 100).toFixed(2)}%`;
}

function leanOf(m: MetricResult): { way: 'worse' | 'better'; atLeast: number } | null {
  if (m.verdict !== 'inconclusive' || m.interval === null) return null;
  if ((m.intervalMethod?.clusters ?? 0) < 2) return null;
  const { lower, upper } = m.interval;
  if (lower <= 1 && upper >= 1) return null;
  const higher = lower > 1;
  return {
    way: higher === HIGHER_IS_BETTER[m.metric] ? 'better' : 'worse',
    atLeast: higher ? lower - 1 : 1 - upper,
  };
}

/**
 * The headline's addition for an inconclusive run with metrics that surely got
 * worse (see inconclusiveLean), so a reviewer who reads only the headline
 * still learns the head is slower. Null otherwise.
 *
 * @example
 * surelyWorseNote(results); // '2 metrics surely worse, not surely beyond their thresholds'
 */
export function surelyWorseNote(results: GateResults): string | null {
  if (results.verdict !== 'inconclusive') return null;
  const worse = results.benchmarks
    .flatMap((b) => b.metrics)
    .filter((m) => leanOf(m)?.way === 'worse').length;
  if (worse === 0) return null;
  return worse === 1
    ? '1 metric surely worse, not surely beyond its threshold'
    : `${worse} metrics surely worse, not surely beyond their thresholds`;
}

/**
 * The headline's addition when any benchmark was measured beside another
 * GPU process: such a run never reads as a clean pass. Null otherwise.
 */
export function sharedGpuNote(results: GateResults): string | null {
  const shared = results.benchmarks.filter((b) => (b.sharedGpu?.rounds.length ?? 0) > 0);
  if (shared.length === 0) return null;
  const pids = [...new Set(shared.flatMap((b) => b.sharedGpu!.processes.map((p) => p.pid)))];
  return `measured beside other GPU processes (PID${pids.length === 1 ? '' : 's'} ${pids.slice(0, 5).join(', ')}${pids.length > 5 ? ', ...' : ''}): not a clean pass`;
}
