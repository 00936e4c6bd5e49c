import { changeCell, failureKind, type GateResults } from '@vggt-perf-gate/runner';
import type { FailOn } from './inputs.js';

/**
 * Annotations on the run: an error per regression or failed benchmark, a
 * warning per inconclusive metric, so they show on the PR's checks page.
 */
export function annotate(
  results: GateResults,
  emit: (kind: 'error' | 'warning', text: string, title: string) => void,
): void {
  for (const b of results.benchmarks) {
    if (b.status === 'failed') {
      emit('error', `${b.name}: ${b.error ?? 'failed'}`, `perf gate: ${b.name} failed to measure`);
      continue;
    }
    for (const m of b.metrics) {
      const change = m.ratio === null ? '' : ` ${changeCell(m)}`;
      if (m.verdict === 'regression')
        emit(
          'error',
          `${b.name} ${m.metric}:${change}, beyond the ${+(m.threshold * 100).toFixed(2)}% threshold. ${m.explanation}`,
          `perf regression: ${b.name} ${m.metric}`,
        );
      else if (m.verdict === 'inconclusive')
        emit(
          'warning',
          `${b.name} ${m.metric}:${change}: the run could not tell. ${m.explanation}`,
          `perf gate inconclusive: ${b.name} ${m.metric}`,
        );
    }
  }
}

/** Why the step fails, or null when it passes under `failOn`. */
export function failureMessage(results: GateResults, failOn: FailOn): string | null {
  switch (failureKind(results, failOn)) {
    case 'failed':
      return `the perf gate could not measure: ${
        results.benchmarks
          .filter((b) => b.status === 'failed')
          .map((b) => `${b.name}: ${b.error}`)
          .join('; ') || 'the run did not complete'
      }`;
    case 'regression':
      return `performance regression in ${results.regressions} metric(s); see the PR comment or the job summary`;
    case 'inconclusive':
      return 'the perf gate was inconclusive and fail-on is regression-or-inconclusive';
    default:
      return null;
  }
}
