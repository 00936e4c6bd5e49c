import { describe, expect, it } from 'vitest';
import { compare, createRng, TimingError } from '../src/index.js';

/** Log-normal timings around `centre` ms with the given CV, seeded. */
function timings(centre: number, cv: number, n: number, seed: number): number[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => centre * Math.exp(cv * rng.normal()));
}

describe('compare()', () => {
  it('calls a 10% slowdown a regression, with the interval around +10%', () => {
    const result = compare(timings(100, 0.01, 60, 1), timings(110, 0.01, 60, 2));
    expect(result.verdict).toBe('regression');
    expect(result.ratio).toBeCloseTo(1.1, 2);
    expect(result.interval.lower).toBeGreaterThan(1.02);
    expect(result.interval.lower).toBeLessThan(1.1);
    expect(result.interval.upper).toBeGreaterThan(1.1);
    expect(result.pValue).toBeLessThan(1e-6);
    expect(result.hodgesLehmannRatio).toBeCloseTo(1.1, 2);
    expect(result.moreSamples).toBeNull();
    expect(result.explanation).toMatch(
      /^regression: head changed by \+(9|10)\.\d\d% \(95% interval \[/,
    );
  });

  it('calls a 10% speed-up an improvement', () => {
    expect(compare(timings(100, 0.01, 60, 3), timings(90, 0.01, 60, 4)).verdict).toBe(
      'improvement',
    );
  });

  it('calls the same distribution unchanged when the interval fits inside the threshold', () => {
    const result = compare(timings(100, 0.01, 60, 5), timings(100, 0.01, 60, 6));
    expect(result.verdict).toBe('unchanged');
    expect(result.interval.lower).toBeGreaterThanOrEqual(0.98);
    expect(result.interval.upper).toBeLessThanOrEqual(1.02);
  });

  it('says inconclusive, never a pass, when noise is too large, and how many samples would decide', () => {
    const result = compare(timings(100, 0.08, 12, 9), timings(100, 0.08, 12, 10));
    expect(result.verdict).toBe('inconclusive');
    expect(result.moreSamples?.perSide).toBeGreaterThan(12);
    expect(result.moreSamples?.additionalPerSide).toBe((result.moreSamples?.perSide ?? 0) - 12);
    expect(result.explanation).toContain('inconclusive');
  });

  it('predicts a sample count that does decide the case', () => {
    const small = compare(timings(100, 0.03, 15, 9), timings(101, 0.03, 15, 10));
    expect(small.verdict).toBe('inconclusive');
    const needed = small.moreSamples?.perSide ?? 0;
    const large = compare(timings(100, 0.03, needed, 9), timings(101, 0.03, needed, 10));
    expect(large.verdict).not.toBe('inconclusive');
  });

  it('refuses to predict when the change sits on the threshold', () => {
    const base = timings(100, 0.03, 20, 11);
    const head = base.map((x) => x * 1.02);
    const result = compare(base, head);
    expect(result.verdict).toBe('inconclusive');
    expect(result.moreSamples?.perSide).toBeNull();
    expect(result.moreSamples?.reason).toContain('sits on the');
  });

  it('flips direction for higher-is-better metrics such as throughput', () => {
    const base = timings(100, 0.01, 40, 12);
    const head = timings(90, 0.01, 40, 13);
    expect(compare(base, head).verdict).toBe('improvement');
    expect(compare(base, head, { higherIsBetter: true }).verdict).toBe('regression');
  });

  it('accepts samples from measure() results or any object with samples', () => {
    const result = compare(
      { samples: timings(10, 0.01, 30, 14) },
      { samples: timings(10, 0.01, 30, 15) },
    );
    expect(result.base.count).toBe(30);
  });

  it('gives the same bootstrap interval for the same seed', () => {
    const base = timings(100, 0.02, 40, 16);
    const head = timings(103, 0.02, 40, 17);
    const one = compare(base, head, { method: 'bootstrap', seed: 1 });
    const again = compare(base, head, { method: 'bootstrap', seed: 1 });
    const other = compare(base, head, { method: 'bootstrap', seed: 2 });
    expect(again.interval).toEqual(one.interval);
    expect(other.interval).not.toEqual(one.interval);
    // Both methods estimate the same thing.
    const analytic = compare(base, head);
    expect(Math.abs(one.interval.lower - analytic.interval.lower)).toBeLessThan(0.01);
    expect(Math.abs(one.interval.upper - analytic.interval.upper)).toBeLessThan(0.01);
  });

  it('has an interval that covers the true ratio about 95% of the time', () => {
    let covered = 0;
    const trials = 400;
    for (let t = 0; t < trials; t++) {
      const result = compare(timings(100, 0.02, 40, 1000 + t), timings(105, 0.02, 40, 5000 + t));
      if (result.interval.lower <= 1.05 && 1.05 <= result.interval.upper) covered++;
    }
    expect(covered / trials).toBeGreaterThan(0.92);
    expect(covered / trials).toBeLessThan(0.995);
  });

  describe('bad input', () => {
    const ok = [1, 2, 3];
    it.each([
      [0, /threshold = 0 is invalid: expected a fraction > 0/],
      [-0.1, /threshold = -0.1/],
      [5, /did you mean 0.05, i.e. 5%/],
      [Number.NaN, /threshold = NaN/],
    ])('rejects threshold %s', (threshold, message) => {
      expect(() => compare(ok, ok, { threshold })).toThrow(message);
    });

    it('rejects a confidence level outside (0.5, 1)', () => {
      expect(() => compare(ok, ok, { confidence: 95 })).toThrow(/0.95 means a 95% interval/);
    });

    it('names the side whose samples are wrong', () => {
      expect(() => compare([1], ok)).toThrow(/base samples needs at least 2/);
      expect(() => compare(ok, [1, Number.NaN])).toThrow(/head samples\[1\] is NaN/);
    });

    it('explains a zero median instead of dividing by it', () => {
      const error = (() => {
        try {
          compare([0, 0, 0], ok);
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(TimingError);
      expect((error as TimingError).message).toMatch(/base median is 0.*batch of calls/);
    });
  });
});
