import { invalidOption, isNonNegative } from './errors.js';
import { formatBytes } from './format.js';

/**
 * A framework's own peak numbers for one device, as a worker reports them:
 * for PyTorch, `torch.cuda.max_memory_allocated(device)` and
 * `torch.cuda.max_memory_reserved(device)`.
 */
export interface FrameworkMemory {
  /** The framework's device index (`cuda:N`), which CUDA_VISIBLE_DEVICES may renumber. */
  device: number;
  /** Peak bytes in live tensors. */
  maxAllocatedBytes: number;
  /** Peak bytes the caching allocator held from the driver (allocated + cached). */
  maxReservedBytes: number;
}

/** The sampler's per-GPU peak; a `VramReport`'s `perGpu` entries fit. */
export interface ProcessPeak {
  gpuIndex: number;
  peakBytes: number;
}

/**
 * One GPU's memory, layer by layer: tensors (allocatorPeak) within the
 * allocator's pool (reservedPeak) within everything the process tree held
 * (processPeak). The rest, contextOverhead, is the CUDA context, kernels
 * and libraries' workspaces: memory no framework counter shows.
 */
export interface MemoryBreakdownRow {
  /** The GPU's driver (NVML) index. */
  gpuIndex: number;
  allocatorPeak: number;
  reservedPeak: number;
  /** Null when the sampler has no reading of this GPU. */
  processPeak: number | null;
  /** processPeak - reservedPeak; null without a process peak. Negative means the sampler missed the peak. */
  contextOverhead: number | null;
  /** Set when the numbers do not fit together, saying why that can be. */
  note?: string;
}

/**
 * What {@link mergeFrameworkMemory} returns: one row per GPU, and notes on
 * every number that does not fit with the others.
 */
export interface MemoryBreakdown {
  /** One row per GPU the framework reported, by GPU index. */
  rows: MemoryBreakdownRow[];
  /** The rows' notes, plus GPUs the tree used that the framework did not report. */
  notes: string[];
}

/** Options of {@link mergeFrameworkMemory}. */
export interface MergeOptions {
  /**
   * The GPU index of each framework device: `deviceToGpu[N]` is the driver's
   * index of `cuda:N`. Needed when CUDA_VISIBLE_DEVICES renumbers devices
   * (with CUDA_VISIBLE_DEVICES=2,3, pass [2, 3]). Default: the same index.
   */
  deviceToGpu?: readonly number[];
}

/**
 * The CUDA context and libraries rarely take more than this (measured: about
 * 0.5-0.6 GiB above PyTorch's reserved peak on an H100); more than it points
 * at memory held outside the framework's allocator.
 */
export const LARGE_CONTEXT_OVERHEAD_BYTES = 2 * 1024 ** 3;

/**
 * Puts a framework's allocator peaks beside the sampler's process peaks, per
 * GPU. Two framework entries for one GPU (two ranks sharing it) are added
 * up, which can only over-state their joint peak, and a note says so.
 *
 * Throws MemoryError INVALID_OPTION for a device index or byte count that is
 * not a number >= 0, or a device that `deviceToGpu` does not map.
 *
 * @example
 * const { rows, notes } = mergeFrameworkMemory(
 *   [{ device: 0, maxAllocatedBytes: 7.8 * 1024 ** 3, maxReservedBytes: 8.4 * 1024 ** 3 }],
 *   report.perGpu,
 *   { deviceToGpu: [2] }, // CUDA_VISIBLE_DEVICES=2: cuda:0 is GPU 2
 * );
 * console.log(rows[0]?.contextOverhead, notes);
 */
export function mergeFrameworkMemory(
  framework: readonly FrameworkMemory[],
  processPeaks: readonly ProcessPeak[],
  options: MergeOptions = {},
): MemoryBreakdown {
  if (!Array.isArray(framework)) {
    throw invalidOption(
      'framework',
      framework,
      'an array of { device, maxAllocatedBytes, maxReservedBytes }',
    );
  }
  if (!Array.isArray(processPeaks)) {
    throw invalidOption(
      'processPeaks',
      processPeaks,
      "an array of { gpuIndex, peakBytes } (a VramReport's perGpu)",
    );
  }
  const processPeak = new Map<number, number>();
  for (const [i, peak] of processPeaks.entries()) {
    checkIndex(`processPeaks[${i}].gpuIndex`, peak?.gpuIndex);
    checkBytes(`processPeaks[${i}].peakBytes`, peak.peakBytes);
    processPeak.set(peak.gpuIndex, peak.peakBytes);
  }

  const byGpu = new Map<number, { allocated: number; reserved: number; entries: number }>();
  for (const [i, entry] of framework.entries()) {
    checkIndex(`framework[${i}].device`, entry?.device);
    checkBytes(`framework[${i}].maxAllocatedBytes`, entry.maxAllocatedBytes);
    checkBytes(`framework[${i}].maxReservedBytes`, entry.maxReservedBytes);
    const gpuIndex = gpuOf(entry.device, options.deviceToGpu, i);
    const sum = byGpu.get(gpuIndex) ?? { allocated: 0, reserved: 0, entries: 0 };
    sum.allocated += entry.maxAllocatedBytes;
    sum.reserved += entry.maxReservedBytes;
    sum.entries++;
    byGpu.set(gpuIndex, sum);
  }

  const rows: MemoryBreakdownRow[] = [];
  const notes: string[] = [];
  for (const [gpuIndex, sum] of [...byGpu.entries()].sort(([a], [b]) => a - b)) {
    const peak = processPeak.get(gpuIndex) ?? null;
    const row: MemoryBreakdownRow = {
      gpuIndex,
      allocatorPeak: sum.allocated,
      reservedPeak: sum.reserved,
      processPeak: peak,
      contextOverhead: peak === null ? null : peak - sum.reserved,
    };
    const rowNotes = explain(row, sum.entries);
    if (rowNotes.length > 0) {
      row.note = rowNotes.join(' ');
      notes.push(row.note);
    }
    rows.push(row);
  }
  for (const [gpuIndex, peak] of processPeak) {
    if (peak > 0 && !byGpu.has(gpuIndex)) {
      notes.push(
        `GPU ${gpuIndex}: the process tree held up to ${formatBytes(peak)} there, but the framework reported no device on it: a process without framework stats (a data loader, a second library) used it, or devices are renumbered (CUDA_VISIBLE_DEVICES): pass deviceToGpu.`,
      );
    }
  }
  return { rows, notes };
}

/** Why a row's numbers do not fit together, if they do not. */
function explain(row: MemoryBreakdownRow, entries: number): string[] {
  const at = `GPU ${row.gpuIndex}:`;
  const notes: string[] = [];
  if (entries > 1) {
    notes.push(
      `${at} ${entries} framework reports for this GPU were added up; their joint peak may have been lower.`,
    );
  }
  if (row.allocatorPeak > row.reservedPeak) {
    notes.push(
      `${at} the allocated peak (${formatBytes(row.allocatorPeak)}) is above the reserved peak (${formatBytes(row.reservedPeak)}), which a caching allocator cannot do: the two numbers are probably swapped.`,
    );
  }
  if (row.processPeak === null) {
    notes.push(
      `${at} the sampler has no reading of this GPU: it was not sampled, or the framework's device index is not the driver's (CUDA_VISIBLE_DEVICES): pass deviceToGpu.`,
    );
  } else if (row.processPeak < row.reservedPeak) {
    notes.push(
      `${at} the process peak (${formatBytes(row.processPeak)}) is below the framework's reserved peak (${formatBytes(row.reservedPeak)}), which is impossible: the sampler missed the peak (sampling too slow, e.g. nvidia-smi; started late or stopped early), or the framework's device is another GPU (CUDA_VISIBLE_DEVICES: pass deviceToGpu).`,
    );
  } else if (row.contextOverhead !== null && row.contextOverhead > LARGE_CONTEXT_OVERHEAD_BYTES) {
    notes.push(
      `${at} ${formatBytes(row.contextOverhead)} above the reserved peak is more than a CUDA context takes (~0.5 GiB): memory is held outside the framework's allocator (another process of the tree, NCCL buffers, a second library's pool).`,
    );
  }
  return notes;
}

function gpuOf(device: number, deviceToGpu: readonly number[] | undefined, i: number): number {
  if (deviceToGpu === undefined) return device;
  const gpu = deviceToGpu[device];
  if (gpu === undefined) {
    throw invalidOption(
      `framework[${i}].device`,
      device,
      `a device listed in deviceToGpu (it maps devices 0 to ${deviceToGpu.length - 1})`,
    );
  }
  checkIndex(`deviceToGpu[${device}]`, gpu);
  return gpu;
}

function checkIndex(name: string, value: unknown): asserts value is number {
  if (!(typeof value === 'number' && Number.isInteger(value) && value >= 0)) {
    throw invalidOption(name, value, 'a device index (an integer >= 0)');
  }
}

function checkBytes(name: string, value: unknown): asserts value is number {
  if (!isNonNegative(value)) throw invalidOption(name, value, 'a byte count >= 0');
}
