import { describe, expect, it } from 'vitest';
import {
  abbaSchedule,
  compare,
  InterleaveFailedError,
  interleave,
  measure,
  roundOrder,
  type Side,
} from '../src/index.js';

describe('ABBA order', () => {
  it('alternates which side goes first', () => {
    expect(roundOrder(0)).toEqual(['base', 'head']);
    expect(roundOrder(1)).toEqual(['head', 'base']);
    expect(abbaSchedule(4).join(' ')).toBe('base head head base base head head base');
  });
});

/** Ten samples a round; `value(side, t)` gives each from a shared clock t. */
function rounds(value: (side: Side, t: number) => number) {
  let t = 0;
  return (side: Side) => Array.from({ length: 10 }, () => value(side, t++));
}
const wobble = (t: number) => 1 + 0.005 * Math.sin(t * 1.7);

describe('interleave()', () => {
  it('stops as soon as a 10% regression is decided', async () => {
    const result = await interleave({
      run: rounds((side, t) => (side === 'head' ? 110 : 100) * wobble(t)),
    });
    expect(result.stopReason).toBe('decided');
    expect(result.rounds).toBe(4);
    expect(result.comparison?.verdict).toBe('regression');
    expect(result.base.length).toBe(40);
    expect(result.head.length).toBe(40);
    expect(result.baseRounds.slice(0, 11)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
  });

  it('cancels a linear drift that would fake a regression if one side always went first', async () => {
    // Everything gets 0.4% slower per sample; base and head run the same code.
    const drift = (_side: Side, t: number) => 100 * (1 + 0.004 * t) * wobble(t);
    const abba = await interleave({
      run: rounds(drift),
      minRounds: 8,
      stopWhenDecided: false,
      maxRounds: 8,
    });
    expect(Math.abs((abba.comparison?.ratio ?? 0) - 1)).toBeLessThan(0.01);
    expect(abba.comparison?.verdict).not.toBe('regression');

    // The same drift with base always first: head looks several percent slower.
    let t = 0;
    const base: number[] = [];
    const head: number[] = [];
    for (let r = 0; r < 8; r++) {
      for (let i = 0; i < 10; i++) base.push(drift('base', t++));
      for (let i = 0; i < 10; i++) head.push(drift('head', t++));
    }
    expect(compare(base, head).ratio).toBeGreaterThan(1.02);
  });

  it('stops at maxRounds with an inconclusive verdict on a change at the threshold', async () => {
    const result = await interleave({
      run: rounds((side, t) => (side === 'head' ? 102 : 100) * (1 + 0.05 * Math.sin(t * 2.3))),
      maxRounds: 6,
    });
    expect(result.stopReason).toBe('max-rounds');
    expect(result.rounds).toBe(6);
    expect(result.comparison?.verdict).toBe('inconclusive');
  });

  it('warns when a side changed step-wise during the run (e.g. a JIT tier-up)', async () => {
    const result = await interleave({
      // Both sides get 20% faster after round 3: the verdict may be fine, the run is not.
      run: rounds((_side, t) => (t < 60 ? 120 : 100) * wobble(t)),
      stopWhenDecided: false,
      maxRounds: 8,
    });
    expect(result.warnings).toHaveLength(2);
    expect(result.warnings[0]).toMatch(
      /^base got 16\.\d% faster from the first to the last pair of rounds/,
    );
  });

  it('has no warnings on a steady run', async () => {
    const result = await interleave({ run: rounds((_side, t) => 100 * wobble(t)) });
    expect(result.warnings).toEqual([]);
  });

  it('reports each pair of rounds', async () => {
    const seen: number[] = [];
    await interleave({
      run: rounds((_side, t) => 100 * wobble(t)),
      onPair: ({ rounds: n }) => seen.push(n),
    });
    expect(seen).toEqual([2, 4]);
  });

  it('keeps the samples taken when a round fails, and says which', async () => {
    let calls = 0;
    const error = await interleave({
      run: (side) => {
        if (++calls === 4) throw new Error('worker exited with code 139');
        return side === 'base' ? [1, 1.01] : [1.02, 1];
      },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InterleaveFailedError);
    const failure = error as InterleaveFailedError;
    expect(failure.side).toBe('base');
    expect(failure.round).toBe(1);
    expect(failure.base).toEqual([1, 1.01]);
    // Head had already run its part of round 1: nothing taken is dropped.
    expect(failure.head).toEqual([1.02, 1, 1.02, 1]);
    expect(failure.message).toMatch(/run\("base", round 1\) failed: worker exited with code 139/);
  });

  it('rejects a round that returns no samples', async () => {
    await expect(interleave({ run: () => [] })).rejects.toThrow(
      /round 0\) result needs at least 1 samples, but it is empty/,
    );
  });

  it('returns what it has when aborted', async () => {
    const controller = new AbortController();
    const result = await interleave({
      run: (_side, round) => {
        if (round === 2) controller.abort();
        return [1, 1.01, 0.99];
      },
      signal: controller.signal,
      stopWhenDecided: false,
    });
    expect(result.stopReason).toBe('aborted');
    expect(result.rounds).toBe(3);
  });
});

describe('interleave() with real measure() rounds', () => {
  it('does not call the same function on both sides a change (A/A)', async () => {
    // ~0.5 ms of nested loops: big enough that how the engine compiles the
    // sampling loop around it could differ per measure() call (it once read -36%).
    const grid = Float64Array.from({ length: 3 * 40 * 40 }, (_, i) => Math.sin(i));
    const work = () => {
      let acc = 0;
      for (let c = 0; c < 3; c++)
        for (let y = 0; y < 40; y++)
          for (let x = 0; x < 40; x++)
            acc += grid[(c * 40 + y) * 40 + x]! * grid[(y * 40 + x) % 4800]!;
      return acc;
    };
    const round = async () =>
      (
        await measure(work, {
          batch: 1,
          warmupIterations: 0,
          warmupTime: 0,
          minSamples: 10,
          maxSamples: 10,
        })
      ).samples;
    // Warm the function itself first (JIT tiers settle over thousands of calls;
    // without this, a tier-up mid-run is a step change ABBA cannot cancel).
    await measure(work, { warmupTime: 300, maxSamples: 10 });
    const result = await interleave({ run: round, compare: { threshold: 0.1 }, maxRounds: 20 });
    expect(['unchanged', 'inconclusive']).toContain(result.comparison?.verdict);
    expect(Math.abs((result.comparison?.ratio ?? 0) - 1)).toBeLessThan(0.1);
  }, 30_000);
});
