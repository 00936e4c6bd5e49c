import { describe, expect, it } from 'vitest';
import { studentTCdf, studentTQuantile } from '../src/distributions.js';
import {
  clusteredInterval,
  compare,
  createRng,
  pairRounds,
  planLooks,
  TimingError,
  thinLooks,
  turnLevel,
} from '../src/index.js';

/** Rounds of `per` iterations per side: each side's turn level moves by `turnSd`, iterations by `iterSd`. */
function rounds(options: {
  rounds: number;
  per: number;
  truth?: number;
  turnSd?: number;
  iterSd?: number;
  /** Per cluster of `clusterRounds` rounds, an offset of head over base with this sd. */
  offsetSd?: number;
  clusterRounds?: number;
  seed: number;
}) {
  const rng = createRng(options.seed);
  const base: number[] = [];
  const head: number[] = [];
  const labels: number[] = [];
  let offset = 0;
  for (let r = 0; r < options.rounds; r++) {
    if (r % (options.clusterRounds ?? 1) === 0) offset = (options.offsetSd ?? 0) * rng.normal();
    const b = (options.turnSd ?? 0) * rng.normal();
    const h = (options.turnSd ?? 0) * rng.normal() + offset;
    for (let i = 0; i < options.per; i++) {
      base.push(100 * Math.exp(b + (options.iterSd ?? 0.01) * rng.normal()));
      head.push(
        100 * (1 + (options.truth ?? 0)) * Math.exp(h + (options.iterSd ?? 0.01) * rng.normal()),
      );
      labels.push(r);
    }
  }
  return { base, head, labels: { base: labels, head: labels } };
}

describe('turnLevel()', () => {
  it('drops the fastest and slowest iteration of a turn of 3 or more', () => {
    expect(Math.exp(turnLevel([100, 100, 100, 100, 500]))).toBeCloseTo(100, 9);
    expect(Math.exp(turnLevel([1, 100, 100, 100, 100]))).toBeCloseTo(100, 9);
  });
  it('keeps both iterations of a turn of 2', () => {
    expect(Math.exp(turnLevel([100, 400]))).toBeCloseTo(200, 9);
  });
});

describe('pairRounds() and clusteredInterval()', () => {
  it('pairs each round once, leaving out rounds that only one side finished', () => {
    const paired = pairRounds([100, 100, 100, 100], [110, 110, 120], {
      base: [0, 0, 1, 1],
      head: [0, 0, 2],
    });
    expect(paired.rounds).toEqual([0]);
    expect(Math.exp(paired.logRatios[0]!)).toBeCloseTo(1.1, 9);
  });

  it('names the mismatch when labels and samples differ in length', () => {
    expect(() => pairRounds([1, 2], [1, 2], { base: [0], head: [0, 0] })).toThrow(TimingError);
  });

  it('has no interval with fewer than two clusters', () => {
    const { base, head, labels } = rounds({ rounds: 8, per: 5, seed: 1 });
    expect(
      clusteredInterval(
        pairRounds(base, head, labels, () => 0),
        0.95,
      ),
    ).toBeNull();
    expect(
      clusteredInterval(
        pairRounds(base, head, labels, (r) => Math.floor(r / 4)),
        0.95,
      )?.df,
    ).toBe(1);
  });

  it('centres on the true change and counts clusters, not rounds, as its degrees of freedom', () => {
    const { base, head, labels } = rounds({
      rounds: 40,
      per: 5,
      truth: 0.05,
      turnSd: 0.005,
      seed: 2,
    });
    const i = clusteredInterval(
      pairRounds(base, head, labels, (r) => Math.floor(r / 4)),
      0.95,
    )!;
    expect(i.ratio).toBeCloseTo(1.05, 2);
    expect(i.lower).toBeLessThan(1.05);
    expect(i.upper).toBeGreaterThan(1.05);
    expect(i).toMatchObject({ clusters: 10, rounds: 40, df: 9 });
  });

  it('covers the truth about 95% of the time when whole processes are offset', () => {
    // Offsets of 1% per process pair of 4 rounds, rounds themselves quiet: treating the 40
    // rounds as independent would cover far less often than the level says.
    const n = 400;
    let clustered = 0;
    let naive = 0;
    for (let s = 0; s < n; s++) {
      const { base, head, labels } = rounds({
        rounds: 40,
        per: 5,
        truth: 0.02,
        turnSd: 0.002,
        offsetSd: 0.01,
        clusterRounds: 4,
        seed: 100 + s,
      });
      const byPair = clusteredInterval(
        pairRounds(base, head, labels, (r) => Math.floor(r / 4)),
        0.95,
      )!;
      const byRound = clusteredInterval(pairRounds(base, head, labels), 0.95)!;
      if (byPair.lower <= 1.02 && 1.02 <= byPair.upper) clustered++;
      if (byRound.lower <= 1.02 && 1.02 <= byRound.upper) naive++;
    }
    // 400 runs: a true 95% lies within +/-2.2 points with 95% probability.
    expect(clustered / n).toBeGreaterThan(0.92);
    expect(clustered / n).toBeLessThan(0.985);
    expect(naive / n).toBeLessThan(0.85);
  });

  it('is what compare() reports when it is given rounds and clusters', () => {
    const { base, head, labels } = rounds({
      rounds: 12,
      per: 5,
      truth: 0.03,
      turnSd: 0.004,
      seed: 3,
    });
    const clusterOf = (r: number) => Math.floor(r / 2);
    const c = compare(base, head, { rounds: { ...labels, clusterOf }, confidence: 0.99 });
    const i = clusteredInterval(pairRounds(base, head, labels, clusterOf), 0.99)!;
    expect(c.intervalBasis).toBe('rounds');
    expect(c.ratio).toBe(i.ratio);
    expect(c.interval).toEqual({ lower: i.lower, upper: i.upper, level: 0.99 });
    expect(c.paired).toMatchObject({ clusters: 6, rounds: 12, df: 5 });
  });

  it('makes compare() wait, saying why, while all rounds come from one process pair', () => {
    const { base, head, labels } = rounds({ rounds: 4, per: 5, truth: 0.5, seed: 4 });
    const c = compare(base, head, { rounds: { ...labels, clusterOf: () => 0 } });
    expect(c.verdict).toBe('inconclusive');
    expect(c.moreSamples?.reason).toMatch(/at least two/);
  });
});

describe('planLooks()', () => {
  const looks = [8, 12, 16, 20, 24, 28, 32, 36, 40];
  const byFour = (r: number) => Math.floor(r / 4);

  it('gives every look a stricter level than the nominal, the same at each (Pocock)', () => {
    const plan = planLooks({ looks, clusterOf: byFour });
    expect(new Set(plan.levels).size).toBe(1);
    expect(plan.levels[0]).toBeGreaterThan(0.98);
    expect(plan.levels[0]).toBeLessThan(0.995);
    expect(plan.calibration.coverage).toBeGreaterThanOrEqual(0.95);
  });

  it("is strict early and close to the nominal level late with the O'Brien-Fleming shape", () => {
    const plan = planLooks({ looks, clusterOf: byFour, shape: 'obrien-fleming' });
    expect(plan.levels[0]).toBeGreaterThan(0.999);
    expect(plan.levels.at(-1)).toBeLessThan(0.975);
    for (let k = 1; k < plan.levels.length; k++)
      expect(plan.levels[k]).toBeLessThanOrEqual(plan.levels[k - 1]!);
  });

  it('is reproducible, and stricter for a smaller share of the error', () => {
    expect(planLooks({ looks, clusterOf: byFour }).levels).toEqual(
      planLooks({ looks, clusterOf: byFour }).levels,
    );
    expect(planLooks({ looks, clusterOf: byFour, confidence: 0.995 }).levels[0]).toBeGreaterThan(
      planLooks({ looks, clusterOf: byFour }).levels[0]!,
    );
  });

  it('gives looks with one cluster no level to spend', () => {
    const plan = planLooks({ looks: [2, 4, 8], clusterOf: byFour });
    expect(plan.levels.slice(0, 2)).toEqual([1, 1]);
    expect(plan.levelAt(3)).toBe(1);
    expect(plan.levelAt(8)).toBe(plan.levels[2]);
    expect(plan.levelAt(100)).toBe(plan.levels[2]);
  });

  it('holds its promise: stopping at the first look whose interval excludes the truth happens in at most ~5% of runs', () => {
    const plan = planLooks({ looks, clusterOf: byFour });
    const n = 400;
    let missed = 0;
    for (let s = 0; s < n; s++) {
      const { base, head, labels } = rounds({
        rounds: 40,
        per: 5,
        turnSd: 0.003,
        offsetSd: 0.004,
        clusterRounds: 4,
        seed: 1000 + s,
      });
      const anyMiss = looks.some((cut, k) => {
        const end = cut * 5;
        const i = clusteredInterval(
          pairRounds(
            base.slice(0, end),
            head.slice(0, end),
            {
              base: labels.base.slice(0, end),
              head: labels.head.slice(0, end),
            },
            byFour,
          ),
          plan.levels[k]!,
        )!;
        return i.lower > 1 || i.upper < 1;
      });
      if (anyMiss) missed++;
    }
    expect(missed / n).toBeLessThan(0.08);
  });

  it('refuses looks that are not ascending, and clusters that come back', () => {
    expect(() => planLooks({ looks: [8, 4] })).toThrow(TimingError);
    expect(() => planLooks({ looks: [] })).toThrow(/at least one/);
    expect(() => planLooks({ looks: [6], clusterOf: (r) => r % 2 })).toThrow(/consecutive/);
  });
});

describe('thinLooks()', () => {
  it('keeps the first and the last look and spreads the rest evenly', () => {
    const every = Array.from({ length: 19 }, (_, k) => 4 + 2 * k); // 4, 6, ..., 40
    const thinned = thinLooks(every);
    expect(thinned).toHaveLength(12);
    expect(thinned[0]).toBe(4);
    expect(thinned.at(-1)).toBe(40);
    expect(thinLooks([4, 6, 8], 12)).toEqual([4, 6, 8]);
  });
});

describe('Student t', () => {
  it('matches tabulated quantiles far in the tail', () => {
    // Tables: t(0.9999; 3) = 22.204, t(0.999; 4) = 7.173, t(0.975; 30) = 2.042.
    expect(studentTQuantile(0.9999, 3)).toBeCloseTo(22.204, 2);
    expect(studentTQuantile(0.999, 4)).toBeCloseTo(7.173, 2);
    expect(studentTQuantile(0.975, 30)).toBeCloseTo(2.042, 3);
    expect(studentTQuantile(0.025, 30)).toBeCloseTo(-2.042, 3);
  });
  it('has a distribution function that inverts the quantile', () => {
    for (const df of [3, 4, 7, 20])
      for (const p of [0.6, 0.9, 0.995])
        expect(studentTCdf(studentTQuantile(p, df), df)).toBeCloseTo(p, 9);
  });
});

describe('clusteredInterval: the noise it measures, and a floor from calibration', () => {
  // Four process pairs of two rounds: cluster means 0.01, 0.03, -0.01, 0.01 (log scale).
  const paired = {
    logRatios: [0.0, 0.02, 0.03, 0.03, -0.02, 0.0, 0.01, 0.01],
    rounds: [0, 1, 2, 3, 4, 5, 6, 7],
    clusters: [0, 0, 1, 1, 2, 2, 3, 3],
  };

  it('reports the round-to-round and the between-pair spread of the log ratios', () => {
    const i = clusteredInterval(paired, 0.95)!;
    const logs = paired.logRatios;
    const mean = logs.reduce((a, x) => a + x, 0) / logs.length;
    const sd = Math.sqrt(logs.reduce((a, x) => a + (x - mean) ** 2, 0) / (logs.length - 1));
    expect(i.perRoundSd).toBeCloseTo(sd, 12);
    // Cluster means 0.01, 0.03, -0.01, 0.01 around 0.01: sd sqrt((0 + 0.0004 + 0.0004 + 0) / 3).
    expect(i.betweenClusterSd).toBeCloseTo(Math.sqrt(0.0008 / 3), 12);
    expect(i.floored).toBe(false);
  });

  it('a last process pair cut short does not count towards the between-pair spread', () => {
    const cut = {
      logRatios: [...paired.logRatios, 0.2],
      rounds: [...paired.rounds, 8],
      clusters: [...paired.clusters, 4],
    };
    // The four full pairs' spread, as before: the one-round pair's 0.2 would have inflated it.
    expect(clusteredInterval(cut, 0.95)!.betweenClusterSd).toBeCloseTo(Math.sqrt(0.0008 / 3), 12);
  });

  it("a floor below the run's own spread changes nothing; one above it widens the interval, never narrows", () => {
    const own = clusteredInterval(paired, 0.95)!;
    const low = clusteredInterval(paired, 0.95, { minClusterSd: own.betweenClusterSd / 4 })!;
    expect([low.lower, low.upper, low.floored]).toEqual([own.lower, own.upper, false]);
    const high = clusteredInterval(paired, 0.95, { minClusterSd: 0.05 })!;
    expect(high.floored).toBe(true);
    expect(high.standardError).toBeCloseTo(0.05 / 2, 12);
    expect(high.lower).toBeLessThan(own.lower);
    expect(high.upper).toBeGreaterThan(own.upper);
    expect(high.ratio).toBe(own.ratio);
  });

  it('compare() takes the floor with the rounds and says the interval was floored', () => {
    const base = paired.logRatios.map(() => 100);
    const head = paired.logRatios.map((x) => 100 * Math.exp(x));
    const rounds = {
      base: paired.rounds,
      head: paired.rounds,
      clusterOf: (r: number) => Math.floor(r / 2),
    };
    const plain = compare(base, head, { threshold: 0.02, rounds });
    const floored = compare(base, head, {
      threshold: 0.02,
      rounds: { ...rounds, minClusterSd: 0.05 },
    });
    expect(plain.paired?.floored).toBe(false);
    expect(floored.paired?.floored).toBe(true);
    expect(floored.interval.upper - floored.interval.lower).toBeGreaterThan(
      plain.interval.upper - plain.interval.lower,
    );
  });
});
