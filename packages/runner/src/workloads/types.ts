import type { Side } from '@vggt-perf-gate/timing';
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

/** One timed iteration. Device time (CUDA events after a synchronise) when the workload has it. */
export interface IterationSample {
  hostMs: number;
  deviceMs: number | null;
}

/** Framework allocator peaks per device, e.g. torch max_memory_allocated / max_memory_reserved. */
export interface FrameworkMemory {
  /** The framework's device index (cuda:N), as the worker process numbers it. */
  device: number;
  maxAllocatedBytes: number;
  maxReservedBytes: number;
  /** The distributed rank that reported it (torchrun); ranks may share a device. */
  rank?: number | null;
  /** The device's UUID, to find its driver index when CUDA_VISIBLE_DEVICES renumbers devices. */
  uuid?: string | null;
}

/** What actually ran: reported by the workload, not assumed from the config. */
export interface WorkloadInfo {
  framework: string;
  frameworkVersion: string | null;
  /** e.g. "cuda:0 NVIDIA H100 80GB HBM3", "cpu". */
  device: string | null;
  /** The dtype in effect (parameters / autocast), e.g. "bf16". */
  dtype: string | null;
  /** Items (e.g. frames) per iteration, for throughput. */
  itemsPerIteration: number | null;
  extra: Record<string, unknown>;
}

export interface RoundResult {
  samples: IterationSample[];
  memory: FrameworkMemory[];
}

/**
 * What one profiled iteration showed, taken after the last timed sample so
 * it cannot change them. Raw facts only; report/what-ran.ts classifies them
 * (attention implementation, matmul precision).
 */
export interface WorkloadProfile {
  /** Which profiler produced it, e.g. "torch.profiler", "onnxruntime". */
  source: string;
  /** False when the workload cannot profile (no torch, a profiler error); `reason` says why. */
  available: boolean;
  reason?: string;
  /** Top kernels (GPU) or nodes (ONNX) by device time in the profiled iteration, longest first. */
  kernels: ProfiledKernel[];
  /** Total device time of the profiled iteration (µs), all kernels included. */
  totalDeviceUs: number | null;
  /** Framework operators seen, by name, with counts (e.g. aten::_scaled_dot_product_flash_attention). */
  ops: Record<string, number>;
  /** Inputs of matrix products by dtype ('bf16', 'fp16', 'fp32'...): counts of calls. */
  matmulDtypes: Record<string, number>;
  /** torch.backends.cuda.matmul.allow_tf32: fp32 products then run in TF32. */
  allowTf32: boolean | null;
  parameterDtype: string | null;
  autocastDtype: string | null;
  /** Floating-point operations of one iteration (torch's FLOP counter), when it could count them. */
  flops: number | null;
  /** ONNX: nodes per execution provider, and the nodes that ran on the CPU under a GPU provider. */
  placement?: { byProvider: Record<string, number>; cpuNodes: string[] };
  /**
   * Parts of the profile that failed, by name (the Python client's
   * `dispatch`, `flops`, `profiler`), with their errors; the other parts'
   * facts are kept. Absent when every part ran.
   */
  failedParts?: Record<string, string>;
}

export interface ProfiledKernel {
  name: string;
  count: number;
  /** Total device time of this kernel in the iteration (µs). */
  deviceUs: number;
  /** ONNX: the execution provider the node ran on. */
  provider?: string;
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
