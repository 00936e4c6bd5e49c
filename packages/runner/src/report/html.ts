import type { Side } from '@vggt-perf-gate/timing';
import type { BenchmarkResult, GateResults, MetricName, MetricResult } from '../results/types.js';
import {
  CHANGE_HEADING,
  changeCell,
  formatValue,
  howMeasured,
  INTERVAL_LEVEL_TEXT,
  inconclusiveLean,
  lookup,
  metricLabel,
  passBesideOthers,
  sharedGpuNote,
  surelyWorseNote,
} from './format.js';
import { verdictBadge, verdictClass } from './html-badge.js';
import { benchmarkId, renderBenchmark } from './html-benchmark.js';
import type { SideSamples } from './html-charts.js';
import { html, joinHtml, type SafeHtml } from './html-escape.js';
import { REPORT_CSS } from './html-style.js';

/**
 * Raw per-side values by benchmark name, then metric, in the metric's unit
 * (ms, bytes, items/s), drawn as one dot per sample.
 */
export type HtmlSamples = Readonly<Record<string, Partial<Record<MetricName, SideSamples>>>>;

/** What renderHtml may add to the results: a title, and samples to draw. Both are optional. */
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
const HEADLINE: Readonly<Record<GateResults['verdict'], string>> = {
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
 * against its threshold. Every part is an `html` template, so all text from
 * the results is escaped where it is put (see html-escape.ts). Returns the
 * page as a string: writing it is up to the caller.
 *
 * @example
 * import { writeFile } from 'node:fs/promises';
 * import { readResults, renderHtml } from '@vggt-perf-gate/runner';
 * const results = await readResults('perf-gate-results.json');
 * await writeFile('report.html', renderHtml(results, { title: 'VGGT perf gate' }));
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
  const deviceName = results.device.state === 'ok' ? results.device.name : null;
  const page = [
    html`<!doctype html>`,
    html`<html lang="en"><head><meta charset="utf-8">`,
    html`<meta name="viewport" content="width=device-width, initial-scale=1">`,
    html`<title>${title}: ${headline(results)}</title>`,
    html`<style>${REPORT_CSS}</style>`,
    html`</head><body><main>`,
    html`<h1>${title}</h1>`,
    headlineBanner(results),
    meta(results),
    html`<h2>Results</h2>`,
    resultsTable(results),
    warnings.length > 0
      ? html`<h2>Warnings</h2><ul class="warnings">${warnings.map((w) => html`<li>${w}</li>`)}</ul>`
      : html``,
    results.benchmarks.length > 0 ? html`<h2>Benchmarks</h2>` : html``,
    results.benchmarks.length > 0 ? legend() : html``,
    ...results.benchmarks.map((b, i) => renderBenchmark(b, i, samplesFor(b), deviceName)),
    howToRead(results),
    html`<footer>${results.tool.name} ${results.tool.version} · results schema ${results.schemaVersion} · ${results.createdAt}</footer>`,
    html`</main></body></html>`,
    html``,
  ];
  return joinHtml(page, html`\n`).toString();
}

/** `byMetric[metric]`, own properties only: a results file is data, and "constructor" must not find Object's. */
function ownMetric(
  byMetric: Partial<Record<MetricName, SideSamples>> | undefined,
  metric: MetricName,
): SideSamples | undefined {
  return byMetric && Object.hasOwn(byMetric, metric) ? byMetric[metric] : undefined;
}

/** Plain text: it is put in the page's title and banner, escaped there. */
function headline(results: GateResults): string {
  const count = results.regressions;
  const title = lookup(HEADLINE, results.verdict, `Performance gate: ${results.verdict}`);
  const shared = sharedGpuNote(results);
  const worse = surelyWorseNote(results);
  const counted =
    results.verdict === 'regression' ? `: ${count} metric${count === 1 ? '' : 's'}` : '';
  return `${title}${counted}${worse ? `: ${worse}` : ''}${shared ? `: ${shared}` : ''}`;
}

/** The verdict banner, with a one-line tally of what the verdict rests on. */
function headlineBanner(results: GateResults): SafeHtml {
  const tally = new Map<string, number>();
  for (const b of results.benchmarks) {
    for (const m of b.metrics) tally.set(m.verdict, (tally.get(m.verdict) ?? 0) + 1);
  }
  const failed = results.benchmarks.filter((b) => b.status === 'failed').length;
  const parts = [...tally].map(
    ([verdict, count]) => `${count} ${String(verdict).replace('-', ' ')}`,
  );
  if (failed > 0) parts.push(`${failed} benchmark${failed === 1 ? '' : 's'} failed`);
  const metrics = [...tally.values()].reduce((sum, c) => sum + c, 0);
  const summary = `${results.benchmarks.length} benchmark${results.benchmarks.length === 1 ? '' : 's'}, ${metrics} metric${metrics === 1 ? '' : 's'}${parts.length > 0 ? `: ${parts.join(', ')}` : ''}`;
  return html`<section class="headline ${verdictClass(results.verdict)}" id="verdict"><p>${headline(results)}</p><p class="summary">${summary}</p></section>`;
}

function meta(results: GateResults): SafeHtml {
  const { base, head } = results.commits;
  const sha = (s: string | null) =>
    s ? html`<code title="${s}">${String(s).slice(0, SHORT_SHA)}</code>` : html`working tree`;
  const d = results.device;
  const device =
    d.state === 'ok'
      ? html`${d.name}${d.computeCapability ? html` (compute capability ${d.computeCapability})` : ''}, driver ${d.driver} <span class="muted">via ${d.source}</span>`
      : html`no GPU (CPU only): ${d.reason}`;
  const configHash = String(results.configHash);
  const run = [
    results.status === 'partial' ? html`<strong>partial run</strong> (stopped early)` : 'complete',
    results.shard !== null ? html`shard ${results.shard}` : null,
    html`config <code title="${configHash}">${configHash.slice(0, SHORT_HASH)}</code>`,
    results.createdAt,
  ];
  const rows: [string, SafeHtml][] = [
    ['base', html`${sha(base.sha)} <span class="muted">${base.ref}</span>`],
    [
      'head',
      html`${sha(head.sha)} <span class="muted">${head.ref}</span>${head.dirty === true ? ' + uncommitted changes' : ''}`,
    ],
    ['device', device],
    [
      'run',
      joinHtml(
        run.filter((p) => p !== null),
        html` · `,
      ),
    ],
  ];
  return html`<dl class="meta">${rows.map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}</dl>`;
}

/** The Markdown report's table, with rowspans for the benchmark name and colour by verdict. */
function resultsTable(results: GateResults): SafeHtml {
  const header = [
    html`<th>benchmark</th>`,
    html`<th>metric</th>`,
    html`<th class="right">base</th>`,
    html`<th class="right">head</th>`,
    html`<th>${CHANGE_HEADING}</th>`,
    html`<th>verdict</th>`,
  ];
  const rows = results.benchmarks.flatMap(resultRows);
  if (rows.length === 0)
    rows.push(html`<tr><td colspan="6" class="muted">No benchmarks ran.</td></tr>`);
  return html`${[
    html`<div class="table-wrap"><table class="results">`,
    html`<thead><tr>${header}</tr></thead>`,
    html`<tbody>${rows}</tbody>`,
    html`</table></div>`,
  ]}`;
}

/** One benchmark's rows of the results table: a row per metric, or one saying why there are none. */
function resultRows(b: BenchmarkResult, index: number): SafeHtml[] {
  const name = html`<a href="#${benchmarkId(index)}">${b.name}</a>`;
  if (b.status === 'failed' || b.metrics.length === 0) {
    const reason =
      b.status === 'failed'
        ? html`${verdictBadge('failed')} <span class="error-text">${b.error ?? 'unknown error'}</span>`
        : html`<span class="muted">no metrics</span>`;
    return [
      html`<tr class="failed"><th scope="row">${name}</th><td colspan="5">${reason}</td></tr>`,
    ];
  }
  return b.metrics.map((m, j) => {
    const nameCell =
      j === 0 ? html`<th scope="row" rowspan="${b.metrics.length}">${name}</th>` : '';
    return html`<tr class="${verdictClass(m.verdict)}">${nameCell}<td>${metricLabel(m.metric)}</td><td class="num right">${side(m, 'base')}</td><td class="num right">${side(m, 'head')}</td><td class="num">${changeCell(m)}</td><td title="${m.explanation}">${verdictBadge(m.verdict)}${verdictNote(b, m)}</td></tr>`;
  });
}

/** Beside the badge: a pass measured on a shared GPU, or which way an inconclusive change surely went. */
function verdictNote(b: BenchmarkResult, m: MetricResult): SafeHtml | string {
  if (passBesideOthers(b, m)) return html` <span class="muted">GPU shared: not a clean pass</span>`;
  const lean = inconclusiveLean(m);
  return lean ? html` <span class="muted">${lean}</span>` : '';
}

function side(m: MetricResult, which: Side): string {
  const s = m[which];
  return s ? formatValue(s.median, m.unit) : 'n/a';
}

function legend(): SafeHtml {
  return html`${[
    html`<p class="legend">`,
    html`<span><span class="swatch base"></span>base</span>`,
    html`<span><span class="swatch head"></span>head</span>`,
    html`<span>box: p5 to p95, bar: median</span>`,
    html`<span><span class="swatch band"></span>± threshold: change inside is unchanged</span>`,
    html`</p>`,
  ]}`;
}

function measuredList(results: GateResults): SafeHtml[] {
  const items = results.benchmarks.flatMap((b) => {
    const how = howMeasured(b);
    return how === null ? [] : [html`<li><strong>${b.name}</strong>: ${how}.</li>`];
  });
  return items.length === 0
    ? []
    : [html`<p>How each benchmark was measured:</p><ul>`, ...items, html`</ul>`];
}

function howToRead(results: GateResults): SafeHtml {
  const seen = new Map<string, number>();
  for (const b of results.benchmarks)
    for (const m of b.metrics) seen.set(metricLabel(m.metric), m.threshold);
  const thresholds =
    [...seen].map(([label, t]) => `${label} ±${+(t * 100).toFixed(2)}%`).join(', ') || 'per metric';
  return html`${[
    html`<h2>How to read this</h2><section class="how">`,
    html`<p>Base and head ran on the same machine (and GPU) in alternating rounds (ABBA), with fresh worker processes every few rounds. <em>base</em> and <em>head</em> are the medians of every timed iteration. <em>change</em> is head over base paired by round (each turn's mean log time without its fastest and slowest iteration), with an interval that counts process pairs, not rounds, as independent: a process that runs slow for seconds widens it instead of passing for a change. The interval holds with ${INTERVAL_LEVEL_TEXT} at every look the run took and over all its verdicts at once, so stopping early and gating many benchmarks add no false alarms.</p>`,
    html`<ul>`,
    html`<li><strong>regression</strong>: the whole interval is above the threshold (${thresholds}); <strong>improvement</strong>: wholly below its negative;</li>`,
    html`<li><strong>unchanged</strong>: the whole interval is inside ± the threshold; <strong>inconclusive</strong>: none of these, the run could not tell (never counted as a pass); with “worse (or better) by ≥ x%” when the interval leaves out no change: surely worse (better), by x% or more, though not surely beyond the threshold.</li>`,
    html`</ul>`,
    ...measuredList(results),
    html`</section>`,
  ]}`;
}
