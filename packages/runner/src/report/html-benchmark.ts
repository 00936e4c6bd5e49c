import type { BenchmarkResult, MemoryRow, MetricResult, SideSummary } from '../results.js';
import type { WorkloadInfo } from '../workloads/types.js';
import { formatChange, formatValue, metricLabel } from './format.js';
import { verdictBadge } from './html-badge.js';
import { changeChart, distributionChart, type SideSamples } from './html-charts.js';
import { escapeHtml } from './html-escape.js';
import { profileSection } from './html-kernels.js';
import { vramTimelineChart } from './html-timeline.js';

const STOP_REASON: Record<BenchmarkResult['stopReason'], string> = {
  decided: 'stopped once decided',
  'max-rounds': 'stopped at the round limit',
  'max-time': 'stopped at the time limit',
  failed: 'stopped by a failure',
};

/** What a session is for each workload, singular and plural: only a worker has a process of its own. */
const SESSION_NOUN: Record<BenchmarkResult['workload'], [string, string]> = {
  worker: ['worker process', 'worker processes'],
  onnx: ['in-process session', 'in-process sessions'],
  samples: ['samples-command session', 'samples-command sessions'],
};

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
): string {
  const failed = b.status === 'failed';
  const stats = [
    `${b.rounds} round${b.rounds === 1 ? '' : 's'}`,
    STOP_REASON[b.stopReason],
    b.verdictSeconds != null
      ? `verdict after ${b.verdictSeconds.toFixed(1)} s, ${b.seconds.toFixed(1)} s in all`
      : `${b.seconds.toFixed(1)} s`,
  ];
  const throttled =
    b.throttledRounds.length > 0
      ? ` · <span class="throttled">GPU throttled in round${b.throttledRounds.length === 1 ? '' : 's'} ${b.throttledRounds.join(', ')}</span>`
      : '';
  return [
    `<section class="benchmark" id="${benchmarkId(index)}">`,
    `<header><h3>${escapeHtml(b.name)}</h3><code class="muted">${escapeHtml(b.workload)}</code>${failed ? verdictBadge('failed') : ''}</header>`,
    `<p class="stats">${stats.map(escapeHtml).join(' · ')}${throttled}</p>`,
    failed ? `<pre class="error">${escapeHtml(b.error ?? 'unknown error')}</pre>` : '',
    whatRan(b),
    b.metrics.length > 0
      ? `<div class="metrics">${b.metrics.map((m) => metricCard(m, samples(m.metric))).join('')}</div>`
      : '',
    vramTimelineChart(b),
    profileSection(b, deviceName),
    '</section>',
  ].join('');
}

/** What ran on each side; on a narrow screen its tables scroll in their own box rather than break words. */
function whatRan(b: BenchmarkResult): string {
  const { resolved, explanation } = b.dtype;
  const rows = (['base', 'head'] as const).map((side) => sideRow(side, b.ran[side]));
  return [
    '<div class="what-ran">',
    // The explanation already names the requested dtype and why it resolved as it did.
    `<p><strong>dtype</strong> <code>${escapeHtml(resolved)}</code>: ${escapeHtml(explanation)}</p>`,
    processes(b),
    '<div class="scroll"><table class="ran"><thead><tr><th>side</th><th>framework</th><th>device</th><th>dtype</th><th>other</th></tr></thead>',
    `<tbody>${rows.join('')}</tbody></table></div>`,
    memoryBreakdown(b),
    '</div>',
  ].join('');
}

/**
 * How many sessions each side started: more than one means fresh processes
 * replaced the first ones during the run (restarts), so process-level
 * offsets were sampled too. Nothing for results from before it was recorded.
 */
function processes(b: BenchmarkResult): string {
  const count = b.processes;
  if (typeof count !== 'number' || !Number.isFinite(count)) return '';
  const [one, many] = SESSION_NOUN[b.workload];
  const why = count > 1 ? ': fresh ones replaced them during the run' : '';
  return `<p><strong>processes</strong> ${escapeHtml(`${count} ${count === 1 ? one : many} per side${why}`)}</p>`;
}

/**
 * The framework's allocator and reserved peaks beside the process peak, per
 * side and GPU: the difference is the CUDA context, which explains a peak
 * VRAM change the model code did not cause. Nothing when no side has rows.
 */
function memoryBreakdown(b: BenchmarkResult): string {
  // Optional chaining: results files written before the breakdown existed have no `memory`.
  const rows = (['base', 'head'] as const).flatMap((side) =>
    (b.memory?.[side] ?? []).map((row) => memoryRow(side, row)),
  );
  if (rows.length === 0) return '';
  return [
    '<div class="scroll"><table class="ran memory"><thead><tr><th>memory</th><th>GPU</th><th class="right">allocated</th><th class="right">reserved</th><th class="right">process</th><th class="right">context</th><th></th></tr></thead>',
    `<tbody>${rows.join('')}</tbody></table></div>`,
  ].join('');
}

function memoryRow(side: string, row: MemoryRow): string {
  const bytes = (v: number | null) =>
    `<td class="num right">${v === null ? 'n/a' : formatValue(v, 'bytes')}</td>`;
  return [
    // Under torchrun: which ranks' torch numbers the row adds up.
    `<tr><th scope="row">${side}</th><td>${row.gpuIndex}${row.ranks ? ` <span class="muted">(rank ${row.ranks.join(', ')})</span>` : ''}</td>`,
    bytes(row.allocatorPeak),
    bytes(row.reservedPeak),
    bytes(row.processPeak),
    bytes(row.contextOverhead),
    `<td class="muted">${escapeHtml(row.note ?? '')}</td></tr>`,
  ].join('');
}

function sideRow(side: string, info: WorkloadInfo | null): string {
  if (!info)
    return `<tr><th scope="row">${side}</th><td colspan="4" class="muted">did not start</td></tr>`;
  const framework = `${info.framework}${info.frameworkVersion ? ` ${info.frameworkVersion}` : ''}`;
  // Only scalar extras (e.g. attention backend): nested objects would need a viewer of their own.
  const extras = Object.entries(info.extra)
    .filter(([, v]) => ['string', 'number', 'boolean'].includes(typeof v))
    .map(([k, v]) => `${k}: ${String(v)}`);
  if (info.itemsPerIteration !== null) extras.unshift(`${info.itemsPerIteration} items/iteration`);
  const cells = [framework, info.device ?? 'unknown', info.dtype ?? 'unknown', extras.join(', ')];
  return `<tr><th scope="row">${side}</th>${cells.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`;
}

function summaryRow(side: string, s: SideSummary | null, unit: MetricResult['unit']): string {
  if (!s) return `<tr><td>${side}</td><td colspan="4" class="muted">not measured</td></tr>`;
  const cells = [s.median, s.p5, s.p95].map((v) => `<td class="num">${formatValue(v, unit)}</td>`);
  return `<tr><td><span class="swatch ${side}"></span>${side}</td>${cells.join('')}<td class="num">${s.count}</td></tr>`;
}

function metricCard(m: MetricResult, samples: SideSamples | undefined): string {
  const change =
    m.ratio !== null && m.interval !== null
      ? `<p class="change-text num">${formatChange(m.ratio)} <span class="interval">[${formatChange(m.interval.lower)}, ${formatChange(m.interval.upper)}] ${Math.round(m.interval.level * 100)}%</span></p>`
      : '<p class="change-text muted">no change measured</p>';
  return [
    `<figure class="metric v-${m.verdict}">`,
    `<figcaption><span class="metric-name">${escapeHtml(metricLabel(m.metric))}</span>${verdictBadge(m.verdict)}</figcaption>`,
    change,
    distributionChart(m, samples),
    '<table class="summary"><thead><tr><th></th><th>median</th><th>p5</th><th>p95</th><th>n</th></tr></thead><tbody>',
    summaryRow('base', m.base, m.unit),
    summaryRow('head', m.head, m.unit),
    '</tbody></table>',
    changeChart(m) ?? '',
    `<p class="explanation">${escapeHtml(m.explanation)}</p>`,
    '</figure>',
  ].join('');
}
