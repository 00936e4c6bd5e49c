import { describe, expect, it } from 'vitest';
import { MemoryError, mergeFrameworkMemory } from '../src/index.js';

const GIB = 1024 ** 3;

describe('mergeFrameworkMemory', () => {
  it('puts allocator, reserved and process peaks side by side per GPU (the DDP case)', () => {
    // Three ranks, one per GPU, with the CUDA context (~0.5 GiB) above reserved.
    const framework = [
      { device: 0, maxAllocatedBytes: 12 * GIB, maxReservedBytes: 13.7 * GIB },
      { device: 1, maxAllocatedBytes: 8 * GIB, maxReservedBytes: 9.3 * GIB },
      { device: 2, maxAllocatedBytes: 7 * GIB, maxReservedBytes: 8 * GIB },
    ];
    const peaks = [
      { gpuIndex: 0, peakBytes: 14.2 * GIB },
      { gpuIndex: 1, peakBytes: 9.8 * GIB },
      { gpuIndex: 2, peakBytes: 8.5 * GIB },
    ];
    const { rows, notes } = mergeFrameworkMemory(framework, peaks);
    expect(rows).toEqual([
      {
        gpuIndex: 0,
        allocatorPeak: 12 * GIB,
        reservedPeak: 13.7 * GIB,
        processPeak: 14.2 * GIB,
        contextOverhead: 14.2 * GIB - 13.7 * GIB,
      },
      {
        gpuIndex: 1,
        allocatorPeak: 8 * GIB,
        reservedPeak: 9.3 * GIB,
        processPeak: 9.8 * GIB,
        contextOverhead: 9.8 * GIB - 9.3 * GIB,
      },
      {
        gpuIndex: 2,
        allocatorPeak: 7 * GIB,
        reservedPeak: 8 * GIB,
        processPeak: 8.5 * GIB,
        contextOverhead: 0.5 * GIB,
      },
    ]);
    expect(notes).toEqual([]);
  });

  it('notes a process peak below the reserved peak: the sampler missed the peak', () => {
    const { rows, notes } = mergeFrameworkMemory(
      [{ device: 0, maxAllocatedBytes: 2.2 * GIB, maxReservedBytes: 2.6 * GIB }],
      [{ gpuIndex: 0, peakBytes: 1 * GIB }],
    );
    expect(rows[0]?.contextOverhead).toBeCloseTo(-1.6 * GIB);
    expect(rows[0]?.note).toMatch(
      /GPU 0: the process peak \(1\.0 GiB\) is below the framework's reserved peak \(2\.6 GiB\), which is impossible: the sampler missed the peak/,
    );
    expect(notes).toEqual([rows[0]?.note]);
  });

  it('maps framework devices to driver GPUs (CUDA_VISIBLE_DEVICES=2,3)', () => {
    const { rows, notes } = mergeFrameworkMemory(
      [
        { device: 0, maxAllocatedBytes: GIB, maxReservedBytes: 2 * GIB },
        { device: 1, maxAllocatedBytes: GIB, maxReservedBytes: 2 * GIB },
      ],
      [
        { gpuIndex: 0, peakBytes: 0 },
        { gpuIndex: 2, peakBytes: 2.5 * GIB },
        { gpuIndex: 3, peakBytes: 2.5 * GIB },
      ],
      { deviceToGpu: [2, 3] },
    );
    expect(rows.map((r) => [r.gpuIndex, r.processPeak])).toEqual([
      [2, 2.5 * GIB],
      [3, 2.5 * GIB],
    ]);
    expect(notes).toEqual([]);
  });

  it('says when a GPU has no sampler reading, or the tree used a GPU the framework did not report', () => {
    const { rows, notes } = mergeFrameworkMemory(
      [{ device: 0, maxAllocatedBytes: GIB, maxReservedBytes: 2 * GIB }],
      [{ gpuIndex: 1, peakBytes: 3 * GIB }],
    );
    expect(rows[0]).toMatchObject({ processPeak: null, contextOverhead: null });
    expect(notes).toHaveLength(2);
    expect(notes[0]).toMatch(/GPU 0: the sampler has no reading of this GPU/);
    expect(notes[1]).toMatch(
      /GPU 1: the process tree held up to 3\.0 GiB there, but the framework reported no device on it/,
    );
  });

  it('adds up two ranks on one GPU, flags swapped numbers and outsized overhead', () => {
    const { rows } = mergeFrameworkMemory(
      [
        { device: 0, maxAllocatedBytes: 3 * GIB, maxReservedBytes: 2 * GIB },
        { device: 0, maxAllocatedBytes: 1 * GIB, maxReservedBytes: 2 * GIB },
      ],
      [{ gpuIndex: 0, peakBytes: 10 * GIB }],
    );
    expect(rows[0]).toMatchObject({
      allocatorPeak: 4 * GIB,
      reservedPeak: 4 * GIB,
      contextOverhead: 6 * GIB,
    });
    expect(rows[0]?.note).toMatch(/2 framework reports for this GPU were added up/);
    expect(rows[0]?.note).toMatch(/more than a CUDA context takes/);

    const swapped = mergeFrameworkMemory(
      [{ device: 0, maxAllocatedBytes: 3 * GIB, maxReservedBytes: 2 * GIB }],
      [{ gpuIndex: 0, peakBytes: 3.5 * GIB }],
    );
    expect(swapped.rows[0]?.note).toMatch(/probably swapped/);
  });

  it('rejects bad input, naming the field', () => {
    expect(() =>
      mergeFrameworkMemory([{ device: 0, maxAllocatedBytes: -1, maxReservedBytes: 0 }], []),
    ).toThrow(/framework\[0\]\.maxAllocatedBytes = -1 is invalid: expected a byte count/);
    expect(() =>
      mergeFrameworkMemory([{ device: 4, maxAllocatedBytes: 0, maxReservedBytes: 0 }], [], {
        deviceToGpu: [2],
      }),
    ).toThrow(MemoryError);
    expect(() => mergeFrameworkMemory([], [{ gpuIndex: 1.5, peakBytes: 0 }])).toThrow(
      /processPeaks\[0\]\.gpuIndex/,
    );
  });
});
