import { describe, expect, it } from 'vitest';
import {
  interleaveRounds,
  type Side,
  type StopRule,
  stopWhenDecided,
  TimingError,
} from '../src/index.js';

/** A clock that only moves when a turn says so: no wall-clock time in these tests. */
function fakeClock() {
  let now = 1000;
  return { clock: () => now, advance: (ms: number) => (now += ms) };
}

describe('interleaveRounds()', () => {
  it('calls the hooks in order around ABBA turns', async () => {
    const calls: string[] = [];
    const result = await interleaveRounds({
      beforeRound: (round) => void calls.push(`before ${round}`),
      runTurn: (side, round) => void calls.push(`${side} ${round}`),
      afterRound: (round) => void calls.push(`after ${round}`),
      afterPair: (rounds) => void calls.push(`pair ${rounds}`),
      maxRounds: 4,
      clock: fakeClock().clock,
    });
    expect(result).toEqual({ rounds: 4, stopReason: 'max-rounds', elapsed: 0 });
    expect(calls).toEqual([
      'before 0',
      'base 0',
      'head 0',
      'after 0',
      'before 1',
      'head 1',
      'base 1',
      'after 1',
      'pair 2',
      'before 2',
      'base 2',
      'head 2',
      'after 2',
      'before 3',
      'head 3',
      'base 3',
      'after 3',
      'pair 4',
    ]);
  });

  it('stops on a custom rule, looked at after whole pairs from minRounds on', async () => {
    const seen: number[] = [];
    // "Two processes per side": a restart every 3 rounds, so stop at round 6 at the earliest.
    const rule: StopRule<'enough-processes'> = {
      shouldStop: ({ rounds }) => {
        seen.push(rounds);
        return rounds >= 6 ? 'enough-processes' : null;
      },
    };
    const result = await interleaveRounds({
      runTurn: () => undefined,
      stopRule: rule,
      minRounds: 4,
      clock: fakeClock().clock,
    });
    expect(result.stopReason).toBe('enough-processes');
    expect(result.rounds).toBe(6);
    expect(seen).toEqual([4, 6]);
  });

  it('gives the rule precedence over the budget, and the round budget over time', async () => {
    const { clock, advance } = fakeClock();
    const always = await interleaveRounds({
      runTurn: () => void advance(10),
      stopRule: { shouldStop: () => 'decided' },
      maxRounds: 2,
      maxTime: 1,
      clock,
    });
    expect(always.stopReason).toBe('decided');
    const rounds = await interleaveRounds({
      runTurn: () => void advance(10),
      maxRounds: 2,
      maxTime: 1,
      clock,
    });
    expect(rounds.stopReason).toBe('max-rounds');
  });

  it('stops on the time budget after a whole pair, counting from `start`', async () => {
    const { clock, advance } = fakeClock();
    const began = clock();
    advance(50); // e.g. starting the workers, before the first round
    const result = await interleaveRounds({
      runTurn: () => void advance(10),
      maxTime: 75,
      start: began,
      clock,
    });
    // 50 + 4 turns of 10 = 90 >= 75 after the second round; a pair never stops half-way.
    expect(result).toEqual({ rounds: 2, stopReason: 'max-time', elapsed: 90 });
  });

  it('stops with "decided" under the default rule once decided and minRounds are met', async () => {
    const asked: number[] = [];
    const result = await interleaveRounds({
      runTurn: () => undefined,
      afterPair: (rounds) => void asked.push(rounds),
      stopRule: stopWhenDecided({ decided: () => true, minRounds: 6 }),
      clock: fakeClock().clock,
    });
    expect(result.stopReason).toBe('decided');
    expect(result.rounds).toBe(6);
    // afterPair runs at every pair, also before minRounds (progress, comparisons).
    expect(asked).toEqual([2, 4, 6]);
  });

  it('keeps what was taken when aborted between turns', async () => {
    const controller = new AbortController();
    const samples: Record<Side, number[]> = { base: [], head: [] };
    let after = 0;
    const result = await interleaveRounds({
      runTurn: (side, round) => {
        samples[side].push(100 + round);
        if (round === 2 && side === 'base') controller.abort();
      },
      afterRound: () => void after++,
      signal: controller.signal,
      clock: fakeClock().clock,
    });
    expect(result.stopReason).toBe('aborted');
    // Round 2 was cut after base's turn: it does not count, and its hooks never ran.
    expect(result.rounds).toBe(2);
    expect(after).toBe(2);
    expect(samples).toEqual({ base: [100, 101, 102], head: [100, 101] });
  });

  it('rejects when a turn throws, after the turns before it', async () => {
    const taken: string[] = [];
    const failed = interleaveRounds({
      runTurn: (side, round) => {
        if (round === 1 && side === 'base') throw new Error('worker exited with code 139');
        taken.push(`${side} ${round}`);
      },
      clock: fakeClock().clock,
    });
    await expect(failed).rejects.toThrow('worker exited with code 139');
    expect(taken).toEqual(['base 0', 'head 0', 'head 1']);
  });

  it('checks its options before running anything', async () => {
    const runTurn = () => undefined;
    await expect(interleaveRounds({ runTurn, maxRounds: 0 })).rejects.toThrow(TimingError);
    await expect(interleaveRounds({ runTurn, maxTime: 0 })).rejects.toThrow(/maxTime/);
    await expect(
      interleaveRounds({ runTurn: undefined as unknown as typeof runTurn }),
    ).rejects.toThrow(/runTurn/);
  });
});
