import type { GateVerdict, MetricResult } from '../results/types.js';
import { lookup } from './format.js';
import { html, type SafeHtml } from './html-escape.js';

/** Every verdict a metric, a benchmark or the whole gate can have. */
type AnyVerdict = MetricResult['verdict'] | GateVerdict;

/** Words rather than symbols: emoji fonts are missing on many CI machines and print badly. */
const VERDICT_LABEL: Readonly<Record<AnyVerdict, string>> = {
  regression: 'regression',
  improvement: 'improvement',
  unchanged: 'unchanged',
  inconclusive: 'inconclusive',
  'not-measured': 'not measured',
  failed: 'failed',
  pass: 'pass',
};

/**
 * The stylesheet's class per verdict (html-style.ts colours them). A class
 * attribute takes a name from this table, never the verdict itself: a
 * results file's verdict is only a key into it.
 */
const VERDICT_CLASS: Readonly<Record<AnyVerdict, string>> = {
  regression: 'v-regression',
  improvement: 'v-improvement',
  unchanged: 'v-unchanged',
  inconclusive: 'v-inconclusive',
  'not-measured': 'v-not-measured',
  failed: 'v-failed',
  pass: 'v-pass',
};
/** Styled like "not measured": a verdict this version does not know says nothing. */
const UNKNOWN_CLASS = 'v-unknown';

/** The class name that colours `verdict`; `v-unknown` for anything not in the table. */
export function verdictClass(verdict: AnyVerdict): string {
  return lookup(VERDICT_CLASS, verdict, UNKNOWN_CLASS);
}

/** A verdict in words; one this version does not know as it is (escaped where it is shown). */
export function verdictLabel(verdict: AnyVerdict): string {
  return lookup(VERDICT_LABEL, verdict, String(verdict));
}

/** A coloured pill for a metric verdict (or a failed benchmark); the class carries the colour. */
export function verdictBadge(verdict: MetricResult['verdict'] | 'failed'): SafeHtml {
  return html`<span class="badge ${verdictClass(verdict)}">${verdictLabel(verdict)}</span>`;
}
