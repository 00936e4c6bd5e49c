import { describe, isNonNegative, MemoryError } from './errors.js';
import type { ProcessMemory, ProcessMemorySource } from './source.js';

/** The version of the {@link Recording} format this package reads and writes. */
export const RECORDING_VERSION = 1;

/** One moment of a recording: every compute process on every GPU. */
export interface RecordingFrame {
  /** Milliseconds since the recording started; frames in time order. */
  tMs: number;
  processes: ProcessMemory[];
  /**
   * The measured process tree at this moment, as captured. When any frame
   * has it, a replay matches processes against it instead of against this
   * machine's /proc (a recording's PIDs are another machine's); a frame
   * without it keeps the tree of the frame before.
   */
  treePids?: number[];
}

/**
 * Timed snapshots of per-process GPU memory, as JSON: captured on a real GPU
 * (see {@link captureFrame}) or written by hand, and replayed by the sampler
 * with `source: { kind: 'replay', recording }`, so the sampler runs without
 * a GPU.
 */
export interface Recording {
  version: typeof RECORDING_VERSION;
  /** GPUs on the machine it was captured on. */
  deviceCount: number;
  /** The source that captured it, for the report's notes. */
  capturedWith?: 'nvml' | 'nvidia-smi';
  frames: RecordingFrame[];
}

/**
 * Checks that `value` is a {@link Recording} (e.g. one just read from a JSON
 * file) and returns it typed. Throws INVALID_RECORDING naming the first bad
 * field.
 *
 * @example
 * const recording = validateRecording(JSON.parse(readFileSync('vram.json', 'utf8')));
 * const sampler = await startVramSampler({ rootPid, source: { kind: 'replay', recording } });
 */
export function validateRecording(value: unknown): Recording {
  const fail = (where: string, got: unknown, expected: string): never => {
    throw new MemoryError(
      'INVALID_RECORDING',
      `recording${where} = ${describe(got)} is invalid: expected ${expected}. A recording is { version: ${RECORDING_VERSION}, deviceCount, frames: [{ tMs, processes: [{ pid, gpuIndex, usedBytes }], treePids? }] }.`,
    );
  };
  if (value === null || typeof value !== 'object') return fail('', value, 'an object');
  const recording = value as Partial<Recording>;
  if (recording.version !== RECORDING_VERSION) {
    fail('.version', recording.version, `${RECORDING_VERSION} (the only version so far)`);
  }
  const deviceCount = recording.deviceCount;
  if (!(Number.isInteger(deviceCount) && (deviceCount as number) >= 1)) {
    fail('.deviceCount', deviceCount, 'the number of GPUs, an integer >= 1');
  }
  const capturedWith = recording.capturedWith;
  if (capturedWith !== undefined && capturedWith !== 'nvml' && capturedWith !== 'nvidia-smi') {
    fail('.capturedWith', capturedWith, '"nvml", "nvidia-smi" or absent');
  }
  const frames = recording.frames;
  if (!Array.isArray(frames) || frames.length === 0) {
    return fail('.frames', frames, 'a non-empty array of frames');
  }
  let previous = Number.NEGATIVE_INFINITY;
  for (const [f, frame] of frames.entries()) {
    const at = `.frames[${f}]`;
    if (frame === null || typeof frame !== 'object') fail(at, frame, 'an object');
    if (!isNonNegative(frame.tMs)) fail(`${at}.tMs`, frame.tMs, 'a time in ms >= 0');
    if (frame.tMs < previous) {
      fail(`${at}.tMs`, frame.tMs, `a time no earlier than the frame before (${previous} ms)`);
    }
    previous = frame.tMs;
    if (!Array.isArray(frame.processes)) fail(`${at}.processes`, frame.processes, 'an array');
    for (const [p, proc] of frame.processes.entries()) {
      const pat = `${at}.processes[${p}]`;
      if (proc === null || typeof proc !== 'object') fail(pat, proc, 'an object');
      if (!isPid(proc.pid)) fail(`${pat}.pid`, proc.pid, 'a process id (an integer > 0)');
      if (
        !(Number.isInteger(proc.gpuIndex) && proc.gpuIndex >= 0 && proc.gpuIndex < deviceCount!)
      ) {
        fail(`${pat}.gpuIndex`, proc.gpuIndex, `a GPU index from 0 to ${deviceCount! - 1}`);
      }
      if (proc.usedBytes !== null && !isNonNegative(proc.usedBytes)) {
        fail(`${pat}.usedBytes`, proc.usedBytes, 'a byte count >= 0, or null');
      }
    }
    if (frame.treePids !== undefined) {
      if (!Array.isArray(frame.treePids)) fail(`${at}.treePids`, frame.treePids, 'an array');
      for (const [i, pid] of frame.treePids.entries()) {
        if (!isPid(pid)) fail(`${at}.treePids[${i}]`, pid, 'a process id (an integer > 0)');
      }
    }
  }
  return recording as Recording;
}

function isPid(value: unknown): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value > 0;
}

/**
 * A recording played back as a {@link ProcessMemorySource}: `processes()`
 * answers from the current frame, which `seekFrame()` or `seekTime()` picks.
 * The constructor throws MemoryError INVALID_RECORDING for a bad recording;
 * `processes()` throws INVALID_OPTION for a GPU index it does not have.
 *
 * @example
 * const replay = new ReplaySource(recording);
 * replay.seekTime(42); // the last frame at or before 42 ms
 * const onGpu0 = replay.processes(0); // [{ pid, gpuIndex, usedBytes }]
 */
export class ReplaySource implements ProcessMemorySource {
  readonly source = 'replay';
  readonly recording: Recording;
  readonly #byGpu: ProcessMemory[][][];
  readonly #trees: (readonly number[] | undefined)[];
  #frame = 0;

  constructor(recording: Recording) {
    this.recording = validateRecording(recording);
    this.#byGpu = recording.frames.map((frame) => {
      const perGpu: ProcessMemory[][] = Array.from({ length: recording.deviceCount }, () => []);
      for (const proc of frame.processes) perGpu[proc.gpuIndex]?.push({ ...proc });
      return perGpu;
    });
    let tree: readonly number[] | undefined;
    this.#trees = recording.frames.map((frame) => {
      tree = frame.treePids ?? tree;
      return tree;
    });
  }

  get frameCount(): number {
    return this.recording.frames.length;
  }

  /** The frame `processes()` now answers from. */
  get frameIndex(): number {
    return this.#frame;
  }

  frameTime(index: number): number {
    return this.recording.frames[index]?.tMs ?? Number.NaN;
  }

  /** Whether any frame carries the captured process tree. */
  get hasRecordedTree(): boolean {
    return this.#trees.some((tree) => tree !== undefined);
  }

  seekFrame(index: number): void {
    this.#frame = Math.min(Math.max(0, Math.floor(index)), this.frameCount - 1);
  }

  /** Picks the last frame at or before `tMs` (the first frame before it starts). */
  seekTime(tMs: number): void {
    let frame = this.#frame;
    // Time only moves forward in a replay, so search on from the current frame.
    if (this.frameTime(frame) > tMs) frame = 0;
    while (frame + 1 < this.frameCount && this.frameTime(frame + 1) <= tMs) frame++;
    this.#frame = frame;
  }

  /** The captured tree at the current frame (carried from earlier frames); undefined if none was captured. */
  recordedTree(): readonly number[] | undefined {
    return this.#trees[this.#frame];
  }

  deviceCount(): number {
    return this.recording.deviceCount;
  }

  processes(index: number): readonly ProcessMemory[] {
    const processes = this.#byGpu[this.#frame]?.[index];
    if (processes === undefined) {
      throw new MemoryError(
        'INVALID_OPTION',
        `GPU index ${index} is not in this recording: it has GPUs 0 to ${this.recording.deviceCount - 1}.`,
      );
    }
    return processes;
  }

  close(): void {}
}

/**
 * Reads every GPU's processes once into a frame: call it in a loop over a
 * live reader (a device `GpuReader`) to capture a recording on a real GPU.
 * Pass the tree's PIDs to make the recording replayable on another machine.
 * `tMs` is the frame's time in ms; frames must be captured in time order.
 *
 * @example
 * const reader = openGpuReader(); // from @vggt-perf-gate/device
 * const frames: RecordingFrame[] = [];
 * const t0 = performance.now();
 * const timer = setInterval(() => frames.push(captureFrame(reader, performance.now() - t0, treePids)), 10);
 * // ... run the workload, then: clearInterval(timer);
 * const recording: Recording = { version: 1, deviceCount: reader.deviceCount(), capturedWith: reader.source, frames };
 */
export function captureFrame(
  source: ProcessMemorySource,
  tMs: number,
  treePids?: Iterable<number>,
): RecordingFrame {
  const processes: ProcessMemory[] = [];
  for (let gpu = 0; gpu < source.deviceCount(); gpu++) {
    for (const { pid, gpuIndex, usedBytes } of source.processes(gpu)) {
      processes.push({ pid, gpuIndex, usedBytes });
    }
  }
  const frame: RecordingFrame = { tMs, processes };
  if (treePids !== undefined) frame.treePids = [...treePids];
  return frame;
}
