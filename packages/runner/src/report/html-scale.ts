import type { MetricResult } from '../results/types.js';

/** Relative slack when comparing floating-point tick positions to the domain end. */
const TICK_EPSILON = 1e-9;
/** Significant digits kept when snapping a tick to its step, to drop float noise (0.30000000000000004). */
const TICK_PRECISION = 12;
/** Share of a flat domain's value used as its half-width, so a constant series still has an axis. */
const FLAT_DOMAIN_HALF_WIDTH = 0.01;

/** A closed interval of data values. */
export interface Domain {
  min: number;
  max: number;
}

/** How an axis shows a unit: values are divided by `factor`; `suffix` names the unit once. */
export interface AxisUnit {
  factor: number;
  suffix: string;
}

/**
 * The smallest domain holding every value, widened by `padding` (a share of
 * its span) on each side. A flat or empty domain is widened to something
 * drawable instead of dividing by zero later.
 */
export function paddedDomain(values: readonly number[], padding: number): Domain {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return { min: 0, max: 1 };
  let min = Math.min(...finite);
  let max = Math.max(...finite);
  if (max === min) {
    const half = Math.abs(min) * FLAT_DOMAIN_HALF_WIDTH || 1;
    return { min: min - half, max: max + half };
  }
  const pad = (max - min) * padding;
  min -= pad;
  max += pad;
  return { min, max };
}

/** Maps a domain linearly onto [start, end] in drawing units. */
export function linearScale(domain: Domain, start: number, end: number): (value: number) => number {
  const span = domain.max - domain.min;
  return (value) => start + ((value - domain.min) / span) * (end - start);
}

/**
 * About `target` tick positions and the decimals their labels need: steps
 * of 1, 2 or 5 times a power of ten, so labels read as round numbers.
 */
export function niceTicks(domain: Domain, target: number): { ticks: number[]; decimals: number } {
  const rough = (domain.max - domain.min) / target;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const normalised = rough / magnitude;
  const multiple = normalised < 1.5 ? 1 : normalised < 3 ? 2 : normalised < 7 ? 5 : 10;
  const step = multiple * magnitude;
  const ticks: number[] = [];
  const first = Math.ceil(domain.min / step - TICK_EPSILON);
  for (let k = first; k * step <= domain.max + step * TICK_EPSILON; k++) {
    ticks.push(Number((k * step).toPrecision(TICK_PRECISION)));
  }
  return { ticks, decimals: Math.max(0, -Math.floor(Math.log10(step) + TICK_EPSILON)) };
}

/**
 * One display unit for a whole axis, chosen from its largest value with the
 * same cut-offs as formatValue, so the axis and the table speak alike.
 */
export function axisUnit(unit: MetricResult['unit'], largest: number): AxisUnit {
  switch (unit) {
    case 'ms':
      return largest >= 1000 ? { factor: 1000, suffix: 's' } : { factor: 1, suffix: 'ms' };
    case 'bytes':
      return largest >= 2 ** 30
        ? { factor: 2 ** 30, suffix: 'GiB' }
        : { factor: 2 ** 20, suffix: 'MiB' };
    case 'items/s':
      return { factor: 1, suffix: 'items/s' };
  }
}
