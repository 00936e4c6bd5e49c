import type { MetricResult } from '../results.js';

/** Words rather than symbols: emoji fonts are missing on many CI machines and print badly. */
const VERDICT_LABEL: Record<MetricResult['verdict'] | 'failed', string> = {
  regression: 'regression',
  improvement: 'improvement',
  unchanged: 'unchanged',
  inconclusive: 'inconclusive',
  'not-measured': 'not measured',
  failed: 'failed',
};

/** A coloured pill for a metric verdict (or a failed benchmark); the class carries the colour. */
export function verdictBadge(verdict: MetricResult['verdict'] | 'failed'): string {
  return `<span class="badge v-${verdict}">${VERDICT_LABEL[verdict]}</span>`;
}
