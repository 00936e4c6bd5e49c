/**
 * NVML's clock-event (formerly "throttle") reason bits, decoded to names.
 * Values from nvml.h (nvmlClocksEventReason*); nvidia-smi prints the same
 * set as a hex mask in `clocks_event_reasons.active`.
 */
export const CLOCK_EVENT_REASONS: ReadonlyArray<readonly [bigint, string]> = [
  [0x1n, 'gpu_idle'],
  [0x2n, 'applications_clocks_setting'],
  [0x4n, 'sw_power_cap'],
  [0x8n, 'hw_slowdown'],
  [0x10n, 'sync_boost'],
  [0x20n, 'sw_thermal_slowdown'],
  [0x40n, 'hw_thermal_slowdown'],
  [0x80n, 'hw_power_brake_slowdown'],
  [0x100n, 'display_clock_setting'],
];

/** Reasons that lower clocks under load: a round that shows one is flagged as throttled. */
export const THROTTLING_REASONS: ReadonlySet<string> = new Set([
  'sw_power_cap',
  'hw_slowdown',
  'sw_thermal_slowdown',
  'hw_thermal_slowdown',
  'hw_power_brake_slowdown',
]);

/**
 * Names of the bits set in `mask`; unknown bits appear as `unknown_0x...`.
 *
 * @example
 * import { decodeClockEventReasons } from '@vggt-perf-gate/device';
 * decodeClockEventReasons(0x5n); // ['gpu_idle', 'sw_power_cap']
 * decodeClockEventReasons(0x1000n); // ['unknown_0x1000']
 */
export function decodeClockEventReasons(mask: bigint): string[] {
  const names: string[] = [];
  let rest = mask;
  for (const [bit, name] of CLOCK_EVENT_REASONS) {
    if ((mask & bit) !== 0n) names.push(name);
    rest &= ~bit;
  }
  if (rest !== 0n) names.push(`unknown_0x${rest.toString(16)}`);
  return names;
}
