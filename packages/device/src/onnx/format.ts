/** Renders a dtype probe result as a plain-text table for logs and terminals. */
import type { DtypeProbeResult } from './probe.js';

const HEADERS = ['dtype', 'model', 'status', 'ms', 'detail'] as const;

/** Details are onnxruntime messages, sometimes with stack-like paths; one line is enough in a table. */
const MAX_DETAIL = 160;

/**
 * One line of heading, one row per dtype and model with columns padded to
 * line up, then one line per dtype saying whether all of its models ran.
 *
 * @example
 * import { formatDtypeProbe, probeDtypes } from '@vggt-perf-gate/device/onnx';
 * console.log(formatDtypeProbe(await probeDtypes({ provider: 'cpu', dtypes: ['float32', 'float16'] })));
 */
export function formatDtypeProbe(result: DtypeProbeResult): string {
  const rows = result.results.map((entry) => [
    entry.dtype,
    entry.model,
    entry.status,
    entry.ms === undefined ? '-' : entry.ms.toFixed(3),
    oneLine(entry.detail),
  ]);
  const widths = HEADERS.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => row[column]!.length)),
  );
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column]!)))
      .join('  ')
      .trimEnd();
  const summary = Object.entries(result.summary).map(([dtype, ok]) => {
    const upcast = result.results.some((entry) => entry.dtype === dtype && entry.upcast);
    const verdict = ok ? (upcast ? 'runs, upcast to float32' : 'supported') : 'not supported';
    return `  ${dtype.padEnd(widths[0]!)}  ${verdict}`;
  });
  return [
    `dtype probe on onnxruntime ${result.onnxruntimeVersion}, provider ${result.provider}`,
    line(HEADERS),
    line(widths.map((width) => '-'.repeat(width))),
    ...rows.map(line),
    '',
    'summary (every model built for the dtype ran and matched the reference):',
    ...summary,
  ].join('\n');
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > MAX_DETAIL ? `${flat.slice(0, MAX_DETAIL - 1)}…` : flat;
}
