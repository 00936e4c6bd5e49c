import { describe, expect, it } from 'vitest';
import {
  DeviceError,
  decodeClockEventReasons,
  dtypeSupport,
  findKnownGpu,
  fractionOfPeak,
  resolveDtype,
} from '../src/index.js';

const gpu = (name: string, major: number, minor: number) => ({
  name,
  computeCapability: { major, minor },
});

describe('dtype: auto', () => {
  it('is bf16 from compute capability 8.0 (RTX 4090, A100, H100)', () => {
    expect(resolveDtype('auto', gpu('NVIDIA GeForce RTX 4090', 8, 9)).dtype).toBe('bf16');
    expect(resolveDtype('auto', gpu('NVIDIA A100-SXM4-80GB', 8, 0)).dtype).toBe('bf16');
    const h100 = resolveDtype('auto', gpu('NVIDIA H100 80GB HBM3', 9, 0));
    expect(h100.explanation).toBe(
      'auto -> bf16: NVIDIA H100 80GB HBM3 has compute capability 9.0 (>= 8.0 has bf16 tensor cores)',
    );
  });

  it('is fp16 below 8.0 (T4, V100)', () => {
    const t4 = resolveDtype('auto', gpu('Tesla T4', 7, 5));
    expect(t4.dtype).toBe('fp16');
    expect(t4.explanation).toContain('bf16 needs >= 8.0');
  });

  it('keeps an explicit bf16 on a T4 but warns that it has no bf16 tensor cores', () => {
    const result = resolveDtype('bf16', gpu('Tesla T4', 7, 5));
    expect(result.dtype).toBe('bf16');
    expect(result.warning).toMatch(/no bf16 tensor cores.*Use dtype: auto/);
  });

  it('rejects an unknown dtype', () => {
    expect(() => resolveDtype('bfloat16' as 'bf16', gpu('x', 9, 0))).toThrow(DeviceError);
  });
});

describe('capability table', () => {
  it('has fp8 from Ada (8.9) and fp4 only from Blackwell', () => {
    expect(dtypeSupport({ major: 8, minor: 6 }).fp8).toBe(false);
    expect(dtypeSupport({ major: 8, minor: 9 }).fp8).toBe(true);
    expect(dtypeSupport({ major: 9, minor: 0 }).fp4).toBe(false);
    expect(dtypeSupport({ major: 12, minor: 0 }).fp4).toBe(true);
    expect(dtypeSupport({ major: 6, minor: 1 }).fp16).toBe(false);
  });
});

describe('known GPUs', () => {
  it('finds the GPUs the users run, by the names the driver reports', () => {
    expect(findKnownGpu('NVIDIA GeForce RTX 4090')?.peakTflops.bf16).toBe(165.2);
    expect(findKnownGpu('NVIDIA H100 80GB HBM3')?.name).toBe('H100 SXM');
    expect(findKnownGpu('NVIDIA H100 PCIe')?.name).toBe('H100 PCIe');
    expect(findKnownGpu('NVIDIA H200')?.memoryBandwidthGBs).toBe(4800);
    expect(findKnownGpu('NVIDIA A100-SXM4-80GB')?.name).toBe('A100 80GB');
    expect(findKnownGpu('NVIDIA L4')?.name).toBe('L4');
    expect(findKnownGpu('Tesla T4')?.peakTflops.bf16).toBeUndefined();
    expect(findKnownGpu('NVIDIA GeForce RTX 3090')?.name).toBe('GeForce RTX 3090');
    expect(findKnownGpu('Radeon')).toBeNull();
  });

  it('gives the achieved fraction of peak', () => {
    expect(fractionOfPeak('NVIDIA GeForce RTX 4090', 'bf16', 82.6)).toBeCloseTo(0.5, 6);
    expect(fractionOfPeak('Tesla T4', 'bf16', 10)).toBeNull();
  });
});

describe('clock-event reasons', () => {
  it('decodes the NVML bit mask, unknown bits included', () => {
    expect(decodeClockEventReasons(0x0n)).toEqual([]);
    expect(decodeClockEventReasons(0x1n)).toEqual(['gpu_idle']);
    expect(decodeClockEventReasons(0x44n)).toEqual(['sw_power_cap', 'hw_thermal_slowdown']);
    expect(decodeClockEventReasons(0x1004n)).toEqual(['sw_power_cap', 'unknown_0x1000']);
  });
});
