import { byBenchmark, type TrendPoint, type TrendSeries } from '../history/series.js';
import { formatChange, formatValue, lookup, metricLabel } from './format.js';
import { type HtmlHole, html, joinHtml, type SafeHtml } from './html-escape.js';
import { axisUnit, linearScale, paddedDomain } from './html-scale.js';
import { REPORT_CSS } from './html-style.js';
import { type Frame, n, svgOpen, yAxis } from './html-svg.js';

/**
 * The history as one self-contained HTML page: per benchmark, each metric's
 * median over the recorded runs with its 95% interval as a whisker, runs the
 * gate called a regression marked in red, and commit, date, value and
 * change in each point's hover text. Inline SVG and CSS only: no script,
 * nothing fetched, so it opens from an artifact or a gh-pages branch alike.
 */

const WIDTH = 960;
const HEIGHT = 250;
const FRAME: Frame = { width: WIDTH, left: 72, right: WIDTH - 16, top: 22, bottom: 206 };
/** Least room between two commit labels under the axis, in drawing units. */
const LABEL_SPACING = 64;
const DOMAIN_PADDING = 0.08;
const SHORT_SHA = 7;

const TREND_CSS = html`
svg .trend-line { fill: none; stroke: var(--head); stroke-width: 1.8; stroke-linejoin: round; }
svg .trend-whisker { stroke: var(--band-edge); stroke-width: 2; stroke-linecap: round; }
svg .trend-point { fill: var(--head); stroke: var(--card); stroke-width: 1.5; }
svg .trend-point.regression { fill: var(--regression); }
svg .trend-point.improvement { fill: var(--improvement); }
svg .commit { fill: var(--muted); font-size: 10.5px; font-family: ui-monospace, Menlo, Consolas, monospace; }
section.trend { background: var(--card); border: 1px solid var(--border); border-radius: 10px; padding: 14px 18px; margin: 16px 0; }
section.trend h3 { margin-bottom: 6px; }
.skipped { color: var(--warn); background: var(--warn-bg); border-radius: 8px; padding: 10px 14px; }
`;

/** Point classes by verdict, from a table: a verdict from a file never becomes a class as it is. */
const POINT_CLASS: Readonly<Record<string, string>> = {
  regression: 'regression',
  improvement: 'improvement',
};

/** What renderTrendHtml may be given besides the series. */
export interface TrendPageOptions {
  /** Page title; default "Performance history". */
  title?: string;
  /** Files of the store that were skipped (not entries), listed at the top. */
  skipped?: readonly string[];
}

/**
 * The trend page of `series` (see trendSeries).
 *
 * @example
 * const { entries, skipped } = await readStore('perf-history');
 * writeFileSync('trend.html', renderTrendHtml(trendSeries(entries), { skipped }));
 */
export function renderTrendHtml(
  series: readonly TrendSeries[],
  options: TrendPageOptions = {},
): string {
  const title = options.title ?? 'Performance history';
  const runs = new Set(series.flatMap((s) => s.points.map((p) => p.recordedAt))).size;
  const skipped = options.skipped ?? [];
  const body: HtmlHole[] = [
    html`<h1>${title}</h1>`,
    html`<p class="muted">${runs} recorded runs; each point is the head commit's median, its whisker the 95% interval of that median; red marks a run the gate called a regression.</p>`,
  ];
  if (skipped.length > 0)
    body.push(
      html`<div class="skipped"><strong>${skipped.length} file(s) skipped</strong> (not history entries):<ul>${skipped.map((s) => html`<li><code>${s}</code></li>`)}</ul></div>`,
    );
  if (series.length === 0) body.push(html`<p>No runs recorded yet.</p>`);
  for (const [benchmark, of] of byBenchmark(series))
    body.push(html`<h2>${benchmark}</h2>${of.map((s) => section(s))}`);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${html`${title}`}</title><style>${REPORT_CSS}${TREND_CSS}</style></head>
<body><main>${joinHtml(body, html`\n`)}</main></body></html>
`;
}

function section(s: TrendSeries): SafeHtml {
  const last = s.points.at(-1);
  const latest = last ? `latest ${formatValue(last.median, s.unit)} at ${shortSha(last)}` : '';
  return html`<section class="trend"><h3>${metricLabel(s.metric)}</h3><p class="muted">${s.points.length} runs; ${latest}</p>${chart(s)}</section>`;
}

/** Medians, whiskers and points over the runs, oldest left. */
function chart(s: TrendSeries): SafeHtml {
  const values = s.points.flatMap((p) => [p.median, p.lower ?? p.median, p.upper ?? p.median]);
  const unit = axisUnit(s.unit, Math.max(0, ...values));
  const domain = paddedDomain(
    values.map((v) => v / unit.factor),
    DOMAIN_PADDING,
  );
  const y = linearScale(domain, FRAME.bottom, FRAME.top);
  const step = (FRAME.right - FRAME.left) / Math.max(1, s.points.length);
  const x = (i: number) => FRAME.left + (i + 0.5) * step;
  const every = Math.max(1, Math.ceil(LABEL_SPACING / step));
  const parts: HtmlHole[] = [
    svgOpen(
      WIDTH,
      HEIGHT,
      'trend',
      `${s.benchmark}: ${metricLabel(s.metric)} over ${s.points.length} runs`,
    ),
    yAxis(FRAME, domain, y, (t, d) => t.toFixed(d), unit.suffix),
    html`<line class="axis-line" x1="${FRAME.left}" x2="${FRAME.right}" y1="${FRAME.bottom}" y2="${FRAME.bottom}"/>`,
    html`<polyline class="trend-line" points="${s.points.map((p, i) => `${n(x(i))},${n(y(p.median / unit.factor))}`).join(' ')}"/>`,
  ];
  s.points.forEach((p, i) => {
    const cx = n(x(i));
    if (p.lower !== null && p.upper !== null)
      parts.push(
        html`<line class="trend-whisker" x1="${cx}" x2="${cx}" y1="${n(y(p.lower / unit.factor))}" y2="${n(y(p.upper / unit.factor))}"/>`,
      );
    const kind = lookup(POINT_CLASS, p.verdict, '');
    parts.push(
      html`<circle class="trend-point ${kind}" cx="${cx}" cy="${n(y(p.median / unit.factor))}" r="${kind === 'regression' ? 6 : 4}"><title>${tooltip(s, p)}</title></circle>`,
    );
    // Labels from the newest backwards, so the latest commit is always named.
    if ((s.points.length - 1 - i) % every === 0)
      parts.push(
        html`<text class="commit" x="${cx}" y="${FRAME.bottom + 16}" text-anchor="middle">${shortSha(p)}</text>`,
      );
  });
  parts.push(html`</svg>`);
  return html`${parts}`;
}

function tooltip(s: TrendSeries, p: TrendPoint): string {
  const interval =
    p.lower !== null && p.upper !== null
      ? ` [${formatValue(p.lower, s.unit)}, ${formatValue(p.upper, s.unit)}]`
      : '';
  const change = p.change
    ? `; change vs its base ${formatChange(p.change.ratio)} (${p.verdict})`
    : '';
  return `${p.sha ?? 'working tree'} · ${p.recordedAt.slice(0, 16).replace('T', ' ')} UTC · ${p.device}\nmedian ${formatValue(p.median, s.unit)}${interval}${change}`;
}

function shortSha(p: TrendPoint): string {
  return p.sha?.slice(0, SHORT_SHA) ?? 'tree';
}
