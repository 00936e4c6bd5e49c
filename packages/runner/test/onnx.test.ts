import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { encodeModel, OnnxDataType, type OnnxValueInfo } from '@vggt-perf-gate/device/onnx';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildVggtShapedModel } from '../src/demo/vggt-onnx.js';
import { RunnerError } from '../src/errors.js';
import { onnxWorkload } from '../src/workloads/onnx.js';
import { float16Bits } from '../src/workloads/onnx-inputs.js';
import { loadOnnxRuntime } from '../src/workloads/onnx-runtime.js';
import type { WorkloadContext } from '../src/workloads/types.js';

// Small enough that one run takes about a millisecond.
const SMALL = { frames: 'frames', height: 28, width: 28, embedDim: 16, depth: 1, heads: 2 };
const SYMBOLIC_MODEL = 'models/symbolic.onnx';
const MIXED_MODEL = 'models/mixed.onnx';
const BROKEN_MODEL = 'models/broken.onnx';

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'onnx-workload-'));
  write(SYMBOLIC_MODEL, buildVggtShapedModel(SMALL));
  write(MIXED_MODEL, mixedTypesModel());
  write(BROKEN_MODEL, new Uint8Array([1, 2, 3, 4]));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function write(path: string, bytes: Uint8Array): void {
  const file = join(dir, path);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, bytes);
}

function context(logs: string[] = [], dtype = 'fp32'): WorkloadContext {
  return { side: 'head', cwd: dir, dtype, log: (line) => logs.push(line) };
}

async function failure(promise: Promise<unknown>): Promise<RunnerError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RunnerError);
  return error as RunnerError;
}

function thrown(fn: () => unknown): RunnerError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(RunnerError);
    return error as RunnerError;
  }
  throw new Error('expected a RunnerError, but nothing was thrown');
}

/** A model with inputs of several element types, each passed through. */
function mixedTypesModel(): Uint8Array {
  const inputs: OnnxValueInfo[] = [
    { name: 'ids', elemType: OnnxDataType.INT64, shape: [2, 'length'] },
    { name: 'half', elemType: OnnxDataType.FLOAT16, shape: [3] },
    { name: 'mask', elemType: OnnxDataType.INT32, shape: [4] },
    { name: 'full', elemType: OnnxDataType.FLOAT, shape: [2, 2] },
  ];
  return encodeModel({
    irVersion: 8,
    opsetImports: [{ domain: '', version: 17 }],
    graph: {
      name: 'mixed',
      nodes: inputs.map((input) => ({
        opType: 'Identity',
        inputs: [input.name],
        outputs: [`${input.name}_out`],
      })),
      inputs,
      outputs: inputs.map((input) => ({ ...input, name: `${input.name}_out` })),
    },
  });
}

/** A stand-in for onnxruntime-node that records the session options it was given. */
function fakeRuntime(options: {
  backends: { name: string; bundled: boolean }[];
  createError: string;
}): { runtime: object; created: unknown[] } {
  const created: unknown[] = [];
  const runtime = {
    env: { versions: { common: '9.9.9', node: '9.9.9' } },
    listSupportedBackends: () => options.backends,
    InferenceSession: {
      create: async (_path: string, sessionOptions: unknown) => {
        created.push(sessionOptions);
        throw new Error(options.createError);
      },
    },
  };
  return { runtime, created };
}

describe('onnxWorkload on the CPU provider', () => {
  it('fills symbolic dims from config.inputs and reports what ran', async () => {
    const workload = onnxWorkload({
      model: SYMBOLIC_MODEL,
      provider: 'cpu',
      inputs: { frames: 2 },
    });
    expect(workload.kind).toBe('onnx');
    const session = await workload.open(context());
    try {
      expect(session.pid).toBe(process.pid);
      expect(session.info).toMatchObject({
        framework: 'onnxruntime',
        frameworkVersion: expect.stringMatching(/^\d+\.\d+\.\d+/),
        device: 'cpu',
        dtype: 'fp32',
        itemsPerIteration: null,
      });
      expect(session.info.extra).toMatchObject({
        model: join(dir, SYMBOLIC_MODEL),
        provider: 'cpu',
        inputs: [{ name: 'images', type: 'float32', dims: [2, 3, 28, 28] }],
        outputs: ['camera', 'depth'],
      });
    } finally {
      await session.close();
    }
  });

  it('run(n) times n iterations; warmup(n) runs untimed; deviceMs is the host time on cpu', async () => {
    const session = await onnxWorkload({
      model: SYMBOLIC_MODEL,
      provider: 'cpu',
      inputs: { frames: 1 },
    }).open(context());
    try {
      await session.warmup(3);
      const round = await session.run(5);
      expect(round.samples).toHaveLength(5);
      expect(round.memory).toEqual([]);
      for (const sample of round.samples) {
        expect(sample.hostMs).toBeGreaterThan(0);
        expect(sample.deviceMs).toBe(sample.hostMs);
      }
      expect((await session.run(0)).samples).toEqual([]);
      expect((await failure(session.run(-1))).code).toBe('USAGE');
    } finally {
      await session.close();
    }
  });

  it('close() is safe twice, and a closed session refuses to run', async () => {
    const session = await onnxWorkload({
      model: SYMBOLIC_MODEL,
      provider: 'cpu',
      inputs: { frames: 1 },
    }).open(context());
    await session.close();
    await session.close();
    const error = await failure(session.run(1));
    expect(error.code).toBe('USAGE');
    expect(error.message).toContain('after close()');
  });

  it('names an unresolved symbolic dim and the config key that sizes it', async () => {
    const error = await failure(
      onnxWorkload({ model: SYMBOLIC_MODEL, provider: 'cpu' }).open(context()),
    );
    expect(error.code).toBe('WORKLOAD_FAILED');
    expect(error.message).toContain('frames (input "images" axis 0)');
    expect(error.message).toContain('inputs: { frames: <size> }');
    expect(error.message).toContain(join(dir, SYMBOLIC_MODEL));
  });

  it('logs config inputs the model has no dimension for, and a dtype other than the run resolved', async () => {
    const logs: string[] = [];
    const session = await onnxWorkload({
      model: SYMBOLIC_MODEL,
      provider: 'cpu',
      inputs: { frames: 1, frame: 4 },
    }).open(context(logs, 'bf16'));
    await session.close();
    expect(logs.join('\n')).toContain('no symbolic input dimension named frame;');
    expect(logs.join('\n')).toContain('takes fp32 inputs, not the bf16 this run resolved');
  });

  it('generates float16, int64 and int32 inputs, and takes the dtype from the first float input', async () => {
    const session = await onnxWorkload({
      model: MIXED_MODEL,
      provider: 'cpu',
      inputs: { length: 5 },
    }).open(context());
    try {
      expect(session.info.dtype).toBe('fp16');
      expect(session.info.extra.inputs).toEqual([
        { name: 'ids', type: 'int64', dims: [2, 5] },
        { name: 'half', type: 'float16', dims: [3] },
        { name: 'mask', type: 'int32', dims: [4] },
        { name: 'full', type: 'float32', dims: [2, 2] },
      ]);
      expect((await session.run(2)).samples).toHaveLength(2);
    } finally {
      await session.close();
    }
  });

  it('a missing model file is an error naming the resolved path', async () => {
    const error = await failure(
      onnxWorkload({ model: 'models/nope.onnx', provider: 'cpu' }).open(context()),
    );
    expect(error.code).toBe('WORKLOAD_FAILED');
    expect(error.message).toContain(join(dir, 'models/nope.onnx'));
    expect(error.message).toContain(`resolved against ${dir}`);
  });

  it('a file that is not an ONNX model is an error naming it', async () => {
    const error = await failure(
      onnxWorkload({ model: BROKEN_MODEL, provider: 'cpu' }).open(context()),
    );
    expect(error.code).toBe('WORKLOAD_FAILED');
    expect(error.message).toContain(`could not load model ${join(dir, BROKEN_MODEL)}`);
  });
});

describe('onnxWorkload on GPU providers', () => {
  it('cuda without its provider installed is WORKLOAD_FAILED with the install hint, never a CPU run', async () => {
    for (const provider of ['cuda', 'tensorrt'] as const) {
      const error = await failure(
        onnxWorkload({ model: SYMBOLIC_MODEL, provider, inputs: { frames: 1 } }).open(context()),
      );
      expect(error.code).toBe('WORKLOAD_FAILED');
      expect(error.message).toContain(`${provider} provider is not installed`);
      expect(error.message).toContain('npm rebuild onnxruntime-node');
      expect(error.message).toContain('never falls back to the CPU');
    }
  });

  it('asks for the provider alone, with CPU fallback disabled', async () => {
    const { runtime, created } = fakeRuntime({
      backends: [{ name: 'cuda', bundled: true }],
      createError: 'Failed to load library libonnxruntime_providers_cuda.so',
    });
    const error = await failure(
      onnxWorkload({ model: SYMBOLIC_MODEL, provider: 'cuda', deviceId: 1, runtime }).open(
        context(),
      ),
    );
    expect(created).toEqual([
      {
        executionProviders: [{ name: 'cuda', deviceId: 1 }],
        extra: {
          session: {
            intra_op: { allow_spinning: '0' },
            inter_op: { allow_spinning: '0' },
            disable_cpu_ep_fallback: '1',
          },
        },
      },
    ]);
    expect(error.code).toBe('WORKLOAD_FAILED');
    expect(error.message).toContain('could not start its cuda provider');
    expect(error.message).toContain('CUDA 12 and cuDNN 9');
  });

  it('a runtime without the provider for this platform says which it has', async () => {
    const { runtime } = fakeRuntime({
      backends: [{ name: 'cpu', bundled: true }],
      createError: '',
    });
    const error = await failure(
      onnxWorkload({ model: SYMBOLIC_MODEL, provider: 'tensorrt', runtime }).open(context()),
    );
    expect(error.message).toContain('has no tensorrt provider (it offers: cpu)');
  });
});

describe('onnxWorkload config and runtime loading', () => {
  it('rejects bad config at once with USAGE', () => {
    const bad = [
      { model: '', provider: 'cpu' },
      { model: 'm.onnx', provider: 'rocm' },
      { model: 'm.onnx', provider: 'cuda', deviceId: -1 },
      { model: 'm.onnx', provider: 'cpu', inputs: { frames: 0 } },
    ];
    for (const config of bad) {
      const error = thrown(() => onnxWorkload(config as Parameters<typeof onnxWorkload>[0]));
      expect(error.code).toBe('USAGE');
    }
    expect(
      thrown(() => onnxWorkload({ model: 'm.onnx', provider: 'cpu', inputs: { frames: 1.5 } }))
        .message,
    ).toContain('inputs.frames is 1.5');
  });

  it('a missing onnxruntime-node is WORKLOAD_FAILED with the install command', async () => {
    const missing = Object.assign(new Error("Cannot find package 'onnxruntime-node'"), {
      code: 'ERR_MODULE_NOT_FOUND',
    });
    const error = await failure(loadOnnxRuntime(() => Promise.reject(missing)));
    expect(error.code).toBe('WORKLOAD_FAILED');
    expect(error.message).toContain('not installed');
    expect(error.message).toContain('npm install onnxruntime-node');
    const broken = await failure(loadOnnxRuntime(() => Promise.reject(new Error('bad ELF'))));
    expect(broken.message).toContain('failed to load (bad ELF)');
  });
});

describe('float16Bits', () => {
  it('encodes IEEE half precision', () => {
    expect(float16Bits(1)).toBe(0x3c00);
    expect(float16Bits(-2)).toBe(0xc000);
    expect(float16Bits(0.5)).toBe(0x3800);
    expect(float16Bits(-1 / 1024)).toBe(0x9400);
    expect(float16Bits(65504)).toBe(0x7bff);
    expect(float16Bits(1e6)).toBe(0x7c00);
    expect(float16Bits(2 ** -24)).toBe(0x0001);
    expect(float16Bits(0)).toBe(0);
    expect(float16Bits(-0)).toBe(0x8000);
  });
});
