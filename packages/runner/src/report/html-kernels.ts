import type { BenchmarkResult } from '../results.js';
import { escapeHtml } from './html-escape.js';
import {
  describeWhatRan,
  kernelDiff,
  profileTimeLabel,
  shortKernelName,
  whatRan,
} from './what-ran.js';

/** Kernels listed per benchmark: every one either side profiled, up to this many. */
const MAX_ROWS = 40;

/**
 * What the profiled iteration of each side showed: one line per side (dtype,
 * attention, matmul precision, achieved rate) and the full kernel table,
 * base beside head, largest change first. Nothing when neither side profiled.
 */
export function profileSection(b: BenchmarkResult, deviceName: string | null): string {
  const profiles = b.profiles;
  if (!profiles?.base?.available && !profiles?.head?.available) return '';
  const latency = b.metrics.find((m) => m.metric === 'latency');
  const line = (side: 'base' | 'head') =>
    `<li><strong>${side}</strong> ${escapeHtml(describeWhatRan(whatRan(profiles[side], latency?.[side]?.median ?? null, deviceName)))}${
      profiles[side] && !profiles[side]?.available
        ? ` <span class="muted">(${escapeHtml(profiles[side]?.reason ?? '')})</span>`
        : ''
    }</li>`;
  const rows = kernelDiff(profiles.base, profiles.head, MAX_ROWS);
  const ms = (us: number | null) => (us === null ? '–' : (us / 1000).toFixed(2));
  const table =
    rows.length === 0
      ? ''
      : [
          `<div class="scroll"><table class="ran kernels"><thead><tr><th>${escapeHtml(profileTimeLabel(profiles.head ?? profiles.base))}, ms</th><th class="right">base</th><th class="right">head</th><th>change</th></tr></thead><tbody>`,
          ...rows.map(
            (r) =>
              `<tr><td><code title="${escapeHtml(r.name)}">${escapeHtml(shortKernelName(r.name))}</code></td><td class="num right">${ms(r.baseUs)}</td><td class="num right">${ms(r.headUs)}</td><td>${escapeHtml(r.change)}</td></tr>`,
          ),
          '</tbody></table></div>',
        ].join('');
  return [
    '<div class="what-ran profiled">',
    '<p><strong>profiled</strong> one untimed iteration per side, after the last timed sample</p>',
    `<ul>${line('base')}${line('head')}</ul>`,
    table,
    '</div>',
  ].join('');
}
