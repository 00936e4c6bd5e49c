import type { ComputeDtype, RequestedDtype } from './dtypes.js';
import { DeviceError } from './errors.js';
import type { ComputeCapability } from './types.js';

/**
 * The dtypes the tensor-core table speaks of: the compute dtypes and tf32,
 * int8, fp8 and fp4.
 */
export type Dtype = 'fp32' | 'tf32' | 'fp16' | 'bf16' | 'int8' | 'fp8' | 'fp4';

/** Which dtypes have tensor-core support from a compute capability on. */
export interface DtypeSupport {
  fp16: boolean;
  bf16: boolean;
  tf32: boolean;
  int8: boolean;
  fp8: boolean;
  fp4: boolean;
}

/**
 * Tensor-core dtype support by compute capability. Sources:
 * - NVIDIA CUDA C++ Programming Guide, "Compute Capabilities" and "Warp
 *   Matrix Functions" (element types per architecture);
 * - architecture whitepapers: Volta V100 (7.0: fp16), Turing TU102 (7.5:
 *   fp16, int8, int4), Ampere GA100 and GA102 (8.0, 8.6: adds bf16, tf32),
 *   Ada AD102 (8.9: adds fp8 e4m3/e5m2), Hopper H100 (9.0: fp8),
 *   Blackwell (10.x, 12.x: adds fp4).
 * Rows are the first capability of each step; a device uses the last row at
 * or below its own capability.
 */
export const DTYPE_SUPPORT_BY_CAPABILITY: ReadonlyArray<readonly [number, number, DtypeSupport]> = [
  [7, 0, { fp16: true, bf16: false, tf32: false, int8: false, fp8: false, fp4: false }],
  [7, 2, { fp16: true, bf16: false, tf32: false, int8: true, fp8: false, fp4: false }],
  [7, 5, { fp16: true, bf16: false, tf32: false, int8: true, fp8: false, fp4: false }],
  [8, 0, { fp16: true, bf16: true, tf32: true, int8: true, fp8: false, fp4: false }],
  [8, 9, { fp16: true, bf16: true, tf32: true, int8: true, fp8: true, fp4: false }],
  [9, 0, { fp16: true, bf16: true, tf32: true, int8: true, fp8: true, fp4: false }],
  [10, 0, { fp16: true, bf16: true, tf32: true, int8: true, fp8: true, fp4: true }],
];

const NO_TENSOR_CORES: DtypeSupport = {
  fp16: false,
  bf16: false,
  tf32: false,
  int8: false,
  fp8: false,
  fp4: false,
};

/**
 * Tensor-core support of a device; below 7.0 there are no tensor cores.
 *
 * @example
 * import { dtypeSupport } from '@vggt-perf-gate/device';
 * dtypeSupport({ major: 8, minor: 6 }).bf16; // true
 * dtypeSupport({ major: 7, minor: 5 }).bf16; // false: Turing has fp16 and int8 only
 */
export function dtypeSupport(capability: ComputeCapability): DtypeSupport {
  let found = NO_TENSOR_CORES;
  for (const [major, minor, support] of DTYPE_SUPPORT_BY_CAPABILITY) {
    if (capability.major > major || (capability.major === major && capability.minor >= minor))
      found = support;
  }
  return found;
}

/** What `resolveDtype` chose, with the reason for the report and any warning. */
export interface ResolvedDtype {
  dtype: ComputeDtype;
  /** One sentence for the report: what was asked, what was chosen, why. */
  explanation: string;
  /** Set when the request will not run as asked on this device. */
  warning: string | null;
}

/**
 * The dtype to run: `auto` picks bf16 where compute capability major >= 8
 * and fp16 below (the fix the field converged on after a bf16 request ran
 * in another precision and used 12x the memory); an explicit request is
 * kept, with a warning when the device has no tensor-core support for it.
 * Throws DeviceError INVALID_ARGUMENT for anything but auto, fp32, fp16 and
 * bf16.
 *
 * @example
 * import { resolveDtype } from '@vggt-perf-gate/device';
 * const t4 = { name: 'Tesla T4', computeCapability: { major: 7, minor: 5 } };
 * resolveDtype('auto', t4).dtype; // 'fp16': bf16 needs compute capability >= 8.0
 * resolveDtype('bf16', t4).warning; // 'Tesla T4 (compute capability 7.5) has no bf16 tensor cores: ...'
 */
export function resolveDtype(
  requested: RequestedDtype,
  device: { name: string; computeCapability: ComputeCapability | null },
): ResolvedDtype {
  const cc = device.computeCapability;
  const ccText = cc ? `compute capability ${cc.major}.${cc.minor}` : 'unknown compute capability';
  if (!['auto', 'fp32', 'fp16', 'bf16'].includes(requested)) {
    throw new DeviceError(
      'INVALID_ARGUMENT',
      `dtype ${JSON.stringify(requested)} is not one of auto, fp32, fp16, bf16.`,
    );
  }
  if (requested === 'auto') {
    if (!cc) {
      return {
        dtype: 'fp16',
        explanation: `auto -> fp16: the ${ccText} of ${device.name} is unknown, and fp16 runs everywhere tensor cores do`,
        warning: `could not read the compute capability of ${device.name}; chose fp16. Set dtype explicitly if this GPU supports bf16.`,
      };
    }
    const dtype = cc.major >= 8 ? 'bf16' : 'fp16';
    return {
      dtype,
      explanation:
        dtype === 'bf16'
          ? `auto -> bf16: ${device.name} has ${ccText} (>= 8.0 has bf16 tensor cores)`
          : `auto -> fp16: ${device.name} has ${ccText} (bf16 needs >= 8.0)`,
      warning: null,
    };
  }
  const support = cc ? dtypeSupport(cc) : null;
  const unsupported = support && requested !== 'fp32' && !support[requested];
  return {
    dtype: requested,
    explanation: `${requested} as configured on ${device.name} (${ccText})`,
    warning: unsupported
      ? `${device.name} (${ccText}) has no ${requested} tensor cores: frameworks emulate it or fall back to another precision, slower and often larger in memory. Use dtype: auto.`
      : null,
  };
}
