import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { DeviceError } from '../src/errors.js';
import {
  bfloat16Bits,
  bfloat16Value,
  float16Bits,
  float16Value,
  matmul,
} from '../src/onnx/probe-models.js';
import { encodeModel, type OnnxModel, OnnxDataType as T } from '../src/onnx/proto.js';

function matmulModel(overrides: Partial<OnnxModel['graph']> = {}): OnnxModel {
  return {
    irVersion: 9,
    opsetImports: [{ domain: '', version: 19 }],
    producerName: 'onnx-proto.test',
    graph: {
      name: 'matmul',
      nodes: [{ opType: 'MatMul', inputs: ['a', 'b'], outputs: ['y'] }],
      inputs: [
        { name: 'a', elemType: T.FLOAT, shape: ['rows', 3] },
        { name: 'b', elemType: T.FLOAT, shape: [3, 2] },
      ],
      outputs: [{ name: 'y', elemType: T.FLOAT, shape: ['rows', 2] }],
      ...overrides,
    },
  };
}

describe('encodeModel', () => {
  it('writes protobuf fields in the order and wire format onnx.proto defines', () => {
    const bytes = encodeModel({
      irVersion: 9,
      opsetImports: [{ domain: '', version: 19 }],
      graph: { name: 'g', nodes: [], inputs: [], outputs: [] },
    });
    // ir_version (1, varint) = 9; graph (7, bytes) { name (2) = "g" }; opset_import (8) { version (2) = 19 }.
    expect([...bytes]).toEqual([0x08, 9, 0x3a, 3, 0x12, 1, 0x67, 0x42, 2, 0x10, 19]);
  });

  it('encodes negative int64 attributes as ten-byte two’s complement varints', () => {
    const bytes = encodeModel({
      irVersion: 9,
      opsetImports: [{ domain: '', version: 19 }],
      graph: {
        name: 'g',
        nodes: [
          {
            opType: 'Softmax',
            inputs: ['x'],
            outputs: ['y'],
            attributes: [{ name: 'axis', int: -1 }],
          },
        ],
        inputs: [],
        outputs: [],
      },
    });
    const minusOne = [0x18, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01];
    const at = bytes.findIndex((_, i) => minusOne.every((b, j) => bytes[i + j] === b));
    expect(at).toBeGreaterThan(0);
  });

  it('produces bytes onnxruntime loads, with the names, types and symbolic dims it was given', async () => {
    const session = await ort.InferenceSession.create(encodeModel(matmulModel()));
    try {
      expect(session.inputNames).toEqual(['a', 'b']);
      expect(session.outputNames).toEqual(['y']);
      expect(session.inputMetadata[0]).toMatchObject({ type: 'float32', shape: ['rows', 3] });
      const a = Float32Array.of(1, 2, 3, 4, 5, 6);
      const b = Float32Array.of(1, 0, 0, 1, 1, 1);
      const { y } = await session.run({
        a: new ort.Tensor('float32', a, [2, 3]),
        b: new ort.Tensor('float32', b, [3, 2]),
      });
      expect(y!.dims).toEqual([2, 2]);
      expect([...(y!.data as Float32Array)]).toEqual([...matmul(a, b, 2, 3, 2)]);
      expect([...(y!.data as Float32Array)]).toEqual([4, 5, 10, 11]);
    } finally {
      await session.release();
    }
  });

  it('encodes initializers and attributes onnxruntime applies', async () => {
    const model = matmulModel({
      nodes: [
        {
          opType: 'Transpose',
          inputs: ['bt'],
          outputs: ['b'],
          attributes: [{ name: 'perm', ints: [1, 0] }],
        },
        { opType: 'MatMul', inputs: ['a', 'b'], outputs: ['p'] },
        { opType: 'Mul', inputs: ['p', 'half'], outputs: ['y'] },
      ],
      inputs: [
        { name: 'a', elemType: T.FLOAT, shape: [1, 3] },
        { name: 'bt', elemType: T.FLOAT, shape: [2, 3] },
      ],
      outputs: [{ name: 'y', elemType: T.FLOAT, shape: [1, 2] }],
      initializers: [
        {
          name: 'half',
          dataType: T.FLOAT,
          dims: [],
          rawData: new Uint8Array(Float32Array.of(0.5).buffer),
        },
      ],
    });
    const session = await ort.InferenceSession.create(encodeModel(model));
    try {
      const { y } = await session.run({
        a: new ort.Tensor('float32', Float32Array.of(1, 2, 3), [1, 3]),
        bt: new ort.Tensor('float32', Float32Array.of(1, 1, 1, 0, 0, 2), [2, 3]),
      });
      expect([...(y!.data as Float32Array)]).toEqual([3, 3]);
    } finally {
      await session.release();
    }
  });

  it('rejects values protobuf or ONNX cannot hold, saying where', () => {
    const fractional = matmulModel({ inputs: [{ name: 'a', elemType: T.FLOAT, shape: [1.5, 3] }] });
    expect(() => encodeModel(fractional)).toThrow(/value "a".*1\.5 is not an integer/);
    const negative = matmulModel({ inputs: [{ name: 'a', elemType: T.FLOAT, shape: [-1, 3] }] });
    expect(() => encodeModel(negative)).toThrow(/negative; use a name/);
    const short = matmulModel({
      initializers: [{ name: 'w', dataType: T.FLOAT16, dims: [2, 2], rawData: new Uint8Array(6) }],
    });
    expect(() => encodeModel(short)).toThrow(/initializer "w": raw_data holds 6 bytes .* need 8/);
    const noOpset = { ...matmulModel(), opsetImports: [] };
    try {
      encodeModel(noOpset);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(DeviceError);
      expect((error as DeviceError).code).toBe('INVALID_ARGUMENT');
    }
  });

  it('gives a model that is well-formed protobuf but a broken graph to onnxruntime, which names the fault', async () => {
    const dangling = matmulModel({
      nodes: [{ opType: 'MatMul', inputs: ['a', 'missing'], outputs: ['y'] }],
    });
    await expect(ort.InferenceSession.create(encodeModel(dangling))).rejects.toThrow(/missing/);
    await expect(ort.InferenceSession.create(Uint8Array.of(0xff, 0xff, 0xff))).rejects.toThrow(
      /protobuf parsing failed/,
    );
  });
});

describe('half-precision bit patterns', () => {
  it('round float16 to nearest even and decode exactly', () => {
    expect(float16Bits(1)).toBe(0x3c00);
    expect(float16Bits(-2)).toBe(0xc000);
    expect(float16Bits(65504)).toBe(0x7bff);
    expect(float16Bits(65520)).toBe(0x7c00); // rounds up past the largest finite value
    expect(float16Bits(2 ** -24)).toBe(0x0001); // smallest subnormal
    expect(float16Bits(1 + 2 ** -11)).toBe(0x3c00); // a tie goes to the even mantissa
    expect(float16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02);
    expect(float16Value(0x3555)).toBeCloseTo(1 / 3, 3);
    for (const bits of [0x0001, 0x03ff, 0x0400, 0x3c00, 0x7bff, 0xc000]) {
      expect(float16Bits(float16Value(bits))).toBe(bits);
    }
  });

  it('round bfloat16 to nearest even', () => {
    expect(bfloat16Bits(1)).toBe(0x3f80);
    expect(bfloat16Value(bfloat16Bits(1 / 3))).toBeCloseTo(1 / 3, 2);
    expect(bfloat16Bits(1 + 2 ** -8)).toBe(0x3f80); // tie to even
    expect(bfloat16Bits(1 + 3 * 2 ** -8)).toBe(0x3f82);
  });
});
