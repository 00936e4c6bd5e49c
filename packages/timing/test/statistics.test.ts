import { describe, expect, it } from 'vitest';
import {
  classifyOutliers,
  median,
  medianAbsoluteDeviation,
  medianInterval,
  quantile,
  sortSamples,
  summarize,
} from '../src/index.js';

describe('descriptive statistics', () => {
  const sorted = sortSamples([7, 1, 3, 5, 9, 11, 13, 15, 17, 19]);

  it('interpolates quantiles like NumPy and R (type 7)', () => {
    // numpy.percentile([1,3,5,7,9,11,13,15,17,19], [0, 25, 50, 90, 100])
    expect(quantile(sorted, 0)).toBe(1);
    expect(quantile(sorted, 0.25)).toBeCloseTo(5.5, 12);
    expect(median(sorted)).toBe(10);
    expect(quantile(sorted, 0.9)).toBeCloseTo(17.2, 12);
    expect(quantile(sorted, 1)).toBe(19);
  });

  it('computes mean, sample standard deviation, CV and MAD', () => {
    const stats = summarize([2, 4, 4, 4, 5, 5, 7, 9]);
    expect(stats.mean).toBe(5);
    expect(stats.standardDeviation).toBeCloseTo(2.138089935, 8);
    expect(stats.cv).toBeCloseTo(2.138089935 / 5, 8);
    expect(stats.median).toBe(4.5);
    expect(medianAbsoluteDeviation(sortSamples([2, 4, 4, 4, 5, 5, 7, 9]))).toBe(0.5);
  });

  it('classifies outliers with Tukey fences, mild and severe apart', () => {
    const data = [10, 10, 10, 11, 11, 11, 12, 12, 12, 15, 30, 1];
    const outliers = classifyOutliers(sortSamples(data));
    // q1 = 10, q3 = 12, IQR = 2: mild beyond [7, 15], severe beyond [4, 18].
    expect(outliers.lowerFence).toBe(7);
    expect(outliers.upperFence).toBe(15);
    expect(outliers.highMild).toBe(0); // 15 sits on the fence
    expect(outliers.highSevere).toBe(1); // 30
    expect(outliers.lowSevere).toBe(1); // 1
  });
});

describe('confidence interval of the median', () => {
  const ranks = (n: number) => sortSamples(Array.from({ length: n }, (_, i) => i + 1));

  it('uses the textbook order statistics for n = 100 (ranks 40 and 61)', () => {
    const interval = medianInterval(ranks(100));
    expect([interval.lowerRank, interval.upperRank]).toEqual([40, 61]);
    expect([interval.lower, interval.upper]).toEqual([40, 61]);
    expect(interval.coverage).toBeGreaterThanOrEqual(0.95);
    expect(interval.coverage).toBeLessThan(0.97);
  });

  it('for n = 10 takes the 2nd and 9th values with 97.9% coverage', () => {
    const interval = medianInterval(ranks(10));
    expect([interval.lower, interval.upper]).toEqual([2, 9]);
    expect(interval.coverage).toBeCloseTo(1 - 22 / 1024, 10);
  });

  it('says plainly when too few samples cannot reach the level', () => {
    const interval = medianInterval(ranks(5));
    expect([interval.lower, interval.upper]).toEqual([1, 5]);
    expect(interval.coverage).toBeCloseTo(0.9375, 10);
    expect(interval.coverage).toBeLessThan(interval.level);
  });

  it('covers the true median about 95% of the time on skewed data', () => {
    // Exponential data, true median ln 2; deterministic LCG so the test cannot flake.
    let state = 12345;
    const uniform = () => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return (state + 0.5) / 4294967296;
    };
    let covered = 0;
    const trials = 2000;
    for (let t = 0; t < trials; t++) {
      const sample = Array.from({ length: 30 }, () => -Math.log(uniform()));
      const interval = medianInterval(sortSamples(sample));
      if (interval.lower <= Math.LN2 && Math.LN2 <= interval.upper) covered++;
    }
    expect(covered / trials).toBeGreaterThan(0.93);
    expect(covered / trials).toBeLessThan(0.99);
  });

  it('reports relative precision as half-width over median', () => {
    const stats = summarize(Array.from({ length: 10 }, (_, i) => 100 + i));
    // median 104.5, interval [101, 108]
    expect(stats.relativePrecision).toBeCloseTo(3.5 / 104.5, 12);
  });
});
