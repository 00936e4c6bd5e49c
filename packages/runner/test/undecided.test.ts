import { type Comparison, compare } from '@vggt-perf-gate/timing';
import { describe, expect, it } from 'vitest';
import { undecidedWarning } from '../src/gate/measure/undecided.js';
import { readResults } from '../src/results/io.js';
import type { MetricName } from '../src/results/types.js';

/**
 * A +2.77% head on VGGT-1B that the shipped Action left undecided at its
 * 180 s limit on an NVIDIA H200 (docs/validation.md): its samples compared
 * again as the gate compared them at its last look, and the warning a user
 * gets for it.
 */
async function lastLook(label: string) {
  const results = await readResults(
    new URL(
      `../../../examples/vggt-torch/validation/runs/counts-h200/${label}.results.json`,
      import.meta.url,
    ).pathname,
  );
  const b = results.benchmarks[0]!;
  const comparisons: Partial<Record<MetricName, Comparison>> = {};
  for (const m of b.metrics) {
    const s = b.samples![m.metric]!;
    comparisons[m.metric] = compare(s.base, s.head, {
      threshold: m.threshold,
      confidence: m.interval!.level,
      overallConfidence: 0.95,
      higherIsBetter: m.metric === 'throughput',
      rounds: { base: s.baseRounds, head: s.headRounds, clusterOf: (r) => Math.floor(r / 2) },
    });
  }
  return { b, comparisons };
}

/** n-slow1's figures: its log has "measuring (round 0/40, 6.7s of 180s…)" after the first start. */
const N_SLOW1 = { seconds: 181.7, startupSeconds: 6.7, rounds: 26, maxSeconds: 180, maxRounds: 40 };

describe('a benchmark its limit stopped undecided', () => {
  it('is told which verdicts were open and about what budget would likely decide them', async () => {
    const { b, comparisons } = await lastLook('n-slow1');
    // The comparison is the one the run made: same interval, same verdicts.
    expect(comparisons.latency!.interval.lower).toBeCloseTo(b.metrics[0]!.interval!.lower, 6);
    expect(comparisons.latency!.verdict).toBe('inconclusive');
    expect(b.verdictSeconds).toBeCloseTo(N_SLOW1.seconds, 1);
    const warning = undecidedWarning('max-time', comparisons, N_SLOW1);
    expect(warning).toMatch(
      /^undecided at the time limit \(180 s; stopped at 182 s\): latency \+3\.02% \[\+1\.99%, \+4\.06%\] against ±2%; throughput -2\.93% \[-3\.90%, -1\.95%\] against ±2%\. At this run's pace about (\d+) s would likely decide them: budget\.maxSeconds: \1\.$/,
    );
    const seconds = Number(/about (\d+) s/.exec(warning!)![1]);
    expect(seconds).toBeGreaterThan(182);
    expect(seconds % 10).toBe(0);
    // Stopped by 26 rounds with time to spare: more rounds, and the time they take.
    const byRounds = { ...N_SLOW1, maxRounds: 26, maxSeconds: 600 };
    expect(undecidedWarning('max-rounds', comparisons, byRounds)).toMatch(
      /^undecided at the round limit \(26 rounds\): .* About (\d+) rounds would likely decide them: budget\.maxRounds: \1\.$/,
    );
    const tight = { ...N_SLOW1, maxRounds: 26, maxSeconds: 190 };
    expect(undecidedWarning('max-rounds', comparisons, tight)).toMatch(
      /budget\.maxRounds: \d+, and budget\.maxSeconds: \d+0, the time they take at this run's pace\.$/,
    );
  });

  it('says nothing when every verdict was decided or no limit stopped it', async () => {
    const { b, comparisons } = await lastLook('n-slow2');
    expect(b.stopReason).toBe('decided');
    expect(undecidedWarning('max-time', comparisons, N_SLOW1)).toBeNull();
    const open = await lastLook('n-slow1');
    for (const stop of ['decided', 'failed', 'out-of-memory'] as const)
      expect(undecidedWarning(stop, open.comparisons, N_SLOW1)).toBeNull();
  });

  it('a change on its threshold: more time is said not to help', async () => {
    const { comparisons } = await lastLook('n-slow1');
    const onThreshold = {
      ...comparisons.latency!,
      moreSamples: { perSide: null, additionalPerSide: null, reason: 'on the threshold' },
    };
    expect(undecidedWarning('max-time', { latency: onThreshold }, N_SLOW1)).toMatch(
      /More time is unlikely to decide latency: the change is about the threshold's size/,
    );
  });

  it('rounds of one process pair: told that a verdict needs a second, not that time would not help', async () => {
    const { b } = await lastLook('n-slow1');
    const s = b.samples!.latency!;
    const firstPair = (rounds: number[]) => rounds.filter((r) => r < 2).length;
    const onePair = compare(
      s.base.slice(0, firstPair(s.baseRounds)),
      s.head.slice(0, firstPair(s.headRounds)),
      {
        threshold: 0.02,
        rounds: {
          base: s.baseRounds.filter((r) => r < 2),
          head: s.headRounds.filter((r) => r < 2),
          clusterOf: (r) => Math.floor(r / 2),
        },
      },
    );
    expect(onePair.paired).toBeNull();
    expect(undecidedWarning('max-time', { latency: onePair }, N_SLOW1)).toMatch(
      /all came from one process pair, and a verdict needs at least two: give the budget room for a second\.$/,
    );
  });

  it('never suggests less than the limit that stopped it, nor more than a budget can be', async () => {
    const { comparisons } = await lastLook('n-slow1');
    // Stopped at its last planned look well before a 600 s limit: still a longer budget.
    const early = { ...N_SLOW1, maxSeconds: 600 };
    expect(undecidedWarning('max-time', comparisons, early)).toMatch(/budget\.maxSeconds: 610\.$/);
    const hopeless = {
      ...comparisons.latency!,
      moreSamples: { perSide: 130 * 10_000, additionalPerSide: 0, reason: 'far' },
    };
    expect(undecidedWarning('max-time', { latency: hopeless }, N_SLOW1)).toMatch(
      /Deciding it would take more than the largest budget/,
    );
  });
});
