import type { MemoryErrorCode } from './errors.js';
import type { VramReport } from './report.js';
import type { SourceSpec } from './source.js';

/** What the sampler worker is started with (structured-cloned into `workerData`). */
export interface WorkerInput {
  rootPid: number;
  /** Undefined: the source's default. */
  intervalMs: number | undefined;
  source: SourceSpec;
  maxPoints: number;
  treeRescanMs: number;
  /**
   * One Int32 that the main thread sets to {@link STOP} to end sampling.
   * Shared memory, not a message: the worker's loop sleeps in Atomics.wait
   * (sub-millisecond wake-ups, no event loop needed), which a message could
   * not interrupt but Atomics.notify does at once.
   */
  stopSignal: SharedArrayBuffer;
}

export const RUNNING = 0;
export const STOP = 1;

export type WorkerMessage =
  /** The source is open and the first (baseline) reading taken. */
  | { type: 'ready'; source: VramReport['source']; intervalMs: number }
  | { type: 'report'; report: VramReport }
  | { type: 'error'; code: MemoryErrorCode; message: string };
