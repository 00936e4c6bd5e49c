import { describe, expect, it } from 'vitest';
import { hodgesLehmannRatio, mannWhitney, sortSamples } from '../src/index.js';

const sorted = (xs: number[]) => sortSamples(xs);

describe('Mann-Whitney U', () => {
  it('gives the exact two-sided p-value for fully separated small samples', () => {
    // C(10, 5) = 252 arrangements; only the two extremes are as far out: p = 2/252.
    const result = mannWhitney(sorted([1, 2, 3, 4, 5]), sorted([6, 7, 8, 9, 10]));
    expect(result.method).toBe('exact');
    expect(result.u).toBe(25);
    expect(result.pValue).toBeCloseTo(2 / 252, 12);
  });

  it('matches the exact distribution for interleaved values', () => {
    // U = 3 for head {2, 4, 6} vs base {1, 3, 5}... counted: 2>1, 4>1, 4>3, 6>1, 6>3, 6>5 = 6
    const result = mannWhitney(sorted([1, 3, 5]), sorted([2, 4, 6]));
    expect(result.u).toBe(6);
    // Of the 20 arrangements, |U - 4.5| >= 1.5 for U in {0,1,2,3,6,7,8,9}: 1+1+2+3+3+2+1+1 = 14.
    expect(result.pValue).toBeCloseTo(14 / 20, 12);
  });

  it('uses the tie-corrected normal approximation with ties', () => {
    const result = mannWhitney(sorted([1, 1, 2, 2, 3, 3]), sorted([2, 2, 3, 3, 4, 4]));
    expect(result.method).toBe('normal');
    expect(result.pValue).toBeGreaterThan(0.01);
    expect(result.pValue).toBeLessThan(0.2);
  });

  it('is 1 for identical samples', () => {
    expect(mannWhitney(sorted([5, 5, 5]), sorted([5, 5, 5])).pValue).toBe(1);
  });
});

describe('Hodges-Lehmann ratio', () => {
  it('recovers an exact multiplicative shift', () => {
    const base = [10, 11, 12, 13, 50];
    expect(hodgesLehmannRatio(sorted(base), sorted(base.map((x) => x * 1.1)))).toBeCloseTo(1.1, 2);
  });

  it('stays bounded in cost for large samples', () => {
    const base = Array.from({ length: 5000 }, (_, i) => 100 + (i % 97));
    const head = base.map((x) => x * 1.05);
    expect(hodgesLehmannRatio(sorted(base), sorted(head))).toBeCloseTo(1.05, 2);
  });
});
