import { type Clock, defaultClock } from './clock.js';
import { invalidOption } from './errors.js';

/** One of the two things compared: `base` (the reference) or `head` (the change). */
export type Side = 'base' | 'head';

/** Rounds always come in ABBA pairs; this many pairs at least... */
export const DEFAULT_MIN_ROUNDS = 4;
/** ...and at most this many rounds. With 10 samples a round: 200 samples per side. */
export const DEFAULT_MAX_ROUNDS = 40;

/**
 * The order of the two sides in a round: base first in even rounds, head
 * first in odd ones, so consecutive rounds read A B | B A | A B | B A.
 * A linear drift (clocks, temperature, a neighbour) then adds the same to
 * both sides over every pair of rounds instead of favouring one.
 *
 * @example
 * roundOrder(0); // ['base', 'head']
 * roundOrder(1); // ['head', 'base']
 */
export function roundOrder(round: number): readonly [Side, Side] {
  return round % 2 === 0 ? ['base', 'head'] : ['head', 'base'];
}

/**
 * The flat ABBA sequence of sides for `rounds` rounds.
 *
 * @example
 * abbaSchedule(2); // ['base', 'head', 'head', 'base']
 */
export function abbaSchedule(rounds: number): Side[] {
  if (!(Number.isInteger(rounds) && rounds >= 0))
    throw invalidOption('rounds', rounds, 'an integer >= 0');
  const out: Side[] = [];
  for (let r = 0; r < rounds; r++) out.push(...roundOrder(r));
  return out;
}

/** What a stop rule sees after a complete ABBA pair of rounds. */
export interface RoundsState {
  /** Rounds finished: always even here. */
  readonly rounds: number;
  /** Time since the start, in the clock's unit (ms with the default clock), read on call. */
  elapsed(): number;
}

/**
 * When to stop, apart from the budget: looked at after every complete ABBA
 * pair (once `minRounds` are done), before the round and time budget, so a
 * rule's reason wins over a budget that ends on the same pair.
 *
 * @example
 * // Stop once a verdict is decided, and never before 8 rounds.
 * const rule: StopRule<'decided'> = {
 *   shouldStop: ({ rounds }) => (rounds >= 8 && latest.verdict !== 'inconclusive' ? 'decided' : null),
 * };
 */
export interface StopRule<Reason extends string = string> {
  /** A reason to stop after this pair, or null to go on. */
  shouldStop(state: RoundsState): Reason | null;
}

/**
 * The default stop rule: stop with `'decided'` once `decided()` says so and
 * at least `minRounds` rounds (default 4) are done. `decided` is only asked
 * from `minRounds` on, after complete pairs.
 *
 * @example
 * let comparison: Comparison | null = null; // updated in afterPair
 * const rule = stopWhenDecided({ decided: () => comparison?.verdict !== 'inconclusive' });
 */
export function stopWhenDecided(options: {
  decided: () => boolean;
  minRounds?: number;
}): StopRule<'decided'> {
  const minRounds = options.minRounds ?? DEFAULT_MIN_ROUNDS;
  return {
    shouldStop: ({ rounds }) => (rounds >= minRounds && options.decided() ? 'decided' : null),
  };
}

/**
 * Options of `interleaveRounds()`; only `runTurn` is required. `Reason` is the
 * stop rule's own reasons to stop.
 */
export interface InterleaveRoundsOptions<Reason extends string = never> {
  /** Takes one side's turn of a round; what it measures is the caller's to keep. */
  runTurn: (side: Side, round: number) => void | Promise<void>;
  /** Before each round's first turn (e.g. restart workers every few rounds). */
  beforeRound?: (round: number) => void | Promise<void>;
  /** After each round's second turn (e.g. check the GPU's clocks). */
  afterRound?: (round: number) => void | Promise<void>;
  /**
   * After each complete ABBA pair, with the rounds done, before any stop is
   * looked at (also before `minRounds`): compare the sides, report progress.
   */
  afterPair?: (rounds: number) => void | Promise<void>;
  /** When to stop besides the budget; without one, only the budget ends the run. */
  stopRule?: StopRule<Reason>;
  /** Neither the rule nor the budget is looked at before this many rounds (default 2: one pair). */
  minRounds?: number;
  /** Stop with `'max-rounds'` at the first pair at or past this (default 40). */
  maxRounds?: number;
  /** Stop with `'max-time'` at the first pair at or past this, in the clock's unit (default: none). */
  maxTime?: number;
  /** Looked at before every turn: an abort ends the run between turns with `'aborted'`. */
  signal?: AbortSignal;
  /** Default: `performance.now` (ms). Any unit works if `maxTime` and `start` use it too. */
  clock?: Clock;
  /** The clock reading time counts from (default: the reading at the call), e.g. to count setup. */
  start?: number;
}

/**
 * How `interleaveRounds()` ended: the rounds done and why it stopped. What
 * the turns measured stays with the caller.
 */
export interface InterleaveRoundsResult<Reason extends string = never> {
  /** Rounds finished; an aborted round is not counted. */
  rounds: number;
  stopReason: Reason | 'max-rounds' | 'max-time' | 'aborted';
  /** In the clock's unit, from `start` to the end. */
  elapsed: number;
}

/**
 * The ABBA driver: runs rounds of base and head turns in `roundOrder`,
 * calling the hooks around them, until the stop rule gives a reason, the
 * round or time budget ends (both looked at after whole pairs only, so
 * every side gets as many turns as the other) or `signal` aborts before a
 * turn. A hook or turn that throws rejects at once; everything the caller
 * recorded before stays with the caller.
 *
 * @example
 * const times: Record<Side, number[]> = { base: [], head: [] };
 * let latest: Comparison | null = null;
 * const { stopReason } = await interleaveRounds({
 *   runTurn: async (side) => times[side].push(...(await timeTenIterations(side))),
 *   afterPair: () => { latest = compare(times.base, times.head); },
 *   stopRule: stopWhenDecided({ decided: () => latest?.verdict !== 'inconclusive' }),
 *   maxRounds: 20,
 * });
 */
export async function interleaveRounds<Reason extends string = never>(
  options: InterleaveRoundsOptions<Reason>,
): Promise<InterleaveRoundsResult<Reason>> {
  const { minRounds, maxRounds, maxTime } = checkRoundsOptions(options);
  const clock = options.clock ?? defaultClock();
  const start = options.start ?? clock();
  const elapsed = () => clock() - start;
  const stop = (rounds: number, stopReason: InterleaveRoundsResult<Reason>['stopReason']) => ({
    rounds,
    stopReason,
    elapsed: elapsed(),
  });
  for (let round = 0; ; round++) {
    await options.beforeRound?.(round);
    for (const side of roundOrder(round)) {
      if (options.signal?.aborted) return stop(round, 'aborted');
      await options.runTurn(side, round);
    }
    await options.afterRound?.(round);
    const rounds = round + 1;
    if (rounds % 2 !== 0) continue;
    await options.afterPair?.(rounds);
    if (rounds < minRounds) continue;
    const reason = options.stopRule?.shouldStop({ rounds, elapsed }) ?? null;
    if (reason !== null) return stop(rounds, reason);
    if (rounds >= maxRounds) return stop(rounds, 'max-rounds');
    if (elapsed() >= maxTime) return stop(rounds, 'max-time');
  }
}

function checkRoundsOptions(options: InterleaveRoundsOptions<string>) {
  if (typeof options?.runTurn !== 'function')
    throw invalidOption('runTurn', options?.runTurn, 'a function (side, round) => void');
  const minRounds = options.minRounds ?? 2;
  if (!(Number.isInteger(minRounds) && minRounds >= 0))
    throw invalidOption('minRounds', minRounds, 'an integer >= 0');
  const maxRounds = options.maxRounds ?? DEFAULT_MAX_ROUNDS;
  if (!(Number.isInteger(maxRounds) && maxRounds >= 1))
    throw invalidOption('maxRounds', maxRounds, 'an integer >= 1');
  const maxTime = options.maxTime ?? Number.POSITIVE_INFINITY;
  if (!(maxTime > 0)) throw invalidOption('maxTime', maxTime, 'a number > 0');
  return { minRounds, maxRounds, maxTime };
}
