import type { GateResults } from '../results.js';
import { changeCell, formatValue, metricLabel } from './format.js';

/** The results as an aligned plain-text table for a terminal or a CI log. */
export function renderTerminal(results: GateResults): string {
  const rows: string[][] = [
    ['benchmark', 'metric', 'base', 'head', 'change [95% interval]', 'verdict'],
  ];
  for (const b of results.benchmarks) {
    if (b.status === 'failed') {
      rows.push([b.name, '', '', '', '', `FAILED: ${b.error ?? ''}`]);
      continue;
    }
    b.metrics.forEach((m, i) => {
      rows.push([
        i === 0 ? b.name : '',
        metricLabel(m.metric),
        m.base ? formatValue(m.base.median, m.unit) : 'n/a',
        m.head ? formatValue(m.head.median, m.unit) : 'n/a',
        changeCell(m),
        m.verdict.toUpperCase(),
      ]);
    });
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  const line = (r: string[]) =>
    r
      .map((cell, c) => cell.padEnd(widths[c]!))
      .join('  ')
      .trimEnd();
  const out = [line(rows[0]!), line(widths.map((w) => '-'.repeat(w))), ...rows.slice(1).map(line)];
  const warnings = [
    ...results.warnings,
    ...results.benchmarks.flatMap((b) => b.warnings.map((w) => `${b.name}: ${w}`)),
  ];
  for (const w of warnings) out.push(`warning: ${w}`);
  out.push(
    '',
    `verdict: ${results.verdict.toUpperCase()}${results.status === 'partial' ? ' (partial run)' : ''}`,
  );
  return out.join('\n');
}
