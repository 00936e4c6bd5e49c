import type { ComputeDtype } from '@vggt-perf-gate/device';
import { invalidOption, isNonNegative } from './errors.js';
import { formatBytes } from './format.js';

/** Element types a model's weights are commonly held in: the compute dtypes, and two narrower ones. */
export type Dtype = ComputeDtype | 'int8' | 'fp8';

/** Bytes per element of each {@link Dtype}. */
export const DTYPE_BYTES: Readonly<Record<Dtype, number>> = {
  fp32: 4,
  fp16: 2,
  bf16: 2,
  int8: 1,
  fp8: 1,
};

/**
 * Headroom over weights + activations before a peak counts as exceeded:
 * allocator caching and fragmentation, kernels' workspaces and the CUDA
 * context routinely add a third to a half.
 */
export const DEFAULT_EXPECTED_FACTOR = 1.5;

/** Peaks below this share of the expectation get a note: too small is suspicious too. */
const FAR_BELOW_RATIO = 0.5;

/** Wider dtypes a run can silently fall back to, narrowest first. */
const WIDER: readonly { name: string; bytes: number }[] = [
  { name: 'fp16 or bf16', bytes: 2 },
  { name: 'fp32', bytes: 4 },
];

/**
 * What {@link checkExpectedMemory} needs: the model's size and dtype, and the
 * peak that was measured. Memory is in bytes.
 */
export interface ExpectedMemoryInput {
  /** Parameters of the model, e.g. 1.2e9 for VGGT-1B. */
  parameterCount: number;
  /** The dtype the model computes in (the one the run resolved to; under autocast, the autocast dtype). */
  dtype: Dtype;
  /**
   * The dtype the weights are stored in, when it is not `dtype`: fp32 weights
   * under bf16 autocast, as VGGT runs. Weights are counted at it, activations
   * at `dtype`. Default: `dtype`.
   */
  weightsDtype?: Dtype;
  /** Memory for activations at `dtype`, if known (bytes); default 0. Add the CUDA context (~0.5 GiB) here when checking a process peak. */
  activationBytes?: number;
  /** Allowed headroom over the expectation, default 1.5. */
  factor?: number;
  /** The measured peak (bytes): the framework's reserved peak, or the sampler's process peak. */
  measuredPeakBytes: number;
  /** What the user asked for, when it differs from `dtype` in name (e.g. "auto"); shown in the cause. Default: `dtype`. */
  requestedDtype?: string;
}

/**
 * The answer of {@link checkExpectedMemory}: whether the peak fits the
 * expectation, by what ratio, and when it does not, the likely cause.
 */
export interface ExpectedMemoryCheck {
  state: 'ok' | 'exceeded';
  /** Weights at `dtype` plus activations (bytes), before the factor. */
  expectedBytes: number;
  /** expectedBytes x factor: the most memory that counts as ok. */
  limitBytes: number;
  /** measured / expected. */
  ratio: number;
  /** When exceeded: the most likely reason, in a sentence. */
  likelyCause?: string;
  /** When ok but far below the expectation: what that can mean. */
  note?: string;
}

/**
 * Checks a measured memory peak against what the model should need at its
 * dtype, and when the peak is too large names the likely cause: a peak that
 * fits the same model at a wider dtype means the precision that ran is not
 * the one requested; a peak too large even for that means memory that grows
 * with the input, most often attention falling back to the math kernel
 * (measured: 2.6 GiB vs 47.3 GiB reserved on a VGGT-shaped model).
 *
 * Throws MemoryError INVALID_OPTION for an input out of range (an unknown
 * dtype, a factor below 1, a negative byte count).
 *
 * @example
 * const check = checkExpectedMemory({
 *   parameterCount: 1.2e9,
 *   dtype: 'bf16',
 *   weightsDtype: 'fp32', // bf16 autocast over fp32 weights
 *   activationBytes: 0.5 * 1024 ** 3, // the CUDA context, for a process peak
 *   measuredPeakBytes: report.total.peakBytes, // a one-GPU run
 * });
 * if (check.state === 'exceeded') console.error(check.likelyCause);
 */
export function checkExpectedMemory(input: ExpectedMemoryInput): ExpectedMemoryCheck {
  if (input === null || typeof input !== 'object') {
    throw invalidOption('input', input, 'an object { parameterCount, dtype, measuredPeakBytes }');
  }
  const { parameterCount, dtype, measuredPeakBytes } = input;
  if (
    !(typeof parameterCount === 'number' && parameterCount > 0 && Number.isFinite(parameterCount))
  ) {
    throw invalidOption(
      'parameterCount',
      parameterCount,
      'the number of model parameters, > 0 (e.g. 1.2e9)',
    );
  }
  if (typeof dtype !== 'string' || !Object.hasOwn(DTYPE_BYTES, dtype)) {
    throw invalidOption('dtype', dtype, `one of ${Object.keys(DTYPE_BYTES).join(', ')}`);
  }
  const width = DTYPE_BYTES[dtype];
  const weightsDtype = input.weightsDtype ?? dtype;
  if (typeof weightsDtype !== 'string' || !Object.hasOwn(DTYPE_BYTES, weightsDtype)) {
    throw invalidOption(
      'weightsDtype',
      weightsDtype,
      `one of ${Object.keys(DTYPE_BYTES).join(', ')}`,
    );
  }
  const weightsWidth = DTYPE_BYTES[weightsDtype];
  const activationBytes = input.activationBytes ?? 0;
  if (!isNonNegative(activationBytes)) {
    throw invalidOption('activationBytes', activationBytes, 'a byte count >= 0');
  }
  const factor = input.factor ?? DEFAULT_EXPECTED_FACTOR;
  if (!(typeof factor === 'number' && factor >= 1 && Number.isFinite(factor))) {
    throw invalidOption('factor', factor, 'a headroom factor >= 1, e.g. 1.5');
  }
  if (!isNonNegative(measuredPeakBytes)) {
    throw invalidOption('measuredPeakBytes', measuredPeakBytes, 'a byte count >= 0');
  }

  /**
   * Weights plus activations when computing at a given element width: the
   * activations scale with it; the weights are stored at their own dtype, or
   * at the compute width where that is wider (a run that fell back to fp32
   * holds fp32 weights).
   */
  const expectedAt = (bytes: number) =>
    parameterCount * Math.max(weightsWidth, bytes) + activationBytes * (bytes / width);
  const expectedBytes = expectedAt(width);
  const limitBytes = expectedBytes * factor;
  const ratio = measuredPeakBytes / expectedBytes;

  if (measuredPeakBytes <= limitBytes) {
    const check: ExpectedMemoryCheck = { state: 'ok', expectedBytes, limitBytes, ratio };
    if (ratio < FAR_BELOW_RATIO) {
      check.note = `the peak (${formatBytes(measuredPeakBytes)}) is under half of what ${weightsDtype} weights and ${dtype} activations should take (${formatBytes(expectedBytes)}): the sampler may have missed the run, the model is smaller than stated, or it ran in a narrower dtype.`;
    }
    return check;
  }

  const requested = input.requestedDtype ?? dtype;
  const held = weightsDtype === dtype ? dtype : `${dtype} (weights ${weightsDtype})`;
  const asked = requested === dtype ? requested : `${requested}, i.e. ${dtype}`;
  const fits = WIDER.find(
    (wider) => wider.bytes > width && measuredPeakBytes <= expectedAt(wider.bytes) * factor,
  );
  const times = `${ratio.toFixed(1)}x`;
  let likelyCause: string;
  if (fits !== undefined) {
    likelyCause = `the dtype that ran is probably not the one requested (${asked}): the peak fits ${fits.name}. The peak, ${formatBytes(measuredPeakBytes)}, is ${times} the ${formatBytes(expectedBytes)} expected at ${held}, and within ${factor}x of the ${formatBytes(expectedAt(fits.bytes))} expected at ${fits.name}. Check the dtype the weights actually have (a device without ${dtype} support can fall back silently: pick it from the compute capability, bf16 where major >= 8, else fp16).`;
  } else {
    const widest = expectedAt(Math.max(width, DTYPE_BYTES.fp32)) * factor;
    likelyCause = `the peak, ${formatBytes(measuredPeakBytes)}, is ${times} the ${formatBytes(expectedBytes)} expected at ${held}, more than even fp32 weights would take (at most ${formatBytes(widest)}), so the dtype alone does not explain it: memory that grows with the input does. Most likely attention fell back to the math (materialising) kernel, which stores every attention matrix: on a VGGT-shaped model (20 frames, bf16) that raised the reserved peak from 2.6 GiB to 47.3 GiB. Check which attention kernel ran (PyTorch SDPA: flash, memory-efficient or math) and the input size.`;
  }
  return { state: 'exceeded', expectedBytes, limitBytes, ratio, likelyCause };
}
