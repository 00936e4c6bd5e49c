/**
 * Loading onnxruntime-node and making sure the execution provider asked for
 * is the one that runs: shared by the dtype probe and the runner's onnx
 * workload. A GPU provider that is missing is an error that says how to
 * install it, and CPU fallback is switched off, so a GPU run never quietly
 * becomes a CPU run.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as OrtModule from 'onnxruntime-node';
import type { ExecutionProvider } from '../dtypes.js';
import { DeviceError } from '../errors.js';

/** The onnxruntime-node module, as `import('onnxruntime-node')` returns it. */
export type Ort = typeof OrtModule;

/** The execution providers that run on a GPU: every ExecutionProvider but `cpu`. */
export type GpuExecutionProvider = Exclude<ExecutionProvider, 'cpu'>;

/** The command that installs onnxruntime-node; the errors for a missing one quote it. */
export const ONNX_INSTALL_COMMAND = 'npm install onnxruntime-node';

/** Base names of the provider libraries onnxruntime-node's install script downloads. */
const PROVIDER_LIBRARY: Record<GpuExecutionProvider, string> = {
  cuda: 'onnxruntime_providers_cuda',
  tensorrt: 'onnxruntime_providers_tensorrt',
};

/**
 * Where onnxruntime-node is: next to this package first, else in the
 * working directory's node_modules. The second matters for the bundled
 * GitHub Action, which does not ship onnxruntime-node (hundreds of MB with
 * its CUDA provider): the repository being gated installs it.
 */
export function resolveOnnxRuntime(): string | undefined {
  for (const from of [import.meta.url, join(process.cwd(), 'package.json')]) {
    try {
      return createRequire(from).resolve('onnxruntime-node');
    } catch {
      // try the next place
    }
  }
  return undefined;
}

async function importFromHereOrWorkingDirectory(): Promise<unknown> {
  try {
    return await import('onnxruntime-node');
  } catch (error) {
    const path = resolveOnnxRuntime();
    if ((error as { code?: unknown }).code !== 'ERR_MODULE_NOT_FOUND' || !path) throw error;
    return import(pathToFileURL(path).href);
  }
}

/**
 * Imports onnxruntime-node (an optional peer dependency), from this package's
 * node_modules or the working directory's. `importer` exists for tests.
 * Throws DeviceError PROVIDER_MISSING with the install command when the
 * package is absent or its native binding does not load.
 *
 * @example
 * import { importOnnxRuntime } from '@vggt-perf-gate/device/onnx';
 * const ort = await importOnnxRuntime();
 * console.log(ort.listSupportedBackends().map((backend) => backend.name));
 */
export async function importOnnxRuntime(
  importer: () => Promise<unknown> = importFromHereOrWorkingDirectory,
): Promise<Ort> {
  try {
    return (await importer()) as Ort;
  } catch (error) {
    const notInstalled =
      (error as { code?: unknown }).code === 'ERR_MODULE_NOT_FOUND' &&
      String((error as Error).message).includes('onnxruntime-node');
    const message = notInstalled
      ? `onnxruntime-node is not installed; ONNX models run through it. Install it with: ${ONNX_INSTALL_COMMAND}`
      : `onnxruntime-node is installed but failed to load (${(error as Error).message}). Reinstall it with: ${ONNX_INSTALL_COMMAND}`;
    throw new DeviceError('PROVIDER_MISSING', message, { cause: error });
  }
}

/**
 * onnxruntime-node's version, as the runtime reports it.
 *
 * @example
 * import { importOnnxRuntime, onnxRuntimeVersion } from '@vggt-perf-gate/device/onnx';
 * onnxRuntimeVersion(await importOnnxRuntime()); // e.g. '1.30.0'
 */
export function onnxRuntimeVersion(ort: Ort): string {
  return ort.env.versions.node ?? ort.env.versions.common;
}

/**
 * How to get a GPU provider onto this machine; part of every provider error.
 *
 * @example
 * import { gpuProviderHint } from '@vggt-perf-gate/device/onnx';
 * console.error(`the tensorrt provider did not start. ${gpuProviderHint('tensorrt')}`);
 */
export function gpuProviderHint(provider: GpuExecutionProvider): string {
  const extra = provider === 'tensorrt' ? ', TensorRT 10' : '';
  return (
    `onnxruntime-node downloads its ${provider} provider in its install script, so that script must run: ` +
    'allow it (npm 11: `npm install-scripts approve onnxruntime-node`, or list it in allowScripts), ' +
    'make sure ONNXRUNTIME_NODE_INSTALL is not set to "skip", then reinstall with `npm rebuild onnxruntime-node`. ' +
    `The provider also needs CUDA 12 and cuDNN 9${extra} libraries on this machine's library path. ` +
    'This never falls back to the CPU.'
  );
}

/**
 * Fails early when onnxruntime-node cannot have `provider`: not built for
 * this platform, or (for the providers not bundled in the npm package) the
 * library its install script downloads is absent. `checkFiles` false skips
 * the file check, for a runtime module loaded from somewhere else. Throws
 * DeviceError PROVIDER_MISSING, with the install steps; `cpu` always passes.
 *
 * @example
 * import { checkExecutionProvider, importOnnxRuntime } from '@vggt-perf-gate/device/onnx';
 * const ort = await importOnnxRuntime();
 * checkExecutionProvider(ort, 'cuda'); // throws PROVIDER_MISSING when the cuda provider is not installed
 */
export function checkExecutionProvider(
  ort: Ort,
  provider: ExecutionProvider,
  checkFiles = true,
): void {
  if (provider === 'cpu') return;
  const version = onnxRuntimeVersion(ort);
  const backends = ort.listSupportedBackends();
  const backend = backends.find((b) => b.name === provider);
  if (backend === undefined) {
    throw new DeviceError(
      'PROVIDER_MISSING',
      `onnxruntime-node ${version} on ${process.platform}/${process.arch} has no ${provider} provider ` +
        `(it offers: ${backends.map((b) => b.name).join(', ')}); the CUDA and TensorRT providers exist for linux/x64 and win32/x64 only.`,
    );
  }
  if (backend.bundled || !checkFiles) return;
  const library = providerLibraryPath(provider);
  if (library !== undefined && !existsSync(library)) {
    throw new DeviceError(
      'PROVIDER_MISSING',
      `onnxruntime-node ${version}'s ${provider} provider is not installed: ${library} is missing. ${gpuProviderHint(provider)}`,
    );
  }
}

/** Where onnxruntime-node keeps a provider library, or undefined if its layout is not the one known. */
function providerLibraryPath(provider: GpuExecutionProvider): string | undefined {
  try {
    const entry = resolveOnnxRuntime();
    if (!entry) return undefined;
    const bin = join(dirname(entry), '..', 'bin', 'napi-v6', process.platform, process.arch);
    if (!existsSync(bin)) return undefined;
    const file =
      process.platform === 'win32'
        ? `${PROVIDER_LIBRARY[provider]}.dll`
        : `lib${PROVIDER_LIBRARY[provider]}.so`;
    return join(bin, file);
  } catch {
    return undefined;
  }
}

/**
 * Session options that run every node on `provider` and nowhere else.
 * `session` adds session config entries (e.g. thread spinning). A GPU
 * provider runs on GPU `deviceId` with CPU fallback off, so a node it has
 * no kernel for fails instead of running on the CPU; `cpu` ignores
 * `deviceId`.
 *
 * @example
 * import { importOnnxRuntime, providerOnlySessionOptions } from '@vggt-perf-gate/device/onnx';
 * const ort = await importOnnxRuntime();
 * const options = providerOnlySessionOptions('cuda', 0, { intra_op: { allow_spinning: '0' } });
 * const session = await ort.InferenceSession.create('model.onnx', options);
 */
export function providerOnlySessionOptions(
  provider: ExecutionProvider,
  deviceId: number,
  session: Record<string, unknown> = {},
): OrtModule.InferenceSession.SessionOptions {
  if (provider === 'cpu') {
    return Object.keys(session).length > 0
      ? { executionProviders: ['cpu'], extra: { session } }
      : { executionProviders: ['cpu'] };
  }
  return {
    executionProviders: [{ name: provider, deviceId }],
    // onnxruntime otherwise places nodes its GPU provider lacks on the CPU:
    // a probe would call a dtype supported, a benchmark would time a CPU/GPU mix.
    extra: { session: { ...session, disable_cpu_ep_fallback: '1' } },
  };
}
