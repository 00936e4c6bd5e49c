import type { Clock } from './clock.js';
import { type CompareOptions, type Comparison, compare, DEFAULT_THRESHOLD } from './compare.js';
import { invalidOption, TimingError } from './errors.js';
import {
  DEFAULT_MAX_ROUNDS,
  DEFAULT_MIN_ROUNDS,
  interleaveRounds,
  type Side,
} from './interleave-rounds.js';
import { checkSamples, sortSamples } from './samples.js';
import { planLooks, thinLooks } from './sequential.js';
import { median } from './statistics.js';

/**
 * Options of `interleave()`; only `run` is required. `signal` is looked at
 * before each round, so a round once begun finishes. `clock` (ms) defaults to
 * `performance.now`.
 */
export interface InterleaveOptions {
  /** Takes one round of samples (ms) for a side: e.g. 10 synchronized iterations. */
  run: (side: Side, round: number) => readonly number[] | Promise<readonly number[]>;
  /** Default 4. Rounded up to an even number so ABBA pairs stay whole. */
  minRounds?: number;
  /** Default 40. */
  maxRounds?: number;
  /** Time budget in ms; the current pair of rounds finishes first. */
  maxTime?: number;
  /** Threshold, confidence and method for the verdict. */
  compare?: CompareOptions;
  /** Stop as soon as the verdict is decided (default true). */
  stopWhenDecided?: boolean;
  signal?: AbortSignal;
  /** Called after each complete pair of rounds with the verdict so far. */
  onPair?: (progress: { rounds: number; comparison: Comparison }) => void;
  clock?: Clock;
}

/** Why `interleave()` stopped: a decided verdict at a planned look, the round or time budget, or `signal`. */
export type InterleaveStopReason = 'decided' | 'max-rounds' | 'max-time' | 'aborted';

/** The result of `interleave()`: both sides' samples (ms) with their rounds, and the verdict. */
export interface InterleavedResult {
  base: number[];
  head: number[];
  /** Which round each sample came from, per side, for drift analysis. */
  baseRounds: number[];
  headRounds: number[];
  rounds: number;
  stopReason: InterleaveStopReason;
  /** Null only when aborted before the first pair of rounds finished. */
  comparison: Comparison | null;
  /** ms */
  elapsed: number;
  /**
   * Plain sentences, e.g. when a side's median moved by more than the
   * threshold between the first and the last pair of rounds: a step (a JIT
   * tier-up, a clock change) that ABBA order cannot cancel.
   */
  warnings: string[];
}

/**
 * `run` threw or returned bad samples: every sample taken before that is kept here.
 * `side` and `round` say which call failed; `cause` is the underlying error.
 *
 * @example
 * try {
 *   await interleave({ run: async (side) => timeTenIterations(side) });
 * } catch (error) {
 *   if (!(error instanceof InterleaveFailedError)) throw error;
 *   console.error(`${error.side} failed in round ${error.round}`, error.base.length, error.head.length);
 * }
 */
export class InterleaveFailedError extends TimingError {
  readonly side: Side;
  readonly round: number;
  readonly base: readonly number[];
  readonly head: readonly number[];

  constructor(side: Side, round: number, base: number[], head: number[], cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(
      'MEASURE_FAILED',
      `run("${side}", round ${round}) failed: ${reason}. The samples taken before the failure are kept on this error (.base, .head).`,
      { cause },
    );
    this.name = 'InterleaveFailedError';
    this.side = side;
    this.round = round;
    this.base = base;
    this.head = head;
  }
}

/**
 * Runs base and head in alternating ABBA rounds and compares them after
 * every pair, stopping when the verdict is decided (not inconclusive), the
 * round or time budget ends, or `signal` aborts. Each ABBA pair of rounds is
 * one paired observation (its drift cancels), and the verdict may stop the
 * run at up to 12 planned looks between `minRounds` and `maxRounds`, each at
 * a level that keeps all of them together at the requested confidence
 * (planLooks): stopping at the first decided look is then honest.
 *
 * @example
 * const r = await interleave({ run: async (side) => timeTenIterations(side), compare: { threshold: 0.02 } });
 * r.comparison?.verdict; // decided at a planned look, or at the budget
 */
export async function interleave(options: InterleaveOptions): Promise<InterleavedResult> {
  if (typeof options?.run !== 'function') {
    throw invalidOption('run', options?.run, 'a function (side, round) => samples in ms');
  }
  const evenUp = (n: number) => n + (n % 2);
  const minRounds = evenUp(checkCount('minRounds', options.minRounds ?? DEFAULT_MIN_ROUNDS, 2));
  const maxRounds = evenUp(checkCount('maxRounds', options.maxRounds ?? DEFAULT_MAX_ROUNDS, 2));
  if (maxRounds < minRounds)
    throw invalidOption('maxRounds', maxRounds, `at least minRounds (${minRounds})`);
  const maxTime = options.maxTime ?? Number.POSITIVE_INFINITY;
  if (!(maxTime > 0)) throw invalidOption('maxTime', maxTime, 'a number of milliseconds > 0');
  const samples: Record<Side, number[]> = { base: [], head: [] };
  const rounds: Record<Side, number[]> = { base: [], head: [] };
  let comparison: Comparison | null = null;
  const clusterOf = (round: number) => Math.floor(round / 2);
  const looks = planLooks({
    looks: thinLooks(
      Array.from({ length: (maxRounds - minRounds) / 2 + 1 }, (_, k) => minRounds + 2 * k),
    ),
    clusterOf,
    ...(options.compare?.confidence === undefined
      ? {}
      : { confidence: options.compare.confidence }),
  });
  // interleave() looks at its signal between rounds only (a round, once begun, finishes);
  // the driver looks before every turn, so the abort is passed on at the start of a round.
  const betweenRounds = new AbortController();
  const outcome = await interleaveRounds({
    beforeRound: () => {
      if (options.signal?.aborted) betweenRounds.abort(options.signal.reason);
    },
    runTurn: async (side, round) => {
      const taken = await runChecked(options.run, side, round, samples);
      for (const value of taken) {
        samples[side].push(value);
        rounds[side].push(round);
      }
    },
    afterPair: (done) => {
      comparison = compare(samples.base, samples.head, {
        ...options.compare,
        confidence: looks.levelAt(done),
        rounds: { ...rounds, clusterOf },
      });
      options.onPair?.({ rounds: done, comparison });
    },
    stopRule: {
      shouldStop: ({ rounds: done }) =>
        (options.stopWhenDecided ?? true) &&
        looks.looks.includes(done) &&
        comparison?.verdict !== 'inconclusive'
          ? 'decided'
          : null,
    },
    minRounds,
    maxRounds,
    maxTime,
    signal: betweenRounds.signal,
    ...(options.clock ? { clock: options.clock } : {}),
  });
  return interleavedResult(outcome, samples, rounds, comparison, options);
}

/** One `run` call, its samples checked; a failure keeps every sample taken before it. */
async function runChecked(
  run: InterleaveOptions['run'],
  side: Side,
  round: number,
  samples: Record<Side, number[]>,
): Promise<readonly number[]> {
  try {
    const taken = await run(side, round);
    checkSamples(taken, `run("${side}", round ${round}) result`, 1);
    return taken;
  } catch (error) {
    throw new InterleaveFailedError(side, round, samples.base, samples.head, error);
  }
}

function interleavedResult(
  outcome: { rounds: number; stopReason: InterleaveStopReason; elapsed: number },
  samples: Record<Side, number[]>,
  rounds: Record<Side, number[]>,
  comparison: Comparison | null,
  options: InterleaveOptions,
): InterleavedResult {
  const threshold = comparison?.threshold ?? options.compare?.threshold ?? DEFAULT_THRESHOLD;
  return {
    base: samples.base,
    head: samples.head,
    baseRounds: rounds.base,
    headRounds: rounds.head,
    rounds: outcome.rounds,
    stopReason: outcome.stopReason,
    comparison,
    elapsed: outcome.elapsed,
    warnings: (['base', 'head'] as const).flatMap((side) =>
      driftWarning(side, samples[side], rounds[side], outcome.rounds, threshold),
    ),
  };
}

/** Compares a side's first pair of rounds with its last pair. */
function driftWarning(
  side: Side,
  values: readonly number[],
  roundOf: readonly number[],
  roundCount: number,
  threshold: number,
): string[] {
  if (roundCount < 4) return [];
  const early = values.filter((_, i) => roundOf[i]! < 2);
  const late = values.filter((_, i) => roundOf[i]! >= roundCount - 2);
  if (early.length < 2 || late.length < 2) return [];
  const change = median(sortSamples(late)) / median(sortSamples(early)) - 1;
  if (Math.abs(change) <= threshold) return [];
  const direction = change < 0 ? 'faster' : 'slower';
  return [
    `${side} got ${Math.abs(change * 100).toFixed(1)}% ${direction} from the first to the last pair of rounds: something was still settling (warm-up too short? JIT, clocks, caches, a neighbour), and a step change is not cancelled by ABBA order`,
  ];
}

function checkCount(name: string, value: number, min: number): number {
  if (!(Number.isInteger(value) && value >= min))
    throw invalidOption(name, value, `an integer >= ${min}`);
  return value;
}
