/**
 * A tiny VGGT-shaped ONNX model for the runner's demo and tests: patch
 * embedding, alternating frame-wise and global attention blocks, a camera
 * head and a depth head, with seeded random weights. It has VGGT's
 * structure at a size one CPU inference takes milliseconds, so a whole
 * base-vs-head gate runs anywhere; `slowdown` makes the "head" version
 * with an injected regression.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { encodeModel, OnnxDataType } from '@vggt-perf-gate/device/onnx';
import { RunnerError } from '../errors.js';
import { GraphBuilder } from './onnx-graph.js';

/** Sizes and seed of the model buildVggtShapedModel builds; each one left out takes DEMO_MODEL_OPTIONS' value. */
export interface VggtShapedModelOptions {
  /** Frames per inference, or the name of a symbolic dimension (e.g. 'frames') sized at run time. */
  frames?: number | string;
  /** Image height and width in pixels; multiples of `patch`. */
  height?: number;
  width?: number;
  /** Patch size of the embedding (VGGT's DINOv2 encoder uses 14). */
  patch?: number;
  /** Embedding dimension of every token. */
  embedDim?: number;
  /** Pairs of blocks: each pair is one frame-wise and one global attention block. */
  depth?: number;
  /** Attention heads; must divide `embedDim`. */
  heads?: number;
  /**
   * Redundant MatMuls of the embedding dimension added to every attention
   * block (0, the default, adds none). They multiply by zero weights, so
   * the outputs are unchanged and only the time grows: a perf regression.
   */
  slowdown?: number;
  /** Seed of the weights; the same seed gives the same weights. */
  seed?: number;
}

/**
 * Sizes of the demo models: 4 frames of 8x8 patches, so 64 tokens per frame
 * and 256 in a global block. One CPU inference takes about 6-8 ms on two
 * cores: long enough to time well, short enough for a demo gate of a few
 * hundred iterations per side.
 */
export const DEMO_MODEL_OPTIONS = {
  frames: 4,
  height: 112,
  width: 112,
  patch: 14,
  embedDim: 96,
  depth: 2,
  heads: 4,
  slowdown: 0,
  seed: 1,
} as const satisfies Required<VggtShapedModelOptions>;

/**
 * Redundant MatMuls per attention block in the demo's head model: a
 * head/base time ratio of about 1.15-1.25 on the CPU provider, clear of
 * the noise of a shared two-core machine, yet the size of regression a
 * gate exists to catch.
 */
export const DEMO_HEAD_SLOWDOWN = 4;

/** Where the demo model lies inside each side's directory (the onnx workload's `model`). */
export const DEMO_MODEL_PATH = 'models/vggt-tiny.onnx';

/** Names of the model's input and outputs. */
export const VGGT_INPUT = 'images';
export const VGGT_CAMERA_OUTPUT = 'camera';
export const VGGT_DEPTH_OUTPUT = 'depth';

/** Camera parameters per frame, as VGGT's camera head predicts (translation, rotation quaternion, field of view). */
export const CAMERA_PARAMETERS = 9;

const IMAGE_CHANNELS = 3;
/** Hidden width of each MLP, as a multiple of the embedding dimension (ViT's 4). */
const MLP_RATIO = 4;
const LAYER_NORM_EPSILON = 1e-6;
/** Gelu is in ONNX only from opset 20; x * sigmoid(1.702 x) is its usual approximation. */
const GELU_SIGMOID_SCALE = 1.702;
/** Standard deviation of the position embedding, small as in ViT. */
const POSITION_SCALE = 0.02;
// LayerNormalization needs opset 17, whose ReduceMean still takes axes as an attribute.
const OPSET = 17;
const IR_VERSION = 8;

interface Dims {
  frames: number | string;
  height: number;
  width: number;
  patch: number;
  embedDim: number;
  depth: number;
  heads: number;
  slowdown: number;
  seed: number;
  /** Tokens per frame. */
  tokens: number;
}

/**
 * Builds the model and returns its ONNX bytes. Input `images` is float32
 * [frames, 3, height, width]; outputs are `camera` [frames, 9] and `depth`
 * [frames, tokens, 1], tokens = (height / patch) * (width / patch).
 * Options left out take DEMO_MODEL_OPTIONS' values. Throws
 * RunnerError('USAGE') for sizes that do not fit together.
 *
 * @example
 * import { mkdir, writeFile } from 'node:fs/promises';
 * import { buildVggtShapedModel } from '@vggt-perf-gate/runner/demo';
 * await mkdir('models', { recursive: true });
 * // frames as a symbolic dimension: the onnx workload sizes it (inputs: { frames: 8 }).
 * await writeFile('models/vggt-tiny.onnx', buildVggtShapedModel({ frames: 'frames' }));
 */
export function buildVggtShapedModel(options: VggtShapedModelOptions = {}): Uint8Array {
  const dims = checkOptions({ ...DEMO_MODEL_OPTIONS, ...options });
  const { frames, embedDim: c, tokens } = dims;
  const g = new GraphBuilder(dims.seed);

  let x = patchEmbedding(g, dims);
  for (let d = 0; d < dims.depth; d++) {
    // Frame-wise: each frame is one batch entry, so tokens attend within their frame.
    x = attentionBlock(g, dims, x, `frame${d}`);
    // Global: all frames' tokens in one sequence attend across frames.
    const all = g.op('Reshape', [x, g.int64('global_shape', [1, -1, c])], `global${d}_in`);
    const out = attentionBlock(g, dims, all, `global${d}`);
    x = g.op('Reshape', [out, g.int64('frame_shape', [-1, tokens, c])], `global${d}_out`);
  }
  const features = layerNorm(g, x, c, 'final_norm');

  // Camera head: pool each frame's tokens, then a linear map to the camera parameters.
  const pooled = g.op('ReduceMean', [features], 'camera_pool', [
    { name: 'axes', ints: [1] },
    { name: 'keepdims', int: 0 },
  ]);
  const camera = linear(g, pooled, c, CAMERA_PARAMETERS, 'camera_head');
  g.op('Identity', [camera], VGGT_CAMERA_OUTPUT);
  // Depth head: one value per token (a patch-resolution depth map).
  const depth = linear(g, features, c, 1, 'depth_head');
  g.op('Identity', [depth], VGGT_DEPTH_OUTPUT);

  return encodeModel({
    irVersion: IR_VERSION,
    opsetImports: [{ domain: '', version: OPSET }],
    producerName: 'vggt-perf-gate demo',
    graph: {
      name: 'vggt_tiny',
      nodes: g.nodes,
      initializers: g.initializers,
      inputs: [
        {
          name: VGGT_INPUT,
          elemType: OnnxDataType.FLOAT,
          shape: [frames, IMAGE_CHANNELS, dims.height, dims.width],
        },
      ],
      outputs: [
        {
          name: VGGT_CAMERA_OUTPUT,
          elemType: OnnxDataType.FLOAT,
          shape: [frames, CAMERA_PARAMETERS],
        },
        { name: VGGT_DEPTH_OUTPUT, elemType: OnnxDataType.FLOAT, shape: [frames, tokens, 1] },
      ],
    },
  });
}

/**
 * Writes the demo's two versions of one model: `<dir>/base/models/vggt-tiny.onnx`
 * and `<dir>/head/models/vggt-tiny.onnx`, the head's with DEMO_HEAD_SLOWDOWN.
 * Returns the two side directories (absolute), to use as each side's
 * checkout with an onnx workload whose model is DEMO_MODEL_PATH. Creates
 * the directories it needs; throws RunnerError('WORKLOAD_FAILED') when a
 * file cannot be written.
 *
 * @example
 * import { measureBenchmark } from '@vggt-perf-gate/runner';
 * import { writeDemoModels } from '@vggt-perf-gate/runner/demo';
 * const dirs = await writeDemoModels('/tmp/perf-gate-demo'); // { base: '/tmp/perf-gate-demo/base', head: '/tmp/perf-gate-demo/head' }
 * // plan: a BenchmarkPlan whose workload is onnxWorkload({ model: DEMO_MODEL_PATH, provider: 'cpu' })
 * const result = await measureBenchmark(plan, dirs, console.log);
 */
export async function writeDemoModels(dir: string): Promise<{ base: string; head: string }> {
  const sides = { base: resolve(dir, 'base'), head: resolve(dir, 'head') };
  const versions: [string, number][] = [
    [sides.base, 0],
    [sides.head, DEMO_HEAD_SLOWDOWN],
  ];
  for (const [side, slowdown] of versions) {
    const file = join(side, DEMO_MODEL_PATH);
    try {
      await mkdir(join(file, '..'), { recursive: true });
      await writeFile(file, buildVggtShapedModel({ ...DEMO_MODEL_OPTIONS, slowdown }));
    } catch (error) {
      throw new RunnerError(
        'WORKLOAD_FAILED',
        `writeDemoModels: could not write ${file}: ${(error as Error).message}. Pass a directory this process can write to.`,
        { cause: error },
      );
    }
  }
  return sides;
}

function checkOptions(options: Required<VggtShapedModelOptions>): Dims {
  const bad = (problem: string): RunnerError =>
    new RunnerError('USAGE', `buildVggtShapedModel: ${problem}.`);
  const positive = ['height', 'width', 'patch', 'embedDim', 'depth', 'heads'] as const;
  for (const key of positive) {
    const value = options[key];
    if (!Number.isInteger(value) || value < 1) {
      throw bad(`${key} is ${value}; it must be an integer >= 1`);
    }
  }
  if (!Number.isInteger(options.slowdown) || options.slowdown < 0) {
    throw bad(`slowdown is ${options.slowdown}; it must be an integer >= 0 (0 for none)`);
  }
  const { frames } = options;
  if (typeof frames === 'number' ? !Number.isInteger(frames) || frames < 1 : frames === '') {
    throw bad(`frames is ${JSON.stringify(frames)}; give a count >= 1 or a dimension name`);
  }
  for (const side of ['height', 'width'] as const) {
    if (options[side] % options.patch !== 0) {
      throw bad(
        `${side} ${options[side]} is not a multiple of patch ${options.patch}; the patch embedding would drop pixels`,
      );
    }
  }
  if (options.embedDim % options.heads !== 0) {
    throw bad(`embedDim ${options.embedDim} is not a multiple of heads ${options.heads}`);
  }
  const tokens = (options.height / options.patch) * (options.width / options.patch);
  return { ...options, tokens };
}

/** images [F, 3, H, W] -> tokens [F, N, C], by a Conv whose kernel and stride are the patch. */
function patchEmbedding(g: GraphBuilder, dims: Dims): string {
  const { patch, embedDim: c, tokens } = dims;
  const fanIn = IMAGE_CHANNELS * patch * patch;
  const conv = g.op(
    'Conv',
    [
      VGGT_INPUT,
      g.weight('patch_weight', [c, IMAGE_CHANNELS, patch, patch], 1 / Math.sqrt(fanIn)),
      g.filled('patch_bias', [c], 0),
    ],
    'patch_conv',
    [
      { name: 'kernel_shape', ints: [patch, patch] },
      { name: 'strides', ints: [patch, patch] },
    ],
  );
  // Shape 0 keeps the input's size on that axis, so a symbolic frame count passes through.
  const flat = g.op('Reshape', [conv, g.int64('patch_shape', [0, c, tokens])], 'patch_flat');
  const seq = g.op('Transpose', [flat], 'patch_tokens', [{ name: 'perm', ints: [0, 2, 1] }]);
  const position = g.weight('position', [tokens, c], POSITION_SCALE);
  return g.op('Add', [seq, position], 'tokens');
}

/**
 * A pre-norm transformer block over x [B, T, C]: multi-head self-attention
 * and an MLP, each with a residual connection. Attention is within each of
 * the B sequences; the caller chooses B and T (frame-wise or global).
 */
function attentionBlock(g: GraphBuilder, dims: Dims, x: string, name: string): string {
  const { embedDim: c, heads } = dims;
  const headDim = c / heads;

  const h = layerNorm(g, x, c, `${name}_norm1`);
  const qkv = linear(g, h, c, 3 * c, `${name}_qkv`);
  // [B, T, 3C] -> [B, T, 3, heads, D] -> [3, B, heads, T, D]
  const split = g.op(
    'Reshape',
    [qkv, g.int64(`${name}_qkv_shape`, [0, 0, 3, heads, headDim])],
    `${name}_qkv_split`,
  );
  const perm = g.op('Transpose', [split], `${name}_qkv_perm`, [
    { name: 'perm', ints: [2, 0, 3, 1, 4] },
  ]);
  const [q, k, v] = [0, 1, 2].map((i) =>
    g.op('Gather', [perm, g.int64(`${name}_index`, i)], `${name}_${'qkv'[i]}`, [
      { name: 'axis', int: 0 },
    ]),
  ) as [string, string, string];
  const qScaled = g.op(
    'Mul',
    [q, g.filled(`${name}_attn_scale`, [], 1 / Math.sqrt(headDim))],
    `${name}_q_scaled`,
  );
  const kT = g.op('Transpose', [k], `${name}_k_t`, [{ name: 'perm', ints: [0, 1, 3, 2] }]);
  const scores = g.op('MatMul', [qScaled, kT], `${name}_scores`);
  const probs = g.op('Softmax', [scores], `${name}_probs`, [{ name: 'axis', int: -1 }]);
  const context = g.op('MatMul', [probs, v], `${name}_context`);
  // [B, heads, T, D] -> [B, T, heads, D] -> [B, T, C]
  const merged = g.op(
    'Reshape',
    [
      g.op('Transpose', [context], `${name}_context_t`, [{ name: 'perm', ints: [0, 2, 1, 3] }]),
      g.int64(`${name}_merge_shape`, [0, 0, c]),
    ],
    `${name}_merged`,
  );
  let out = g.op('Add', [x, linear(g, merged, c, c, `${name}_proj`)], `${name}_attn_res`);

  for (let s = 0; s < dims.slowdown; s++) {
    // Zero weights: x + x @ 0 is x, but onnxruntime cannot know that, so it does the work.
    const waste = g.op(
      'MatMul',
      [out, g.filled(`${name}_slow${s}_weight`, [c, c], 0)],
      `${name}_slow${s}`,
    );
    out = g.op('Add', [out, waste], `${name}_slow${s}_res`);
  }

  const h2 = layerNorm(g, out, c, `${name}_norm2`);
  const hidden = linear(g, h2, c, MLP_RATIO * c, `${name}_fc1`);
  const gate = g.op(
    'Sigmoid',
    [
      g.op(
        'Mul',
        [hidden, g.filled(`${name}_gelu_scale`, [], GELU_SIGMOID_SCALE)],
        `${name}_gelu_in`,
      ),
    ],
    `${name}_gelu_gate`,
  );
  const activated = g.op('Mul', [hidden, gate], `${name}_gelu`);
  const mlp = linear(g, activated, MLP_RATIO * c, c, `${name}_fc2`);
  return g.op('Add', [out, mlp], `${name}_out`);
}

function layerNorm(g: GraphBuilder, x: string, c: number, name: string): string {
  return g.op(
    'LayerNormalization',
    [x, g.filled(`${name}_scale`, [c], 1), g.filled(`${name}_bias`, [c], 0)],
    name,
    [
      { name: 'axis', int: -1 },
      { name: 'epsilon', float: LAYER_NORM_EPSILON },
    ],
  );
}

/** x [..., inDim] -> [..., outDim]: MatMul by a weight scaled for unit variance, plus a zero bias. */
function linear(g: GraphBuilder, x: string, inDim: number, outDim: number, name: string): string {
  const weight = g.weight(`${name}_weight`, [inDim, outDim], 1 / Math.sqrt(inDim));
  const product = g.op('MatMul', [x, weight], `${name}_matmul`);
  return g.op('Add', [product, g.filled(`${name}_bias`, [outDim], 0)], name);
}
