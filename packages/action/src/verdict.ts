import {
  changeCell,
  failureKind,
  type GateResults,
  inconclusiveLean,
  type MetricResult,
} from '@vggt-perf-gate/runner';
import type { FailOn } from './inputs.js';

type Annotation = { kind: 'error' | 'warning'; text: string; title: string };

/**
 * Annotations on the run: an error per regression or failed benchmark, a
 * warning per inconclusive metric, so they show on the PR's checks page.
 */
export function annotate(
  results: GateResults,
  emit: (kind: Annotation['kind'], text: string, title: string) => void,
): void {
  for (const b of results.benchmarks) {
    if (b.status === 'failed') {
      emit('error', `${b.name}: ${b.error ?? 'failed'}`, `perf gate: ${b.name} failed to measure`);
      continue;
    }
    for (const m of b.metrics) {
      const a = metricAnnotation(b.name, m);
      if (a) emit(a.kind, a.text, a.title);
    }
  }
}

function metricAnnotation(name: string, m: MetricResult): Annotation | null {
  // A metric with no ratio (a side that ran out of memory) has only its explanation to give.
  const change = m.ratio === null ? null : changeCell(m);
  if (m.verdict === 'regression') {
    const beyond = `beyond the ${+(m.threshold * 100).toFixed(2)}% threshold`;
    return {
      kind: 'error',
      text: `${name} ${m.metric}: ${change === null ? '' : `${change}, ${beyond}. `}${m.explanation}`,
      title: `perf regression: ${name} ${m.metric}`,
    };
  }
  if (m.verdict === 'inconclusive') {
    const lean = inconclusiveLean(m);
    const told = lean ? `${lean}, not surely beyond the threshold` : 'the run could not tell';
    return {
      kind: 'warning',
      text: `${name} ${m.metric}: ${change === null ? '' : `${change}: `}${told}. ${m.explanation}`,
      title: `perf gate inconclusive: ${name} ${m.metric}`,
    };
  }
  return null;
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
