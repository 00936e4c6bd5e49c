const GIB = 1024 ** 3;
const MIB = 1024 ** 2;

/**
 * Bytes as a person reads them in a note: GiB with one decimal from 1 GiB
 * up (the scale of model memory), MiB below. Binary units, as NVML and
 * PyTorch report them. A negative count (a difference) keeps its sign.
 *
 * @example
 * formatBytes(9 * 1024 ** 3); // '9.0 GiB'
 * formatBytes(512 * 1024 ** 2); // '512.0 MiB'
 */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return String(bytes);
  const sign = bytes < 0 ? '-' : '';
  const size = Math.abs(bytes);
  if (size >= GIB) return `${sign}${(size / GIB).toFixed(1)} GiB`;
  return `${sign}${(size / MIB).toFixed(1)} MiB`;
}
