/**
 * A small helper for writing ONNX graphs by hand: it names intermediate
 * values, and makes float32 weights from a seeded generator so a model
 * built twice from the same seed has the same weights byte for byte.
 */
import {
  littleEndianBytes,
  type OnnxAttribute,
  OnnxDataType,
  type OnnxNode,
  type OnnxTensor,
} from '@vggt-perf-gate/device/onnx';
import { createRng, type Rng } from '@vggt-perf-gate/timing';

/** Bytes of one int64 element. */
const INT64_BYTES = 8;

/** Collects a graph's nodes and initializers; pass them to `encodeModel`. */
export class GraphBuilder {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxTensor[] = [];
  private readonly rng: Rng;
  private readonly used = new Set<string>();

  constructor(seed: number) {
    this.rng = createRng(seed);
  }

  /** Adds a node with one output, named from `name`, and returns that output's name. */
  op(
    opType: string,
    inputs: readonly string[],
    name: string,
    attributes?: OnnxAttribute[],
  ): string {
    const output = this.unique(name);
    this.nodes.push({
      opType,
      inputs,
      outputs: [output],
      name: output,
      ...(attributes ? { attributes } : {}),
    });
    return output;
  }

  /** A float32 weight of normal values times `scale`, drawn from the builder's generator. */
  weight(name: string, dims: readonly number[], scale: number): string {
    const values = new Float32Array(count(dims));
    for (let i = 0; i < values.length; i++) values[i] = this.rng.normal() * scale;
    return this.floats(name, dims, values);
  }

  /**
   * A float32 tensor filled with one value. Draws nothing from the
   * generator, so adding one leaves every later weight unchanged.
   */
  filled(name: string, dims: readonly number[], value: number): string {
    return this.floats(name, dims, new Float32Array(count(dims)).fill(value));
  }

  /** An int64 tensor (shapes, axes, indices); a number alone makes a scalar. */
  int64(name: string, values: number | readonly number[]): string {
    const list = typeof values === 'number' ? [values] : values;
    const bytes = new Uint8Array(list.length * INT64_BYTES);
    const view = new DataView(bytes.buffer);
    list.forEach((value, i) => {
      view.setBigInt64(i * INT64_BYTES, BigInt(value), true);
    });
    const output = this.unique(name);
    this.initializers.push({
      name: output,
      dataType: OnnxDataType.INT64,
      dims: typeof values === 'number' ? [] : [list.length],
      rawData: bytes,
    });
    return output;
  }

  private floats(name: string, dims: readonly number[], values: Float32Array): string {
    const output = this.unique(name);
    this.initializers.push({
      name: output,
      dataType: OnnxDataType.FLOAT,
      dims,
      rawData: littleEndianBytes(values),
    });
    return output;
  }

  /** `name`, or `name_2`, `name_3`... when taken: ONNX needs every value name to be unique. */
  private unique(name: string): string {
    let candidate = name;
    for (let i = 2; this.used.has(candidate); i++) candidate = `${name}_${i}`;
    this.used.add(candidate);
    return candidate;
  }
}

function count(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}
