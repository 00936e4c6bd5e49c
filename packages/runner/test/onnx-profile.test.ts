import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildVggtShapedModel, DEMO_MODEL_OPTIONS } from '../src/demo/vggt-onnx.js';
import { onnxWorkload } from '../src/workloads/onnx.js';
import {
  CPU_EXECUTION_PROVIDER,
  summarizeOnnxProfile,
  TOP_KERNELS,
  unavailableOnnxProfile,
} from '../src/workloads/onnx-profile.js';
import type { WorkloadContext } from '../src/workloads/types.js';

const MODEL = 'models/vggt-demo.onnx';
const FIXTURE = join(import.meta.dirname, 'fixtures/onnx-profile/cuda-cpu-fallback.json');

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'onnx-profile-'));
  const file = join(dir, MODEL);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, buildVggtShapedModel(DEMO_MODEL_OPTIONS));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function context(): WorkloadContext {
  return { side: 'head', cwd: dir, dtype: 'fp32', log: () => {} };
}

/** Runs `fn` with os.tmpdir() pointing at a fresh, empty directory, returned with its result. */
async function withTmpdir<T>(fn: () => Promise<T>): Promise<{ result: T; tmp: string }> {
  const tmp = mkdtempSync(join(dir, 'tmp-'));
  const saved = process.env.TMPDIR;
  process.env.TMPDIR = tmp;
  try {
    return { result: await fn(), tmp };
  } finally {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
  }
}

describe('OnnxSession.profile on the CPU provider', () => {
  it('profiles one run of the demo model, leaves no trace file behind, and leaves the session usable', async () => {
    const session = await onnxWorkload({ model: MODEL, provider: 'cpu' }).open(context());
    try {
      await session.warmup(1);
      expect((await session.run(2)).samples).toHaveLength(2);
      const cwdBefore = readdirSync(process.cwd());
      const { result: profile, tmp } = await withTmpdir(async () => session.profile?.());

      expect(profile).toMatchObject({
        source: 'onnxruntime',
        available: true,
        matmulDtypes: {},
        allowTf32: null,
        parameterDtype: 'fp32',
        autocastDtype: null,
        flops: null,
      });
      if (profile?.placement === undefined || profile.totalDeviceUs === null) {
        throw new Error('expected an available profile with placement');
      }
      const nodes = Object.values(profile.ops).reduce((a, b) => a + b, 0);
      expect(nodes).toBeGreaterThan(0);
      expect(profile.placement).toEqual({
        byProvider: { [CPU_EXECUTION_PROVIDER]: nodes },
        cpuNodes: [],
      });
      expect(profile.totalDeviceUs).toBeGreaterThan(0);
      // onnxruntime's optimiser fuses the model's ops: MatMul+Add becomes Gemm,
      // the scaled score MatMul FusedMatMul; Softmax and the context MatMul stay.
      const names = profile.kernels.map((k) => k.name);
      expect(names).toEqual(expect.arrayContaining(['MatMul', 'Softmax', 'Gemm', 'Conv']));
      for (const kernel of profile.kernels) {
        expect(kernel.provider).toBe(CPU_EXECUTION_PROVIDER);
        expect(kernel.count).toBe(profile.ops[kernel.name]);
      }
      const times = profile.kernels.map((k) => k.deviceUs);
      expect(times).toEqual([...times].sort((a, b) => b - a));
      expect(times.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(profile.totalDeviceUs);

      // The trace went into a directory of its own under tmpdir, deleted with it.
      expect(readdirSync(tmp)).toEqual([]);
      expect(readdirSync(process.cwd())).toEqual(cwdBefore);
      expect(readdirSync(dir).sort()).toEqual(['models', basename(tmp)].sort());

      expect((await session.run(2)).samples).toHaveLength(2);
    } finally {
      await session.close();
    }
  });

  it('a profiling session that cannot start is an unavailable profile saying why, with nothing left behind', async () => {
    const gone = 'models/gone.onnx';
    writeFileSync(join(dir, gone), readFileSync(join(dir, MODEL)));
    const session = await onnxWorkload({ model: gone, provider: 'cpu' }).open(context());
    try {
      rmSync(join(dir, gone));
      const { result: profile, tmp } = await withTmpdir(async () => session.profile?.());
      expect(profile).toMatchObject({ source: 'onnxruntime', available: false, kernels: [] });
      expect(profile?.reason).toMatch(/^onnxruntime could not profile .*gone\.onnx on cpu: .+\.$/);
      expect(readdirSync(tmp)).toEqual([]);
      expect((await session.run(1)).samples).toHaveLength(1);
    } finally {
      await session.close();
    }
  });

  it('after close() is an unavailable profile, not an error', async () => {
    const session = await onnxWorkload({ model: MODEL, provider: 'cpu' }).open(context());
    await session.close();
    const profile = await session.profile?.();
    expect(profile).toMatchObject({ source: 'onnxruntime', available: false, kernels: [] });
    expect(profile?.reason).toContain('closed before profile()');
  });
});

describe('summarizeOnnxProfile', () => {
  const trace: unknown = JSON.parse(readFileSync(FIXTURE, 'utf8'));

  it('names the nodes that fell back to the CPU under the CUDA provider', () => {
    const profile = summarizeOnnxProfile(trace, 'cuda');
    expect(profile.placement).toEqual({
      byProvider: { CUDAExecutionProvider: 9, [CPU_EXECUTION_PROVIDER]: 2 },
      cpuNodes: ['/global0/Shape', '/global0/Gather_1'],
    });
  });

  it('counts the last model_run only, and groups kernels by op and provider, longest first', () => {
    const profile = summarizeOnnxProfile(trace, 'cuda');
    // The warm-up's nodes are ten times longer; the fences and the CUPTI record are not nodes.
    expect(profile.totalDeviceUs).toBe(442);
    expect(profile.ops).toEqual({
      Conv: 1,
      LayerNormalization: 1,
      MatMul: 3,
      MemcpyToHost: 1,
      MemcpyFromHost: 1,
      Shape: 1,
      Gather: 1,
      Softmax: 1,
      Add: 1,
    });
    expect(profile.kernels.slice(0, 3)).toEqual([
      { name: 'MatMul', count: 3, deviceUs: 190, provider: 'CUDAExecutionProvider' },
      { name: 'Conv', count: 1, deviceUs: 120, provider: 'CUDAExecutionProvider' },
      { name: 'Softmax', count: 1, deviceUs: 40, provider: 'CUDAExecutionProvider' },
    ]);
    expect(profile.kernels.at(-1)).toEqual({
      name: 'Shape',
      count: 1,
      deviceUs: 3,
      provider: CPU_EXECUTION_PROVIDER,
    });
    expect(profile).toMatchObject({ source: 'onnxruntime', available: true, parameterDtype: null });
  });

  it('lists no CPU nodes on the cpu provider, where every node is on the CPU by design', () => {
    expect(summarizeOnnxProfile(trace, 'cpu').placement?.cpuNodes).toEqual([]);
  });

  it('keeps the top kernels only, while the total and ops count every node', () => {
    const events = Array.from({ length: TOP_KERNELS + 5 }, (_, i) => ({
      cat: 'Node',
      name: `n${i}_kernel_time`,
      ts: i,
      dur: i + 1,
      args: { op_name: `Op${i}`, provider: 'CUDAExecutionProvider' },
    }));
    const profile = summarizeOnnxProfile(events, 'cuda');
    expect(profile.kernels).toHaveLength(TOP_KERNELS);
    expect(profile.kernels[0]?.name).toBe(`Op${TOP_KERNELS + 4}`);
    expect(Object.keys(profile.ops)).toHaveLength(TOP_KERNELS + 5);
    expect(profile.totalDeviceUs).toBe(((TOP_KERNELS + 5) * (TOP_KERNELS + 6)) / 2);
  });

  it('throws on a trace with no node timings, and unavailableOnnxProfile says why', () => {
    expect(() => summarizeOnnxProfile({ not: 'a trace' }, 'cuda')).toThrow('not a JSON array');
    expect(() => summarizeOnnxProfile([], 'cuda')).toThrow('no "Node" events');
    expect(unavailableOnnxProfile('no trace.')).toEqual({
      source: 'onnxruntime',
      available: false,
      reason: 'no trace.',
      kernels: [],
      totalDeviceUs: null,
      ops: {},
      matmulDtypes: {},
      allowTf32: null,
      parameterDtype: null,
      autocastDtype: null,
      flops: null,
    });
  });
});
