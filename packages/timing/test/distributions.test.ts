import { describe, expect, it } from 'vitest';
import { binomialHalfCdf, largestRankWithin, studentTQuantile } from '../src/distributions.js';
import { createRng, normalCdf, normalQuantile } from '../src/index.js';

describe('distributions', () => {
  it('matches standard normal tables', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1.959964)).toBeCloseTo(0.975, 6);
    expect(normalCdf(-3)).toBeCloseTo(0.001349898, 8);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 6);
    expect(normalQuantile(0.005)).toBeCloseTo(-2.575829, 6);
  });

  it('sums the Binomial(n, 1/2) CDF exactly', () => {
    expect(binomialHalfCdf(0, 10)).toBeCloseTo(1 / 1024, 15);
    expect(binomialHalfCdf(1, 10)).toBeCloseTo(11 / 1024, 15);
    expect(binomialHalfCdf(5, 10)).toBeCloseTo(638 / 1024, 15);
    expect(largestRankWithin(100, 0.025)).toBe(40);
  });
});

describe('seeded random numbers', () => {
  it('repeat for a seed and differ across seeds', () => {
    const a = createRng(42);
    const b = createRng(42);
    const c = createRng(43);
    const first = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(first);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(first);
  });

  it('draws standard normal deviates', () => {
    const rng = createRng(7);
    const draws = Array.from({ length: 100_000 }, () => rng.normal());
    const mean = draws.reduce((s, x) => s + x, 0) / draws.length;
    const variance = draws.reduce((s, x) => s + (x - mean) ** 2, 0) / draws.length;
    expect(Math.abs(mean)).toBeLessThan(0.02);
    expect(variance).toBeCloseTo(1, 1);
  });
});

describe('Student t quantiles', () => {
  it('match published tables', () => {
    // t_{0.975} for df = 1, 2, 3, 5, 10, 30 (standard tables)
    expect(studentTQuantile(0.975, 1)).toBeCloseTo(12.706, 3);
    expect(studentTQuantile(0.975, 2)).toBeCloseTo(4.303, 3);
    expect(studentTQuantile(0.975, 3)).toBeCloseTo(3.182, 2);
    expect(studentTQuantile(0.975, 5)).toBeCloseTo(2.571, 2);
    expect(studentTQuantile(0.975, 10)).toBeCloseTo(2.228, 3);
    expect(studentTQuantile(0.975, 30)).toBeCloseTo(2.042, 3);
  });
});
