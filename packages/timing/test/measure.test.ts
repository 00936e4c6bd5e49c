import { describe, expect, it } from 'vitest';
import { MeasureFailedError, measure, TimingError } from '../src/index.js';

/**
 * A fake millisecond clock: the measured code advances it by known amounts,
 * so what measure() puts inside and outside the timed region is exact.
 */
function fakeClock() {
  const clock = {
    now: 0,
    read: () => clock.now,
    advance: (ms: number) => {
      clock.now += ms;
    },
  };
  return clock;
}

describe('measure(): what is inside the timed region', () => {
  it('times the function and the sync hook, not setup or teardown', async () => {
    const clock = fakeClock();
    const result = await measure(() => clock.advance(2), {
      clock: clock.read,
      sync: () => clock.advance(3),
      setup: () => clock.advance(100),
      teardown: () => clock.advance(1000),
      warmupIterations: 2,
      warmupTime: 0,
    });
    expect(result.state).toBe('completed');
    expect(new Set(result.samples)).toEqual(new Set([5]));
    expect(result.batch).toBe(1);
  });

  it('catches unsynchronised GPU-style timing: queued work shows up only through sync', async () => {
    // fn only enqueues 5 ms of device work; sync waits for it, as torch.cuda.synchronize() does.
    const clock = fakeClock();
    let queued = 0;
    const launch = () => {
      queued += 5;
    };
    const synchronize = () => {
      clock.now += queued;
      queued = 0;
    };
    const honest = await measure(launch, { clock: clock.read, sync: synchronize, warmupTime: 0 });
    queued = 0;
    const naive = await measure(launch, { clock: clock.read, warmupTime: 0, batch: 1 });
    expect(honest.stats?.median).toBe(5);
    expect(naive.stats?.median).toBe(0);
  });

  it('awaits an async function inside the timed region', async () => {
    const clock = fakeClock();
    const result = await measure(
      async () => {
        await Promise.resolve();
        clock.now += 7;
      },
      { clock: clock.read, warmupTime: 0 },
    );
    expect(result.async).toBe(true);
    expect(result.stats?.median).toBe(7);
  });

  it('passes the value made by setup to the function', async () => {
    const seen: number[] = [];
    let counter = 0;
    await measure((input: number) => void seen.push(input), {
      setup: () => ++counter,
      warmupIterations: 1,
      warmupTime: 0,
      maxSamples: 3,
      minSamples: 3,
    });
    expect(seen).toEqual([1, 2, 3, 4]);
  });

  it('records warm-up, and the first (cold) call apart from the rest', async () => {
    const clock = fakeClock();
    let calls = 0;
    const result = await measure(() => clock.advance(calls++ === 0 ? 50 : 1), {
      clock: clock.read,
      warmupIterations: 4,
      warmupTime: 0,
    });
    expect(result.warmup.iterations).toBe(4);
    expect(result.warmup.first).toBe(50);
    expect(result.warmup.samples).toEqual([50, 1, 1, 1]);
    expect(result.stats?.median).toBe(1);
  });

  it('keeps warming up until the warm-up time has passed', async () => {
    const clock = fakeClock();
    const result = await measure(() => clock.advance(10), {
      clock: clock.read,
      warmupIterations: 1,
      warmupTime: 95,
    });
    expect(result.warmup.iterations).toBe(10);
  });
});

describe('measure(): when it stops', () => {
  it('stops on precision once the median is known well enough', async () => {
    const clock = fakeClock();
    const result = await measure(() => clock.advance(4), {
      clock: clock.read,
      warmupTime: 0,
      minSamples: 12,
    });
    expect(result.stopReason).toBe('precision');
    expect(result.samples.length).toBe(12);
    expect(result.warnings).toEqual([]);
  });

  it('stops at maxSamples and says the target was not reached', async () => {
    const clock = fakeClock();
    let k = 0;
    const result = await measure(() => clock.advance(k++ % 2 === 0 ? 1 : 2), {
      clock: clock.read,
      warmupTime: 0,
      maxSamples: 50,
    });
    expect(result.stopReason).toBe('max-samples');
    expect(result.samples.length).toBe(50);
    expect(result.warnings.join()).toMatch(/short of the ±1.00% target: the max-samples budget/);
  });

  it('stops at maxTime and warns when too few samples fit', async () => {
    const clock = fakeClock();
    let k = 0;
    const result = await measure(() => clock.advance(k++ % 2 === 0 ? 40 : 60), {
      clock: clock.read,
      warmupTime: 0,
      warmupIterations: 0,
      maxTime: 200,
    });
    expect(result.stopReason).toBe('max-time');
    expect(result.samples.length).toBe(4);
    expect(result.warnings.join()).toMatch(/only 4 samples fit in maxTime = 200 ms/);
  });

  it('returns what it has when aborted', async () => {
    const controller = new AbortController();
    let calls = 0;
    const result = await measure(
      async () => {
        if (++calls === 8) controller.abort();
      },
      { signal: controller.signal, warmupIterations: 2, warmupTime: 0, batch: 1 },
    );
    expect(result.state).toBe('aborted');
    expect(result.stopReason).toBe('aborted');
    expect(result.samples.length).toBe(6);
  });

  it('honours an abort from a sync function at the end of the current chunk', async () => {
    const controller = new AbortController();
    let calls = 0;
    const result = await measure(
      () => {
        if (++calls === 8) controller.abort();
      },
      {
        signal: controller.signal,
        warmupIterations: 2,
        warmupTime: 0,
        batch: 1,
        minSamples: 100_000,
        maxSamples: 100_000,
      },
    );
    expect(result.stopReason).toBe('aborted');
    expect(result.samples.length).toBeGreaterThanOrEqual(6);
    expect(result.samples.length).toBeLessThanOrEqual(4096);
  });

  it('reports progress as it samples', async () => {
    const clock = fakeClock();
    const seen: number[] = [];
    let k = 0;
    await measure(() => clock.advance(1 + (k++ % 3)), {
      clock: clock.read,
      warmupTime: 0,
      maxSamples: 40,
      onProgress: (p) => seen.push(p.samples),
    });
    expect(seen[0]).toBe(10);
    expect(seen.length).toBeGreaterThan(3);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
  });
});

describe('measure(): fast functions', () => {
  const values = Array.from({ length: 400 }, (_, i) => i);
  const sum = () => {
    let total = 0;
    for (const v of values) total += v;
    return total;
  };

  it('batches a sub-microsecond function and reports time per call', async () => {
    const result = await measure(sum, { maxTime: 200 });
    expect(result.batch).toBeGreaterThan(10);
    expect(result.stats?.median).toBeLessThan(0.05);
    expect(result.floor?.likelyOptimizedAway).toBe(false);
  });

  it('flags an empty function as likely optimised away', async () => {
    const result = await measure(() => {}, { maxTime: 200 });
    expect(result.floor?.likelyOptimizedAway).toBe(true);
    expect(result.warnings.join()).toContain('optimised away');
  });

  it('does not batch when setup promises one call per input, or batch is given', async () => {
    expect((await measure(sum, { setup: () => undefined, maxTime: 50 })).batch).toBe(1);
    expect((await measure(sum, { batch: 7, maxTime: 50 })).batch).toBe(7);
  });
});

describe('measure(): failures', () => {
  it('reports a throwing function with its phase and keeps the samples taken', async () => {
    let calls = 0;
    const error = await measure(
      () => {
        if (++calls > 5) throw new Error('CUDA error: out of memory');
      },
      { warmupIterations: 2, warmupTime: 0, batch: 1 },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MeasureFailedError);
    const failure = error as MeasureFailedError;
    expect(failure.code).toBe('MEASURE_FAILED');
    expect(failure.phase).toBe('function');
    expect(failure.warmup).toBe(false);
    expect(failure.samples.length).toBe(3);
    expect(failure.message).toMatch(
      /the measured function threw after 3 completed sample\(s\): CUDA error: out of memory/,
    );
    expect((failure.cause as Error).message).toBe('CUDA error: out of memory');
  });

  it('reports a failing sync hook during warm-up', async () => {
    const error = (await measure(() => {}, {
      sync: async () => {
        throw new Error('device lost');
      },
    }).catch((e: unknown) => e)) as MeasureFailedError;
    expect(error.phase).toBe('sync');
    expect(error.warmup).toBe(true);
    expect(error.message).toMatch(/the sync hook threw during warm-up: device lost\..*synchronize/);
  });

  it.each([
    [{ maxSamples: 1 }, /maxSamples = 1 is invalid: expected an integer >= 2/],
    [
      { minSamples: 20, maxSamples: 10 },
      /maxSamples = 10 is invalid: expected at least minSamples \(20\)/,
    ],
    [{ batch: 0 }, /batch = 0 is invalid/],
    [{ warmupTime: -1 }, /warmupTime = -1 is invalid: expected a finite number of milliseconds/],
    [{ targetPrecision: 0 }, /targetPrecision = 0 is invalid/],
    [
      { sync: 'torch.cuda.synchronize' as unknown as () => void },
      /sync = "torch.cuda.synchronize" is invalid: expected a function/,
    ],
  ])('rejects bad options before timing anything: %o', async (options, message) => {
    let called = false;
    const error = await measure(() => {
      called = true;
    }, options).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimingError);
    expect((error as TimingError).message).toMatch(message);
    expect(called).toBe(false);
  });

  it('rejects something that is not a function', async () => {
    await expect(measure('model.forward' as unknown as () => void)).rejects.toThrow(
      /option fn = "model.forward" is invalid/,
    );
  });
});
