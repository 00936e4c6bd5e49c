import type { BenchmarkResult, GateResults, MetricResult } from '../results/types.js';
import {
  CHANGE_HEADING,
  changeCell,
  formatValue,
  howMeasured,
  inconclusiveLean,
  metricLabel,
  passBesideOthers,
  sharedGpuNote,
  surelyWorseNote,
} from './format.js';
import { oneLine } from './one-line.js';

/** GitHub Actions reads `::command::` and `##[command]` in a step's output as workflow commands. */
const WORKFLOW_COMMAND = /::|##\[/g;

/**
 * Text from the results as inert log text. `merge` and `report` print this
 * table to a CI log, maybe of a fork's results: an escape sequence could
 * rewrite the terminal, a line break start a line of its own, and such a
 * line, or `##[` anywhere, would be a workflow command (`::add-mask::`,
 * `::stop-commands::`). So each cell is one line, and a zero-width space
 * splits `::` and `##[`.
 */
function plain(text: unknown): string {
  return oneLine(String(text)).replace(WORKFLOW_COMMAND, (c) => `${c[0]}\u200b${c.slice(1)}`);
}

/**
 * The results as an aligned plain-text table for a terminal or a CI log:
 * the table `run`, `merge` and `report` print.
 *
 * @example
 * import { readResults, renderTerminal } from '@vggt-perf-gate/runner';
 * console.log(renderTerminal(await readResults('perf-gate-results.json')));
 */
export function renderTerminal(results: GateResults): string {
  const rows: string[][] = [['benchmark', 'metric', 'base', 'head', CHANGE_HEADING, 'verdict']];
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
        verdictText(b, m),
      ]);
    });
  }
  // Every cell through `plain` here, before the widths: the one place the table escapes.
  const cells = rows.map((r) => r.map(plain));
  const widths = cells[0]!.map((_, c) => Math.max(...cells.map((r) => (r[c] ?? '').length)));
  const line = (r: string[]) =>
    r
      .map((cell, c) => cell.padEnd(widths[c]!))
      .join('  ')
      .trimEnd();
  const out = [
    line(cells[0]!),
    line(widths.map((w) => '-'.repeat(w))),
    ...cells.slice(1).map(line),
  ];
  const warnings = [
    ...results.warnings,
    ...results.benchmarks.flatMap((b) => b.warnings.map((w) => `${b.name}: ${w}`)),
  ];
  for (const b of results.benchmarks) {
    const how = howMeasured(b);
    if (how !== null) out.push(`measured: ${plain(b.name)}: ${plain(how)}`);
  }
  for (const w of warnings) out.push(`warning: ${plain(w)}`);
  out.push('', verdictLine(results));
  return out.join('\n');
}

/** The verdict column: upper case, with what a shared GPU or an inconclusive lean adds. */
function verdictText(b: BenchmarkResult, m: MetricResult): string {
  const lean = inconclusiveLean(m);
  const qualifier = passBesideOthers(b, m) ? ' (GPU SHARED)' : lean ? ` (${lean})` : '';
  return `${String(m.verdict).toUpperCase()}${qualifier}`;
}

/** The last line: the run's verdict, with what a partial run, a sure slowdown or a shared GPU adds. */
function verdictLine(results: GateResults): string {
  const notes = [
    results.status === 'partial' ? 'partial run' : null,
    surelyWorseNote(results),
    sharedGpuNote(results),
  ].filter((n) => n !== null);
  return `verdict: ${plain(results.verdict).toUpperCase()}${notes.map((n) => ` (${plain(n)})`).join('')}`;
}
