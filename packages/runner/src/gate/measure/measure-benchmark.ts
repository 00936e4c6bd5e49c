import { interleaveRounds } from '@vggt-perf-gate/timing';
import { describeOutOfMemory } from '../../analysis/out-of-memory.js';
import type { BenchmarkResult } from '../../results/types.js';
import { OutOfMemoryError } from '../../workloads/worker-failures.js';
import type { BenchmarkProgress } from '../progress-events.js';
import { planVerdictLooks, restartWarning, verdictMinRounds } from './looks.js';
import type { BenchmarkPlan, SideDirs } from './plan.js';
import { closePairs } from './process-pairs.js';
import { profileSide } from './profile.js';
import { benchmarkResult } from './result.js';
import { openSessions } from './sessions.js';
import { settleOutOfMemory } from './settle-out-of-memory.js';
import { type Measuring, startMeasuring } from './state.js';
import { type BenchmarkStopRule, type RoundsStopReason, stopAtPlannedLooks } from './stop-rule.js';
import { checkThrottling, takeTurn } from './turn.js';
import { compareAll, describe } from './verdicts.js';

/**
 * Measuring one benchmark, base against head, in named steps: start (a
 * session per side, warmed up), rounds (ABBA turns on timing's driver, fresh
 * processes every few rounds, a verdict at each planned look), profile (one
 * extra iteration per side, after every timed sample), and the result. Each
 * step is its own module; this one only puts them in order and turns a
 * failure into a result.
 */

/** What measureBenchmark may be given besides the plan. */
export interface MeasureOptions {
  /** Called as the benchmark measures, for a live progress display. */
  onProgress?: (progress: BenchmarkProgress) => void;
  /** Aborting ends the benchmark as failed, keeping every sample taken. */
  signal?: AbortSignal;
  /** When measuring stops before the budget ends; default stopAtPlannedLooks, the gate's rule. */
  stopRule?: BenchmarkStopRule;
}

/**
 * Measures one benchmark: opens a session per side, warms both up, then
 * takes rounds in ABBA order until the stop rule stops it or the budget
 * ends. Sessions are always closed (worker process trees killed), also on
 * failure; a failure becomes a `failed` result, not a throw, so the other
 * benchmarks still run and nothing measured is lost.
 *
 * @example
 * const result = await measureBenchmark(plan, { base: baseDir, head: '.' }, console.log);
 * console.log(result.metrics.map((m) => `${m.metric}: ${m.verdict}`).join(', '));
 */
export async function measureBenchmark(
  plan: BenchmarkPlan,
  dirs: SideDirs,
  log: (line: string) => void,
  options: MeasureOptions = {},
): Promise<BenchmarkResult> {
  const { signal } = options;
  const m = startMeasuring(plan, dirs, log, options.onProgress ?? (() => undefined), signal);
  let stopReason: BenchmarkResult['stopReason'] = 'max-rounds';
  let error: string | null = null;
  const restarts = restartWarning(plan);
  if (restarts) m.warnings.push(restarts);
  try {
    await openSessions(m);
    if (plan.metrics.includes('memory') && !plan.gpu)
      m.warnings.push('memory: not measured (no NVIDIA GPU on this machine)');
    stopReason = await measureRounds(m, options.stopRule ?? stopAtPlannedLooks);
    m.verdictSeconds = (Date.now() - m.started) / 1000;
    await profileBothSides(m);
  } catch (cause) {
    m.outOfMemory =
      cause instanceof OutOfMemoryError && !signal?.aborted
        ? await settleOutOfMemory(m, cause)
        : null;
    if (m.outOfMemory) {
      m.outOfMemoryDtypeKnown = (cause as OutOfMemoryError).dtypeKnown;
      stopReason = 'out-of-memory';
      m.verdictSeconds = (Date.now() - m.started) / 1000;
      log(`[${plan.name}] ${describeOutOfMemory(m.outOfMemory)}: a memory verdict, not a failure`);
    } else {
      error = failureMessage(m, cause);
      stopReason = 'failed';
      log(`[${plan.name}] failed: ${error}`);
    }
  } finally {
    await closePairs([m.sessions, ...m.pool]);
    m.pool = [];
    m.progress('done');
  }
  return benchmarkResult(m, stopReason, error);
}

/** After the last timed sample: the profiled iterations cannot change any sample. */
async function profileBothSides(m: Measuring): Promise<void> {
  m.progress('profiling');
  for (const side of ['base', 'head'] as const)
    m.profiles[side] = await profileSide(m.sessions[side], side, m.log, m.warnings, m.plan.name);
}

/** An interrupt also makes the worker's request fail (its process is killed): say why. */
function failureMessage(m: Measuring, cause: unknown): string {
  const { signal } = m;
  if (signal?.aborted)
    return `${signal.reason instanceof Error ? signal.reason.message : 'interrupted'} after ${m.rounds} rounds; the samples taken are kept`;
  return cause instanceof Error ? cause.message : String(cause);
}

/**
 * The measuring rounds, on timing's ABBA driver: new processes every
 * `restartEveryRounds` rounds, a throttle check after each round, every
 * metric compared after each pair, and a stop when `stopRule` says so, at
 * `maxRounds` or at `maxSeconds`.
 */
async function measureRounds(m: Measuring, stopRule: BenchmarkStopRule): Promise<RoundsStopReason> {
  const { plan } = m;
  const memoryWanted = plan.metrics.includes('memory');
  const { stopReason } = await interleaveRounds({
    beforeRound: async (round) => {
      if (plan.restartEveryRounds > 0 && round > 0 && round % plan.restartEveryRounds === 0) {
        m.log(`[${plan.name}] ${round} rounds: starting new base and head processes`);
        await openSessions(m);
      }
    },
    runTurn: (side, round) => {
      m.measuringSince ??= Date.now();
      return takeTurn(m, side, round, memoryWanted);
    },
    afterRound: (round) => {
      checkThrottling(m, round);
      m.rounds = round + 1;
    },
    afterPair: (rounds) => {
      if (m.looks === null && rounds >= verdictMinRounds(plan))
        m.looks = planVerdictLooks(m, rounds);
      m.comparisons = compareAll(plan, m.series, m.looks);
      m.estimate = describe(m.comparisons);
      m.log(`[${plan.name}] ${m.rounds} rounds: ${m.estimate}`);
      m.progress('measuring');
    },
    stopRule: stopRule(m),
    maxRounds: plan.maxRounds,
    // Seconds since the benchmark started, as `maxSeconds` is meant: starting workers counts.
    clock: () => (Date.now() - m.started) / 1000,
    start: 0,
    maxTime: plan.maxSeconds,
    ...(m.signal ? { signal: m.signal } : {}),
  });
  // The driver stops on an interrupt before a turn: fail as an interrupt anywhere else does.
  if (stopReason === 'aborted') throw m.signal?.reason;
  return stopReason;
}
