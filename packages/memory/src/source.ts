import { MemoryError } from './errors.js';
import type { Recording } from './recording.js';

/** The memory one process holds on one GPU, as a reader reports it. */
export interface ProcessMemory {
  pid: number;
  gpuIndex: number;
  /** Null where the driver cannot attribute memory (some containers, MIG). */
  usedBytes: number | null;
}

/**
 * The part of `@vggt-perf-gate/device`'s `GpuReader` that the sampler uses.
 * Declared here, structurally, so a `GpuReader` fits it without this package
 * compiling against the device package's types, and so a replayed recording
 * can stand in for a GPU.
 */
export interface ProcessMemorySource {
  /** Where the numbers come from: `nvml`, `nvidia-smi` or `replay`. */
  readonly source: string;
  deviceCount(): number;
  /** Compute processes on one GPU, with the memory each holds. */
  processes(index: number): readonly ProcessMemory[];
  close?(): void;
}

/** Live sources, read through the device package. `auto` takes NVML and falls back to nvidia-smi. */
export type LiveSourceKind = 'nvml' | 'nvidia-smi' | 'auto';

/**
 * Which source the sampler reads, as plain data: the sampler runs in a
 * worker thread, which rebuilds the source from this.
 */
export type SourceSpec =
  | { kind: LiveSourceKind }
  | {
      kind: 'replay';
      recording: Recording;
      /**
       * `recorded` (default): every frame is one reading, taken at the
       * frame's own time, all at once when the sampler starts: deterministic,
       * for tests and for re-analysing a capture. `realtime`: frames are
       * released as the wall clock passes their times and read at the
       * sampler's interval, as a live GPU would be (for demos).
       */
      pace?: 'recorded' | 'realtime';
    };

/** Every source kind the sampler accepts: the live ones and `replay`. */
export type SourceKind = SourceSpec['kind'];

/** Default sampling interval (ms) per source. */
export const DEFAULT_INTERVAL_MS = {
  /** NVML reads cost ~10-15 us, so 1 kHz is cheap and catches 2 ms spikes. */
  nvml: 1,
  /** nvidia-smi is a process start per read: about 10 Hz is what it sustains. */
  'nvidia-smi': 100,
  replay: 1,
} as const;

interface DeviceModule {
  /** Synchronous or not, depending on the device package's version: awaited either way. */
  openGpuReader(options?: {
    prefer?: 'nvml' | 'nvidia-smi';
    only?: boolean;
  }): ProcessMemorySource | Promise<ProcessMemorySource>;
}

/**
 * Opens a live GPU reader through `@vggt-perf-gate/device`. A missing driver
 * becomes a SOURCE_UNAVAILABLE error that says how to run without a GPU.
 */
export async function openLiveSource(kind: LiveSourceKind): Promise<ProcessMemorySource> {
  let device: Partial<DeviceModule>;
  try {
    // Imported here, lazily, so a replay (tests, demos, no GPU) never loads it or koffi's
    // native module; and by a literal name, so a bundler (the Action's dist/) ships it:
    // a name held in a variable once left the bundled sampler unable to read any GPU.
    device = (await import('@vggt-perf-gate/device')) as Partial<DeviceModule>;
  } catch (error) {
    throw new MemoryError(
      'SOURCE_UNAVAILABLE',
      `could not load @vggt-perf-gate/device to read GPU memory (${messageOf(error)}). Install it next to @vggt-perf-gate/memory, or in this repository build it with \`npm run build -w @vggt-perf-gate/device\`. ` +
        // The Action's bundle inlines the package: there, nothing is to be installed or built.
        `If this runs from the GitHub Action's dist/, the bundle is incomplete: rebuild it with \`npm run bundle\` in the action's repository, or report it.`,
      { cause: error },
    );
  }
  if (typeof device.openGpuReader !== 'function') {
    throw new MemoryError(
      'SOURCE_UNAVAILABLE',
      `@vggt-perf-gate/device does not export openGpuReader(): it is older than this package expects; install matching versions of both.`,
    );
  }
  try {
    // A source asked for by name is that source or an error, never the other one quietly.
    return await device.openGpuReader(kind === 'auto' ? {} : { prefer: kind, only: true });
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    const hint =
      code === 'NO_DRIVER'
        ? ' The sampler needs an NVIDIA driver (NVML or nvidia-smi). To run without a GPU (tests, demos), pass source: { kind: "replay", recording }.'
        : '';
    throw new MemoryError(
      'SOURCE_UNAVAILABLE',
      `could not open a GPU reader (source ${kind}): ${messageOf(error)}${hint}`,
      { cause: error },
    );
  }
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
