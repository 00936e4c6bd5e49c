/**
 * Inputs for an ONNX model, made from the session's own input metadata:
 * symbolic dimensions are sized from the workload config, the data is
 * seeded random numbers. They are made once, before any timing, so input
 * preparation never lands inside the timed region.
 */
import { createRng, type Rng } from '@vggt-perf-gate/timing';
import type * as OrtModule from 'onnxruntime-node';
import { RunnerError } from '../errors.js';
import type { Ort } from './onnx-runtime.js';

/** Seed of the random input data: every run of a model feeds the same numbers. */
export const INPUT_SEED = 0x5eed;

/**
 * Integer inputs are drawn from [0, INTEGER_INPUT_LIMIT): such inputs are
 * usually ids, indices or masks, and 0/1 is valid for all of those whatever
 * the table or axis size, where wider random ints could index out of range.
 */
export const INTEGER_INPUT_LIMIT = 2;

/**
 * float16 inputs are multiples of 1/FLOAT16_GRID in [-1, 1): exactly
 * representable in float16, so converting them needs no rounding rules.
 */
const FLOAT16_GRID = 1024;

/** Values at or above this round to infinity in float16. */
const HALF_OVERFLOW = 65520;
const HALF_MIN_NORMAL = 2 ** -14;
const HALF_SUBNORMAL_STEP = 2 ** -24;
const HALF_MANTISSA_STEPS = 1024;
const HALF_EXPONENT_BIAS = 15;

/** One input as it is fed: what the generator made, for reporting in the session info. */
export interface GeneratedInput {
  name: string;
  type: string;
  dims: number[];
}

export interface GeneratedFeeds {
  feeds: Record<string, OrtModule.Tensor>;
  inputs: GeneratedInput[];
  /** Names in `dims` that no input used; likely a typo in the config. */
  unusedDims: string[];
}

type TensorData = OrtModule.Tensor.DataType;

/** Makes `count` random values of one element type, or undefined for types this module cannot make. */
const GENERATORS: Record<string, ((count: number, rng: Rng) => TensorData) | undefined> = {
  float32: (n, rng) => Float32Array.from({ length: n }, () => uniform(rng)),
  float64: (n, rng) => Float64Array.from({ length: n }, () => uniform(rng)),
  // onnxruntime-node takes float16 as IEEE half bit patterns in a Uint16Array.
  float16: (n, rng) =>
    Uint16Array.from({ length: n }, () =>
      float16Bits((rng.int(2 * FLOAT16_GRID) - FLOAT16_GRID) / FLOAT16_GRID),
    ),
  int64: (n, rng) => BigInt64Array.from({ length: n }, () => BigInt(rng.int(INTEGER_INPUT_LIMIT))),
  uint64: (n, rng) =>
    BigUint64Array.from({ length: n }, () => BigInt(rng.int(INTEGER_INPUT_LIMIT))),
  int32: (n, rng) => Int32Array.from({ length: n }, () => rng.int(INTEGER_INPUT_LIMIT)),
  uint32: (n, rng) => Uint32Array.from({ length: n }, () => rng.int(INTEGER_INPUT_LIMIT)),
  int16: (n, rng) => Int16Array.from({ length: n }, () => rng.int(INTEGER_INPUT_LIMIT)),
  uint16: (n, rng) => Uint16Array.from({ length: n }, () => rng.int(INTEGER_INPUT_LIMIT)),
  int8: (n, rng) => Int8Array.from({ length: n }, () => rng.int(INTEGER_INPUT_LIMIT)),
  uint8: (n, rng) => Uint8Array.from({ length: n }, () => rng.int(INTEGER_INPUT_LIMIT)),
  bool: (n, rng) => Uint8Array.from({ length: n }, () => rng.int(2)),
};

/** The element types feeds can be generated for, in the words onnxruntime-node uses. */
export const GENERATED_TYPES: readonly string[] = Object.keys(GENERATORS);

/**
 * Builds one random tensor per model input. `dims` sizes the symbolic
 * dimensions by name. Throws RunnerError('WORKLOAD_FAILED') naming every
 * unresolved dimension and the config key that sizes it, or an input whose
 * type cannot be generated.
 */
export function generateFeeds(
  ort: Ort,
  session: OrtModule.InferenceSession,
  dims: Readonly<Record<string, number>>,
  where: string,
  seed = INPUT_SEED,
): GeneratedFeeds {
  const rng = createRng(seed);
  const used = new Set<string>();
  const unresolved: { dim: string; input: string; axis: number }[] = [];
  const shapes = session.inputNames.map((name, index) => {
    const meta = session.inputMetadata[index];
    if (meta === undefined || !meta.isTensor) {
      throw new RunnerError(
        'WORKLOAD_FAILED',
        `onnx workload: ${where} input ${JSON.stringify(name)} is not a tensor (a sequence or map); the onnx workload feeds tensors only. Use a model whose inputs are all tensors, or a worker workload.`,
      );
    }
    const shape = meta.shape.map((dim, axis) => {
      if (typeof dim === 'number' && dim >= 0) return dim;
      if (typeof dim === 'string' && dim !== '') {
        const size = dims[dim];
        used.add(dim);
        if (size !== undefined) return size;
        unresolved.push({ dim, input: name, axis });
        return 0;
      }
      throw new RunnerError(
        'WORKLOAD_FAILED',
        `onnx workload: ${where} input ${JSON.stringify(name)} axis ${axis} has an unnamed dynamic size, which the config cannot set by name. Give that dimension a name (dim_param) or a fixed size when exporting the model.`,
      );
    });
    return { name, type: meta.type, shape };
  });
  if (unresolved.length > 0) {
    const names = [...new Set(unresolved.map((u) => u.dim))];
    const found = unresolved
      .map((u) => `${u.dim} (input ${JSON.stringify(u.input)} axis ${u.axis})`)
      .join(', ');
    const example = names.map((n) => `${n}: <size>`).join(', ');
    throw new RunnerError(
      'WORKLOAD_FAILED',
      `onnx workload: ${where} has symbolic input dimensions with no size: ${found}. Set them in the workload's onnx config as inputs: { ${example} }.`,
    );
  }
  const feeds: Record<string, OrtModule.Tensor> = {};
  for (const { name, type, shape } of shapes) {
    const generate = GENERATORS[type];
    if (generate === undefined) {
      throw new RunnerError(
        'WORKLOAD_FAILED',
        `onnx workload: ${where} input ${JSON.stringify(name)} has element type ${type}, for which no random data can be made (supported: ${GENERATED_TYPES.join(', ')}). Use a worker workload to feed such a model.`,
      );
    }
    const count = shape.reduce((a, b) => a * b, 1);
    feeds[name] = new ort.Tensor(type, generate(count, rng), shape);
  }
  return {
    feeds,
    inputs: shapes.map(({ name, type, shape }) => ({ name, type, dims: shape })),
    unusedDims: Object.keys(dims).filter((d) => !used.has(d)),
  };
}

function uniform(rng: Rng): number {
  return rng.next() * 2 - 1;
}

/**
 * IEEE 754 half-precision bits of `value`. Exact for values float16 can
 * hold (all this module makes); others round half away from zero, not to
 * even, which is fine for random data.
 */
export function float16Bits(value: number): number {
  const sign = value < 0 || Object.is(value, -0) ? 0x8000 : 0;
  const magnitude = Math.abs(value);
  if (Number.isNaN(value)) return 0x7e00;
  if (magnitude === 0) return sign;
  if (magnitude >= HALF_OVERFLOW) return sign | 0x7c00;
  if (magnitude < HALF_MIN_NORMAL) return sign | Math.round(magnitude / HALF_SUBNORMAL_STEP);
  let exponent = Math.floor(Math.log2(magnitude));
  let mantissa = Math.round((magnitude / 2 ** exponent - 1) * HALF_MANTISSA_STEPS);
  if (mantissa === HALF_MANTISSA_STEPS) {
    exponent++;
    mantissa = 0;
  }
  return sign | ((exponent + HALF_EXPONENT_BIAS) << 10) | mantissa;
}
