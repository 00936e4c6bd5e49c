import { describe, expect, it } from 'vitest';
import { addChecks } from '../src/analysis/benchmark-checks.js';
import { parseConfig } from '../src/config/index.js';
import type { BenchmarkResult } from '../src/results/types.js';
import { benchmarkResult } from './fixtures/results.js';

describe('the expected-memory check under autocast', () => {
  const config = parseConfig(
    `version: 1
benchmarks:
  - name: vggt
    metrics: [latency, memory]
    expectedMemory: { parameters: 1.19e9, activationsGiB: 6 }
    workload: { kind: worker, command: python3 worker.py }
`,
    'perf-gate.yml',
  );
  const GiB = 2 ** 30;
  const result = (parameterDtype: string | null): BenchmarkResult =>
    benchmarkResult({
      name: 'vggt',
      dtype: { requested: 'auto', resolved: 'bf16', explanation: 'auto -> bf16' },
      rounds: 4,
      seconds: 30,
      metrics: [
        {
          metric: 'memory',
          unit: 'bytes',
          base: { count: 4, median: 13.5 * GiB, p5: 13.5 * GiB, p95: 13.5 * GiB },
          head: { count: 4, median: 13.5 * GiB, p5: 13.5 * GiB, p95: 13.5 * GiB },
          ratio: 1,
          interval: { lower: 1, upper: 1, level: 0.999 },
          threshold: 0.05,
          verdict: 'unchanged',
          explanation: '',
        },
      ],
      profiles: {
        base: null,
        head:
          parameterDtype === null
            ? null
            : {
                source: 'torch.profiler',
                available: true,
                kernels: [],
                totalDeviceUs: null,
                ops: {},
                matmulDtypes: {},
                allowTf32: null,
                parameterDtype,
                autocastDtype: 'bf16',
                flops: null,
              },
      },
    });
  const check = (r: BenchmarkResult) => {
    addChecks(r, config.benchmarks[0]!, { dtype: 'bf16', warning: null }, 'NVIDIA H200');
    return r.warnings.join('\n');
  };

  it('counts the weights the profile saw as fp32, so bf16 autocast is not called a fallback', () => {
    expect(check(result('fp32'))).not.toMatch(/exceeds the expectation/);
  });

  it('without a profile, the same peak is flagged as a peak that fits fp32', () => {
    expect(check(result(null))).toMatch(/exceeds the expectation: .*the peak fits fp32/);
  });
});
