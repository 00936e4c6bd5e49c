/**
 * The `onnx` workload: an ONNX model run in-process by onnxruntime-node on
 * one named execution provider, with random inputs made once from the
 * model's own input metadata. Each iteration is one `session.run`.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type * as OrtModule from 'onnxruntime-node';
import { RunnerError } from '../errors.js';
import { type GeneratedFeeds, generateFeeds } from './onnx-inputs.js';
import { summarizeOnnxProfile, unavailableOnnxProfile } from './onnx-profile.js';
import {
  checkProvider,
  errorMessage,
  gpuSetupHint,
  loadOnnxRuntime,
  ONNX_PROVIDERS,
  type OnnxProvider,
  type Ort,
  PROVIDER_LOAD_FAILED,
  providerSessionOptions,
  runtimeVersion,
} from './onnx-runtime.js';
import type {
  IterationSample,
  RoundResult,
  Workload,
  WorkloadContext,
  WorkloadInfo,
  WorkloadProfile,
  WorkloadSession,
} from './types.js';

export { ONNX_PROVIDERS, type OnnxProvider } from './onnx-runtime.js';

export interface OnnxWorkloadConfig {
  /** The .onnx file, relative to the side's checkout (`context.cwd`) unless absolute. */
  model: string;
  /** The only execution provider used; GPU providers never fall back to the CPU. */
  provider: OnnxProvider;
  /** Sizes of the model's symbolic input dimensions, by name, e.g. `{ frames: 4 }`. */
  inputs?: Record<string, number>;
  /** GPU index for 'cuda' and 'tensorrt'; 0 when left out. */
  deviceId?: number;
  /**
   * The onnxruntime-node module to use (what `import('onnxruntime-node')`
   * returns). Imported from the runner's dependencies when left out; tests
   * pass a stand-in.
   */
  runtime?: object;
}

/** ONNX element types as the `dtype` the rest of the gate speaks (WorkloadContext.dtype). */
const DTYPE_NAMES: Record<string, string> = { float32: 'fp32', float16: 'fp16', float64: 'fp64' };

/**
 * Creates an onnx workload. Checks the config at once (RunnerError
 * 'USAGE'); everything that needs the model or the runtime fails in
 * `open()` with RunnerError 'WORKLOAD_FAILED'. The model path is resolved
 * against the side's checkout, the context's `cwd`.
 *
 * @example
 * import { onnxWorkload } from '@vggt-perf-gate/runner';
 * const workload = onnxWorkload({ model: 'models/vggt-tiny.onnx', provider: 'cpu', inputs: { frames: 4 } });
 * const session = await workload.open({ side: 'head', cwd: '.', dtype: 'fp32', log: (line) => console.error(line) });
 * const { samples } = await session.run(10); // one sample per iteration, each one session.run
 * await session.close();
 */
export function onnxWorkload(config: OnnxWorkloadConfig): Workload {
  checkConfig(config);
  return {
    kind: 'onnx',
    open: (context) => openSession(config, context),
  };
}

function checkConfig(config: OnnxWorkloadConfig): void {
  const bad = (problem: string): RunnerError =>
    new RunnerError('USAGE', `onnxWorkload: ${problem}.`);
  if (typeof config.model !== 'string' || config.model === '') {
    throw bad('model is empty; set it to the path of an .onnx file, relative to the checkout');
  }
  if (!ONNX_PROVIDERS.includes(config.provider)) {
    throw bad(
      `provider ${JSON.stringify(config.provider)} is not one of ${ONNX_PROVIDERS.join(', ')}`,
    );
  }
  const deviceId = config.deviceId ?? 0;
  if (!Number.isInteger(deviceId) || deviceId < 0) {
    throw bad(`deviceId ${deviceId} is invalid: expected a GPU index (an integer >= 0)`);
  }
  for (const [name, size] of Object.entries(config.inputs ?? {})) {
    if (!Number.isInteger(size) || size < 1) {
      throw bad(`inputs.${name} is ${size}: a dimension size must be an integer >= 1`);
    }
  }
}

async function openSession(
  config: OnnxWorkloadConfig,
  context: WorkloadContext,
): Promise<WorkloadSession> {
  const modelPath = resolve(context.cwd, config.model);
  const where = `model ${modelPath} (${context.side})`;
  // Checked before loading the runtime so the message names the path, not a protobuf error.
  if (!existsSync(modelPath)) {
    throw new RunnerError(
      'WORKLOAD_FAILED',
      `onnx workload: the ${context.side} side's model file ${modelPath} does not exist (config model ${JSON.stringify(config.model)}, resolved against ${context.cwd}). Fix the path, or make the side's setup step create the file.`,
    );
  }
  const ort = config.runtime === undefined ? await loadOnnxRuntime() : (config.runtime as Ort);
  // A runtime passed in may live anywhere, so only the bundled copy's files are checked.
  checkProvider(ort, config.provider, config.runtime === undefined);
  const options = providerSessionOptions(config.provider, config.deviceId ?? 0);
  const session = await createSession(ort, config, options, modelPath, where);
  let generated: GeneratedFeeds;
  try {
    generated = generateFeeds(ort, session, config.inputs ?? {}, where);
  } catch (error) {
    await session.release();
    throw error;
  }
  if (generated.unusedDims.length > 0) {
    context.log(
      `onnx workload: ${where} has no symbolic input dimension named ${generated.unusedDims.join(', ')}; those config inputs are ignored (a typo?).`,
    );
  }
  const dtype = modelDtype(generated);
  if (dtype !== null && dtype !== context.dtype) {
    context.log(
      `onnx workload: ${where} takes ${dtype} inputs, not the ${context.dtype} this run resolved; an ONNX model runs in the types it was exported with, so it is measured in ${dtype}.`,
    );
  }
  const info: WorkloadInfo = {
    framework: 'onnxruntime',
    frameworkVersion: runtimeVersion(ort),
    device: config.provider === 'cpu' ? 'cpu' : `${config.provider}:${config.deviceId ?? 0}`,
    dtype,
    itemsPerIteration: null,
    extra: {
      model: modelPath,
      provider: config.provider,
      inputs: generated.inputs,
      outputs: [...session.outputNames],
    },
  };
  const profiling: ProfilingSetup = { ort, modelPath, provider: config.provider, options };
  return new OnnxSession(session, generated.feeds, info, config.provider === 'cpu', profiling);
}

async function createSession(
  ort: Ort,
  config: OnnxWorkloadConfig,
  options: OrtModule.InferenceSession.SessionOptions,
  modelPath: string,
  where: string,
): Promise<OrtModule.InferenceSession> {
  try {
    return await ort.InferenceSession.create(modelPath, options);
  } catch (error) {
    const message = errorMessage(error);
    if (config.provider !== 'cpu' && PROVIDER_LOAD_FAILED.test(message)) {
      throw new RunnerError(
        'WORKLOAD_FAILED',
        `onnx workload: onnxruntime could not start its ${config.provider} provider for ${where}: ${message}. ${gpuSetupHint(config.provider)}`,
        { cause: error },
      );
    }
    const hint =
      config.provider === 'cpu'
        ? 'Check that the file is a valid ONNX model (e.g. onnx.checker.check_model) that onnxruntime supports.'
        : `CPU fallback is disabled, so every node needs a ${config.provider} kernel in the model's types; check the model in onnxruntime with this provider, or use a type it supports.`;
    throw new RunnerError(
      'WORKLOAD_FAILED',
      `onnx workload: onnxruntime could not load ${where} on ${config.provider}: ${message}. ${hint}`,
      { cause: error },
    );
  }
}

/** The dtype of the first floating-point input, or null when the model takes none. */
function modelDtype(generated: GeneratedFeeds): string | null {
  const first = generated.inputs.find((input) => DTYPE_NAMES[input.type] !== undefined);
  return first === undefined ? null : DTYPE_NAMES[first.type]!;
}

/** What profile() needs to open a second session exactly like the measuring one. */
interface ProfilingSetup {
  ort: Ort;
  modelPath: string;
  provider: OnnxProvider;
  /** The measuring session's options: same provider, same disabled CPU fallback, same threads. */
  options: OrtModule.InferenceSession.SessionOptions;
}

/** Start of the temporary directory that holds one profiling trace. */
const PROFILE_DIR_PREFIX = 'perf-gate-onnx-profile-';
/** onnxruntime names the trace `<prefix>_<timestamp>.json`. */
const PROFILE_FILE_PREFIX = 'onnx-profile';

class OnnxSession implements WorkloadSession {
  readonly pid = process.pid;
  private session: OrtModule.InferenceSession | undefined;

  constructor(
    session: OrtModule.InferenceSession,
    private readonly feeds: Record<string, OrtModule.Tensor>,
    readonly info: WorkloadInfo,
    /** On the CPU provider the host clock times the device's work too. */
    private readonly hostIsDevice: boolean,
    private readonly profiling: ProfilingSetup,
  ) {
    this.session = session;
  }

  async warmup(iterations: number): Promise<void> {
    const session = this.live('warmup', iterations);
    for (let i = 0; i < iterations; i++) await this.runOnce(session);
  }

  async run(iterations: number): Promise<RoundResult> {
    const session = this.live('run', iterations);
    const samples: IterationSample[] = [];
    for (let i = 0; i < iterations; i++) {
      const start = performance.now();
      await this.runOnce(session);
      const hostMs = performance.now() - start;
      samples.push({ hostMs, deviceMs: this.hostIsDevice ? hostMs : null });
    }
    // onnxruntime-node exposes no allocator statistics for its arenas.
    return { samples, memory: [] };
  }

  /**
   * Profiles one run in a second session with the same model, options and
   * feeds. onnxruntime profiles a session from its creation to
   * endProfiling(), so the measuring session, created without profiling,
   * is left as it was. Never throws: a failure is an unavailable profile.
   */
  async profile(): Promise<WorkloadProfile> {
    const model = String(this.info.extra.model);
    if (this.session === undefined) {
      return unavailableOnnxProfile(
        `the onnx session of ${model} was closed before profile() was called.`,
      );
    }
    try {
      const trace = await traceOneRun(this.profiling, this.feeds);
      return {
        ...summarizeOnnxProfile(trace, this.profiling.provider),
        parameterDtype: this.info.dtype,
      };
    } catch (error) {
      return unavailableOnnxProfile(
        `onnxruntime could not profile ${model} on ${this.info.device}: ${errorMessage(error).replace(/\.$/, '')}.`,
      );
    }
  }

  async close(): Promise<void> {
    const session = this.session;
    this.session = undefined;
    await session?.release();
  }

  /** The open session, after checking the call's iteration count. */
  private live(method: string, iterations: number): OrtModule.InferenceSession {
    if (!Number.isInteger(iterations) || iterations < 0) {
      throw new RunnerError(
        'USAGE',
        `onnx workload: ${method}(${iterations}) is invalid: the iteration count must be an integer >= 0.`,
      );
    }
    if (this.session === undefined) {
      throw new RunnerError(
        'USAGE',
        `onnx workload: ${method}() was called after close() on ${String(this.info.extra.model)}; open a new session.`,
      );
    }
    return this.session;
  }

  private async runOnce(session: OrtModule.InferenceSession): Promise<void> {
    try {
      await session.run(this.feeds);
    } catch (error) {
      throw new RunnerError(
        'WORKLOAD_FAILED',
        `onnx workload: onnxruntime failed running ${String(this.info.extra.model)} on ${this.info.device}: ${errorMessage(error)}. Run the model once outside the gate with the same inputs (${describeInputs(this.info)}) to see the failing node.`,
        { cause: error },
      );
    }
  }
}

function describeInputs(info: WorkloadInfo): string {
  const inputs = info.extra.inputs as { name: string; type: string; dims: number[] }[];
  return inputs.map((i) => `${i.name}: ${i.type}[${i.dims.join(', ')}]`).join('; ');
}

/**
 * Creates a profiling session, runs it twice (a warm-up, so the profiled
 * run is not the one that grows the memory arenas and picks algorithms)
 * and returns the parsed trace, which holds both runs. The trace is
 * written into a fresh temporary directory, deleted afterwards whatever
 * happens: onnxruntime appends a timestamp to the prefix, and may write
 * the file when a failed session is released.
 */
async function traceOneRun(
  setup: ProfilingSetup,
  feeds: Record<string, OrtModule.Tensor>,
): Promise<unknown> {
  const dir = await mkdtemp(join(tmpdir(), PROFILE_DIR_PREFIX));
  try {
    const session = await setup.ort.InferenceSession.create(setup.modelPath, {
      ...setup.options,
      enableProfiling: true,
      profileFilePrefix: join(dir, PROFILE_FILE_PREFIX),
    });
    try {
      await session.run(feeds);
      await session.run(feeds);
      session.endProfiling();
    } finally {
      await session.release();
    }
    return JSON.parse(await readFile(await onlyTrace(dir), 'utf8'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The one trace file onnxruntime wrote into `dir`. */
async function onlyTrace(dir: string): Promise<string> {
  const traces = (await readdir(dir)).filter((name) => name.endsWith('.json'));
  if (traces.length !== 1 || traces[0] === undefined) {
    throw new Error(
      `endProfiling() left ${traces.length} trace files in ${dir} where one was expected (${traces.join(', ') || 'none'})`,
    );
  }
  return join(dir, traces[0]);
}
