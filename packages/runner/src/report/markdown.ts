import type { Side } from '@vggt-perf-gate/timing';
import {
  describeWhatRan,
  explainingChanges,
  kernelDiff,
  profileTimeLabel,
  shortKernelName,
  whatRan as whatRanFromProfile,
} from '../analysis/what-ran.js';
import type { BenchmarkResult, GateResults, MemoryRow, MetricResult } from '../results/types.js';
import type { WorkloadInfo } from '../workloads/reports.js';
import {
  formatChange,
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
import { code, joinMd, md, type SafeMarkdown } from './markdown-escape.js';

/*
 * Every line below is an `md` template: its literal parts are the only
 * Markdown, and each value from the results (a fork's run may have written
 * them) is escaped where it is put. See markdown-escape.ts.
 */

const VERDICT_TEXT: Readonly<Record<MetricResult['verdict'], SafeMarkdown>> = {
  regression: md`🔴 **regression**`,
  improvement: md`🟢 improvement`,
  unchanged: md`✅ unchanged`,
  inconclusive: md`🟡 inconclusive`,
  'not-measured': md`➖ not measured`,
};

const HEADLINE: Readonly<Record<GateResults['verdict'], SafeMarkdown>> = {
  pass: md`✅ No performance regression`,
  regression: md`🔴 Performance regression`,
  inconclusive: md`🟡 Performance gate inconclusive`,
  failed: md`💥 Performance gate failed to measure`,
};

/** Characters of a commit sha shown. */
const SHORT_SHA = 8;
const NEWLINE = md`\n`;

/**
 * The report for a PR comment and the job summary: a headline, one table
 * row per benchmark metric (base, head, change with its interval, verdict),
 * what actually ran on each side, warnings, and a legend.
 *
 * @example
 * import { readResults, renderMarkdown } from '@vggt-perf-gate/runner';
 * const markdown = renderMarkdown(await readResults('perf-gate-results.json'));
 * console.log(markdown); // or post it as the PR comment, or append it to $GITHUB_STEP_SUMMARY
 */
export function renderMarkdown(results: GateResults): string {
  const lines: SafeMarkdown[] = [
    md`### ${headline(results)}`,
    md``,
    commitsLine(results),
    md``,
    md`| benchmark | metric | base | head | change [${INTERVAL_LEVEL_TEXT} interval] | verdict |`,
    md`|---|---|---:|---:|---|---|`,
    ...results.benchmarks.flatMap(tableRows),
    md``,
    ...kernelSections(results),
    ...whatRanSection(results),
    ...measuredSection(results),
    ...warningsSection(results),
    ...legend(results),
  ];
  return joinMd(lines, NEWLINE).toString();
}

function headline(results: GateResults): SafeMarkdown {
  const count = results.regressions;
  const title = lookup(HEADLINE, results.verdict, md`Performance gate: ${results.verdict}`);
  const shared = sharedGpuNote(results);
  const worse = surelyWorseNote(results);
  const counted =
    results.verdict === 'regression'
      ? md`${title}: ${count} metric${count === 1 ? '' : 's'}`
      : worse
        ? md`${title}: ${worse}`
        : title;
  return shared ? md`${counted}: ${shared}` : counted;
}

function commitsLine(results: GateResults): SafeMarkdown {
  const { base, head } = results.commits;
  const d = results.device;
  const device =
    d.state === 'ok'
      ? md`${d.name}${d.computeCapability ? md` (CC ${d.computeCapability})` : ''}, driver ${d.driver}`
      : md`no GPU (CPU only)`;
  return md`base ${sha(base.sha)} (${base.ref}) vs head ${sha(head.sha)}${head.dirty === true ? md` + uncommitted changes` : ''} · ${device}${results.status === 'partial' ? md` · **partial run**` : ''}`;
}

/** A commit as a short code span; hex digits only, whatever the file says. */
function sha(s: string | null): SafeMarkdown {
  return typeof s === 'string' && s !== ''
    ? code(s.slice(0, SHORT_SHA).replace(/[^0-9a-f]/gi, ''))
    : md`working tree`;
}

function tableRows(b: BenchmarkResult): SafeMarkdown[] {
  if (b.status === 'failed')
    return [md`| ${b.name} | | | | | 💥 failed: ${b.error ?? 'unknown error'} |`];
  return b.metrics.map(
    (m, i) =>
      md`| ${i === 0 ? b.name : ''} | ${metricLabel(m.metric)} | ${side(m, 'base')} | ${side(m, 'head')} | ${changeCell(m)} | ${verdictCell(b, m)} |`,
  );
}

/** A pass measured beside another GPU process is not shown as a clean one. */
function verdictCell(b: BenchmarkResult, m: MetricResult): SafeMarkdown {
  if (passBesideOthers(b, m)) return md`🟡 ${m.verdict}, GPU shared`;
  const lean = inconclusiveLean(m);
  if (lean !== null) return md`🟡 inconclusive: ${lean}`;
  return lookup(VERDICT_TEXT, m.verdict, md`${m.verdict}`);
}

function side(m: MetricResult, which: Side): string {
  const s = m[which];
  return s ? formatValue(s.median, m.unit) : 'n/a';
}

/** format.ts's changeCell, with its brackets as literal Markdown and the numbers as holes. */
function changeCell(m: MetricResult): SafeMarkdown {
  if (m.ratio === null || m.interval === null) return md`n/a`;
  return md`${formatChange(m.ratio)} [${formatChange(m.interval.lower)}, ${formatChange(m.interval.upper)}]`;
}

/**
 * For each benchmark whose latency or peak VRAM regressed: the kernels that
 * appeared, disappeared or changed most, base vs head, from the profiled
 * iterations. Outside the collapsed details: it is the first thing to read.
 */
function kernelSections(results: GateResults): SafeMarkdown[] {
  const out: SafeMarkdown[] = [];
  for (const b of results.benchmarks) {
    const regressed = b.metrics.some(
      (m) => m.verdict === 'regression' && (m.metric === 'latency' || m.metric === 'memory'),
    );
    if (!regressed) continue;
    const changes = kernelDiff(b.profiles?.base, b.profiles?.head);
    if (changes.length === 0) continue;
    const us = (v: number | null) => (v === null ? '–' : `${(v / 1000).toFixed(2)} ms`);
    const label = profileTimeLabel(b.profiles?.head ?? b.profiles?.base);
    const lead = explainingChanges(
      profiledRan(b, 'base', results),
      profiledRan(b, 'head', results),
    );
    out.push(
      md`**What changed in ${b.name}**: ${lead.length > 0 ? md`${lead.join('; ')}. ${capitalise(label)}` : label} (profiled once per side, untimed)`,
      md``,
      md`| kernel | base | head | |`,
      md`|---|---:|---:|---|`,
      ...changes.map(
        (c) =>
          md`| ${code(shortKernelName(c.name))} | ${us(c.baseUs)} | ${us(c.headUs)} | ${c.change} |`,
      ),
      md``,
    );
  }
  return out;
}

const capitalise = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** What a side's profiled iteration showed (dtype, attention, matmul precision, rate). */
function profiledRan(b: BenchmarkResult, side: Side, results: GateResults) {
  return whatRanFromProfile(
    b.profiles?.[side],
    b.metrics.find((m) => m.metric === 'latency')?.[side]?.median ?? null,
    results.device.state === 'ok' ? results.device.name : null,
  );
}

/** Per benchmark: the dtype decision, what each side reported, its profile and memory rows. */
function whatRanSection(results: GateResults): SafeMarkdown[] {
  const profiled = (b: BenchmarkResult, side: Side) => profiledRan(b, side, results);
  const ran = results.benchmarks.flatMap((b) => [
    md`- **${b.name}**: ${b.dtype.explanation}; base: ${whatRan(b.ran.base)}; head: ${whatRan(b.ran.head)}`,
    ...(b.profiles?.base?.available || b.profiles?.head?.available
      ? (['base', 'head'] as const).map(
          (side) => md`  - ${side} profiled: ${describeWhatRan(profiled(b, side))}`,
        )
      : []),
    ...(['base', 'head'] as const).flatMap((side) =>
      (b.memory?.[side] ?? []).map((row) => memoryLine(side, row)),
    ),
  ]);
  if (ran.length === 0) return [];
  return [md`<details><summary>What ran</summary>`, md``, ...ran, md``, md`</details>`, md``];
}

function memoryLine(side: Side, row: MemoryRow): SafeMarkdown {
  const bytes = (v: number) => formatValue(v, 'bytes');
  const ranks = Array.isArray(row.ranks)
    ? md` (rank${row.ranks.length > 1 ? 's' : ''} ${row.ranks.join(', ')})`
    : '';
  return md`  - ${side} GPU ${row.gpuIndex}${ranks} memory: allocated ${bytes(row.allocatorPeak)}, reserved ${bytes(row.reservedPeak)}, process ${row.processPeak === null ? 'n/a' : bytes(row.processPeak)}${row.contextOverhead === null ? '' : md` (context ${bytes(row.contextOverhead)})`}`;
}

function warningsSection(results: GateResults): SafeMarkdown[] {
  const warnings = [
    ...results.warnings,
    ...results.benchmarks.flatMap((b) => b.warnings.map((w) => `${b.name}: ${w}`)),
  ];
  if (warnings.length === 0) return [];
  return [md`**Warnings**`, md``, ...warnings.map((w) => md`- ⚠️ ${w}`), md``];
}

/** Per benchmark: rounds, process pairs, why it stopped, what the interval holds over. */
function measuredSection(results: GateResults): SafeMarkdown[] {
  const measured = results.benchmarks.flatMap((b) => {
    const how = howMeasured(b);
    return how === null ? [] : [md`- **${b.name}**: ${how}.`];
  });
  if (measured.length === 0) return [];
  return [
    md`<details><summary>How it was measured</summary>`,
    md``,
    ...measured,
    md``,
    md`</details>`,
    md``,
  ];
}

function legend(results: GateResults): SafeMarkdown[] {
  return [
    md`<details><summary>How to read this</summary>`,
    md``,
    md`Base and head ran on the same machine (and GPU) in alternating rounds (ABBA), with fresh worker processes every few rounds. *base* and *head* are the medians of every timed iteration. *change* is head over base paired by round (each turn's mean log time without its fastest and slowest iteration), with an interval that counts process pairs, not rounds, as independent: a process that runs slow for seconds widens it instead of passing for a change. The interval holds with ${INTERVAL_LEVEL_TEXT} at every look the run took and over all its verdicts at once, so stopping early and gating many benchmarks add no false alarms.`,
    md``,
    md`- **regression**: the whole interval is above the threshold (${thresholds(results)}); **improvement**: wholly below its negative;`,
    md`- **unchanged**: the whole interval is inside ± the threshold; **inconclusive**: none of these: the run could not tell (never counted as a pass); “worse (or better) by ≥ x%” when the interval leaves out no change: surely worse (better), by x% or more, though not surely beyond the threshold.`,
    md``,
    md`</details>`,
  ];
}

function whatRan(info: WorkloadInfo | null): string {
  if (!info) return 'did not start';
  const parts = [
    `${info.framework}${info.frameworkVersion ? ` ${info.frameworkVersion}` : ''}`,
    info.dtype ?? 'dtype unknown',
    info.device ? `on ${info.device}` : null,
    typeof info.extra?.attention === 'string' ? `attention: ${info.extra.attention}` : null,
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
