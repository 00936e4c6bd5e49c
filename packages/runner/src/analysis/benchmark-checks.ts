import { isComputeDtype } from '@vggt-perf-gate/device';
import { checkExpectedMemory } from '@vggt-perf-gate/memory';
import type { BenchmarkConfig } from '../config/index.js';
import type { BenchmarkResult } from '../results/types.js';
import { hostReadsWarning, whatRan, whatRanWarnings } from './what-ran.js';

/** Warnings about what ran (dtype, kernels, memory against the expectation), added to `result`. */
export function addChecks(
  result: BenchmarkResult,
  benchmark: BenchmarkConfig,
  dtype: { dtype: string; warning: string | null },
  deviceName: string | null,
): void {
  if (dtype.warning) result.warnings.push(dtype.warning);
  const latency = result.metrics.find((m) => m.metric === 'latency');
  const base = whatRan(result.profiles?.base, latency?.base?.median ?? null, deviceName);
  const head = whatRan(result.profiles?.head, latency?.head?.median ?? null, deviceName);
  result.warnings.push(...whatRanWarnings(base, head, dtype.dtype));
  const reads = hostReadsWarning(base, head);
  if (reads) result.warnings.push(reads);
  const peak = result.metrics.find((m) => m.metric === 'memory')?.head?.median;
  if (benchmark.expectedMemory && peak !== undefined && isComputeDtype(dtype.dtype)) {
    // The weights' storage dtype, as the head's profile saw the parameters: fp32 weights
    // under bf16 autocast (how VGGT runs) are not a precision fallback.
    const stored = result.profiles?.head?.parameterDtype;
    const check = checkExpectedMemory({
      parameterCount: benchmark.expectedMemory.parameters,
      dtype: dtype.dtype,
      ...(typeof stored === 'string' && isComputeDtype(stored) ? { weightsDtype: stored } : {}),
      activationBytes: benchmark.expectedMemory.activationsGiB * 2 ** 30,
      factor: benchmark.expectedMemory.factor,
      measuredPeakBytes: peak,
      requestedDtype: dtype.dtype,
    });
    if (check.state === 'exceeded')
      result.warnings.push(
        `head peak VRAM exceeds the expectation: ${check.likelyCause ?? check.note ?? ''}`,
      );
  }
}
