import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildVggtShapedModel,
  CAMERA_PARAMETERS,
  DEMO_HEAD_SLOWDOWN,
  DEMO_MODEL_OPTIONS,
  DEMO_MODEL_PATH,
  VGGT_CAMERA_OUTPUT,
  VGGT_DEPTH_OUTPUT,
  VGGT_INPUT,
  writeDemoModels,
} from '../src/demo/vggt-onnx.js';
import { RunnerError } from '../src/errors.js';
import { onnxWorkload } from '../src/workloads/onnx.js';
import type { WorkloadContext, WorkloadSession } from '../src/workloads/types.js';

/** Tokens per frame of the demo model: (112 / 14)^2. */
const DEMO_TOKENS = 64;
/** Samples per side for the slowdown check, taken in alternation. */
const TIMED_RUNS = 15;
/** The head must be at least this much slower; the demo's slowdown is about 1.2. */
const MIN_SLOWDOWN_RATIO = 1.05;

let dir: string;
let sides: { base: string; head: string };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vggt-demo-'));
  sides = await writeDemoModels(dir);
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function context(side: 'base' | 'head'): WorkloadContext {
  return { side, cwd: sides[side], dtype: 'fp32', log: () => undefined };
}

function images(frames: number): ort.Tensor {
  const { height, width } = DEMO_MODEL_OPTIONS;
  const data = Float32Array.from({ length: frames * 3 * height * width }, (_, i) =>
    Math.sin(i * 0.001),
  );
  return new ort.Tensor('float32', data, [frames, 3, height, width]);
}

async function outputs(model: Uint8Array, frames: number) {
  const session = await ort.InferenceSession.create(model, { executionProviders: ['cpu'] });
  try {
    return await session.run({ [VGGT_INPUT]: images(frames) });
  } finally {
    await session.release();
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

describe('buildVggtShapedModel', () => {
  it('loads and gives camera [frames, 9] and depth [frames, tokens, 1], all finite', async () => {
    const out = await outputs(buildVggtShapedModel(), DEMO_MODEL_OPTIONS.frames);
    const camera = out[VGGT_CAMERA_OUTPUT]!;
    const depth = out[VGGT_DEPTH_OUTPUT]!;
    expect(camera.dims).toEqual([4, CAMERA_PARAMETERS]);
    expect(depth.dims).toEqual([4, DEMO_TOKENS, 1]);
    for (const value of [...(camera.data as Float32Array), ...(depth.data as Float32Array)]) {
      expect(Number.isFinite(value)).toBe(true);
    }
  });

  it('a symbolic frames dim follows the input, and the global blocks mix frames', async () => {
    const model = buildVggtShapedModel({ frames: 'frames' });
    const three = await outputs(model, 3);
    expect(three[VGGT_CAMERA_OUTPUT]!.dims).toEqual([3, CAMERA_PARAMETERS]);
    expect(three[VGGT_DEPTH_OUTPUT]!.dims).toEqual([3, DEMO_TOKENS, 1]);
    // Frame 0's input is the same in both; only global attention lets frames 1-2 change its output.
    const one = await outputs(model, 1);
    const cameraOne = one[VGGT_CAMERA_OUTPUT]!.data as Float32Array;
    const cameraThree = (three[VGGT_CAMERA_OUTPUT]!.data as Float32Array).slice(0, 9);
    expect([...cameraOne]).not.toEqual([...cameraThree]);
  });

  it('the slowdown changes the time, not the outputs, and leaves the weights as they were', async () => {
    const frames = DEMO_MODEL_OPTIONS.frames;
    const base = await outputs(buildVggtShapedModel(), frames);
    const head = await outputs(buildVggtShapedModel({ slowdown: DEMO_HEAD_SLOWDOWN }), frames);
    for (const name of [VGGT_CAMERA_OUTPUT, VGGT_DEPTH_OUTPUT]) {
      const a = base[name]!.data as Float32Array;
      const b = head[name]!.data as Float32Array;
      a.forEach((value, i) => {
        expect(b[i]).toBeCloseTo(value, 5);
      });
    }
  });

  it('is deterministic for one seed', () => {
    // Buffer.equals: a deep equality over megabytes of weights would take seconds.
    const bytes = (seed: number) => Buffer.from(buildVggtShapedModel({ seed }));
    expect(bytes(7).equals(bytes(7))).toBe(true);
    expect(bytes(7).equals(bytes(8))).toBe(false);
  });

  it('rejects sizes that do not fit together, saying which', () => {
    const cases: [Parameters<typeof buildVggtShapedModel>[0], string][] = [
      [{ height: 100 }, 'height 100 is not a multiple of patch 14'],
      [{ embedDim: 30, heads: 4 }, 'embedDim 30 is not a multiple of heads 4'],
      [{ depth: 0 }, 'depth is 0'],
      [{ frames: '' }, 'frames is ""'],
      [{ slowdown: -1 }, 'slowdown is -1'],
    ];
    for (const [options, message] of cases) {
      let error: unknown;
      try {
        buildVggtShapedModel(options);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(RunnerError);
      expect((error as RunnerError).code).toBe('USAGE');
      expect((error as RunnerError).message).toContain(message);
    }
  });
});

describe('writeDemoModels', () => {
  it('writes a base and a head checkout, each with the model at DEMO_MODEL_PATH', () => {
    expect(sides).toEqual({ base: join(dir, 'base'), head: join(dir, 'head') });
    expect(existsSync(join(sides.base, DEMO_MODEL_PATH))).toBe(true);
    expect(existsSync(join(sides.head, DEMO_MODEL_PATH))).toBe(true);
  });

  it('the head model is measurably slower than the base through the onnx workload', async () => {
    const open = (side: 'base' | 'head') =>
      onnxWorkload({ model: DEMO_MODEL_PATH, provider: 'cpu' }).open(context(side));
    const sessions: Record<'base' | 'head', WorkloadSession> = {
      base: await open('base'),
      head: await open('head'),
    };
    try {
      await sessions.base.warmup(3);
      await sessions.head.warmup(3);
      const times = { base: [] as number[], head: [] as number[] };
      for (let i = 0; i < TIMED_RUNS; i++) {
        // ABBA order, so drift over the test hits both sides alike.
        const order = i % 2 === 0 ? (['base', 'head'] as const) : (['head', 'base'] as const);
        for (const side of order) {
          const [sample] = (await sessions[side].run(1)).samples;
          times[side].push(sample!.hostMs);
        }
      }
      const ratio = median(times.head) / median(times.base);
      expect(ratio, `head/base ${ratio.toFixed(3)}`).toBeGreaterThan(MIN_SLOWDOWN_RATIO);
    } finally {
      await sessions.base.close();
      await sessions.head.close();
    }
  });
});
