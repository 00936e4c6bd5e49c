import { createHash } from 'node:crypto';
import type { GateConfig } from './types.js';

/**
 * A stable fingerprint of a resolved config, for the results file: two runs
 * with the same hash measured the same things against the same thresholds,
 * however the YAML was laid out or which defaults were spelt out.
 *
 * @returns the sha256 of the config's canonical JSON, as 64 hex digits
 */
export function hashConfig(config: GateConfig): string {
  return createHash('sha256').update(canonicalJson(config)).digest('hex');
}

/**
 * JSON with object keys sorted at every level and no whitespace, so equal
 * values always give equal text. Array order is kept: it is meaningful
 * (benchmark order, argument vectors).
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
