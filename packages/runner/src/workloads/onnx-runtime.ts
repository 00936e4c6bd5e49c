/**
 * The onnx workload's view of onnxruntime-node: loading it and making sure
 * the execution provider a workload names is the one that runs it. The
 * checks themselves live in @vggt-perf-gate/device (shared with its dtype
 * probe); here their errors become the runner's WORKLOAD_FAILED, and the
 * session options add what benchmarking needs (no thread spinning).
 */
import { DeviceError, type ExecutionProvider } from '@vggt-perf-gate/device';
import {
  checkExecutionProvider,
  importOnnxRuntime,
  type Ort,
  onnxRuntimeVersion,
  PROVIDER_LOAD_FAILED,
  providerOnlySessionOptions,
} from '@vggt-perf-gate/device/onnx';
import type * as OrtModule from 'onnxruntime-node';
import { RunnerError } from '../errors.js';

export { gpuProviderHint as gpuSetupHint } from '@vggt-perf-gate/device/onnx';
export type { Ort };
export { PROVIDER_LOAD_FAILED };

/** Execution providers an onnx workload may name. */
export type OnnxProvider = ExecutionProvider;

/** Every provider name, for checking a config. */
export const ONNX_PROVIDERS: readonly OnnxProvider[] = ['cpu', 'cuda', 'tensorrt'];

/** Re-raises the device package's provider errors as this workload's failure. */
function asWorkloadFailure(error: unknown): never {
  if (error instanceof DeviceError) {
    throw new RunnerError('WORKLOAD_FAILED', `onnx workload: ${error.message}`, { cause: error });
  }
  throw error;
}

/**
 * Imports onnxruntime-node. `importer` exists for tests; callers leave it
 * out. Throws RunnerError('WORKLOAD_FAILED') with the install command when
 * the package is absent or its native binding does not load.
 */
export async function loadOnnxRuntime(importer?: () => Promise<unknown>): Promise<Ort> {
  return importOnnxRuntime(importer).catch(asWorkloadFailure);
}

/** onnxruntime-node's version, as the runtime reports it. */
export function runtimeVersion(ort: Ort): string {
  return onnxRuntimeVersion(ort);
}

/**
 * Fails early when onnxruntime-node cannot have `provider`. `checkFiles`
 * false skips the provider-library file check, for a runtime module loaded
 * from somewhere else.
 */
export function checkProvider(ort: Ort, provider: OnnxProvider, checkFiles = true): void {
  try {
    checkExecutionProvider(ort, provider, checkFiles);
  } catch (error) {
    asWorkloadFailure(error);
  }
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

/** Session options that run every node on `provider` and nowhere else, thread spinning off. */
export function providerSessionOptions(
  provider: OnnxProvider,
  deviceId: number,
): OrtModule.InferenceSession.SessionOptions {
  return providerOnlySessionOptions(provider, deviceId, NO_SPINNING);
}

/** The message of anything thrown, for wrapping in a RunnerError. */
export function errorMessage(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).trim();
}
