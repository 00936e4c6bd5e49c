import type { MetricResult, SideSummary } from '../results/types.js';
import { formatChange, formatValue, INTERVAL_LEVEL_TEXT, metricLabel } from './format.js';
import { verdictClass } from './html-badge.js';
import { type HtmlHole, html, type SafeHtml } from './html-escape.js';
import { axisUnit, linearScale, paddedDomain } from './html-scale.js';
import { type Frame, n, svgOpen, xAxis } from './html-svg.js';

/**
 * Inline SVG charts for one metric. Plain SVG rather than a charting
 * library: small static charts need no script, keep the page a few
 * kilobytes, and print and screenshot exactly as rendered. Colours come
 * from CSS classes so the page's stylesheet (and its dark mode) owns them.
 */

/** Raw per-side values of one metric, in the metric's unit, when the caller has them. */
export interface SideSamples {
  base?: readonly number[];
  head?: readonly number[];
}

/** Width of every chart's coordinate system; about a card's width, so text stays near its font size. */
const WIDTH = 340;
/** Room on the left for row labels ("base", "head"), shared so both charts line up. */
const LEFT = 50;
/** Room on the right so the last tick label is not cut off. */
const RIGHT = 20;
/** Share of the data span added on each side of a domain, so marks never sit on the edge. */
const DOMAIN_PADDING = 0.08;
/** The change chart pads more: its threshold band must stay visibly inside the axis. */
const CHANGE_DOMAIN_PADDING = 0.15;
/** Row centres of the distribution chart. */
const ROW_Y = { base: 24, head: 58 } as const;
/** Height of a p5..p95 box. */
const BOX_HEIGHT = 18;
/** Axis line of the distribution chart; tick labels hang below it. */
const RANGE_AXIS_Y = 84;
const RANGE_HEIGHT = 106;
/** Vertical spread of sample dots around their row, so dense samples stay visible. */
const JITTER_HEIGHT = 14;
/** Above this many samples a side is thinned evenly: enough to show the shape, not a huge file. */
const MAX_POINTS_PER_SIDE = 400;
/** Low-discrepancy jitter (golden ratio): deterministic output, evenly spread dots. */
const GOLDEN_RATIO_FRACTION = 0.618_033_988_75;
/** Change chart geometry: the band spans BAND_TOP..BAND_BOTTOM, the interval sits on CHANGE_Y. */
const BAND_TOP = 6;
const BAND_BOTTOM = 40;
const CHANGE_Y = 23;
const CHANGE_AXIS_Y = 44;
const CHANGE_HEIGHT = 66;
const RANGE_FRAME: Frame = {
  width: WIDTH,
  left: LEFT,
  right: WIDTH - RIGHT,
  top: 4,
  bottom: RANGE_AXIS_Y,
};
const CHANGE_FRAME: Frame = {
  width: WIDTH,
  left: LEFT,
  right: WIDTH - RIGHT,
  top: BAND_TOP,
  bottom: CHANGE_AXIS_Y,
};
const SIDES = ['base', 'head'] as const;

/** Every `step`-th value, so a long series keeps its shape at a bounded size. */
function thin(values: readonly number[]): readonly number[] {
  if (values.length <= MAX_POINTS_PER_SIDE) return values;
  const step = values.length / MAX_POINTS_PER_SIDE;
  return Array.from({ length: MAX_POINTS_PER_SIDE }, (_, i) => values[Math.floor(i * step)] ?? 0);
}

/**
 * Smallest and largest finite value of several lists, in a loop rather
 * than `Math.min(...values)`: a results file may hold tens of thousands of
 * samples, more arguments than a call can take.
 */
function extent(...lists: ReadonlyArray<readonly number[]>): { min: number; max: number } {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const list of lists) {
    for (const v of list) {
      if (!Number.isFinite(v)) continue;
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  return { min, max };
}

function sideTooltip(side: string, s: SideSummary, unit: MetricResult['unit']): string {
  return `${side}: median ${formatValue(s.median, unit)}, p5 ${formatValue(s.p5, unit)}, p95 ${formatValue(s.p95, unit)} (${s.count} samples)`;
}

/**
 * The base and head distributions on one axis: a box from p5 to p95 with
 * the median marked, one row per side, and the raw samples as dots when
 * given. Same axis for both sides, so a shift is visible at a glance.
 */
export function distributionChart(metric: MetricResult, samples?: SideSamples): SafeHtml {
  const { min, max } = extent(
    SIDES.flatMap((side) => {
      const s = metric[side];
      return s ? [s.p5, s.median, s.p95] : [];
    }),
    ...SIDES.map((side) => samples?.[side] ?? []),
  );
  const unit = axisUnit(metric.unit, Math.max(0, max));
  const domain = paddedDomain([min / unit.factor, max / unit.factor], DOMAIN_PADDING);
  const x = linearScale(domain, LEFT, WIDTH - RIGHT);
  const label = `${metricLabel(metric.metric)}: base and head distributions (p5, median, p95)`;
  const parts: HtmlHole[] = [
    svgOpen(WIDTH, RANGE_HEIGHT, 'distribution', label),
    xAxis(RANGE_FRAME, domain, x, (t, d) => t.toFixed(d), unit.suffix),
  ];
  for (const side of SIDES) {
    const y = ROW_Y[side];
    parts.push(
      html`<text class="row-label" x="${LEFT - 10}" y="${y + 4}" text-anchor="end">${side}</text>`,
    );
    const summary = metric[side];
    if (!summary) {
      parts.push(html`<text class="missing" x="${LEFT + 8}" y="${y + 4}">not measured</text>`);
      continue;
    }
    const [p5, median, p95] = [summary.p5, summary.median, summary.p95].map((v) =>
      x(v / unit.factor),
    ) as [number, number, number];
    parts.push(
      html`<g class="side side-${side}"><title>${sideTooltip(side, summary, metric.unit)}</title>`,
      html`<rect class="box" x="${n(p5)}" y="${n(y - BOX_HEIGHT / 2)}" width="${n(Math.max(p95 - p5, 1))}" height="${BOX_HEIGHT}" rx="3"/>`,
    );
    thin(samples?.[side] ?? []).forEach((value, i) => {
      const jitter = (((i * GOLDEN_RATIO_FRACTION) % 1) - 0.5) * JITTER_HEIGHT;
      parts.push(
        html`<circle class="dot" cx="${n(x(value / unit.factor))}" cy="${n(y + jitter)}" r="1.8"/>`,
      );
    });
    parts.push(
      html`<line class="median" x1="${n(median)}" x2="${n(median)}" y1="${n(y - BOX_HEIGHT / 2 - 3)}" y2="${n(y + BOX_HEIGHT / 2 + 3)}"/>`,
      html`</g>`,
    );
  }
  parts.push(html`</svg>`);
  return html`${parts}`;
}

function percentLabel(tick: number, decimals: number): string {
  if (tick === 0) return '0%';
  return `${tick > 0 ? '+' : '−'}${Math.abs(tick).toFixed(decimals)}%`;
}

/**
 * The change (head / base) with its interval against the ± threshold band,
 * forest-plot style: an interval wholly right of the band is a regression,
 * wholly inside it unchanged, across an edge inconclusive. Null when the
 * metric has no interval (not measured).
 */
export function changeChart(metric: MetricResult): SafeHtml | null {
  const { ratio, interval } = metric;
  if (ratio === null || interval === null) return null;
  const percent = (r: number) => (r - 1) * 100;
  const threshold = metric.threshold * 100;
  const domain = paddedDomain(
    [percent(interval.lower), percent(interval.upper), -threshold, threshold, 0],
    CHANGE_DOMAIN_PADDING,
  );
  const x = linearScale(domain, LEFT, WIDTH - RIGHT);
  const [lower, upper, point] = [interval.lower, interval.upper, ratio].map((r) =>
    x(percent(r)),
  ) as [number, number, number];
  const bandLeft = x(-threshold);
  const bandRight = x(threshold);
  const tooltip = `change ${formatChange(ratio)}, ${INTERVAL_LEVEL_TEXT} interval [${formatChange(interval.lower)}, ${formatChange(interval.upper)}], threshold ±${+threshold.toFixed(2)}%: ${metric.verdict}`;
  return html`${[
    svgOpen(WIDTH, CHANGE_HEIGHT, 'change', `${metricLabel(metric.metric)}: ${tooltip}`),
    html`<rect class="band" x="${n(bandLeft)}" y="${BAND_TOP}" width="${n(bandRight - bandLeft)}" height="${BAND_BOTTOM - BAND_TOP}"/>`,
    html`<line class="band-edge" x1="${n(bandLeft)}" x2="${n(bandLeft)}" y1="${BAND_TOP}" y2="${BAND_BOTTOM}"/>`,
    html`<line class="band-edge" x1="${n(bandRight)}" x2="${n(bandRight)}" y1="${BAND_TOP}" y2="${BAND_BOTTOM}"/>`,
    xAxis(CHANGE_FRAME, domain, x, percentLabel),
    html`<line class="zero" x1="${n(x(0))}" x2="${n(x(0))}" y1="${BAND_TOP - 2}" y2="${CHANGE_AXIS_Y}"/>`,
    html`<text class="row-label" x="${LEFT - 10}" y="${CHANGE_Y + 4}" text-anchor="end">change</text>`,
    html`<g class="interval ${verdictClass(metric.verdict)}"><title>${tooltip}</title>`,
    html`<line class="whisker" x1="${n(lower)}" x2="${n(upper)}" y1="${CHANGE_Y}" y2="${CHANGE_Y}"/>`,
    html`<line class="cap" x1="${n(lower)}" x2="${n(lower)}" y1="${CHANGE_Y - 6}" y2="${CHANGE_Y + 6}"/>`,
    html`<line class="cap" x1="${n(upper)}" x2="${n(upper)}" y1="${CHANGE_Y - 6}" y2="${CHANGE_Y + 6}"/>`,
    html`<circle class="point" cx="${n(point)}" cy="${CHANGE_Y}" r="4.5"/>`,
    html`</g></svg>`,
  ]}`;
}
