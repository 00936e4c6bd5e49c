import type { DeviceProbe } from './probe.js';

const GIB = 2 ** 30;

/**
 * A probe as a table a person reads in a terminal or a CI log, then its
 * warnings. Without a GPU it is one line: `No NVIDIA GPU: ` and the reason.
 *
 * @example
 * import { formatDeviceProbe, probeDevice } from '@vggt-perf-gate/device';
 * console.log(formatDeviceProbe(probeDevice()));
 */
export function formatDeviceProbe(probe: DeviceProbe): string {
  if (probe.state === 'no-gpu') return `No NVIDIA GPU: ${probe.reason}`;
  const { inventory } = probe;
  const lines = [
    `source: ${inventory.source}   driver: ${inventory.driverVersion}   CUDA (driver): ${inventory.cudaDriverVersion ?? 'unknown'}`,
  ];
  const header = [
    'GPU',
    'name',
    'CC',
    'memory used/total',
    'SM clock',
    'temp',
    'power',
    'dtype: auto',
    'other processes',
  ];
  const rows = inventory.gpus.map((gpu) => {
    const summary = probe.gpus.find((g) => g.index === gpu.index);
    const cc = gpu.computeCapability
      ? `${gpu.computeCapability.major}.${gpu.computeCapability.minor}`
      : '?';
    const mem = `${(gpu.memory.usedBytes / GIB).toFixed(1)}/${(gpu.memory.totalBytes / GIB).toFixed(1)} GiB`;
    const clock =
      gpu.clocks.smMHz === null ? '?' : `${gpu.clocks.smMHz}/${gpu.clocks.smMaxMHz ?? '?'} MHz`;
    const power =
      gpu.powerDrawW === null
        ? '?'
        : `${gpu.powerDrawW.toFixed(0)}/${gpu.powerLimitW?.toFixed(0) ?? '?'} W`;
    return [
      String(gpu.index),
      gpu.name,
      cc,
      mem,
      clock,
      gpu.temperatureC === null ? '?' : `${gpu.temperatureC} C`,
      power,
      summary?.autoDtype.dtype ?? '?',
      String(summary?.otherProcesses.length ?? 0),
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  lines.push(line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line));
  for (const warning of probe.warnings) lines.push(`warning: ${warning}`);
  return lines.join('\n');
}
