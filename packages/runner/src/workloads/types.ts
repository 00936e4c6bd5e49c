import type { Side } from '@vggt-perf-gate/timing';
import type { FrameworkMemory, IterationSample, WorkloadInfo, WorkloadProfile } from './reports.js';
/**
 * What every workload kind (onnx, worker, samples) gives the orchestrator.
 * The orchestrator opens one session per side, warms it up, then asks for
 * rounds of iterations, alternating base and head.
 */
/** A side of the comparison: timing's `Side`, its one home. */
export type SideName = Side;

export interface WorkloadContext {
  side: SideName;
  /** The side's checkout: the head working tree, or the base worktree. */
  cwd: string;
  /** Extra environment for commands (e.g. PERF_GATE_DTYPE). */
  env?: Record<string, string>;
  /** dtype resolved for this run: 'fp32' | 'fp16' | 'bf16'. */
  dtype: string;
  /** Where to append a workload's stderr and diagnostics. */
  log: (line: string) => void;
  /**
   * Stops the workload: when it aborts during the start, the workload stops
   * what it started and `open` rejects (the other side failed to start, or
   * the gate was interrupted: there is no use in waiting minutes for this
   * one's model load). A samples workload also stops a round in progress,
   * its command's whole tree, and the round fails saying it was stopped.
   */
  signal?: AbortSignal;
}

export type {
  FrameworkMemory,
  IterationSample,
  ProfiledKernel,
  WorkloadInfo,
  WorkloadProfile,
} from './reports.js';

export interface RoundResult {
  samples: IterationSample[];
  memory: FrameworkMemory[];
}

export interface WorkloadSession {
  readonly info: WorkloadInfo;
  /** Root PID whose process tree holds the GPU memory (the worker), or this process for in-process workloads. */
  readonly pid: number;
  warmup(iterations: number): Promise<void>;
  run(iterations: number): Promise<RoundResult>;
  /**
   * One extra, untimed iteration under the framework's profiler, after the
   * last timed sample. Absent (or null) when the workload cannot profile.
   */
  profile?(): Promise<WorkloadProfile | null>;
  /** Ends the session; always kills the worker's whole process tree. Safe to call twice. */
  close(): Promise<void>;
}

export interface Workload {
  readonly kind: 'onnx' | 'worker' | 'samples';
  open(context: WorkloadContext): Promise<WorkloadSession>;
}
