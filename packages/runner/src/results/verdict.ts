import type { BenchmarkResult, GateVerdict } from './types.js';

/** The gate's verdict from its benchmarks: any failure or regression decides it. */
export function gateVerdict(benchmarks: readonly BenchmarkResult[]): {
  verdict: GateVerdict;
  regressions: number;
} {
  const verdicts = benchmarks.flatMap((b) => b.metrics.map((m) => m.verdict));
  const regressions = verdicts.filter((v) => v === 'regression').length;
  if (benchmarks.some((b) => b.status === 'failed')) return { verdict: 'failed', regressions };
  if (regressions > 0) return { verdict: 'regression', regressions };
  if (verdicts.includes('inconclusive')) return { verdict: 'inconclusive', regressions };
  // Measured beside another GPU process, "no regression" is not a clean pass.
  if (benchmarks.some((b) => (b.sharedGpu?.rounds.length ?? 0) > 0))
    return { verdict: 'inconclusive', regressions };
  return { verdict: 'pass', regressions };
}
