/**
 * A minimal protobuf encoder for the subset of ONNX's ModelProto that the
 * dtype probe needs, so the probe can build its models in memory without a
 * protobuf library or model files on disk. Field numbers are those of
 * onnx/onnx.proto; only encoding is supported, never decoding.
 */
import { DeviceError } from '../errors.js';

/** ONNX TensorProto.DataType values (onnx.proto) the probe uses. */
export const OnnxDataType = {
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  INT32: 6,
  INT64: 7,
  FLOAT16: 10,
  BFLOAT16: 16,
  FLOAT8E4M3FN: 17,
} as const;

/** One of the OnnxDataType values, e.g. 1 for FLOAT. */
export type OnnxDataTypeCode = (typeof OnnxDataType)[keyof typeof OnnxDataType];

/** A dimension: a fixed size (dim_value) or a symbolic name (dim_param). */
export type OnnxDim = number | string;

/** A graph input or output (ValueInfoProto holding a tensor type). */
export interface OnnxValueInfo {
  name: string;
  elemType: OnnxDataTypeCode;
  shape: readonly OnnxDim[];
}

/** A node attribute; exactly one value field is set. */
export type OnnxAttribute =
  | { name: string; int: number }
  | { name: string; float: number }
  | { name: string; ints: readonly number[] }
  | { name: string; string: string };

/** One node of the graph (NodeProto): an operator with named inputs and outputs. */
export interface OnnxNode {
  opType: string;
  inputs: readonly string[];
  outputs: readonly string[];
  name?: string;
  /** Operator set domain; '' (the default) is the standard ai.onnx set. */
  domain?: string;
  attributes?: readonly OnnxAttribute[];
}

/** A constant tensor (initializer), stored little-endian in raw_data. */
export interface OnnxTensor {
  name: string;
  dataType: OnnxDataTypeCode;
  dims: readonly number[];
  rawData: Uint8Array;
}

/**
 * The graph (GraphProto): its nodes, in an order where each node comes after
 * those whose outputs it reads, its inputs and outputs, and its constants.
 */
export interface OnnxGraph {
  name: string;
  nodes: readonly OnnxNode[];
  inputs: readonly OnnxValueInfo[];
  outputs: readonly OnnxValueInfo[];
  initializers?: readonly OnnxTensor[];
}

export interface OnnxOpsetImport {
  /** '' for the standard ai.onnx set, e.g. 'com.microsoft' for contrib ops. */
  domain: string;
  version: number;
}

/**
 * A whole model (ModelProto), as `encodeModel` takes it. `opsetImports`
 * must name at least the standard set (`domain: ''`).
 */
export interface OnnxModel {
  irVersion: number;
  opsetImports: readonly OnnxOpsetImport[];
  graph: OnnxGraph;
  producerName?: string;
}

// Protobuf wire types.
const VARINT = 0;
const LENGTH_DELIMITED = 2;
const FIXED32 = 5;

// AttributeProto.AttributeType values.
const ATTRIBUTE_FLOAT = 1;
const ATTRIBUTE_INT = 2;
const ATTRIBUTE_STRING = 3;
const ATTRIBUTE_INTS = 7;

/** Bytes per element of the types an initializer may hold, to check raw_data's length. */
const ELEMENT_BYTES: Record<OnnxDataTypeCode, number> = {
  1: 4,
  2: 1,
  3: 1,
  6: 4,
  7: 8,
  10: 2,
  16: 2,
  17: 1,
};

/**
 * Collects one message's bytes. Nested messages are encoded on their own
 * Writer first, because protobuf prefixes them with their byte length.
 */
class Writer {
  private readonly chunks: number[] = [];
  private readonly parts: Uint8Array[] = [];
  private length = 0;

  /** An unsigned varint; negative int64 values are written as their 64-bit two's complement, as protobuf requires. */
  varint(value: number): void {
    if (value >= 0 && value <= 0xffffffff) {
      let rest = value;
      while (rest > 0x7f) {
        this.byte((rest & 0x7f) | 0x80);
        rest = Math.floor(rest / 128);
      }
      this.byte(rest);
      return;
    }
    let rest = BigInt.asUintN(64, BigInt(value));
    while (rest > 0x7fn) {
      this.byte(Number(rest & 0x7fn) | 0x80);
      rest >>= 7n;
    }
    this.byte(Number(rest));
  }

  tag(field: number, wireType: number): void {
    this.varint(field * 8 + wireType);
  }

  bytes(field: number, value: Uint8Array): void {
    this.tag(field, LENGTH_DELIMITED);
    this.varint(value.length);
    this.flush();
    this.parts.push(value);
    this.length += value.length;
  }

  string(field: number, value: string): void {
    this.bytes(field, new TextEncoder().encode(value));
  }

  int(field: number, value: number): void {
    this.tag(field, VARINT);
    this.varint(value);
  }

  float(field: number, value: number): void {
    this.tag(field, FIXED32);
    const view = new DataView(new ArrayBuffer(4));
    view.setFloat32(0, value, true);
    for (let i = 0; i < 4; i++) this.byte(view.getUint8(i));
  }

  /** A packed repeated int64 (proto3 style, which proto2 parsers also accept). */
  packedInts(field: number, values: readonly number[]): void {
    const inner = new Writer();
    for (const value of values) inner.varint(value);
    this.bytes(field, inner.finish());
  }

  finish(): Uint8Array {
    this.flush();
    const out = new Uint8Array(this.length);
    let offset = 0;
    for (const part of this.parts) {
      out.set(part, offset);
      offset += part.length;
    }
    return out;
  }

  private byte(value: number): void {
    this.chunks.push(value);
    this.length++;
  }

  private flush(): void {
    if (this.chunks.length === 0) return;
    this.parts.push(Uint8Array.from(this.chunks));
    this.chunks.length = 0;
  }
}

function invalid(where: string, problem: string): DeviceError {
  return new DeviceError('INVALID_ARGUMENT', `ONNX model ${where}: ${problem}.`);
}

function checkInt(where: string, value: number): void {
  if (!Number.isSafeInteger(value)) {
    throw invalid(where, `${value} is not an integer; protobuf int64 fields take safe integers`);
  }
}

function encodeShape(where: string, shape: readonly OnnxDim[]): Uint8Array {
  const out = new Writer();
  for (const dim of shape) {
    const d = new Writer();
    if (typeof dim === 'string') {
      if (dim === '') throw invalid(where, 'a symbolic dimension has an empty name');
      d.string(2, dim); // dim_param
    } else {
      checkInt(where, dim);
      if (dim < 0)
        throw invalid(where, `dimension ${dim} is negative; use a name for unknown sizes`);
      d.int(1, dim); // dim_value
    }
    out.bytes(1, d.finish()); // TensorShapeProto.dim
  }
  return out.finish();
}

function encodeValueInfo(info: OnnxValueInfo): Uint8Array {
  const tensor = new Writer();
  tensor.int(1, info.elemType); // TypeProto.Tensor.elem_type
  tensor.bytes(2, encodeShape(`value ${JSON.stringify(info.name)}`, info.shape)); // shape
  const type = new Writer();
  type.bytes(1, tensor.finish()); // TypeProto.tensor_type
  const out = new Writer();
  out.string(1, info.name); // ValueInfoProto.name
  out.bytes(2, type.finish()); // ValueInfoProto.type
  return out.finish();
}

function encodeAttribute(node: string, attribute: OnnxAttribute): Uint8Array {
  const out = new Writer();
  out.string(1, attribute.name);
  const where = `node ${node} attribute ${JSON.stringify(attribute.name)}`;
  if ('int' in attribute) {
    checkInt(where, attribute.int);
    out.int(3, attribute.int); // i
    out.int(20, ATTRIBUTE_INT); // type
  } else if ('float' in attribute) {
    out.float(2, attribute.float); // f
    out.int(20, ATTRIBUTE_FLOAT);
  } else if ('ints' in attribute) {
    // ints is `repeated int64` without [packed]: one tagged varint per element.
    for (const value of attribute.ints) {
      checkInt(where, value);
      out.int(8, value);
    }
    out.int(20, ATTRIBUTE_INTS);
  } else {
    out.bytes(4, new TextEncoder().encode(attribute.string)); // s
    out.int(20, ATTRIBUTE_STRING);
  }
  return out.finish();
}

function encodeNode(node: OnnxNode, index: number): Uint8Array {
  const label = node.name ? JSON.stringify(node.name) : `#${index} (${node.opType})`;
  if (node.opType === '') throw invalid(`node ${label}`, 'op_type is empty');
  const out = new Writer();
  for (const input of node.inputs) out.string(1, input);
  for (const output of node.outputs) out.string(2, output);
  if (node.name) out.string(3, node.name);
  out.string(4, node.opType);
  for (const attribute of node.attributes ?? []) out.bytes(5, encodeAttribute(label, attribute));
  if (node.domain) out.string(7, node.domain);
  return out.finish();
}

function encodeTensor(tensor: OnnxTensor): Uint8Array {
  const where = `initializer ${JSON.stringify(tensor.name)}`;
  let count = 1;
  for (const dim of tensor.dims) {
    checkInt(where, dim);
    if (dim < 0) throw invalid(where, `dimension ${dim} is negative`);
    count *= dim;
  }
  const expected = count * ELEMENT_BYTES[tensor.dataType];
  if (tensor.rawData.length !== expected) {
    throw invalid(
      where,
      `raw_data holds ${tensor.rawData.length} bytes but dims [${tensor.dims.join(', ')}] of data type ${tensor.dataType} need ${expected}`,
    );
  }
  const out = new Writer();
  if (tensor.dims.length > 0) out.packedInts(1, tensor.dims); // dims
  out.int(2, tensor.dataType); // data_type
  out.string(8, tensor.name); // name
  out.bytes(9, tensor.rawData); // raw_data
  return out.finish();
}

function encodeGraph(graph: OnnxGraph): Uint8Array {
  const out = new Writer();
  graph.nodes.forEach((node, index) => {
    out.bytes(1, encodeNode(node, index)); // GraphProto.node
  });
  out.string(2, graph.name);
  for (const tensor of graph.initializers ?? []) out.bytes(5, encodeTensor(tensor));
  for (const input of graph.inputs) out.bytes(11, encodeValueInfo(input));
  for (const output of graph.outputs) out.bytes(12, encodeValueInfo(output));
  return out.finish();
}

/**
 * Serialises a model to ONNX protobuf bytes, ready for
 * `InferenceSession.create(bytes)`. Throws DeviceError('INVALID_ARGUMENT')
 * for values protobuf or ONNX cannot hold (fractional or negative sizes,
 * initializer data of the wrong length); it does not check that the graph
 * itself makes sense, which onnxruntime does when it loads the bytes.
 *
 * @example
 * import { encodeModel, OnnxDataType, type OnnxValueInfo } from '@vggt-perf-gate/device/onnx';
 * const x: OnnxValueInfo = { name: 'x', elemType: OnnxDataType.FLOAT, shape: ['n', 4] };
 * const y: OnnxValueInfo = { ...x, name: 'y' };
 * const graph = { name: 'relu', nodes: [{ opType: 'Relu', inputs: ['x'], outputs: ['y'] }], inputs: [x], outputs: [y] };
 * const bytes = encodeModel({ irVersion: 9, opsetImports: [{ domain: '', version: 19 }], graph });
 */
export function encodeModel(model: OnnxModel): Uint8Array {
  checkInt('ir_version', model.irVersion);
  if (model.opsetImports.length === 0) {
    throw invalid('opset_import', 'is empty; import at least the standard set ({ domain: "" })');
  }
  const out = new Writer();
  out.int(1, model.irVersion); // ir_version
  if (model.producerName) out.string(2, model.producerName); // producer_name
  out.bytes(7, encodeGraph(model.graph)); // graph
  for (const opset of model.opsetImports) {
    checkInt(`opset_import ${JSON.stringify(opset.domain)}`, opset.version);
    const entry = new Writer();
    if (opset.domain) entry.string(1, opset.domain); // OperatorSetIdProto.domain
    entry.int(2, opset.version); // version
    out.bytes(8, entry.finish()); // opset_import
  }
  return out.finish();
}

/**
 * Little-endian bytes of a typed array, for OnnxTensor.rawData: a copy,
 * byte-swapped on a big-endian host. float16 and bfloat16 values go in as
 * their bit patterns in a Uint16Array.
 *
 * @example
 * import { littleEndianBytes, OnnxDataType, type OnnxTensor } from '@vggt-perf-gate/device/onnx';
 * const rawData = littleEndianBytes(new Float32Array([1, 0, 0, 1]));
 * const identity: OnnxTensor = { name: 'w', dataType: OnnxDataType.FLOAT, dims: [2, 2], rawData };
 */
export function littleEndianBytes(
  values: Float32Array | Uint16Array | Int8Array | Uint8Array | Int32Array,
): Uint8Array {
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] === 1) return bytes.slice();
  // Big-endian host: swap each element's bytes.
  const size = values.BYTES_PER_ELEMENT;
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i += size) {
    for (let j = 0; j < size; j++) out[i + j] = bytes[i + size - 1 - j]!;
  }
  return out;
}
