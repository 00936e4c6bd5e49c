import { MemoryError } from './errors.js';
import { RUNNING, type WorkerInput, type WorkerMessage } from './protocol.js';
import { ReplaySource } from './recording.js';
import { buildReport, type ForeignProcess, type RunFacts, type VramReport } from './report.js';
import { type GpuBytes, VramAccumulator } from './sampler-core.js';
import {
  DEFAULT_INTERVAL_MS,
  type LiveSourceKind,
  messageOf,
  openLiveSource,
  type ProcessMemorySource,
} from './source.js';
import { TreeTracker } from './tree-tracker.js';

/**
 * The sampling loop, run inside the worker thread: opens the source, takes
 * readings until the stop signal, and sends the report. Kept apart from the
 * worker entry so the entry is a few lines of wiring.
 */
export async function runSampling(
  input: WorkerInput,
  send: (message: WorkerMessage) => void,
): Promise<void> {
  const stop = new Int32Array(input.stopSignal);
  let reader: ProcessMemorySource;
  try {
    reader =
      input.source.kind === 'replay'
        ? new ReplaySource(input.source.recording)
        : await openLiveSource(input.source.kind);
  } catch (error) {
    send(errorMessage(error));
    return;
  }
  try {
    send({ type: 'report', report: sample(input, reader, stop, send) });
  } catch (error) {
    send(errorMessage(error));
  } finally {
    reader.close?.();
  }
}

function sample(
  input: WorkerInput,
  reader: ProcessMemorySource,
  stop: Int32Array,
  send: (message: WorkerMessage) => void,
): VramReport {
  const source = sourceName(reader);
  const intervalMs = input.intervalMs ?? DEFAULT_INTERVAL_MS[source];
  const accumulator = new VramAccumulator({ intervalMs, maxPoints: input.maxPoints });
  const tree = new TreeTracker(input.rootPid, input.treeRescanMs);
  const deviceCount = reader.deviceCount();
  const pidsSeen = new Set<number>();
  const foreign = new ForeignPeaks();
  let unattributed = 0;

  /** One reading of every GPU at `t` (ms since start). */
  const read = (t: number) => {
    tree.refresh(t);
    const perGpu: GpuBytes[] = [];
    for (let gpu = 0; gpu < deviceCount; gpu++) {
      let bytes = 0;
      for (const proc of reader.processes(gpu)) {
        if (!tree.includes(proc.pid)) {
          foreign.add(gpu, proc.pid, proc.usedBytes);
          continue;
        }
        if (proc.usedBytes === null) unattributed++;
        else {
          bytes += proc.usedBytes;
          pidsSeen.add(proc.pid);
        }
      }
      perGpu.push({ gpuIndex: gpu, bytes });
    }
    accumulator.add({ t, perGpu });
  };

  const start = performance.now();
  const startEpochMs = performance.timeOrigin + start;
  const replay = reader instanceof ReplaySource ? reader : undefined;
  const spec = input.source;
  // A recording that carries its tree is matched against it alone, from the first frame.
  if (replay?.hasRecordedTree) tree.addRecorded([]);
  if (replay !== undefined && spec.kind === 'replay' && (spec.pace ?? 'recorded') === 'recorded') {
    // Every frame is one reading at its own time: deterministic, whatever the machine's speed.
    for (let frame = 0; frame < replay.frameCount; frame++) {
      replay.seekFrame(frame);
      const recorded = replay.recordedTree();
      if (recorded !== undefined) tree.addRecorded(recorded);
      read(replay.frameTime(frame));
    }
    send({ type: 'ready', source, intervalMs });
    while (Atomics.load(stop, 0) === RUNNING) Atomics.wait(stop, 0, RUNNING);
  } else {
    const readNow = () => {
      const t = performance.now() - start;
      if (replay !== undefined) {
        replay.seekTime(t);
        const recorded = replay.recordedTree();
        if (recorded !== undefined) tree.addRecorded(recorded);
      }
      read(t);
    };
    readNow();
    send({ type: 'ready', source, intervalMs });
    let next = start + intervalMs;
    while (Atomics.load(stop, 0) === RUNNING) {
      const wait = next - performance.now();
      if (wait > 0 && Atomics.wait(stop, 0, RUNNING, wait) !== 'timed-out') break;
      readNow();
      const now = performance.now();
      // After falling behind, start a fresh schedule rather than firing a
      // burst of catch-up readings: the gap is counted, not papered over.
      next = next + intervalMs < now ? now + intervalMs : next + intervalMs;
    }
  }

  const facts: RunFacts = {
    source,
    rootPid: input.rootPid,
    intervalMs,
    treeSource: tree.source,
    pidsSeen: [...pidsSeen],
    foreignPids: foreign.pids(),
    foreign: foreign.processes(),
    unattributedReadings: unattributed,
  };
  if (spec.kind !== 'replay' && spec.kind !== 'auto') facts.requested = spec.kind as LiveSourceKind;
  if (spec.kind === 'replay' && spec.recording.capturedWith !== undefined) {
    facts.capturedWith = spec.recording.capturedWith;
  }
  if (tree.unsupportedReason !== undefined) facts.treeUnsupportedReason = tree.unsupportedReason;
  return buildReport(accumulator.summary(), facts, startEpochMs);
}

function sourceName(reader: ProcessMemorySource): VramReport['source'] {
  const name = reader.source;
  if (name === 'nvml' || name === 'nvidia-smi' || name === 'replay') return name;
  throw new MemoryError(
    'SOURCE_UNAVAILABLE',
    `the GPU reader says its source is ${JSON.stringify(name)}; expected "nvml" or "nvidia-smi": install matching versions of @vggt-perf-gate/device and @vggt-perf-gate/memory.`,
  );
}

function errorMessage(error: unknown): WorkerMessage {
  if (error instanceof MemoryError)
    return { type: 'error', code: error.code, message: error.message };
  return {
    type: 'error',
    code: 'SAMPLER_FAILED',
    message: `the sampler failed while reading GPU memory: ${messageOf(error)}`,
  };
}

/** Processes outside the tree, by GPU and PID, with the most each held (null: never reported). */
class ForeignPeaks {
  readonly #byKey = new Map<string, ForeignProcess>();

  add(gpuIndex: number, pid: number, usedBytes: number | null): void {
    const key = `${gpuIndex}:${pid}`;
    const seen = this.#byKey.get(key)?.peakBytes ?? null;
    const peakBytes = usedBytes === null ? seen : Math.max(seen ?? 0, usedBytes);
    this.#byKey.set(key, { gpuIndex, pid, peakBytes });
  }

  pids(): number[] {
    return [...new Set([...this.#byKey.values()].map((p) => p.pid))].sort((a, b) => a - b);
  }

  processes(): ForeignProcess[] {
    return [...this.#byKey.values()];
  }
}
