import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { DeviceError } from '../src/errors.js';
import { formatDtypeProbe } from '../src/onnx/format.js';
import { type DtypeProbeResult, loadOnnxRuntime, probeDtypes } from '../src/onnx/probe.js';
import {
  attention,
  buildProbeModel,
  matmul,
  outputValues,
  type ProbeModel,
} from '../src/onnx/probe-models.js';

function entry(result: DtypeProbeResult, dtype: string, model: string) {
  const found = result.results.find((r) => r.dtype === dtype && r.model === model);
  if (!found) throw new Error(`no result for ${dtype}/${model}`);
  return found;
}

async function caught(promise: Promise<unknown>): Promise<DeviceError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(DeviceError);
    return error as DeviceError;
  }
  throw new Error('expected a DeviceError, but the call resolved');
}

/** Runs a probe model straight through onnxruntime, bypassing the probe's own checks. */
async function runDirect(model: ProbeModel): Promise<Float64Array> {
  const session = await ort.InferenceSession.create(model.bytes, { executionProviders: ['cpu'] });
  try {
    const feeds = Object.fromEntries(
      model.feeds.map((f) => [f.name, new ort.Tensor(f.type, f.data, f.dims)]),
    );
    const out = (await session.run(feeds))[model.output.name]!;
    return outputValues(model.output.type, out.data as ArrayLike<number>);
  } finally {
    await session.release();
  }
}

describe('probeDtypes on the CPU provider', () => {
  it('runs every dtype and reports what onnxruntime can and cannot do', async () => {
    const result = await probeDtypes();
    expect(result.provider).toBe('cpu');
    expect(result.onnxruntimeVersion).toMatch(/^1\.\d+\.\d+/);
    expect(result.results).toHaveLength(10);

    for (const model of ['matmul', 'attention']) {
      const fp32 = entry(result, 'float32', model);
      expect(fp32.status, fp32.detail).toBe('ran');
      expect(fp32.ms).toBeGreaterThanOrEqual(0);
      expect(fp32.upcast).toBeUndefined();
      // The CPU provider has few float16 kernels: it runs the model in float32
      // between Casts it inserts, and the probe says so.
      const fp16 = entry(result, 'float16', model);
      expect(fp16.status).toBe('ran');
      expect(fp16.upcast).toContain(model === 'matmul' ? 'MatMul' : 'Exp');
      expect(fp16.detail).toMatch(/^upcast to float32 \(no float16 kernel: .*MatMul/);
    }

    // onnxruntime's CPU provider has no bfloat16 MatMul; its own words are kept.
    const bf16 = entry(result, 'bfloat16', 'matmul');
    expect(bf16.status).toBe('not-implemented');
    expect(bf16.detail).toMatch(/Could not find an implementation for MatMul/);
    expect(bf16.ms).toBeUndefined();

    expect(entry(result, 'int8', 'matmul').status).toBe('ran');
    const int8Attention = entry(result, 'int8', 'attention');
    expect(int8Attention.status).toBe('skipped');
    expect(int8Attention.detail).toMatch(/integer Softmax/);

    // GemmFloat8 has only a CUDA kernel: reported, not a crash.
    expect(entry(result, 'float8e4m3fn', 'matmul').status).toBe('not-implemented');

    expect(result.summary).toEqual({
      float32: true,
      float16: true,
      bfloat16: false,
      int8: true,
      float8e4m3fn: false,
    });
  });

  it('probes only the dtypes asked for', async () => {
    const result = await probeDtypes({ provider: 'cpu', dtypes: ['float16', 'float16'] });
    expect(result.results.map((r) => `${r.dtype}/${r.model}`)).toEqual([
      'float16/matmul',
      'float16/attention',
    ]);
    expect(result.summary).toEqual({ float16: true });
  });

  it('formats an aligned plain-text table', async () => {
    const text = formatDtypeProbe(await probeDtypes({ dtypes: ['float32', 'bfloat16'] }));
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^dtype probe on onnxruntime 1\.\d+\.\d+, provider cpu$/);
    expect(lines[1]).toMatch(/^dtype\s+model\s+status\s+ms\s+detail$/);
    const statusColumn = lines[1]!.indexOf('status');
    for (const row of lines.slice(3, 7))
      expect(row.slice(statusColumn)).toMatch(/^(ran|not-implemented) /);
    expect(text).toMatch(
      /bfloat16\s+matmul\s+not-implemented\s+-\s+Could not find an implementation/,
    );
    expect(text).toMatch(/float32\s+supported/);
    expect(formatDtypeProbe(await probeDtypes({ dtypes: ['float16'] }))).toMatch(
      /float16\s+runs, upcast to float32/,
    );
    expect(text).toMatch(/bfloat16\s+not supported/);
  });

  it('rejects options it does not know, naming them', async () => {
    const badProvider = await caught(probeDtypes({ provider: 'rocm' as 'cpu' }));
    expect(badProvider.code).toBe('INVALID_ARGUMENT');
    expect(badProvider.message).toMatch(/"rocm" is not one of cpu, cuda, tensorrt/);
    const badDtype = await caught(probeDtypes({ dtypes: ['float64' as 'float32'] }));
    expect(badDtype.message).toMatch(/float64.*expected one or more of float32/);
    const badDevice = await caught(probeDtypes({ provider: 'cuda', deviceId: -1 }));
    expect(badDevice.code).toBe('INVALID_ARGUMENT');
  });
});

describe('probe models compute the right numbers', () => {
  it('fp32 MatMul matches a plain JS product', async () => {
    const model = buildProbeModel('float32', 'matmul', 7) as ProbeModel;
    const [a, b] = model.feeds.map((f) => f.data as Float32Array);
    const reference = matmul(a!, b!, 8, 16, 8);
    expect([...model.expected]).toEqual([...reference]);
    const out = await runDirect(model);
    for (let i = 0; i < out.length; i++) expect(out[i]).toBeCloseTo(reference[i]!, 5);
  });

  it('fp32 attention matches softmax(QKᵀ/√d)V computed in JS', async () => {
    const model = buildProbeModel('float32', 'attention', 3) as ProbeModel;
    const [q, k, v] = model.feeds.map((f) => Float64Array.from(f.data as Float32Array));
    const reference = attention(q!, k!, v!, 4, 16, 8, Math.fround(1 / Math.sqrt(8)));
    const out = await runDirect(model);
    expect(out).toHaveLength(4 * 16 * 8);
    for (let i = 0; i < out.length; i++) expect(out[i]).toBeCloseTo(reference[i]!, 5);
  });

  it('the attention reference is right on a case worked by hand', () => {
    // One head, two positions, size 1: scores [[1, 0], [0, 0]] give weights
    // [e/(e+1), 1/(e+1)] and [1/2, 1/2] over values [2, 4].
    const out = attention(
      Float64Array.of(1, 0),
      Float64Array.of(1, 0),
      Float64Array.of(2, 4),
      1,
      2,
      1,
      1,
    );
    const e = Math.E;
    expect(out[0]).toBeCloseTo((2 * e + 4) / (e + 1), 12);
    expect(out[1]).toBeCloseTo(3, 12);
  });

  it('int8 MatMulInteger is exact', async () => {
    const model = buildProbeModel('int8', 'matmul') as ProbeModel;
    expect(model.output.type).toBe('int32');
    expect([...(await runDirect(model))]).toEqual([...model.expected]);
  });

  it('feeds the same inputs for the same seed', () => {
    const one = buildProbeModel('float16', 'attention', 5) as ProbeModel;
    const two = buildProbeModel('float16', 'attention', 5) as ProbeModel;
    expect(one.feeds[0]!.type).toBe('float16');
    expect(one.feeds[0]!.data).toBeInstanceOf(Uint16Array);
    expect([...one.feeds[0]!.data]).toEqual([...two.feeds[0]!.data]);
  });
});

describe('a provider that runs but computes wrong numbers', () => {
  /** The real runtime, with every output element passed through `corrupt`. */
  function corruptingRuntime(corrupt: (value: number) => number) {
    return {
      ...ort,
      env: ort.env,
      InferenceSession: {
        create: async (...args: Parameters<typeof ort.InferenceSession.create>) => {
          const session = await ort.InferenceSession.create(...args);
          return {
            release: () => session.release(),
            endProfiling: () => session.endProfiling(),
            run: async (feeds: ort.InferenceSession.FeedsType) => {
              const outputs = await session.run(feeds);
              const y = outputs.y!;
              const data = Float32Array.from(y.data as Float32Array, corrupt);
              return { y: new ort.Tensor('float32', data, y.dims) };
            },
          };
        },
      },
    };
  }

  it('is reported as failed, with how far off it was', async () => {
    const runtime = corruptingRuntime((v) => v + 0.5);
    const result = await probeDtypes({ runtime, dtypes: ['float32'] });
    const matmul = entry(result, 'float32', 'matmul');
    expect(matmul.status).toBe('failed');
    expect(matmul.detail).toMatch(/differs from the float64 reference by up to 5\.0e-1/);
    expect(result.summary).toEqual({ float32: false });
  });

  it('is reported as failed when an output is not finite', async () => {
    const runtime = corruptingRuntime(() => Number.NaN);
    const result = await probeDtypes({ runtime, dtypes: ['float32'] });
    expect(entry(result, 'float32', 'attention').detail).toMatch(
      /element 0 is NaN, not a finite number/,
    );
  });
});

describe('GPU providers never fall back to the CPU', () => {
  /** The real runtime, counting the sessions created through it. */
  function countingRuntime() {
    const created: unknown[] = [];
    const runtime = {
      ...ort,
      env: ort.env,
      listSupportedBackends: ort.listSupportedBackends,
      InferenceSession: {
        create: (...args: unknown[]) => {
          created.push(args[1]);
          return (ort.InferenceSession.create as (...a: unknown[]) => unknown)(...args);
        },
      },
    };
    return { runtime, created };
  }

  it('throws PROVIDER_MISSING for cuda when its provider library is not installed, with how to install it', async () => {
    const error = await caught(probeDtypes({ provider: 'cuda' }));
    expect(error.code).toBe('PROVIDER_MISSING');
    expect(error.message).toMatch(/cuda provider is not installed/);
    expect(error.message).toMatch(/libonnxruntime_providers_cuda/);
    expect(error.message).toMatch(/npm install-scripts approve onnxruntime-node/);
    expect(error.message).toMatch(/ONNXRUNTIME_NODE_INSTALL/);
    expect(error.message).toMatch(/CUDA 12 and cuDNN 9/);
  });

  it('throws the same for tensorrt', async () => {
    const error = await caught(probeDtypes({ provider: 'tensorrt' }));
    expect(error.code).toBe('PROVIDER_MISSING');
    expect(error.message).toMatch(/tensorrt provider/);
  });

  it('rethrows onnxruntime’s own failure to load the provider, with the original as cause, and runs nothing on the CPU', async () => {
    // A runtime passed in skips the file check, so onnxruntime itself is asked
    // for the cuda provider and fails to load it.
    const { runtime, created } = countingRuntime();
    const error = await caught(probeDtypes({ provider: 'cuda', runtime, dtypes: ['float32'] }));
    expect(error.code).toBe('PROVIDER_MISSING');
    expect(error.message).toMatch(
      /could not start its cuda provider: .*Failed to load shared library/,
    );
    expect(error.message).toMatch(/npm rebuild onnxruntime-node/);
    expect(error.cause).toBeInstanceOf(Error);
    expect(created).toHaveLength(1);
    expect(created[0]).toEqual({
      executionProviders: [{ name: 'cuda', deviceId: 0 }],
      extra: { session: { disable_cpu_ep_fallback: '1' } },
    });
  });

  it('says the platform has no such provider when onnxruntime-node does not list it', async () => {
    const runtime = {
      ...ort,
      env: ort.env,
      listSupportedBackends: () => [{ name: 'cpu', bundled: true }],
    };
    const error = await caught(probeDtypes({ provider: 'cuda', runtime }));
    expect(error.code).toBe('PROVIDER_MISSING');
    expect(error.message).toMatch(/has no cuda provider \(it offers: cpu\)/);
  });
});

describe('loadOnnxRuntime', () => {
  it('says how to install onnxruntime-node when it is missing', async () => {
    const missing = Object.assign(new Error("Cannot find package 'onnxruntime-node'"), {
      code: 'ERR_MODULE_NOT_FOUND',
    });
    const error = await caught(loadOnnxRuntime(() => Promise.reject(missing)));
    expect(error.code).toBe('PROVIDER_MISSING');
    expect(error.message).toMatch(/not installed.*npm install onnxruntime-node/);
    expect(error.cause).toBe(missing);
  });

  it('reports a copy that is installed but cannot load', async () => {
    const broken = new Error('libonnxruntime.so.1: cannot open shared object file');
    const error = await caught(loadOnnxRuntime(() => Promise.reject(broken)));
    expect(error.message).toMatch(/installed but failed to load \(libonnxruntime\.so\.1/);
  });

  it('loads the real module', async () => {
    const loaded = await loadOnnxRuntime();
    expect(typeof loaded.InferenceSession.create).toBe('function');
  });
});
