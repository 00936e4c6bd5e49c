import type { Side } from '@vggt-perf-gate/timing';
import type { BenchmarkResult, VramTimeline } from '../results/types.js';
import { formatValue } from './format.js';
import { type HtmlHole, html, type SafeHtml } from './html-escape.js';
import { axisUnit, linearScale } from './html-scale.js';
import { type Frame, n, svgOpen, xAxis, yAxis } from './html-svg.js';

/**
 * The VRAM timeline of one benchmark: the process tree's memory per side
 * and GPU over the whole run, base and head on one time axis. The sides
 * take turns (ABBA rounds), so each line is a run of bursts with gaps while
 * the other side ran; a gap is left open rather than bridged, since nothing
 * was sampled there.
 */

/**
 * Wider than the metric charts: it spans the benchmark's section rather
 * than a card, and time needs the room. On a narrow screen it scrolls in
 * its own box (CSS) instead of shrinking its text.
 */
const WIDTH = 720;
const HEIGHT = 220;
const FRAME: Frame = { width: WIDTH, left: 56, right: WIDTH - 24, top: 22, bottom: 190 };
/** Headroom above the highest peak, as a share of it, so the peak does not touch the frame. */
const Y_HEADROOM = 0.08;
/** Above this many points a series keeps the highest of each run of neighbours: peaks survive thinning. */
export const MAX_TIMELINE_POINTS = 2000;
/**
 * A pause this many times a series' usual spacing between points breaks
 * its line: new processes started (restarts), or the sampler was off.
 */
const GAP_FACTOR = 10;
/** Dash patterns by GPU (first, second, ...): the side has the colour, the GPU the dash. */
const GPU_DASHES = ['', '7 4', '2 3', '9 3 2 3'];
/** Radius of the mark drawn for a burst of a single point, which a line cannot show. */
const LONE_POINT_RADIUS = 2;

interface Series {
  side: Side;
  gpuIndex: number;
  /** Position of this GPU among the GPUs in the chart: picks the dash. */
  gpuOrdinal: number;
  /** Sorted by time. */
  points: ReadonlyArray<readonly [number, number]>;
  peak: number;
}

/** True when the benchmark has any VRAM timeline point to draw. */
export function hasVramTimeline(b: BenchmarkResult): boolean {
  const t = b.vramTimeline;
  return !!t && [...t.base, ...t.head].some((g) => g.points.length > 0);
}

/**
 * Keeps at most `max` points: the highest reading of each run of
 * neighbours, with its own time, as the sampler itself down-samples, so a
 * one-reading spike is never averaged or stepped over.
 */
export function thinPeaks(
  points: ReadonlyArray<readonly [number, number]>,
  max = MAX_TIMELINE_POINTS,
): ReadonlyArray<readonly [number, number]> {
  if (points.length <= max) return points;
  const size = Math.ceil(points.length / max);
  const out: Array<readonly [number, number]> = [];
  for (let start = 0; start < points.length; start += size) {
    let best = points[start]!;
    for (let i = start + 1; i < Math.min(start + size, points.length); i++) {
      const p = points[i]!;
      if (p[1] > best[1]) best = p;
    }
    out.push(best);
  }
  return out;
}

function buildSeries(timeline: NonNullable<BenchmarkResult['vramTimeline']>): Series[] {
  const gpus = [...new Set([...timeline.base, ...timeline.head].map((g) => g.gpuIndex))].sort(
    (a, b) => a - b,
  );
  const out: Series[] = [];
  for (const gpuIndex of gpus) {
    for (const side of ['base', 'head'] as const) {
      const found = timeline[side].filter((g: VramTimeline) => g.gpuIndex === gpuIndex);
      const points = found
        .flatMap((g) => g.points)
        .filter(([t, bytes]) => Number.isFinite(t) && Number.isFinite(bytes))
        .sort((a, b) => a[0] - b[0]);
      if (points.length === 0) continue;
      out.push({
        side,
        gpuIndex,
        gpuOrdinal: gpus.indexOf(gpuIndex),
        points: thinPeaks(points),
        peak: points.reduce((m, p) => Math.max(m, p[1]), 0),
      });
    }
  }
  return out;
}

/** Median time between neighbouring points: the series' usual spacing. */
function usualSpacing(points: ReadonlyArray<readonly [number, number]>): number {
  const gaps = points
    .slice(1)
    .map((p, i) => p[0] - points[i]![0])
    .sort((a, b) => a - b);
  return gaps[Math.floor(gaps.length / 2)] ?? 0;
}

/** Whether any of the sorted `times` lies strictly between `from` and `to`. */
function anyBetween(times: readonly number[], from: number, to: number): boolean {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (times[mid]! <= from) lo = mid + 1;
    else hi = mid;
  }
  return lo < times.length && times[lo]! < to;
}

/**
 * Splits a series into bursts: a new burst starts where the other side was
 * sampled in between (its turn), or after an unusually long pause.
 */
export function bursts(
  points: ReadonlyArray<readonly [number, number]>,
  otherSideTimes: readonly number[],
): Array<Array<readonly [number, number]>> {
  const spacing = usualSpacing(points);
  const out: Array<Array<readonly [number, number]>> = [];
  let current: Array<readonly [number, number]> = [];
  for (const p of points) {
    const last = current.at(-1);
    const pause = last !== undefined && spacing > 0 && p[0] - last[0] > GAP_FACTOR * spacing;
    if (last !== undefined && (pause || anyBetween(otherSideTimes, last[0], p[0]))) {
      out.push(current);
      current = [];
    }
    current.push(p);
  }
  if (current.length > 0) out.push(current);
  return out;
}

/** Side and GPU, also with one GPU: the index says which GPU of the machine it was. */
function seriesName(s: Series): string {
  return `${s.side} · GPU ${s.gpuIndex}`;
}

/** A short line in the series' colour and dash, for the legend. */
function swatch(s: Series): SafeHtml {
  const dash = dashOf(s);
  const line = dash
    ? html`<line x1="1" x2="23" y1="4" y2="4" stroke-dasharray="${dash}"/>`
    : html`<line x1="1" x2="23" y1="4" y2="4"/>`;
  return html`<svg class="line-swatch side-${s.side}" viewBox="0 0 24 8" aria-hidden="true">${line}</svg>`;
}

/** The series' dash pattern; none (a solid line) for the first GPU. */
function dashOf(s: Series): string {
  return GPU_DASHES[s.gpuOrdinal % GPU_DASHES.length] ?? '';
}

/** A burst line through `path` in the series' dash. */
function seriesPath(s: Series, path: string): SafeHtml {
  const dash = dashOf(s);
  return dash
    ? html`<path class="vram-line" d="${path}" stroke-dasharray="${dash}"/>`
    : html`<path class="vram-line" d="${path}"/>`;
}

/**
 * The timeline as a figure: a line per side and GPU (colour: side, dash:
 * GPU), x in seconds since the benchmark started, y from zero in GiB (MiB
 * below 1 GiB, as in the tables), and a legend naming each line with its
 * peak. Empty string when there is nothing to draw.
 */
export function vramTimelineChart(b: BenchmarkResult): SafeHtml {
  if (!b.vramTimeline || !hasVramTimeline(b)) return html``;
  const series = buildSeries(b.vramTimeline);
  const gpuCount = new Set(series.map((s) => s.gpuIndex)).size;
  const peak = series.reduce((m, s) => Math.max(m, s.peak), 0);
  const lastMs = series.reduce((m, s) => Math.max(m, s.points.at(-1)?.[0] ?? 0), 0);
  const unit = axisUnit('bytes', peak);
  const xDomain = { min: 0, max: Math.max(lastMs / 1000, 0.001) };
  const yDomain = { min: 0, max: Math.max((peak / unit.factor) * (1 + Y_HEADROOM), 0.001) };
  const x = linearScale(xDomain, FRAME.left, FRAME.right);
  const y = linearScale(yDomain, FRAME.bottom, FRAME.top);
  const at = ([t, bytes]: readonly [number, number]) =>
    `${n(x(t / 1000))} ${n(y(bytes / unit.factor))}`;
  const timesOf = (side: Side) =>
    series
      .filter((s) => s.side === side)
      .flatMap((s) => s.points.map((p) => p[0]))
      .sort((p, q) => p - q);
  const times = { base: timesOf('base'), head: timesOf('head') };
  const label = `VRAM of the process tree over the run, per side${gpuCount > 1 ? ' and GPU' : ''}: ${series.map((s) => `${seriesName(s)} peak ${formatValue(s.peak, 'bytes')}`).join(', ')}`;
  const parts: HtmlHole[] = [
    svgOpen(WIDTH, HEIGHT, 'timeline', label),
    yAxis(FRAME, yDomain, y, (t, d) => t.toFixed(d), unit.suffix),
    xAxis(FRAME, xDomain, x, (t, d) => t.toFixed(d), 's'),
  ];
  for (const s of series) {
    const other = times[s.side === 'base' ? 'head' : 'base'];
    const runs = bursts(s.points, other);
    const path = runs
      .filter((r) => r.length > 1)
      .map((r) => `M${r.map(at).join('L')}`)
      .join('');
    const lone = runs
      .filter((r) => r.length === 1)
      .map((r) => {
        const [px, py] = at(r[0]!).split(' ');
        return html`<circle class="vram-point" cx="${px}" cy="${py}" r="${LONE_POINT_RADIUS}"/>`;
      });
    parts.push(
      html`<g class="series side-${s.side}"><title>${seriesName(s)}: peak ${formatValue(s.peak, 'bytes')}</title>`,
      path ? seriesPath(s, path) : '',
      ...lone,
      html`</g>`,
    );
  }
  parts.push(html`</svg>`);
  const legend = series.map(
    (s) =>
      html`<span>${swatch(s)}${seriesName(s)} <span class="num">peak ${formatValue(s.peak, 'bytes')}</span></span>`,
  );
  return html`${[
    html`<figure class="timeline">`,
    html`<figcaption><span class="metric-name">VRAM over the run</span> <span class="muted">process tree; base and head take turns, so each line is a series of bursts</span></figcaption>`,
    html`<div class="scroll">${parts}</div>`,
    html`<p class="legend timeline-legend">${legend}</p>`,
    html`</figure>`,
  ]}`;
}
