import type { BenchmarkResult, GateResults, MetricResult } from '../results.js';
import type { WorkloadInfo } from '../workloads/types.js';
import { changeCell, formatValue, metricLabel } from './format.js';
import {
  describeWhatRan,
  kernelDiff,
  profileTimeLabel,
  shortKernelName,
  whatRan as whatRanFromProfile,
} from './what-ran.js';

const VERDICT_TEXT: Record<MetricResult['verdict'], string> = {
  regression: '🔴 **regression**',
  improvement: '🟢 improvement',
  unchanged: '✅ unchanged',
  inconclusive: '🟡 inconclusive',
  'not-measured': '➖ not measured',
};

const HEADLINE: Record<GateResults['verdict'], string> = {
  pass: '✅ No performance regression',
  regression: '🔴 Performance regression',
  inconclusive: '🟡 Performance gate inconclusive',
  failed: '💥 Performance gate failed to measure',
};

/**
 * The report for a PR comment and the job summary: a headline, one table
 * row per benchmark metric (base, head, change with its interval, verdict),
 * what actually ran on each side, warnings, and a legend.
 */
export function renderMarkdown(results: GateResults): string {
  const lines: string[] = [];
  const count = results.regressions;
  lines.push(
    `### ${HEADLINE[results.verdict]}${results.verdict === 'regression' ? `: ${count} metric${count === 1 ? '' : 's'}` : ''}`,
  );
  lines.push('');
  const sha = (s: string | null) =>
    s ? `\`${s.slice(0, 8).replace(/[^0-9a-f]/gi, '')}\`` : 'working tree';
  const device =
    results.device.state === 'ok'
      ? escapeCell(
          `${results.device.name}${results.device.computeCapability ? ` (CC ${results.device.computeCapability})` : ''}, driver ${results.device.driver}`,
        )
      : 'no GPU (CPU only)';
  lines.push(
    `base ${sha(results.commits.base.sha)} (${escapeCell(results.commits.base.ref)}) vs head ${sha(results.commits.head.sha)}${results.commits.head.dirty ? ' + uncommitted changes' : ''} · ${device}${results.status === 'partial' ? ' · **partial run**' : ''}`,
  );
  lines.push('');
  lines.push('| benchmark | metric | base | head | change [95% interval] | verdict |');
  lines.push('|---|---|---:|---:|---|---|');
  for (const b of results.benchmarks) {
    if (b.status === 'failed') {
      lines.push(
        `| ${escapeCell(b.name)} | | | | | 💥 failed: ${escapeCell(b.error ?? 'unknown error')} |`,
      );
      continue;
    }
    b.metrics.forEach((m, i) => {
      lines.push(
        `| ${i === 0 ? escapeCell(b.name) : ''} | ${escapeCell(metricLabel(m.metric))} | ${m.base ? formatValue(m.base.median, m.unit) : 'n/a'} | ${m.head ? formatValue(m.head.median, m.unit) : 'n/a'} | ${changeCell(m)} | ${VERDICT_TEXT[m.verdict]} |`,
      );
    });
  }
  lines.push('');
  lines.push(...kernelSections(results));
  const deviceName = results.device.state === 'ok' ? results.device.name : null;
  const profiled = (b: BenchmarkResult, side: 'base' | 'head') =>
    whatRanFromProfile(
      b.profiles?.[side],
      b.metrics.find((m) => m.metric === 'latency')?.[side]?.median ?? null,
      deviceName,
    );
  const ran = results.benchmarks.flatMap((b) => [
    `- **${escapeCell(b.name)}**: ${escapeCell(`${b.dtype.explanation}; base: ${whatRan(b.ran.base)}; head: ${whatRan(b.ran.head)}`)}`,
    ...(b.profiles?.base?.available || b.profiles?.head?.available
      ? (['base', 'head'] as const).map(
          (side) => `  - ${side} profiled: ${escapeCell(describeWhatRan(profiled(b, side)))}`,
        )
      : []),
    ...(['base', 'head'] as const).flatMap((side) =>
      (b.memory?.[side] ?? []).map(
        (row) =>
          `  - ${side} GPU ${row.gpuIndex}${row.ranks ? ` (rank${row.ranks.length > 1 ? 's' : ''} ${row.ranks.join(', ')})` : ''} memory: allocated ${formatValue(row.allocatorPeak, 'bytes')}, reserved ${formatValue(row.reservedPeak, 'bytes')}, process ${row.processPeak === null ? 'n/a' : formatValue(row.processPeak, 'bytes')}${row.contextOverhead === null ? '' : ` (context ${formatValue(row.contextOverhead, 'bytes')})`}`,
      ),
    ),
  ]);
  if (ran.length > 0)
    lines.push('<details><summary>What ran</summary>', '', ...ran, '', '</details>', '');
  const warnings = [
    ...results.warnings,
    ...results.benchmarks.flatMap((b) => b.warnings.map((w) => `${b.name}: ${w}`)),
  ];
  if (warnings.length > 0) {
    lines.push('**Warnings**', '', ...warnings.map((w) => `- ⚠️ ${escapeCell(w)}`), '');
  }
  lines.push(
    '<details><summary>How to read this</summary>',
    '',
    'Base and head ran on the same machine (and GPU) in alternating rounds (ABBA). *change* is head / base of the medians with a 95% confidence interval (the wider of a per-sample and a per-round interval).',
    '',
    `- **regression**: the whole interval is above the threshold (${thresholds(results)}); **improvement**: wholly below its negative;`,
    '- **unchanged**: the whole interval is inside ± the threshold; **inconclusive**: none of these: the run could not tell (never counted as a pass).',
    '',
    '</details>',
  );
  return lines.join('\n');
}

/**
 * For each benchmark whose latency or peak VRAM regressed: the kernels that
 * appeared, disappeared or changed most, base vs head, from the profiled
 * iterations. Outside the collapsed details: it is the first thing to read.
 */
function kernelSections(results: GateResults): string[] {
  const out: string[] = [];
  for (const b of results.benchmarks) {
    const regressed = b.metrics.some(
      (m) => m.verdict === 'regression' && (m.metric === 'latency' || m.metric === 'memory'),
    );
    if (!regressed) continue;
    const changes = kernelDiff(b.profiles?.base, b.profiles?.head);
    if (changes.length === 0) continue;
    const us = (v: number | null) => (v === null ? '–' : `${(v / 1000).toFixed(2)} ms`);
    out.push(
      `**What changed in ${escapeCell(b.name)}**: ${profileTimeLabel(b.profiles?.head ?? b.profiles?.base)} (profiled once per side, untimed)`,
      '',
      '| kernel | base | head | |',
      '|---|---:|---:|---|',
      ...changes.map(
        (c) =>
          `| \`${codeSpan(shortKernelName(c.name))}\` | ${us(c.baseUs)} | ${us(c.headUs)} | ${c.change} |`,
      ),
      '',
    );
  }
  return out;
}

function whatRan(info: WorkloadInfo | null): string {
  if (!info) return 'did not start';
  const parts = [
    `${info.framework}${info.frameworkVersion ? ` ${info.frameworkVersion}` : ''}`,
    info.dtype ?? 'dtype unknown',
    info.device ? `on ${info.device}` : null,
    typeof info.extra.attention === 'string' ? `attention: ${info.extra.attention}` : null,
  ];
  return parts.filter(Boolean).join(', ');
}

function thresholds(results: GateResults): string {
  const seen = new Map<string, number>();
  for (const b of results.benchmarks)
    for (const m of b.metrics) seen.set(metricLabel(m.metric), m.threshold);
  return (
    [...seen].map(([label, t]) => `${label} ±${+(t * 100).toFixed(2)}%`).join(', ') || 'per metric'
  );
}

/**
 * Text from the results (names, errors, what a worker reported, refs, device
 * names) as inert Markdown: a results file may come from a fork PR's run, so
 * it must not be able to break the table, inject HTML or links, or @-mention
 * people.
 */
/** Text for inside a code span in a table: nothing there is Markdown or HTML, but a backtick or pipe would end it. */
function codeSpan(text: string): string {
  return text.replace(/[`\r\n]/g, "'").replace(/\|/g, '\\|');
}

function escapeCell(text: unknown): string {
  return String(text)
    .replace(/\\/g, '\\\\')
    .replace(/[|[\]!`*_]/g, (c) => `\\${c}`)
    .replace(/\r?\n/g, ' ')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/@(?=[A-Za-z0-9])/g, '@\u200b');
}
