import type { Side } from '@vggt-perf-gate/timing';
import type { BenchmarkResult, MemoryRow, MetricResult, SideSummary } from '../results/types.js';
import type { WorkloadInfo } from '../workloads/reports.js';
import {
  formatChange,
  formatValue,
  INTERVAL_LEVEL_TEXT,
  inconclusiveLean,
  lookup,
  metricLabel,
} from './format.js';
import { verdictBadge, verdictClass } from './html-badge.js';
import { changeChart, distributionChart, type SideSamples } from './html-charts.js';
import { html, joinHtml, type SafeHtml } from './html-escape.js';
import { profileSection } from './html-kernels.js';
import { vramTimelineChart } from './html-timeline.js';

const STOP_REASON: Readonly<Record<BenchmarkResult['stopReason'], string>> = {
  decided: 'stopped once decided',
  'max-rounds': 'stopped at the round limit',
  'max-time': 'stopped at the time limit',
  'out-of-memory': 'a side ran out of GPU memory',
  failed: 'stopped by a failure',
};

/** What a session is for each workload, singular and plural: only a worker has a process of its own. */
const SESSION_NOUN: Readonly<Record<BenchmarkResult['workload'], [string, string]>> = {
  worker: ['worker process', 'worker processes'],
  onnx: ['in-process session', 'in-process sessions'],
  samples: ['samples-command session', 'samples-command sessions'],
};
/** For a workload this version does not know. */
const SESSION_NOUN_UNKNOWN: [string, string] = ['session', 'sessions'];

/** Anchor of a benchmark's section; by position, since names may hold any character. */
export function benchmarkId(index: number): string {
  return `bench-${index}`;
}

/**
 * One benchmark's section: how the run went, what actually ran on each side
 * (dtype decision, framework, device), its error if it failed, and a card
 * with charts per metric.
 */
export function renderBenchmark(
  b: BenchmarkResult,
  index: number,
  samples: (metric: MetricResult['metric']) => SideSamples | undefined,
  deviceName: string | null = null,
): SafeHtml {
  const failed = b.status === 'failed';
  const stats = [
    `${b.rounds} round${b.rounds === 1 ? '' : 's'}`,
    lookup(STOP_REASON, b.stopReason, String(b.stopReason)),
    b.verdictSeconds != null
      ? `verdict after ${b.verdictSeconds.toFixed(1)} s, ${b.seconds.toFixed(1)} s in all`
      : `${b.seconds.toFixed(1)} s`,
  ];
  const throttled =
    b.throttledRounds.length > 0
      ? html` · <span class="throttled">GPU throttled in round${b.throttledRounds.length === 1 ? '' : 's'} ${b.throttledRounds.join(', ')}</span>`
      : '';
  return html`${[
    html`<section class="benchmark" id="${benchmarkId(index)}">`,
    html`<header><h3>${b.name}</h3><code class="muted">${b.workload}</code>${failed ? verdictBadge('failed') : ''}</header>`,
    html`<p class="stats">${joinHtml(stats, html` · `)}${throttled}</p>`,
    failed ? html`<pre class="error">${b.error ?? 'unknown error'}</pre>` : '',
    whatRan(b),
    b.metrics.length > 0
      ? html`<div class="metrics">${b.metrics.map((m) => metricCard(m, samples(m.metric)))}</div>`
      : '',
    vramTimelineChart(b),
    profileSection(b, deviceName),
    html`</section>`,
  ]}`;
}

/** What ran on each side; on a narrow screen its tables scroll in their own box rather than break words. */
function whatRan(b: BenchmarkResult): SafeHtml {
  const { resolved, explanation } = b.dtype;
  const rows = (['base', 'head'] as const).map((side) => sideRow(side, b.ran[side]));
  return html`${[
    html`<div class="what-ran">`,
    // The explanation already names the requested dtype and why it resolved as it did.
    html`<p><strong>dtype</strong> <code>${resolved}</code>: ${explanation}</p>`,
    processes(b),
    html`<div class="scroll"><table class="ran"><thead><tr><th>side</th><th>framework</th><th>device</th><th>dtype</th><th>other</th></tr></thead>`,
    html`<tbody>${rows}</tbody></table></div>`,
    memoryBreakdown(b),
    html`</div>`,
  ]}`;
}

/**
 * How many sessions each side started: more than one means fresh processes
 * replaced the first ones during the run (restarts), so process-level
 * offsets were sampled too. Nothing for results from before it was recorded.
 */
function processes(b: BenchmarkResult): SafeHtml {
  const count = b.processes;
  if (typeof count !== 'number' || !Number.isFinite(count)) return html``;
  const [one, many] = lookup(SESSION_NOUN, b.workload, SESSION_NOUN_UNKNOWN);
  const why = count > 1 ? ': fresh ones replaced them during the run' : '';
  return html`<p><strong>processes</strong> ${count} ${count === 1 ? one : many} per side${why}</p>`;
}

/**
 * The framework's allocator and reserved peaks beside the process peak, per
 * side and GPU: the difference is the CUDA context, which explains a peak
 * VRAM change the model code did not cause. Nothing when no side has rows.
 */
function memoryBreakdown(b: BenchmarkResult): SafeHtml {
  // Optional chaining: results files written before the breakdown existed have no `memory`.
  const rows = (['base', 'head'] as const).flatMap((side) =>
    (b.memory?.[side] ?? []).map((row) => memoryRow(side, row)),
  );
  if (rows.length === 0) return html``;
  return html`${[
    html`<div class="scroll"><table class="ran memory"><thead><tr><th>memory</th><th>GPU</th><th class="right">allocated</th><th class="right">reserved</th><th class="right">process</th><th class="right">context</th><th></th></tr></thead>`,
    html`<tbody>${rows}</tbody></table></div>`,
  ]}`;
}

function memoryRow(side: string, row: MemoryRow): SafeHtml {
  const bytes = (v: number | null) =>
    html`<td class="num right">${v === null ? 'n/a' : formatValue(v, 'bytes')}</td>`;
  // Under torchrun: which ranks' torch numbers the row adds up.
  const ranks = Array.isArray(row.ranks)
    ? html` <span class="muted">(rank ${row.ranks.join(', ')})</span>`
    : '';
  return html`${[
    html`<tr><th scope="row">${side}</th><td>${row.gpuIndex}${ranks}</td>`,
    bytes(row.allocatorPeak),
    bytes(row.reservedPeak),
    bytes(row.processPeak),
    bytes(row.contextOverhead),
    html`<td class="muted">${row.note ?? ''}</td></tr>`,
  ]}`;
}

function sideRow(side: string, info: WorkloadInfo | null): SafeHtml {
  if (!info)
    return html`<tr><th scope="row">${side}</th><td colspan="4" class="muted">did not start</td></tr>`;
  const framework = `${info.framework}${info.frameworkVersion ? ` ${info.frameworkVersion}` : ''}`;
  // Only scalar extras (e.g. attention backend): nested objects would need a viewer of their own.
  const extras = Object.entries(info.extra ?? {})
    .filter(([, v]) => ['string', 'number', 'boolean'].includes(typeof v))
    .map(([k, v]) => `${k}: ${String(v)}`);
  if (info.itemsPerIteration !== null) extras.unshift(`${info.itemsPerIteration} items/iteration`);
  const cells = [framework, info.device ?? 'unknown', info.dtype ?? 'unknown', extras.join(', ')];
  return html`<tr><th scope="row">${side}</th>${cells.map((c) => html`<td>${c}</td>`)}</tr>`;
}

function summaryRow(side: Side, s: SideSummary | null, unit: MetricResult['unit']): SafeHtml {
  if (!s) return html`<tr><td>${side}</td><td colspan="4" class="muted">not measured</td></tr>`;
  const cells = [s.median, s.p5, s.p95].map(
    (v) => html`<td class="num">${formatValue(v, unit)}</td>`,
  );
  return html`<tr><td><span class="swatch ${side}"></span>${side}</td>${cells}<td class="num">${s.count}</td></tr>`;
}

/** An inconclusive change's sure direction, beside its interval. */
function lean(m: MetricResult): SafeHtml | string {
  const text = inconclusiveLean(m);
  return text ? html` <span class="muted">${text}</span>` : '';
}

function metricCard(m: MetricResult, samples: SideSamples | undefined): SafeHtml {
  const change =
    m.ratio !== null && m.interval !== null
      ? html`<p class="change-text num">${formatChange(m.ratio)} <span class="interval">[${formatChange(m.interval.lower)}, ${formatChange(m.interval.upper)}] ${INTERVAL_LEVEL_TEXT}</span>${lean(m)}</p>`
      : html`<p class="change-text muted">no change measured</p>`;
  return html`${[
    html`<figure class="metric ${verdictClass(m.verdict)}">`,
    html`<figcaption><span class="metric-name">${metricLabel(m.metric)}</span>${verdictBadge(m.verdict)}</figcaption>`,
    change,
    distributionChart(m, samples),
    html`<table class="summary"><thead><tr><th></th><th>median</th><th>p5</th><th>p95</th><th>n</th></tr></thead><tbody>`,
    summaryRow('base', m.base, m.unit),
    summaryRow('head', m.head, m.unit),
    html`</tbody></table>`,
    changeChart(m),
    html`<p class="explanation">${m.explanation}</p>`,
    html`</figure>`,
  ]}`;
}
