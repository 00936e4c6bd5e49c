import { byBenchmark, type TrendPoint, type TrendSeries } from '../history/series.js';
import { formatChange, formatValue, metricLabel } from './format.js';
import {
  code,
  joinMd,
  md,
  mermaidBlock,
  mermaidLabel,
  type SafeMarkdown,
} from './markdown-escape.js';

/**
 * The history in Markdown: per benchmark a Mermaid `xychart-beta` line of
 * each metric's median (GitHub draws it in comments and job summaries) and
 * a table of the latest runs. `renderTrendComment` is the compact form a PR
 * comment gets: the charts only, folded away.
 */

/** Characters of a commit sha on an axis or in a table. */
const SHORT_SHA = 7;
/** Rows of the table under each benchmark's charts. */
const TABLE_ROWS = 10;
const NEWLINE = md`\n`;

/**
 * A Markdown page of every series: per benchmark a chart of each metric and
 * a table of its latest runs.
 *
 * @example
 * const { entries } = await readStore('perf-history');
 * writeFileSync('trend.md', renderTrendMarkdown(trendSeries(entries, 50)));
 */
export function renderTrendMarkdown(
  series: readonly TrendSeries[],
  title = 'Performance history',
): string {
  const lines: SafeMarkdown[] = [md`## ${title}`, md``];
  if (series.length === 0) lines.push(md`No runs recorded yet.`);
  for (const [benchmark, of] of byBenchmark(series)) {
    lines.push(md`### ${benchmark}`, md``);
    for (const s of of) lines.push(chart(s), md``);
    lines.push(...latestTable(of), md``);
  }
  return joinMd(lines, NEWLINE).toString();
}

/**
 * The PR comment's trend: each benchmark's latency and peak VRAM over the
 * last runs on the default branch, in a folded section; empty text when
 * the history has none.
 *
 * @example
 * const comment = `${renderMarkdown(results)}\n\n${renderTrendComment(trendSeries(entries, 20))}`;
 */
export function renderTrendComment(series: readonly TrendSeries[]): string {
  const shown = series.filter((s) => s.metric !== 'throughput' && s.points.length > 1);
  if (shown.length === 0) return '';
  const runs = Math.max(...shown.map((s) => s.points.length));
  const lines: SafeMarkdown[] = [
    md`<details><summary>Trend on the default branch (last ${runs} runs)</summary>`,
    md``,
  ];
  for (const s of shown) lines.push(md`**${s.benchmark}**`, md``, chart(s), md``);
  lines.push(md`</details>`);
  return joinMd(lines, NEWLINE).toString();
}

/** One metric's medians as a Mermaid line chart, commits along the x axis. */
function chart(s: TrendSeries): SafeMarkdown {
  const { scale, unit } = axisUnit(s);
  const values = s.points.map((p) => p.median / scale);
  const low = Math.min(...s.points.map((p) => (p.lower ?? p.median) / scale));
  const high = Math.max(...s.points.map((p) => (p.upper ?? p.median) / scale));
  const pad = (high - low) * 0.1 || Math.abs(high) * 0.01 || 1;
  // Decimals from the span, written plainly: Mermaid's lexer reads no exponent (9e-8).
  const decimals = Math.min(8, Math.max(0, Math.ceil(-Math.log10(high - low + pad)) + 2));
  const num = (value: number) => value.toFixed(decimals);
  // Times, bytes and rates are never below 0: the axis is not either.
  return mermaidBlock([
    'xychart-beta',
    `  title "${mermaidLabel(`${metricLabel(s.metric)} (${unit})`)}"`,
    `  x-axis [${axisLabels(s.points).join(', ')}]`,
    `  y-axis "${unit}" ${num(Math.max(0, low - pad))} --> ${num(high + pad)}`,
    `  line [${values.map(num).join(', ')}]`,
  ]);
}

/**
 * One label per point, each different: Mermaid puts equal labels at one x
 * (a nightly A/A run repeats its commit), so a repeated one gets "#2", "#3".
 */
function axisLabels(points: readonly TrendPoint[]): string[] {
  const seen = new Map<string, number>();
  return points.map((p) => {
    const sha = mermaidLabel(shortSha(p));
    const n = (seen.get(sha) ?? 0) + 1;
    seen.set(sha, n);
    return `"${n === 1 ? sha : `${sha} #${n}`}"`;
  });
}

/** The unit an axis shows: ms as they are, bytes in GiB, throughput per second. */
function axisUnit(s: TrendSeries): { scale: number; unit: string } {
  if (s.unit === 'bytes') return { scale: 2 ** 30, unit: 'GiB' };
  return { scale: 1, unit: s.unit };
}

/** The latest runs of a benchmark, newest first: one row per run and metric. */
function latestTable(series: readonly TrendSeries[]): SafeMarkdown[] {
  const rows = series.flatMap((s) => s.points.slice(-TABLE_ROWS).map((p) => ({ s, p })));
  rows.sort((a, b) => b.p.recordedAt.localeCompare(a.p.recordedAt));
  return [
    md`| commit | recorded | metric | median [95% interval] | change vs its base | verdict |`,
    md`|---|---|---|---:|---|---|`,
    ...rows.map(({ s, p }) => row(s, p)),
  ];
}

function row(s: TrendSeries, p: TrendPoint): SafeMarkdown {
  const interval =
    p.lower !== null && p.upper !== null
      ? ` [${formatValue(p.lower, s.unit)}, ${formatValue(p.upper, s.unit)}]`
      : '';
  const change = p.change
    ? `${formatChange(p.change.ratio)} [${formatChange(p.change.lower)}, ${formatChange(p.change.upper)}]`
    : '—';
  return md`| ${code(shortSha(p))} | ${p.recordedAt.slice(0, 16).replace('T', ' ')} | ${metricLabel(s.metric)} | ${formatValue(p.median, s.unit)}${interval} | ${change} | ${p.verdict} |`;
}

function shortSha(p: TrendPoint): string {
  return p.sha?.slice(0, SHORT_SHA) ?? 'tree';
}
