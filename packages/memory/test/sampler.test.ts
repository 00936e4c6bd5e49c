import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import {
  MemoryError,
  type Recording,
  type RecordingFrame,
  startVramSampler,
  type VramReport,
} from '../src/index.js';
import { type RealTree, startRealTree } from './helpers.js';

const GIB = 1024 ** 3;
const ROOT = 100;
const CHILD = 101;
const STRANGER = 999;

/**
 * 40 frames, 1 ms apart, captured with their process tree: the root holds
 * 2 GiB on GPU 0 with a one-frame spike to 9 GiB at 10 ms; a child rank
 * appears at 20 ms with 3 GiB on GPU 1; a stranger's 20 GiB on GPU 0 is not
 * the workload's. Frame times jump from 39 ms to 60 ms once: a 21 ms gap.
 */
function treeRecording(): Recording {
  const frames: RecordingFrame[] = [];
  for (let i = 0; i < 41; i++) {
    const tMs = i === 40 ? 60 : i;
    const childUp = tMs >= 20;
    frames.push({
      tMs,
      processes: [
        { pid: ROOT, gpuIndex: 0, usedBytes: tMs === 10 ? 9 * GIB : 2 * GIB },
        { pid: STRANGER, gpuIndex: 0, usedBytes: 20 * GIB },
        ...(childUp ? [{ pid: CHILD, gpuIndex: 1, usedBytes: 3 * GIB }] : []),
      ],
      treePids: childUp ? [ROOT, CHILD] : [ROOT],
    });
  }
  return { version: 1, deviceCount: 2, capturedWith: 'nvml', frames };
}

describe('startVramSampler with a replayed recording (real worker thread)', () => {
  it('reports per-GPU and total peaks of the tree only, including a one-frame spike and a late child', async () => {
    const sampler = await startVramSampler({
      rootPid: ROOT,
      intervalMs: 1,
      source: { kind: 'replay', recording: treeRecording() },
    });
    expect(sampler.source).toBe('replay');
    expect(sampler.intervalMs).toBe(1);
    const report = await sampler.stop();

    expect(report).toMatchObject({
      source: 'replay',
      rootPid: ROOT,
      intervalMs: 1,
      samples: 41,
      durationMs: 60,
      fellBehind: 1,
      longestGapMs: 21,
      pidsSeen: [ROOT, CHILD],
      treeSource: 'recorded',
    });
    expect(report.achievedHz).toBeCloseTo(40 / 0.06);
    const [gpu0, gpu1] = report.perGpu;
    expect(gpu0).toMatchObject({
      gpuIndex: 0,
      baselineBytes: 2 * GIB,
      peakBytes: 9 * GIB,
      peakAtMs: 10,
    });
    expect(gpu0!.timeline).toContainEqual({ tMs: 10, bytes: 9 * GIB });
    expect(gpu1).toMatchObject({ gpuIndex: 1, baselineBytes: 0, peakBytes: 3 * GIB, peakAtMs: 20 });
    // The spike on GPU 0 (9 GiB) came before the child's 3 GiB on GPU 1: the total's peak is 9, not 12.
    expect(report.total).toMatchObject({
      baselineBytes: 2 * GIB,
      peakBytes: 9 * GIB,
      peakAtMs: 10,
    });
    expect(report.notes.join('\n')).toMatch(/replayed from a recording captured with nvml/);
    expect(report.notes.join('\n')).toMatch(/1 process\(es\) outside the tree/);
    // The stranger by GPU, with the most it held: what a runner needs to say who shared the GPU.
    expect(report.foreign).toEqual([{ gpuIndex: 0, pid: STRANGER, peakBytes: 20 * GIB }]);
    expect(report.notes.join('\n')).toMatch(/fell behind 1 time/);
    expect(report.notes.join('\n')).toMatch(/already held 2\.0 GiB/);
    // JSON-safe, for a results file.
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
  });

  it('returns the same report from a second stop()', async () => {
    const sampler = await startVramSampler({
      rootPid: ROOT,
      source: { kind: 'replay', recording: treeRecording() },
    });
    const [first, second] = await Promise.all([sampler.stop(), sampler.stop()]);
    expect(second).toBe(first);
    expect(await sampler.stop()).toBe(first);
    await sampler[Symbol.asyncDispose]();
  });

  it('can be disposed without asking for the report', async () => {
    const sampler = await startVramSampler({
      rootPid: ROOT,
      source: { kind: 'replay', recording: treeRecording() },
    });
    await sampler[Symbol.asyncDispose]();
    expect((await sampler.stop()).samples).toBe(41);
  });

  it('says when no process of the tree held memory but others did (PID namespaces)', async () => {
    const recording: Recording = {
      version: 1,
      deviceCount: 1,
      frames: [
        { tMs: 0, processes: [{ pid: STRANGER, gpuIndex: 0, usedBytes: GIB }], treePids: [ROOT] },
      ],
    };
    const report = await (
      await startVramSampler({ rootPid: ROOT, source: { kind: 'replay', recording } })
    ).stop();
    expect(report.total.peakBytes).toBe(0);
    expect(report.pidsSeen).toEqual([]);
    expect(report.notes.join('\n')).toMatch(
      /no process in the tree of PID 100 .*other processes did \(PIDs 999\).*--pid=host/,
    );
  });
});

describe.runIf(process.platform === 'linux')(
  'startVramSampler matching a recording against the real /proc tree',
  () => {
    let tree: RealTree | undefined;
    afterEach(() => {
      tree?.kill();
      tree = undefined;
    });

    it('counts the child and a grandchild that starts mid-run, and not this (parent) process', async () => {
      tree = await startRealTree();
      const root = tree.childPid;
      const late = await tree.spawnGrandchild();
      const frames: RecordingFrame[] = [];
      for (let tMs = 0; tMs < 30; tMs++) {
        frames.push({
          tMs,
          processes: [
            { pid: root, gpuIndex: 0, usedBytes: GIB },
            // The test process is the tree's parent: on the GPU, but not the workload's.
            { pid: process.pid, gpuIndex: 0, usedBytes: 50 * GIB },
            ...(tMs >= 15 ? [{ pid: late, gpuIndex: 0, usedBytes: 2 * GIB }] : []),
          ],
        });
      }
      const sampler = await startVramSampler({
        rootPid: root,
        source: { kind: 'replay', recording: { version: 1, deviceCount: 1, frames } },
      });
      const report = await sampler.stop();
      expect(report.pidsSeen).toEqual([root, late].sort((a, b) => a - b));
      expect(report.perGpu[0]).toMatchObject({
        baselineBytes: GIB,
        peakBytes: 3 * GIB,
        peakAtMs: 15,
      });
      expect(['children', 'stat-scan']).toContain(report.treeSource);
    });
  },
);

describe('startVramSampler in real time', () => {
  /** 1 GiB, a plateau of 4 GiB from PLATEAU_FROM_MS to PLATEAU_TO_MS, then 1 GiB again. */
  const PLATEAU_FROM_MS = 200;
  const PLATEAU_TO_MS = 1_200;
  const plateau: Recording = {
    version: 1,
    deviceCount: 1,
    frames: [0, PLATEAU_FROM_MS, PLATEAU_TO_MS].map((tMs) => ({
      tMs,
      processes: [{ pid: ROOT, gpuIndex: 0, usedBytes: tMs === PLATEAU_FROM_MS ? 4 * GIB : GIB }],
      treePids: [ROOT],
    })),
  };

  it('keeps sampling while the main thread is blocked', async () => {
    const sampler = await startVramSampler({
      rootPid: ROOT,
      intervalMs: 1,
      source: { kind: 'replay', recording: plateau, pace: 'realtime' },
    });
    // Block this thread's event loop: a sampler on it would take no reading. The replay's
    // clock started before the sampler was ready, so the plateau is over before the block
    // ends, however loaded the machine: only a reading taken during the block can see it,
    // and the worker thread has the whole second of the plateau to take one.
    const until = performance.now() + PLATEAU_TO_MS + 300;
    while (performance.now() < until) {
      // busy
    }
    const report: VramReport = await sampler.stop();
    expect(report.perGpu[0]).toMatchObject({ peakBytes: 4 * GIB });
    expect(report.perGpu[0]!.peakAtMs).toBeGreaterThanOrEqual(PLATEAU_FROM_MS);
    expect(report.perGpu[0]!.peakAtMs).toBeLessThan(PLATEAU_TO_MS);
    expect(report.startEpochMs).toBeGreaterThan(Date.now() - 60_000);
  });
});

describe('startVramSampler errors', () => {
  it('rejects a bad recording in the caller, naming the field', async () => {
    const recording = {
      version: 1,
      deviceCount: 1,
      frames: [{ tMs: 0, processes: [{ pid: 5, gpuIndex: 1, usedBytes: 0 }] }],
    } as Recording;
    const started = startVramSampler({ rootPid: ROOT, source: { kind: 'replay', recording } });
    await expect(started).rejects.toThrow(MemoryError);
    await expect(started).rejects.toThrow(
      /recording\.frames\[0\]\.processes\[0\]\.gpuIndex = 1 is invalid: expected a GPU index from 0 to 0/,
    );
  });

  it('rejects bad options', async () => {
    await expect(startVramSampler({ rootPid: 0 })).rejects.toMatchObject({
      code: 'INVALID_OPTION',
    });
    await expect(
      startVramSampler({
        rootPid: ROOT,
        intervalMs: -1,
        source: { kind: 'replay', recording: treeRecording() },
      }),
    ).rejects.toThrow(/intervalMs = -1 is invalid/);
    await expect(
      startVramSampler({ rootPid: ROOT, source: { kind: 'cuda' } as never }),
    ).rejects.toThrow(/source\.kind = "cuda" is invalid/);
  });

  // Without an NVIDIA GPU, a live source must fail loudly and say how to run without one.
  it.skipIf(existsSync('/dev/nvidiactl'))(
    'fails with SOURCE_UNAVAILABLE when there is no GPU',
    async () => {
      const started = startVramSampler({ rootPid: process.pid, source: { kind: 'auto' } });
      await expect(started).rejects.toMatchObject({ code: 'SOURCE_UNAVAILABLE' });
    },
  );
});
