/**
 * What a workload reports about itself and its runs: the shapes the results
 * file keeps. Workloads produce them and results, analysis and reports read
 * them, so they live below all of those (workloads/types.ts re-exports them
 * with the session API).
 */

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

/**
 * What one profiled iteration showed, taken after the last timed sample so
 * it cannot change them. Raw facts only; analysis/what-ran.ts classifies them
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
  /**
   * Times one iteration made the host wait for a GPU value (`.item()`, `int()`,
   * `float()`, `bool()` of a GPU tensor, a Python `if` on one, `torch.equal`,
   * `nonzero()`). Each waits for the queue to drain, so the step's time follows the
   * host's. Absent when not counted.
   */
  hostReads?: number;
}

export interface ProfiledKernel {
  name: string;
  count: number;
  /** Total device time of this kernel in the iteration (µs). */
  deviceUs: number;
  /** ONNX: the execution provider the node ran on. */
  provider?: string;
}
