import { type HtmlHole, html, type SafeHtml } from './html-escape.js';
import { type Domain, niceTicks } from './html-scale.js';

/**
 * SVG building blocks every chart of the HTML report shares: the opening
 * tag, coordinate rounding and labelled axes, so the distribution, change
 * and VRAM timeline charts look alike and label their ticks the same way.
 */

/**
 * Where a chart draws: data between `left` and `right`, `top` and `bottom`
 * (drawing units, in a viewBox `width` wide). Labels go in the margins.
 */
export interface Frame {
  width: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

/** Tick counts tried, most first, until the labels fit side by side. */
const TICK_TARGETS = [6, 5, 4, 3, 2];
/** Width of one tick-label character at the tick font size (11px), generously rounded up. */
const TICK_CHAR_WIDTH = 6.5;
/** Least free space between neighbouring tick labels. */
const TICK_LABEL_GAP = 10;
/** Gap between a horizontal axis line and its tick labels' baseline. */
const TICK_LABEL_OFFSET = 15;
/** Least vertical distance between two labelled ticks of a vertical axis: a line of tick text and some air. */
const Y_TICK_MIN_SPACING = 22;
/** Gap between a vertical axis and its right-aligned tick labels. */
const Y_LABEL_GAP = 6;
/** Lifts a tick label's baseline so the text centres on its grid line. */
const Y_LABEL_BASELINE = 4;

/** Rounds a coordinate: a tenth of a unit is invisible and keeps the markup short. */
export function n(value: number): string {
  return String(Math.round(value * 10) / 10);
}

/** The chart's `<svg>` tag: scales to its container's width, named for screen readers. */
export function svgOpen(width: number, height: number, className: string, label: string): SafeHtml {
  return html`<svg class="chart ${className}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${label}">`;
}

type TickLabel = (tick: number, decimals: number) => string;

/** The most ticks whose labels pass `fits`, falling back to the fewest. */
function chooseTicks(
  domain: Domain,
  fits: (t: { ticks: number[]; decimals: number }) => boolean,
): { ticks: number[]; decimals: number } {
  const candidates = TICK_TARGETS.map((target) => niceTicks(domain, target));
  return candidates.find(fits) ?? candidates[candidates.length - 1]!;
}

/**
 * Vertical grid lines and labelled ticks along a horizontal axis at the
 * frame's bottom, as many as fit without labels touching, and the unit (if
 * any) once, left of the axis under the row labels, rather than on every tick.
 */
export function xAxis(
  frame: Frame,
  domain: Domain,
  x: (value: number) => number,
  label: TickLabel,
  unit = '',
): SafeHtml {
  const { ticks, decimals } = chooseTicks(domain, (t) => {
    const [a, b] = t.ticks;
    if (a === undefined || b === undefined) return true;
    const widest = Math.max(...t.ticks.map((tick) => label(tick, t.decimals).length));
    return x(b) - x(a) >= widest * TICK_CHAR_WIDTH + TICK_LABEL_GAP;
  });
  const axisY = frame.bottom;
  const parts: HtmlHole[] = [
    html`<line class="axis-line" x1="${frame.left}" x2="${frame.right}" y1="${axisY}" y2="${axisY}"/>`,
    unit
      ? html`<text class="tick unit" x="${frame.left - 10}" y="${axisY + TICK_LABEL_OFFSET}" text-anchor="end">${unit}</text>`
      : '',
  ];
  // A tick whose label would run into the unit, or off the right edge, is left out.
  const leftmost = unit ? frame.left - 2 : 0;
  for (const tick of ticks) {
    const half = (label(tick, decimals).length * TICK_CHAR_WIDTH) / 2;
    if (x(tick) - half < leftmost || x(tick) + half > frame.width) continue;
    const tx = n(x(tick));
    parts.push(
      html`<line class="grid" x1="${tx}" x2="${tx}" y1="${frame.top}" y2="${axisY}"/>`,
      html`<text class="tick" x="${tx}" y="${axisY + TICK_LABEL_OFFSET}" text-anchor="middle">${label(tick, decimals)}</text>`,
    );
  }
  return html`${parts}`;
}

/**
 * Horizontal grid lines and right-aligned tick labels along the frame's
 * left edge, spaced so labels never overlap, and the unit once above them.
 * Ticks outside the frame (a nice tick just past the domain) are left out.
 */
export function yAxis(
  frame: Frame,
  domain: Domain,
  y: (value: number) => number,
  label: TickLabel,
  unit = '',
): SafeHtml {
  const { ticks, decimals } = chooseTicks(domain, (t) => {
    const [a, b] = t.ticks;
    if (a === undefined || b === undefined) return true;
    return Math.abs(y(a) - y(b)) >= Y_TICK_MIN_SPACING;
  });
  const labelX = frame.left - Y_LABEL_GAP;
  const parts: HtmlHole[] = [
    html`<line class="axis-line" x1="${frame.left}" x2="${frame.left}" y1="${frame.top}" y2="${frame.bottom}"/>`,
    unit
      ? html`<text class="tick unit" x="${labelX}" y="${frame.top - 6}" text-anchor="end">${unit}</text>`
      : '',
  ];
  for (const tick of ticks) {
    const ty = y(tick);
    if (ty < frame.top - 0.5 || ty > frame.bottom + 0.5) continue;
    parts.push(
      html`<line class="grid" x1="${frame.left}" x2="${frame.right}" y1="${n(ty)}" y2="${n(ty)}"/>`,
      html`<text class="tick" x="${labelX}" y="${n(ty + Y_LABEL_BASELINE)}" text-anchor="end">${label(tick, decimals)}</text>`,
    );
  }
  return html`${parts}`;
}
