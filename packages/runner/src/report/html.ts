import type { BenchmarkResult, GateResults, MetricName, MetricResult } from '../results.js';
import { changeCell, formatValue, metricLabel } from './format.js';
import { verdictBadge } from './html-badge.js';
import { benchmarkId, renderBenchmark } from './html-benchmark.js';
import type { SideSamples } from './html-charts.js';
import { escapeHtml } from './html-escape.js';
import { REPORT_CSS } from './html-style.js';

/**
 * Raw per-side values by benchmark name, then metric, in the metric's unit
 * (ms, bytes, items/s), drawn as one dot per sample.
 */
export type HtmlSamples = Readonly<Record<string, Partial<Record<MetricName, SideSamples>>>>;

export interface HtmlOptions {
  /** Page title and heading; defaults to "Performance gate report". */
  title?: string;
  /**
   * Samples to draw instead of those in the results file, per benchmark and
   * metric; where this has none, the results' own `samples` are drawn (files
   * from before they were recorded carry none: then the charts show the
   * summaries only).
   */
  samples?: HtmlSamples;
}

const DEFAULT_TITLE = 'Performance gate report';
/** Characters of a commit sha shown, as in the Markdown report. */
const SHORT_SHA = 8;
/** Characters of the config hash shown: enough to tell two configs apart by eye. */
const SHORT_HASH = 12;
/** Interval level named in the table header when no metric has one to read it from. */
const DEFAULT_LEVEL = 0.95;

const HEADLINE: Record<GateResults['verdict'], string> = {
  pass: 'No performance regression',
  regression: 'Performance regression',
  inconclusive: 'Performance gate inconclusive',
  failed: 'Performance gate failed to measure',
};

/**
 * A self-contained HTML report: one file, every style inline and no script
 * or network, so it opens as a CI artifact anywhere. It carries the
 * headline verdict, commits and device, the Markdown report's table, and
 * per benchmark what ran, with charts of base vs head and of the change
 * against its threshold. All text from the results is escaped.
 */
export function renderHtml(results: GateResults, options: HtmlOptions = {}): string {
  const title = options.title ?? DEFAULT_TITLE;
  const samplesFor = (b: BenchmarkResult) => (metric: MetricName) => {
    const given =
      options.samples && Object.hasOwn(options.samples, b.name)
        ? options.samples[b.name]
        : undefined;
    return ownMetric(given, metric) ?? ownMetric(b.samples, metric);
  };
  const warnings = [
    ...results.warnings,
    ...results.benchmarks.flatMap((b) => b.warnings.map((w) => `${b.name}: ${w}`)),
  ];
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(`${title}: ${headline(results)}`)}</title>`,
    `<style>${REPORT_CSS}</style>`,
    '</head><body><main>',
    `<h1>${escapeHtml(title)}</h1>`,
    headlineBanner(results),
    meta(results),
    '<h2>Results</h2>',
    resultsTable(results),
    warnings.length > 0
      ? `<h2>Warnings</h2><ul class="warnings">${warnings.map((w) => `<li>${escapeHtml(w)}</li>`).join('')}</ul>`
      : '',
    results.benchmarks.length > 0 ? '<h2>Benchmarks</h2>' : '',
    results.benchmarks.length > 0 ? legend() : '',
    ...results.benchmarks.map((b, i) =>
      renderBenchmark(
        b,
        i,
        samplesFor(b),
        results.device.state === 'ok' ? results.device.name : null,
      ),
    ),
    howToRead(results),
    `<footer>${escapeHtml(`${results.tool.name} ${results.tool.version} · results schema ${results.schemaVersion} · ${results.createdAt}`)}</footer>`,
    '</main></body></html>',
    '',
  ].join('\n');
}

/** `byMetric[metric]`, own properties only: a results file is data, and "constructor" must not find Object's. */
function ownMetric(
  byMetric: Partial<Record<MetricName, SideSamples>> | undefined,
  metric: MetricName,
): SideSamples | undefined {
  return byMetric && Object.hasOwn(byMetric, metric) ? byMetric[metric] : undefined;
}

function headline(results: GateResults): string {
  const count = results.regressions;
  return `${HEADLINE[results.verdict]}${results.verdict === 'regression' ? `: ${count} metric${count === 1 ? '' : 's'}` : ''}`;
}

/** The verdict banner, with a one-line tally of what the verdict rests on. */
function headlineBanner(results: GateResults): string {
  const tally = new Map<string, number>();
  for (const b of results.benchmarks) {
    for (const m of b.metrics) tally.set(m.verdict, (tally.get(m.verdict) ?? 0) + 1);
  }
  const failed = results.benchmarks.filter((b) => b.status === 'failed').length;
  const parts = [...tally].map(([verdict, count]) => `${count} ${verdict.replace('-', ' ')}`);
  if (failed > 0) parts.push(`${failed} benchmark${failed === 1 ? '' : 's'} failed`);
  const metrics = [...tally.values()].reduce((sum, c) => sum + c, 0);
  const summary = `${results.benchmarks.length} benchmark${results.benchmarks.length === 1 ? '' : 's'}, ${metrics} metric${metrics === 1 ? '' : 's'}${parts.length > 0 ? `: ${parts.join(', ')}` : ''}`;
  const tone = results.verdict === 'pass' ? 'pass' : results.verdict;
  return `<section class="headline v-${tone}" id="verdict"><p>${escapeHtml(headline(results))}</p><p class="summary">${escapeHtml(summary)}</p></section>`;
}

function meta(results: GateResults): string {
  const { base, head } = results.commits;
  const sha = (s: string | null) =>
    s
      ? `<code title="${escapeHtml(s)}">${escapeHtml(s.slice(0, SHORT_SHA))}</code>`
      : 'working tree';
  const d = results.device;
  const device =
    d.state === 'ok'
      ? `${escapeHtml(d.name)}${d.computeCapability ? ` (compute capability ${escapeHtml(d.computeCapability)})` : ''}, driver ${escapeHtml(d.driver)} <span class="muted">via ${escapeHtml(d.source)}</span>`
      : `no GPU (CPU only): ${escapeHtml(d.reason)}`;
  const run = [
    results.status === 'partial' ? '<strong>partial run</strong> (stopped early)' : 'complete',
    results.shard !== null ? `shard ${escapeHtml(results.shard)}` : null,
    `config <code title="${escapeHtml(results.configHash)}">${escapeHtml(results.configHash.slice(0, SHORT_HASH))}</code>`,
    escapeHtml(results.createdAt),
  ];
  const rows: [string, string][] = [
    ['base', `${sha(base.sha)} <span class="muted">${escapeHtml(base.ref)}</span>`],
    [
      'head',
      `${sha(head.sha)} <span class="muted">${escapeHtml(head.ref)}</span>${head.dirty ? ' + uncommitted changes' : ''}`,
    ],
    ['device', device],
    ['run', run.filter((p) => p !== null).join(' · ')],
  ];
  return `<dl class="meta">${rows.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join('')}</dl>`;
}

/** The Markdown report's table, with rowspans for the benchmark name and colour by verdict. */
function resultsTable(results: GateResults): string {
  const level = results.benchmarks.flatMap((b) => b.metrics).find((m) => m.interval)
    ?.interval?.level;
  const header = [
    '<th>benchmark</th>',
    '<th>metric</th>',
    '<th class="right">base</th>',
    '<th class="right">head</th>',
    `<th>change [${Math.round((level ?? DEFAULT_LEVEL) * 100)}% interval]</th>`,
    '<th>verdict</th>',
  ];
  const rows: string[] = [];
  results.benchmarks.forEach((b, i) => {
    const name = `<a href="#${benchmarkId(i)}">${escapeHtml(b.name)}</a>`;
    if (b.status === 'failed' || b.metrics.length === 0) {
      const reason =
        b.status === 'failed'
          ? `${verdictBadge('failed')} <span class="error-text">${escapeHtml(b.error ?? 'unknown error')}</span>`
          : '<span class="muted">no metrics</span>';
      rows.push(
        `<tr class="failed"><th scope="row">${name}</th><td colspan="5">${reason}</td></tr>`,
      );
      return;
    }
    b.metrics.forEach((m, j) => {
      const nameCell = j === 0 ? `<th scope="row" rowspan="${b.metrics.length}">${name}</th>` : '';
      rows.push(
        `<tr class="v-${m.verdict}">${nameCell}<td>${escapeHtml(metricLabel(m.metric))}</td><td class="num right">${side(m, 'base')}</td><td class="num right">${side(m, 'head')}</td><td class="num">${escapeHtml(changeCell(m))}</td><td title="${escapeHtml(m.explanation)}">${verdictBadge(m.verdict)}</td></tr>`,
      );
    });
  });
  if (rows.length === 0)
    rows.push('<tr><td colspan="6" class="muted">No benchmarks ran.</td></tr>');
  return [
    '<div class="table-wrap"><table class="results">',
    `<thead><tr>${header.join('')}</tr></thead>`,
    `<tbody>${rows.join('')}</tbody>`,
    '</table></div>',
  ].join('');
}

function side(m: MetricResult, which: 'base' | 'head'): string {
  const s = m[which];
  return s ? formatValue(s.median, m.unit) : 'n/a';
}

function legend(): string {
  return [
    '<p class="legend">',
    '<span><span class="swatch base"></span>base</span>',
    '<span><span class="swatch head"></span>head</span>',
    '<span>box: p5 to p95, bar: median</span>',
    '<span><span class="swatch band"></span>± threshold: change inside is unchanged</span>',
    '</p>',
  ].join('');
}

function howToRead(results: GateResults): string {
  const seen = new Map<string, number>();
  for (const b of results.benchmarks)
    for (const m of b.metrics) seen.set(metricLabel(m.metric), m.threshold);
  const thresholds =
    [...seen].map(([label, t]) => `${label} ±${+(t * 100).toFixed(2)}%`).join(', ') || 'per metric';
  return [
    '<h2>How to read this</h2><section class="how">',
    '<p>Base and head ran on the same machine (and GPU) in alternating rounds (ABBA). <em>change</em> is head / base of the medians with a confidence interval (the wider of a per-sample and a per-round interval).</p>',
    '<ul>',
    `<li><strong>regression</strong>: the whole interval is above the threshold (${escapeHtml(thresholds)}); <strong>improvement</strong>: wholly below its negative;</li>`,
    '<li><strong>unchanged</strong>: the whole interval is inside ± the threshold; <strong>inconclusive</strong>: none of these, the run could not tell (never counted as a pass).</li>',
    '</ul></section>',
  ].join('');
}
