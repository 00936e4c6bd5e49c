/**
 * Peak dense (no sparsity) tensor-core throughput per dtype in TFLOPS
 * (TOPS for int8) and memory bandwidth, so reports can show achieved
 * fraction of peak. From NVIDIA's datasheets and architecture whitepapers:
 * Ada (RTX 4090: fp16/bf16 with fp32 accumulate), GA102 (RTX 3090), A100
 * and H100/H200 datasheets (SXM parts), L4 and T4 datasheets. fp16 is with
 * fp32 accumulate (what frameworks use); int8 in TOPS.
 */
export interface KnownGpu {
  /** Matched against the name NVML / nvidia-smi report. */
  match: RegExp;
  name: string;
  peakTflops: Partial<Record<'fp32' | 'tf32' | 'fp16' | 'bf16' | 'fp8' | 'int8', number>>;
  memoryBandwidthGBs: number;
  memoryGiB: number;
}

/**
 * The GPUs with known peaks. They are matched in order, so more specific
 * names (A100 80GB, H100 PCIe) come before the general ones.
 */
export const KNOWN_GPUS: readonly KnownGpu[] = [
  {
    match: /RTX 4090/i,
    name: 'GeForce RTX 4090',
    peakTflops: { fp32: 82.6, tf32: 82.6, fp16: 165.2, bf16: 165.2, fp8: 330.3, int8: 660.6 },
    memoryBandwidthGBs: 1008,
    memoryGiB: 24,
  },
  {
    match: /RTX 3090/i,
    name: 'GeForce RTX 3090',
    peakTflops: { fp32: 35.6, tf32: 35.6, fp16: 71, bf16: 71, int8: 284 },
    memoryBandwidthGBs: 936,
    memoryGiB: 24,
  },
  {
    match: /A100.*80GB|A100-SXM4-80GB|A100 80GB/i,
    name: 'A100 80GB',
    peakTflops: { fp32: 19.5, tf32: 156, fp16: 312, bf16: 312, int8: 624 },
    memoryBandwidthGBs: 2039,
    memoryGiB: 80,
  },
  {
    match: /A100/i,
    name: 'A100 40GB',
    peakTflops: { fp32: 19.5, tf32: 156, fp16: 312, bf16: 312, int8: 624 },
    memoryBandwidthGBs: 1555,
    memoryGiB: 40,
  },
  {
    match: /H200/i,
    name: 'H200',
    peakTflops: { fp32: 67, tf32: 494.7, fp16: 989.4, bf16: 989.4, fp8: 1978.9, int8: 1978.9 },
    memoryBandwidthGBs: 4800,
    memoryGiB: 141,
  },
  {
    match: /H100.*PCIe/i,
    name: 'H100 PCIe',
    peakTflops: { fp32: 51, tf32: 378, fp16: 756, bf16: 756, fp8: 1513, int8: 1513 },
    memoryBandwidthGBs: 2000,
    memoryGiB: 80,
  },
  {
    match: /H100/i,
    name: 'H100 SXM',
    peakTflops: { fp32: 67, tf32: 494.7, fp16: 989.4, bf16: 989.4, fp8: 1978.9, int8: 1978.9 },
    memoryBandwidthGBs: 3350,
    memoryGiB: 80,
  },
  {
    match: /\bL4\b/i,
    name: 'L4',
    peakTflops: { fp32: 30.3, tf32: 60, fp16: 121, bf16: 121, fp8: 242.5, int8: 242.5 },
    memoryBandwidthGBs: 300,
    memoryGiB: 24,
  },
  {
    match: /\bT4\b/i,
    name: 'T4',
    peakTflops: { fp32: 8.1, fp16: 65, int8: 130 },
    memoryBandwidthGBs: 320,
    memoryGiB: 16,
  },
];

/**
 * The table row for a GPU name, or null for a GPU we have no numbers for.
 *
 * @example
 * import { findKnownGpu } from '@vggt-perf-gate/device';
 * findKnownGpu('NVIDIA H100 80GB HBM3')?.peakTflops.bf16; // 989.4 (H100 SXM)
 * findKnownGpu('Tesla V100-SXM2-16GB'); // null
 */
export function findKnownGpu(name: string): KnownGpu | null {
  return KNOWN_GPUS.find((gpu) => gpu.match.test(name)) ?? null;
}

/**
 * Achieved fraction of the device's peak for a dtype, or null when unknown.
 * `achievedTflops` is in TFLOPS (TOPS for int8), like the table.
 *
 * @example
 * import { fractionOfPeak } from '@vggt-perf-gate/device';
 * fractionOfPeak('NVIDIA A100-SXM4-80GB', 'bf16', 156); // 0.5
 * fractionOfPeak('Tesla T4', 'bf16', 20); // null: the table has no bf16 peak for a T4
 */
export function fractionOfPeak(
  name: string,
  dtype: keyof KnownGpu['peakTflops'],
  achievedTflops: number,
): number | null {
  const peak = findKnownGpu(name)?.peakTflops[dtype];
  return peak ? achievedTflops / peak : null;
}
