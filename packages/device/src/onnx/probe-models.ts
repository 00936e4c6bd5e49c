/**
 * The tiny ONNX models the dtype probe runs: a MatMul and an attention
 * block per dtype, each with its inputs and the output a float64 reference
 * computes from the same inputs, so a provider that runs a model but gets
 * the numbers wrong is caught, not only one that refuses it.
 */
import {
  encodeModel,
  littleEndianBytes,
  type OnnxDataTypeCode,
  type OnnxNode,
  type OnnxTensor,
  OnnxDataType as T,
} from './proto.js';

/** The dtypes the probe knows. `float8e4m3fn` is the OCP FP8 format with no infinities. */
export type ProbeDtype = 'float32' | 'float16' | 'bfloat16' | 'int8' | 'float8e4m3fn';

/** Every dtype, in the order results are reported. */
export const PROBE_DTYPES: readonly ProbeDtype[] = [
  'float32',
  'float16',
  'bfloat16',
  'int8',
  'float8e4m3fn',
];

export type ProbeModelKind = 'matmul' | 'attention';

export const PROBE_MODEL_KINDS: readonly ProbeModelKind[] = ['matmul', 'attention'];

/** Element types that cross the JS boundary, named as onnxruntime's Tensor names them. */
export type FeedType = 'float32' | 'float16' | 'int8' | 'int32';

/** One input, in the form onnxruntime's Tensor constructor takes. */
export interface ProbeFeed {
  name: string;
  type: FeedType;
  dims: number[];
  /** float16 is passed as its IEEE bit patterns in a Uint16Array. */
  data: Float32Array | Uint16Array | Int8Array;
}

export interface ProbeModel {
  dtype: ProbeDtype;
  kind: ProbeModelKind;
  /** The encoded ONNX model. */
  bytes: Uint8Array;
  feeds: ProbeFeed[];
  output: { name: string; type: FeedType; dims: number[] };
  /** The correct output, from a float64 reference on the exact input values. */
  expected: Float64Array;
  /** Largest acceptable |output - expected|, as a fraction of max(1, max |expected|). */
  tolerance: number;
}

/** A model the probe does not build for this dtype, with the reason. */
export interface SkippedProbeModel {
  dtype: ProbeDtype;
  kind: ProbeModelKind;
  skipped: string;
}

// IR 9 / opset 19 (ONNX 1.14) is the first to define the float8 types; every
// op used here has had its current form since opset 13.
const IR_VERSION = 9;
const OPSET = 19;
const MS_DOMAIN = 'com.microsoft';

// MatMul: [M, K] x [K, N]. Attention: [batch, heads, sequence, head size].
const M = 8;
const K = 16;
const N = 8;
const ATTENTION_SHAPE = [1, 4, 16, 8] as const;

/**
 * Inputs are multiples of 1/8 in [-1, 1] (integers in [-8, 8] for int8):
 * exact in every probed format, float8 e4m3 included, so the reference sees
 * the same numbers the model does and the tolerance only has to cover the
 * arithmetic. A MatMul of them is even exact in float16.
 */
const GRID_STEPS = 8;

interface DtypePlan {
  /** The type the arithmetic runs in. */
  compute: OnnxDataTypeCode;
  /** The type fed from JS; differs from `compute` where Cast nodes convert inside the graph. */
  feed: 'float32' | 'float16' | 'int8';
  tolerance: number;
}

/**
 * onnxruntime-node has no JS tensor type for bfloat16 or float8 (its
 * Tensor rejects them and session metadata cannot describe them), so those
 * dtypes take float32 in and out and convert inside the graph: the Cast
 * nodes are cheap, and the MatMul, Softmax etc. still run in the dtype.
 */
const PLANS: Record<ProbeDtype, DtypePlan> = {
  float32: { compute: T.FLOAT, feed: 'float32', tolerance: 1e-5 },
  // Softmax and the second MatMul round to 11 significant bits.
  float16: { compute: T.FLOAT16, feed: 'float16', tolerance: 4e-3 },
  // 8 significant bits.
  bfloat16: { compute: T.BFLOAT16, feed: 'float32', tolerance: 3e-2 },
  int8: { compute: T.INT8, feed: 'int8', tolerance: 0 },
  // Exact inputs, float32 accumulation and output: only the accumulation order differs.
  float8e4m3fn: { compute: T.FLOAT8E4M3FN, feed: 'float32', tolerance: 1e-5 },
};

const FEED_CODE: Record<DtypePlan['feed'], OnnxDataTypeCode> = {
  float32: T.FLOAT,
  float16: T.FLOAT16,
  int8: T.INT8,
};

/** Why some dtype/model pairs are not built; shown to the user as the result's detail. */
const SKIP_REASONS: Partial<Record<`${ProbeDtype}/${ProbeModelKind}`, string>> = {
  'int8/attention':
    'ONNX has no integer Softmax: int8 attention is quantize/dequantize around float attention, which would measure the float dtype, not int8',
  'float8e4m3fn/attention':
    'ONNX has no float8 MatMul or Softmax: float8 attention exists only as fused vendor kernels',
};

/**
 * Builds one probe model for a dtype, with inputs drawn from a generator
 * seeded by `seed` so every run feeds the same numbers.
 */
export function buildProbeModel(
  dtype: ProbeDtype,
  kind: ProbeModelKind,
  seed = 1,
): ProbeModel | SkippedProbeModel {
  const skipped = SKIP_REASONS[`${dtype}/${kind}`];
  if (skipped !== undefined) return { dtype, kind, skipped };
  const random = seededRandom(seed);
  return kind === 'matmul' ? buildMatMul(dtype, random) : buildAttention(dtype, random);
}

function buildMatMul(dtype: ProbeDtype, random: () => number): ProbeModel {
  const plan = PLANS[dtype];
  const integer = dtype === 'int8';
  const a = gridValues(M * K, random, integer);
  const b = gridValues(K * N, random, integer);
  const expected = matmul(a, b, M, K, N);
  const feeds = [feed('a', plan, [M, K], a), feed('b', plan, [K, N], b)];
  const nodes: OnnxNode[] = [];
  const initializers: OnnxTensor[] = [];
  let outputType: FeedType = plan.feed;
  const opsets = [{ domain: '', version: OPSET }];
  if (dtype === 'int8') {
    nodes.push({ name: 'matmul', opType: 'MatMulInteger', inputs: ['a', 'b'], outputs: ['y'] });
    outputType = 'int32';
  } else if (dtype === 'float8e4m3fn') {
    // ONNX's own MatMul has no float8 form; onnxruntime's GemmFloat8
    // contrib op (cuBLASLt, CUDA only) is where float8 matrix products run.
    nodes.push(...castInputs(['a', 'b'], plan.compute));
    initializers.push(scalar('scale_a', T.FLOAT, 1), scalar('scale_b', T.FLOAT, 1));
    nodes.push({
      name: 'matmul',
      opType: 'GemmFloat8',
      domain: MS_DOMAIN,
      // Input 2 (the bias C) is left out; the scales are 1.
      inputs: ['a_cast', 'b_cast', '', 'scale_a', 'scale_b'],
      outputs: ['y'],
      attributes: [{ name: 'dtype', int: T.FLOAT }],
    });
    opsets.push({ domain: MS_DOMAIN, version: 1 });
  } else {
    const cast = plan.compute !== FEED_CODE[plan.feed];
    if (cast) nodes.push(...castInputs(['a', 'b'], plan.compute));
    const [x, y] = cast ? ['a_cast', 'b_cast'] : ['a', 'b'];
    nodes.push({
      name: 'matmul',
      opType: 'MatMul',
      inputs: [x!, y!],
      outputs: [cast ? 'y_c' : 'y'],
    });
    if (cast) nodes.push(castNode('y_c', 'y', FEED_CODE[plan.feed]));
  }
  const bytes = encodeModel({
    irVersion: IR_VERSION,
    opsetImports: opsets,
    graph: {
      name: `probe_matmul_${dtype}`,
      nodes,
      initializers,
      inputs: feeds.map((f) => ({ name: f.name, elemType: FEED_CODE[plan.feed], shape: f.dims })),
      outputs: [{ name: 'y', elemType: feedCode(outputType), shape: [M, N] }],
    },
  });
  return {
    dtype,
    kind: 'matmul',
    bytes,
    feeds,
    output: { name: 'y', type: outputType, dims: [M, N] },
    expected,
    tolerance: plan.tolerance,
  };
}

function buildAttention(dtype: ProbeDtype, random: () => number): ProbeModel {
  const plan = PLANS[dtype];
  const dims = [...ATTENTION_SHAPE];
  const [, heads, sequence, headSize] = ATTENTION_SHAPE;
  const size = heads * sequence * headSize;
  const q = gridValues(size, random, false);
  const k = gridValues(size, random, false);
  const v = gridValues(size, random, false);
  // The usual 1/sqrt(head size), as the compute dtype stores it.
  const { value: scale, bytes: scaleBytes } = encodeScalar(plan.compute, 1 / Math.sqrt(headSize));
  const cast = plan.compute !== FEED_CODE[plan.feed];
  const [qc, kc, vc] = cast ? ['q_cast', 'k_cast', 'v_cast'] : ['q', 'k', 'v'];
  const nodes: OnnxNode[] = [
    ...(cast ? castInputs(['q', 'k', 'v'], plan.compute) : []),
    {
      name: 'k_t',
      opType: 'Transpose',
      inputs: [kc],
      outputs: ['k_t'],
      attributes: [{ name: 'perm', ints: [0, 1, 3, 2] }],
    },
    { name: 'scores', opType: 'MatMul', inputs: [qc, 'k_t'], outputs: ['scores'] },
    { name: 'scaled', opType: 'Mul', inputs: ['scores', 'scale'], outputs: ['scaled'] },
    {
      name: 'softmax',
      opType: 'Softmax',
      inputs: ['scaled'],
      outputs: ['probs'],
      attributes: [{ name: 'axis', int: -1 }],
    },
    { name: 'context', opType: 'MatMul', inputs: ['probs', vc], outputs: [cast ? 'y_c' : 'y'] },
    ...(cast ? [castNode('y_c', 'y', FEED_CODE[plan.feed])] : []),
  ];
  const feeds = [feed('q', plan, dims, q), feed('k', plan, dims, k), feed('v', plan, dims, v)];
  const bytes = encodeModel({
    irVersion: IR_VERSION,
    opsetImports: [{ domain: '', version: OPSET }],
    graph: {
      name: `probe_attention_${dtype}`,
      nodes,
      initializers: [{ name: 'scale', dataType: plan.compute, dims: [], rawData: scaleBytes }],
      inputs: feeds.map((f) => ({ name: f.name, elemType: FEED_CODE[plan.feed], shape: dims })),
      outputs: [{ name: 'y', elemType: FEED_CODE[plan.feed], shape: dims }],
    },
  });
  return {
    dtype,
    kind: 'attention',
    bytes,
    feeds,
    output: { name: 'y', type: plan.feed, dims },
    expected: attention(q, k, v, heads, sequence, headSize, scale),
    tolerance: plan.tolerance,
  };
}

function castNode(input: string, output: string, to: OnnxDataTypeCode): OnnxNode {
  return {
    name: output,
    opType: 'Cast',
    inputs: [input],
    outputs: [output],
    attributes: [{ name: 'to', int: to }],
  };
}

function castInputs(names: readonly string[], to: OnnxDataTypeCode): OnnxNode[] {
  return names.map((name) => castNode(name, `${name}_cast`, to));
}

function scalar(name: string, dataType: OnnxDataTypeCode, value: number): OnnxTensor {
  return { name, dataType, dims: [], rawData: encodeScalar(dataType, value).bytes };
}

/** A scalar's bytes in `type`, and the value those bytes hold after rounding. */
function encodeScalar(type: OnnxDataTypeCode, value: number): { value: number; bytes: Uint8Array } {
  if (type === T.FLOAT16) {
    const bits = float16Bits(value);
    return { value: float16Value(bits), bytes: littleEndianBytes(Uint16Array.of(bits)) };
  }
  if (type === T.BFLOAT16) {
    const bits = bfloat16Bits(value);
    return { value: bfloat16Value(bits), bytes: littleEndianBytes(Uint16Array.of(bits)) };
  }
  return { value: Math.fround(value), bytes: littleEndianBytes(Float32Array.of(value)) };
}

function feed(name: string, plan: DtypePlan, dims: number[], values: Float64Array): ProbeFeed {
  if (plan.feed === 'int8') return { name, type: 'int8', dims, data: Int8Array.from(values) };
  if (plan.feed === 'float16') {
    return { name, type: 'float16', dims, data: Uint16Array.from(values, float16Bits) };
  }
  return { name, type: 'float32', dims, data: Float32Array.from(values) };
}

function feedCode(type: FeedType): OnnxDataTypeCode {
  return type === 'int32' ? T.INT32 : FEED_CODE[type];
}

/**
 * An output's elements as numbers (float16 bit patterns decoded), for
 * comparing with `expected`.
 */
export function outputValues(type: FeedType, data: ArrayLike<number>): Float64Array {
  return type === 'float16' ? Float64Array.from(data, float16Value) : Float64Array.from(data);
}

function gridValues(count: number, random: () => number, integer: boolean): Float64Array {
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const step = Math.floor(random() * (2 * GRID_STEPS + 1)) - GRID_STEPS;
    out[i] = integer ? step : step / GRID_STEPS;
  }
  return out;
}

/** mulberry32: a small seeded generator; the inputs need to be repeatable, not strong. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Row-major [rows, inner] x [inner, cols] in float64. */
export function matmul(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  rows: number,
  inner: number,
  cols: number,
): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      let sum = 0;
      for (let p = 0; p < inner; p++) sum += a[i * inner + p]! * b[p * cols + j]!;
      out[i * cols + j] = sum;
    }
  }
  return out;
}

/** softmax(Q Kᵀ · scale) V per head, batch 1, in float64. */
export function attention(
  q: Float64Array,
  k: Float64Array,
  v: Float64Array,
  heads: number,
  sequence: number,
  headSize: number,
  scale: number,
): Float64Array {
  const out = new Float64Array(heads * sequence * headSize);
  const row = new Float64Array(sequence);
  for (let h = 0; h < heads; h++) {
    const base = h * sequence * headSize;
    for (let i = 0; i < sequence; i++) {
      let max = Number.NEGATIVE_INFINITY;
      for (let j = 0; j < sequence; j++) {
        let dot = 0;
        for (let d = 0; d < headSize; d++) {
          dot += q[base + i * headSize + d]! * k[base + j * headSize + d]!;
        }
        row[j] = dot * scale;
        max = Math.max(max, row[j]!);
      }
      let total = 0;
      for (let j = 0; j < sequence; j++) {
        row[j] = Math.exp(row[j]! - max);
        total += row[j]!;
      }
      for (let d = 0; d < headSize; d++) {
        let sum = 0;
        for (let j = 0; j < sequence; j++) sum += (row[j]! / total) * v[base + j * headSize + d]!;
        out[base + i * headSize + d] = sum;
      }
    }
  }
  return out;
}

const scratch = new DataView(new ArrayBuffer(4));

/** IEEE float16 bit pattern of `value`, rounded to nearest even. */
export function float16Bits(value: number): number {
  scratch.setFloat32(0, value);
  const bits = scratch.getUint32(0);
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  const mantissa = bits & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0); // Inf or NaN
  const unbiased = exponent - 127;
  if (unbiased > 15) return sign | 0x7c00; // overflows to Inf
  if (unbiased >= -14) {
    // Normal: keep 10 mantissa bits; the carry may roll into the exponent, correctly.
    return sign | roundShift(((unbiased + 15) << 10) * 0x2000 + mantissa, 13);
  }
  if (unbiased < -25) return sign; // underflows to zero
  // Subnormal: the implicit leading 1 becomes explicit and shifts right.
  return sign | roundShift(mantissa | 0x800000, -unbiased - 1);
}

/** `value >> shift`, rounded to nearest with ties to even. */
function roundShift(value: number, shift: number): number {
  const divisor = 2 ** shift;
  const quotient = Math.floor(value / divisor);
  const remainder = value - quotient * divisor;
  const half = divisor / 2;
  return remainder > half || (remainder === half && quotient % 2 === 1) ? quotient + 1 : quotient;
}

/** The number an IEEE float16 bit pattern holds. */
export function float16Value(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >>> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0x1f) return mantissa ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

/** bfloat16 bit pattern of `value`: the top half of its float32, rounded to nearest even. */
export function bfloat16Bits(value: number): number {
  scratch.setFloat32(0, value);
  const bits = scratch.getUint32(0);
  if (Number.isNaN(value)) return (bits >>> 16) | 0x40;
  return roundShift(bits, 16) & 0xffff;
}

export function bfloat16Value(bits: number): number {
  scratch.setUint32(0, bits << 16);
  return scratch.getFloat32(0);
}
