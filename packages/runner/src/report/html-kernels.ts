import type { Side } from '@vggt-perf-gate/timing';
import {
  describeWhatRan,
  explainingChanges,
  type KernelChange,
  kernelDiff,
  profileTimeLabel,
  shortKernelName,
  whatRan,
} from '../analysis/what-ran.js';
import type { BenchmarkResult } from '../results/types.js';
import { html, type SafeHtml } from './html-escape.js';

/** Kernels listed per benchmark: every one either side profiled, up to this many. */
const MAX_ROWS = 40;

/**
 * What the profiled iteration of each side showed: one line per side (dtype,
 * attention, matmul precision, achieved rate) and the full kernel table,
 * base beside head, largest change first. Nothing when neither side profiled.
 */
export function profileSection(b: BenchmarkResult, deviceName: string | null): SafeHtml {
  const profiles = b.profiles;
  if (!profiles?.base?.available && !profiles?.head?.available) return html``;
  const latency = b.metrics.find((m) => m.metric === 'latency');
  const ranOf = (side: Side) =>
    whatRan(profiles[side], latency?.[side]?.median ?? null, deviceName);
  const line = (side: Side) => {
    const profile = profiles[side];
    const ran = describeWhatRan(ranOf(side));
    const why =
      profile && !profile.available
        ? html` <span class="muted">(${profile.reason ?? ''})</span>`
        : '';
    return html`<li><strong>${side}</strong> ${ran}${why}</li>`;
  };
  const rows = kernelDiff(profiles.base, profiles.head, MAX_ROWS);
  const changed = explainingChanges(ranOf('base'), ranOf('head'));
  return html`${[
    html`<div class="what-ran profiled">`,
    html`<p><strong>profiled</strong> one untimed iteration per side, after the last timed sample</p>`,
    html`<ul>${line('base')}${line('head')}</ul>`,
    changed.length === 0 ? '' : html`<p><strong>changed</strong> ${changed.join('; ')}</p>`,
    rows.length === 0 ? '' : kernelTable(rows, profileTimeLabel(profiles.head ?? profiles.base)),
    html`</div>`,
  ]}`;
}

/** The kernels base beside head, in ms per iteration; the full name in each row's tooltip. */
function kernelTable(rows: readonly KernelChange[], label: string): SafeHtml {
  const ms = (us: number | null) => (us === null ? '–' : (us / 1000).toFixed(2));
  const row = (r: KernelChange) =>
    html`<tr><td><code title="${r.name}">${shortKernelName(r.name)}</code></td><td class="num right">${ms(r.baseUs)}</td><td class="num right">${ms(r.headUs)}</td><td>${r.change}</td></tr>`;
  return html`${[
    html`<div class="scroll"><table class="ran kernels"><thead><tr><th>${label}, ms</th><th class="right">base</th><th class="right">head</th><th>change</th></tr></thead><tbody>`,
    rows.map(row),
    html`</tbody></table></div>`,
  ]}`;
}
