import { describe, expect, it } from 'vitest';
import { checkSamples, sortSamples, summarize, TimingError } from '../src/index.js';

function errorOf(run: () => unknown): TimingError {
  try {
    run();
  } catch (error) {
    if (error instanceof TimingError) return error;
    throw error;
  }
  throw new Error('expected a TimingError');
}

describe('sample validation', () => {
  it('rejects an empty array and says how to get more samples', () => {
    const error = errorOf(() => summarize([]));
    expect(error.code).toBe('INVALID_SAMPLES');
    expect(error.message).toContain('at least 2 samples');
    expect(error.message).toContain('it is empty');
    expect(error.message).toContain('run more iterations');
  });

  it('rejects a single sample', () => {
    expect(errorOf(() => summarize([3])).message).toContain('it has 1');
  });

  it('names the index and the problem of a NaN, infinite or negative sample', () => {
    expect(errorOf(() => checkSamples([1, Number.NaN], 'head samples')).message).toMatch(
      /head samples\[1\] is NaN/,
    );
    expect(errorOf(() => checkSamples([Number.POSITIVE_INFINITY, 1])).message).toMatch(
      /samples\[0\] is Infinity.*finite/,
    );
    expect(errorOf(() => checkSamples([1, 2, -0.5])).message).toMatch(
      /samples\[2\] is -0.5, a negative duration.*swapped/,
    );
  });

  it('rejects something that is not an array', () => {
    expect(errorOf(() => checkSamples(null as unknown as number[])).message).toContain('got null');
  });

  it('sorts a copy numerically and leaves the input alone', () => {
    const input = [10, 9, 100, 1];
    expect([...sortSamples(input)]).toEqual([1, 9, 10, 100]);
    expect(input).toEqual([10, 9, 100, 1]);
  });
});
