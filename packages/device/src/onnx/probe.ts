/**
 * The empirical dtype probe: runs tiny MatMul and attention models in each
 * dtype on one onnxruntime execution provider and reports what ran, what
 * the provider has no kernel for, and what ran but gave wrong numbers.
 * Capability tables say what hardware should do; this says what this
 * machine's software stack actually does.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as OrtModule from 'onnxruntime-node';
import { EXECUTION_PROVIDERS, type ExecutionProvider } from '../dtypes.js';
import { DeviceError } from '../errors.js';
import {
  buildProbeModel,
  outputValues,
  PROBE_DTYPES,
  PROBE_MODEL_KINDS,
  type ProbeDtype,
  type ProbeModel,
  type ProbeModelKind,
} from './probe-models.js';
import {
  checkExecutionProvider,
  gpuProviderHint,
  importOnnxRuntime,
  type Ort,
  onnxRuntimeVersion,
  providerOnlySessionOptions,
} from './runtime.js';

/** The providers a probe can try: every execution provider the gate knows. */
export type ProbeProvider = ExecutionProvider;

/** Every provider `probeDtypes` accepts: the same list as EXECUTION_PROVIDERS. */
export const PROBE_PROVIDERS: readonly ProbeProvider[] = EXECUTION_PROVIDERS;

/**
 * - `ran`: the model ran and its output matched the reference.
 * - `not-implemented`: the provider has no kernel for an op in this dtype.
 * - `failed`: anything else: the model was refused, the run threw, or the output was wrong.
 * - `skipped`: the probe has no such model for this dtype (the detail says why).
 */
export type ProbeStatus = 'ran' | 'not-implemented' | 'failed' | 'skipped';

/** How one probe model ran in one dtype. */
export interface DtypeProbeEntry {
  dtype: ProbeDtype;
  model: ProbeModelKind;
  status: ProbeStatus;
  /** onnxruntime's own message when it refused or failed; the measured error when it ran. */
  detail: string;
  /** Wall time of one run after a warm-up run: a sign of life, not a benchmark. */
  ms?: number;
  /**
   * Ops the CPU provider ran in float32 instead of this dtype, with Casts it
   * inserted around them, because it has no kernel for them in the dtype
   * (read from onnxruntime's profile). The model ran, but not in the dtype.
   */
  upcast?: string[];
}

/**
 * What `probeDtypes` returns: one entry per dtype and model, in the order of
 * PROBE_DTYPES, and a verdict per dtype.
 */
export interface DtypeProbeResult {
  provider: ProbeProvider;
  onnxruntimeVersion: string;
  results: DtypeProbeEntry[];
  /**
   * Per probed dtype: true when every model built for it ran (a skipped
   * model does not count against it). Dtypes not asked for are absent.
   */
  summary: Partial<Record<ProbeDtype, boolean>>;
}

/** What `probeDtypes` probes, and where; every field may be left out. */
export interface DtypeProbeOptions {
  /** Execution provider; 'cpu' when left out. It is the only one used: no CPU fallback. */
  provider?: ProbeProvider;
  /** Dtypes to probe; all of PROBE_DTYPES when left out. */
  dtypes?: readonly ProbeDtype[];
  /** GPU index for 'cuda' and 'tensorrt'; 0 when left out. */
  deviceId?: number;
  /** Seed of the random inputs; the same seed feeds the same numbers. */
  seed?: number;
  /**
   * The onnxruntime-node module to use (what `import('onnxruntime-node')`
   * returns), e.g. a copy installed elsewhere with its CUDA provider.
   * Imported from this package's dependencies when left out.
   */
  runtime?: object;
}

/**
 * onnxruntime's errors for a missing kernel. The CPU-fallback one appears
 * only on GPU providers, where the probe disables fallback so a node
 * without a GPU kernel is reported, not quietly run on the CPU.
 */
const NOT_IMPLEMENTED =
  /Could not find an implementation|NOT_IMPLEMENTED|fallback to CPU EP has been explicitly disabled|CUBLAS_STATUS_NOT_SUPPORTED/i;

/** Errors that mean the GPU provider itself (or the CUDA libraries it needs) could not load. */
export const PROVIDER_LOAD_FAILED =
  /Failed to load (shared )?library|AppendExecutionProvider|lib(cudnn|cublas|cublasLt|cudart|cufft|curand|nvinfer)[\w.]*|providers_(cuda|tensorrt|shared)|no CUDA-capable device|CUDA driver version is insufficient/i;

/**
 * Runs the probe models on `provider` and reports per dtype and model.
 * Throws DeviceError('PROVIDER_MISSING') when onnxruntime-node, or the
 * requested GPU provider, is not installed; never falls back to the CPU.
 * Throws INVALID_ARGUMENT for an unknown provider or dtype, or a `deviceId`
 * that is not an integer >= 0.
 *
 * @example
 * import { probeDtypes } from '@vggt-perf-gate/device/onnx';
 * const { summary } = await probeDtypes({ provider: 'cuda', deviceId: 0, dtypes: ['float16', 'bfloat16'] });
 * if (!summary.bfloat16) console.warn('bfloat16 does not run on the cuda provider here');
 */
export async function probeDtypes(options: DtypeProbeOptions = {}): Promise<DtypeProbeResult> {
  const provider = options.provider ?? 'cpu';
  const dtypes = checkOptions(options, provider);
  const ort = options.runtime === undefined ? await loadOnnxRuntime() : (options.runtime as Ort);
  const version = onnxRuntimeVersion(ort);
  // A runtime passed in may live anywhere, so only the bundled copy's files are checked.
  checkExecutionProvider(ort, provider, options.runtime === undefined);
  const sessionOptions = providerOnlySessionOptions(provider, options.deviceId ?? 0);
  // Only the CPU provider silently upcasts (GPU runs disable CPU fallback), so only it is profiled.
  const profileDir =
    provider === 'cpu' ? mkdtempSync(join(tmpdir(), 'vggt-dtype-probe-')) : undefined;

  const results: DtypeProbeEntry[] = [];
  try {
    for (const dtype of dtypes) {
      for (const kind of PROBE_MODEL_KINDS) {
        const model = buildProbeModel(dtype, kind, options.seed);
        if ('skipped' in model) {
          results.push({ dtype, model: kind, status: 'skipped', detail: model.skipped });
        } else {
          results.push(await runProbeModel(ort, model, provider, sessionOptions, profileDir));
        }
      }
    }
  } finally {
    if (profileDir !== undefined) rmSync(profileDir, { recursive: true, force: true });
  }
  const summary: Partial<Record<ProbeDtype, boolean>> = {};
  for (const dtype of dtypes) {
    const built = results.filter((r) => r.dtype === dtype && r.status !== 'skipped');
    summary[dtype] = built.length > 0 && built.every((r) => r.status === 'ran');
  }
  return { provider, onnxruntimeVersion: version, results, summary };
}

function checkOptions(options: DtypeProbeOptions, provider: ProbeProvider): ProbeDtype[] {
  if (!PROBE_PROVIDERS.includes(provider)) {
    throw new DeviceError(
      'INVALID_ARGUMENT',
      `probeDtypes: provider ${JSON.stringify(provider)} is not one of ${PROBE_PROVIDERS.join(', ')}.`,
    );
  }
  const deviceId = options.deviceId ?? 0;
  if (!Number.isInteger(deviceId) || deviceId < 0) {
    throw new DeviceError(
      'INVALID_ARGUMENT',
      `probeDtypes: deviceId ${deviceId} is invalid: expected a GPU index (an integer >= 0).`,
    );
  }
  const dtypes = [...new Set(options.dtypes ?? PROBE_DTYPES)];
  const unknown = dtypes.filter((d) => !PROBE_DTYPES.includes(d));
  if (unknown.length > 0 || dtypes.length === 0) {
    throw new DeviceError(
      'INVALID_ARGUMENT',
      `probeDtypes: dtypes [${dtypes.join(', ')}] is invalid: expected one or more of ${PROBE_DTYPES.join(', ')}.`,
    );
  }
  return dtypes;
}

/**
 * Imports the optional peer dependency onnxruntime-node. `importer` exists
 * for tests; callers leave it out. Throws DeviceError PROVIDER_MISSING, with
 * the install command, when it is not installed or does not load.
 *
 * @example
 * import { loadOnnxRuntime, onnxRuntimeVersion } from '@vggt-perf-gate/device/onnx';
 * const ort = await loadOnnxRuntime();
 * console.log(`onnxruntime-node ${onnxRuntimeVersion(ort)}`);
 */
export async function loadOnnxRuntime(importer?: () => Promise<unknown>): Promise<Ort> {
  return importOnnxRuntime(importer);
}

async function runProbeModel(
  ort: Ort,
  model: ProbeModel,
  provider: ProbeProvider,
  sessionOptions: OrtModule.InferenceSession.SessionOptions,
  profileDir: string | undefined,
): Promise<DtypeProbeEntry> {
  const entry = { dtype: model.dtype, model: model.kind };
  const profilePrefix = `${model.dtype}-${model.kind}`;
  const options =
    profileDir === undefined
      ? sessionOptions
      : {
          ...sessionOptions,
          enableProfiling: true,
          profileFilePrefix: join(profileDir, profilePrefix),
        };
  let session: OrtModule.InferenceSession;
  try {
    session = await ort.InferenceSession.create(model.bytes, options);
  } catch (error) {
    const message = errorMessage(error);
    if (provider !== 'cpu' && PROVIDER_LOAD_FAILED.test(message)) {
      throw new DeviceError(
        'PROVIDER_MISSING',
        `onnxruntime could not start its ${provider} provider: ${message}. ${gpuProviderHint(provider)}`,
        { cause: error },
      );
    }
    return { ...entry, ...refused(message) };
  }
  try {
    const feeds: Record<string, OrtModule.Tensor> = {};
    for (const feed of model.feeds) {
      feeds[feed.name] = new ort.Tensor(feed.type, feed.data, feed.dims);
    }
    // The first run pays one-off costs (allocation, kernel selection); time the second.
    await session.run(feeds);
    const start = performance.now();
    const outputs = await session.run(feeds);
    const ms = performance.now() - start;
    const output = outputs[model.output.name];
    const problem = checkOutput(model, output);
    if (problem !== undefined) return { ...entry, status: 'failed', detail: problem, ms };
    const detail = accuracy(model, output!);
    const upcast = profileDir === undefined ? [] : upcastOps(session, profileDir, profilePrefix);
    if (upcast.length === 0) return { ...entry, status: 'ran', detail, ms };
    return {
      ...entry,
      status: 'ran',
      detail: `upcast to float32 (no ${model.dtype} kernel: ${upcast.join(', ')}); ${detail}`,
      ms,
      upcast,
    };
  } catch (error) {
    return { ...entry, ...refused(errorMessage(error)) };
  } finally {
    await session.release();
  }
}

/** onnxruntime names the Casts it inserts around nodes that lack a kernel in the dtype like this. */
const INSERTED_CAST = 'InsertedPrecisionFreeCast';

interface ProfileEvent {
  cat?: string;
  name?: string;
  args?: { op_name?: string; input_type_shape?: Record<string, unknown>[] };
}

/**
 * The ops a profiled session ran in float32 between Casts onnxruntime
 * inserted; [] when it inserted none or the profile cannot be read (it is
 * a diagnosis, never a reason to fail the probe).
 */
function upcastOps(session: OrtModule.InferenceSession, dir: string, prefix: string): string[] {
  try {
    session.endProfiling();
    const file = readdirSync(dir).find((name) => name.startsWith(prefix) && name.endsWith('.json'));
    if (file === undefined) return [];
    const events = (JSON.parse(readFileSync(join(dir, file), 'utf8')) as ProfileEvent[]).filter(
      (e) => e.cat === 'Node',
    );
    if (!events.some((e) => e.name?.startsWith(INSERTED_CAST))) return [];
    const ops = events
      .filter((e) => e.args?.op_name !== undefined && e.args.op_name !== 'Cast')
      .filter((e) => e.args?.input_type_shape?.some((input) => 'float' in input))
      .map((e) => e.args!.op_name!);
    return [...new Set(ops)];
  } catch {
    return [];
  }
}

function refused(message: string): { status: ProbeStatus; detail: string } {
  return { status: NOT_IMPLEMENTED.test(message) ? 'not-implemented' : 'failed', detail: message };
}

/** What is wrong with an output, or undefined when it has the right type, shape and values. */
function checkOutput(
  model: ProbeModel,
  output: OrtModule.OnnxValue | undefined,
): string | undefined {
  const want = model.output;
  if (output === undefined) return `no output named ${JSON.stringify(want.name)}`;
  if (output.type !== want.type || output.dims.join(',') !== want.dims.join(',')) {
    return `output is ${output.type} [${output.dims.join(', ')}], expected ${want.type} [${want.dims.join(', ')}]`;
  }
  const values = outputValues(want.type, output.data as ArrayLike<number>);
  const bad = values.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) return `output element ${bad} is ${values[bad]}, not a finite number`;
  const { error, allowed } = measure(model, values);
  if (error > allowed) {
    return `output differs from the float64 reference by up to ${short(error)} (allowed ${short(allowed)})`;
  }
  return undefined;
}

function accuracy(model: ProbeModel, output: OrtModule.OnnxValue): string {
  const { error, allowed } = measure(
    model,
    outputValues(model.output.type, output.data as ArrayLike<number>),
  );
  return `max |error| ${short(error)} vs reference (allowed ${short(allowed)})`;
}

function measure(model: ProbeModel, values: Float64Array): { error: number; allowed: number } {
  let error = 0;
  let scale = 1;
  for (let i = 0; i < values.length; i++) {
    const expected = model.expected[i]!;
    error = Math.max(error, Math.abs(values[i]! - expected));
    scale = Math.max(scale, Math.abs(expected));
  }
  return { error, allowed: model.tolerance * scale };
}

function short(value: number): string {
  return value === 0 ? '0' : value.toExponential(1);
}

function errorMessage(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).trim();
}
