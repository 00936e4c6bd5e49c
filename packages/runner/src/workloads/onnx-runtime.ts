/**
 * Loading onnxruntime-node and making sure the execution provider a
 * workload names is the one that runs it. A GPU benchmark that quietly ran
 * on the CPU would compare the wrong thing, so a missing GPU provider is an
 * error that says how to install it, and CPU fallback is switched off.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type * as OrtModule from 'onnxruntime-node';
import { RunnerError } from '../errors.js';

/** The onnxruntime-node module, as `import('onnxruntime-node')` returns it. */
export type Ort = typeof OrtModule;

/** Execution providers an onnx workload may name. */
export type OnnxProvider = 'cpu' | 'cuda' | 'tensorrt';

/** Every provider name, for checking a config. */
export const ONNX_PROVIDERS: readonly OnnxProvider[] = ['cpu', 'cuda', 'tensorrt'];

type GpuProvider = Exclude<OnnxProvider, 'cpu'>;

const INSTALL_COMMAND = 'npm install onnxruntime-node';

/** Base names of the provider libraries onnxruntime-node's install script downloads. */
const PROVIDER_LIBRARY: Record<GpuProvider, string> = {
  cuda: 'onnxruntime_providers_cuda',
  tensorrt: 'onnxruntime_providers_tensorrt',
};

/** Errors that mean the GPU provider itself (or the CUDA libraries it needs) could not load. */
export const PROVIDER_LOAD_FAILED =
  /Failed to load (shared )?library|AppendExecutionProvider|lib(cudnn|cublas|cublasLt|cudart|cufft|curand|nvinfer)[\w.]*|providers_(cuda|tensorrt|shared)|no CUDA-capable device|CUDA driver version is insufficient/i;

/**
 * Imports onnxruntime-node. `importer` exists for tests; callers leave it
 * out. Throws RunnerError('WORKLOAD_FAILED') with the install command when
 * the package is absent or its native binding does not load.
 */
export async function loadOnnxRuntime(
  importer: () => Promise<unknown> = () => import('onnxruntime-node'),
): Promise<Ort> {
  try {
    return (await importer()) as Ort;
  } catch (error) {
    const notInstalled =
      (error as { code?: unknown }).code === 'ERR_MODULE_NOT_FOUND' &&
      String((error as Error).message).includes('onnxruntime-node');
    const message = notInstalled
      ? `onnx workload: onnxruntime-node is not installed, and onnx workloads run in-process through it. Install it next to the runner with: ${INSTALL_COMMAND}`
      : `onnx workload: onnxruntime-node is installed but failed to load (${errorMessage(error)}). Reinstall it with: ${INSTALL_COMMAND}`;
    throw new RunnerError('WORKLOAD_FAILED', message, { cause: error });
  }
}

/** onnxruntime-node's version, as the runtime reports it. */
export function runtimeVersion(ort: Ort): string {
  return ort.env.versions.node ?? ort.env.versions.common;
}

/** How to get a GPU provider onto this machine; appended to every provider error. */
export function gpuSetupHint(provider: GpuProvider): string {
  const extra = provider === 'tensorrt' ? ', TensorRT 10' : '';
  return (
    `onnxruntime-node downloads its ${provider} provider in its install script, so that script must run: ` +
    'allow it (npm 11: `npm install-scripts approve onnxruntime-node`, or list it in allowScripts), ' +
    'make sure ONNXRUNTIME_NODE_INSTALL is not set to "skip", then reinstall with `npm rebuild onnxruntime-node`. ' +
    `The provider also needs CUDA 12 and cuDNN 9${extra} libraries on this machine's library path. ` +
    'The onnx workload never falls back to the CPU.'
  );
}

/**
 * Fails early when onnxruntime-node cannot have `provider`: not built for
 * this platform, or (for the providers not bundled in the npm package) the
 * library its install script downloads is absent. `checkFiles` false skips
 * the file check, for a runtime module loaded from somewhere else.
 */
export function checkProvider(ort: Ort, provider: OnnxProvider, checkFiles = true): void {
  if (provider === 'cpu') return;
  const version = runtimeVersion(ort);
  const backends = ort.listSupportedBackends();
  const backend = backends.find((b) => b.name === provider);
  if (backend === undefined) {
    throw new RunnerError(
      'WORKLOAD_FAILED',
      `onnx workload: onnxruntime-node ${version} on ${process.platform}/${process.arch} has no ${provider} provider ` +
        `(it offers: ${backends.map((b) => b.name).join(', ')}); the CUDA and TensorRT providers exist for linux/x64 and win32/x64 only.`,
    );
  }
  if (backend.bundled || !checkFiles) return;
  const library = providerLibraryPath(provider, bundledLibraryDir());
  if (library !== undefined && !existsSync(library)) {
    throw new RunnerError(
      'WORKLOAD_FAILED',
      `onnx workload: onnxruntime-node ${version}'s ${provider} provider is not installed: ${library} is missing. ${gpuSetupHint(provider)}`,
    );
  }
}

/** The folder holding onnxruntime-node's native libraries, or undefined if its layout is not the one known. */
function bundledLibraryDir(): string | undefined {
  try {
    const entry = createRequire(import.meta.url).resolve('onnxruntime-node');
    const dir = join(dirname(entry), '..', 'bin', 'napi-v6', process.platform, process.arch);
    return existsSync(dir) ? dir : undefined;
  } catch {
    return undefined;
  }
}

function providerLibraryPath(provider: GpuProvider, dir: string | undefined): string | undefined {
  if (dir === undefined) return undefined;
  const file =
    process.platform === 'win32'
      ? `${PROVIDER_LIBRARY[provider]}.dll`
      : `lib${PROVIDER_LIBRARY[provider]}.so`;
  return join(dir, file);
}

/**
 * onnxruntime's intra-op threads spin after a run, waiting for the next.
 * Base and head sessions share one process and its cores, so the idle
 * side's spinning threads would steal cores from the side being timed:
 * on two cores that swung the head/base ratio of the demo models between
 * 1.04 and 1.27 from trial to trial, and without spinning it held at
 * 1.16-1.20 in the same experiment.
 */
const NO_SPINNING = { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } };

/**
 * Session options that run every node on `provider` and nowhere else, with
 * thread-pool spinning off (see NO_SPINNING).
 */
export function providerSessionOptions(
  provider: OnnxProvider,
  deviceId: number,
): OrtModule.InferenceSession.SessionOptions {
  if (provider === 'cpu') {
    return { executionProviders: ['cpu'], extra: { session: NO_SPINNING } };
  }
  return {
    executionProviders: [{ name: provider, deviceId }],
    // onnxruntime otherwise places nodes its GPU provider lacks on the CPU,
    // and the benchmark would time a CPU/GPU mix while calling it a GPU run.
    extra: { session: { ...NO_SPINNING, disable_cpu_ep_fallback: '1' } },
  };
}

/** The message of anything thrown, for wrapping in a RunnerError. */
export function errorMessage(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).trim();
}
