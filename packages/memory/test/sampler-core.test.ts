import { describe, expect, it } from 'vitest';
import { MemoryError, PeakTimeline, VramAccumulator } from '../src/index.js';

const GIB = 1024 ** 3;

/** Readings every `interval` ms from `values(t)` (bytes per GPU index). */
function feed(
  acc: VramAccumulator,
  count: number,
  interval: number,
  values: (t: number) => number[],
) {
  for (let i = 0; i < count; i++) {
    const t = i * interval;
    acc.add({ t, perGpu: values(t).map((bytes, gpuIndex) => ({ gpuIndex, bytes })) });
  }
}

describe('VramAccumulator', () => {
  it('keeps baseline, peak and peak time per GPU and in total', () => {
    const acc = new VramAccumulator({ intervalMs: 1 });
    acc.add({
      t: 0,
      perGpu: [
        { gpuIndex: 0, bytes: 1 * GIB },
        { gpuIndex: 1, bytes: 0 },
      ],
    });
    acc.add({
      t: 1,
      perGpu: [
        { gpuIndex: 0, bytes: 5 * GIB },
        { gpuIndex: 1, bytes: 1 * GIB },
      ],
    });
    acc.add({
      t: 2,
      perGpu: [
        { gpuIndex: 0, bytes: 2 * GIB },
        { gpuIndex: 1, bytes: 3 * GIB },
      ],
    });
    acc.add({
      t: 3,
      perGpu: [
        { gpuIndex: 0, bytes: 5 * GIB },
        { gpuIndex: 1, bytes: 0 },
      ],
    });
    const s = acc.summary();
    expect(s.samples).toBe(4);
    expect(s.perGpu.map((g) => [g.gpuIndex, g.baselineBytes, g.peakBytes, g.peakAtMs])).toEqual([
      [0, 1 * GIB, 5 * GIB, 1], // the first time the peak was reached
      [1, 0, 3 * GIB, 2],
    ]);
    // The total's peak is the largest sum at one moment (6 GiB at t=1), not 5 + 3.
    expect(s.total).toMatchObject({ baselineBytes: 1 * GIB, peakBytes: 6 * GIB, peakAtMs: 1 });
    expect(s.durationMs).toBe(3);
    expect(s.achievedHz).toBeCloseTo(1000);
  });

  it('uses an explicit pre-start baseline instead of the first reading', () => {
    const acc = new VramAccumulator({ intervalMs: 1 });
    acc.setBaseline([{ gpuIndex: 0, bytes: 100 }]);
    acc.add({
      t: 0,
      perGpu: [
        { gpuIndex: 0, bytes: 700 },
        { gpuIndex: 1, bytes: 50 },
      ],
    });
    const s = acc.summary();
    expect(s.perGpu.map((g) => g.baselineBytes)).toEqual([100, 0]);
    expect(s.total.baselineBytes).toBe(100);
    expect(s.samples).toBe(1);
    expect(s.achievedHz).toBeNull();
  });

  it('gives a GPU first seen mid-run a baseline of 0 and counts it as 0 when left out', () => {
    const acc = new VramAccumulator({ intervalMs: 1 });
    acc.add({ t: 0, perGpu: [{ gpuIndex: 0, bytes: 10 }] });
    acc.add({
      t: 1,
      perGpu: [
        { gpuIndex: 0, bytes: 10 },
        { gpuIndex: 3, bytes: 40 },
      ],
    });
    acc.add({ t: 2, perGpu: [{ gpuIndex: 0, bytes: 10 }] });
    const gpu3 = acc.summary().perGpu.find((g) => g.gpuIndex === 3)!;
    expect(gpu3).toMatchObject({ baselineBytes: 0, peakBytes: 40, peakAtMs: 1 });
    expect(gpu3.timeline.at(-1)).toEqual({ tMs: 2, bytes: 0 });
  });

  it('down-samples a long run to the point budget without losing a one-reading spike', () => {
    const acc = new VramAccumulator({ intervalMs: 1, maxPoints: 50 });
    const spikeAt = 7777;
    feed(acc, 20_000, 1, (t) => [t === spikeAt ? 9 * GIB : 2 * GIB + (t % 7)]);
    const { perGpu, total } = acc.summary();
    const timeline = perGpu[0]!.timeline;
    expect(timeline.length).toBeLessThanOrEqual(50);
    expect(timeline.length).toBeGreaterThanOrEqual(25);
    expect(timeline).toContainEqual({ tMs: spikeAt, bytes: 9 * GIB });
    expect(total.timeline).toContainEqual({ tMs: spikeAt, bytes: 9 * GIB });
    expect(perGpu[0]).toMatchObject({ peakBytes: 9 * GIB, peakAtMs: spikeAt });
    // Points stay in time order and cover the whole run.
    const times = timeline.map((p) => p.tMs);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(times.at(-1)).toBeGreaterThan(19_000);
  });

  it('keeps every reading while under the point budget', () => {
    const acc = new VramAccumulator({ intervalMs: 1, maxPoints: 500 });
    feed(acc, 100, 1, (t) => [t]);
    expect(acc.summary().perGpu[0]!.timeline).toHaveLength(100);
  });

  it('counts readings later than twice the interval as falling behind', () => {
    const acc = new VramAccumulator({ intervalMs: 2 });
    for (const t of [0, 2, 4, 8, 9, 30, 32]) acc.add({ t, perGpu: [{ gpuIndex: 0, bytes: 1 }] });
    // 4 -> 8 is exactly 2 intervals (on time); 9 -> 30 is a 21 ms gap.
    const s = acc.summary();
    expect(s.fellBehind).toBe(1);
    expect(s.longestGapMs).toBe(21);
    expect(s.gaps).toEqual([{ afterMs: 9, gapMs: 21 }]);
  });

  it('rejects readings out of time order and GPUs listed twice, naming the field', () => {
    const acc = new VramAccumulator({ intervalMs: 1 });
    acc.add({ t: 5, perGpu: [] });
    expect(() => acc.add({ t: 4, perGpu: [] })).toThrow(
      /reading\.t = 4 .*previous reading \(5 ms\)/,
    );
    expect(() =>
      acc.add({
        t: 6,
        perGpu: [
          { gpuIndex: 0, bytes: 1 },
          { gpuIndex: 0, bytes: 2 },
        ],
      }),
    ).toThrow(/reading\.perGpu\[1\]\.gpuIndex = 0 .*listed twice/);
    expect(() => acc.add({ t: 7, perGpu: [{ gpuIndex: 0, bytes: -1 }] })).toThrow(MemoryError);
    expect(() => new VramAccumulator({ intervalMs: 0 })).toThrow(/intervalMs = 0 is invalid/);
  });
});

describe('PeakTimeline', () => {
  it('keeps the earliest time of a tied maximum within a bucket', () => {
    const timeline = new PeakTimeline(2, 1);
    for (const [t, bytes] of [
      [0, 1],
      [1, 5],
      [2, 3],
      [3, 3],
    ] as const)
      timeline.add(t, bytes);
    // Three buckets would exceed the budget of 2, so the width doubled: [0, 2) and [2, 4).
    expect(timeline.points()).toEqual([
      { tMs: 1, bytes: 5 },
      { tMs: 2, bytes: 3 },
    ]);
    expect(timeline.widthMs).toBe(2);
  });
});
