/**
 * The shapes every reader of GPU state returns, whether the numbers came
 * from NVML or from nvidia-smi. `source` says which.
 */
export type GpuSource = 'nvml' | 'nvidia-smi';

/** A CUDA compute capability, e.g. `{ major: 9, minor: 0 }` for an H100. */
export interface ComputeCapability {
  major: number;
  minor: number;
}

/** A GPU's memory in bytes, as the driver reports it. */
export interface GpuMemory {
  totalBytes: number;
  usedBytes: number;
  freeBytes: number;
  /** Memory the driver reserves (NVML v2 struct only); null where the driver does not say. */
  reservedBytes: number | null;
}

/** Current and maximum SM and memory clocks in MHz; null where the source does not report one. */
export interface GpuClocks {
  smMHz: number | null;
  memoryMHz: number | null;
  smMaxMHz: number | null;
  memoryMaxMHz: number | null;
}

/**
 * One GPU as the inventory lists it. `index` is the driver's numbering of
 * all GPUs, which CUDA_VISIBLE_DEVICES can make differ from CUDA's.
 * Temperature is in degrees Celsius, power in watts; null where not reported.
 */
export interface GpuInfo {
  index: number;
  name: string;
  uuid: string;
  pciBusId: string;
  computeCapability: ComputeCapability | null;
  memory: GpuMemory;
  clocks: GpuClocks;
  /** Decoded clock-event (throttle) reasons active now, e.g. `sw_power_cap`; [] when none. */
  throttleReasons: string[];
  temperatureC: number | null;
  powerDrawW: number | null;
  powerLimitW: number | null;
}

/** A process using a GPU for compute, with the GPU memory it holds. */
export interface GpuProcess {
  pid: number;
  gpuIndex: number;
  gpuUuid: string;
  /** Null where the driver cannot attribute memory (some containers, MIG). */
  usedBytes: number | null;
}

/** One read of the machine's GPUs: the driver, every GPU, and every compute process on them. */
export interface Inventory {
  source: GpuSource;
  driverVersion: string;
  /** CUDA version the driver supports, e.g. "12.8"; null where unknown. */
  cudaDriverVersion: string | null;
  gpus: GpuInfo[];
  processes: GpuProcess[];
}

/**
 * A live view of the GPUs, kept open between reads (the memory sampler
 * reads it about a thousand times a second). `close()` releases it.
 */
export interface GpuReader {
  readonly source: GpuSource;
  /**
   * Set when the preferred source could not be used and this reader is the
   * fallback: why the preferred one failed (e.g. NVML would not load).
   */
  readonly fallbackReason?: string;
  deviceCount(): number;
  /** Compute processes on one GPU, with memory. Throws DeviceError NO_SUCH_GPU for a bad index. */
  processes(index: number): GpuProcess[];
  memory(index: number): GpuMemory;
  inventory(): Inventory;
  close(): void;
}
