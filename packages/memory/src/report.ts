import { formatBytes } from './format.js';
import {
  type AccumulatorSummary,
  FELL_BEHIND_FACTOR,
  type GpuMemoryTrack,
  type MemoryTrack,
  type SamplingGap,
} from './sampler-core.js';
import type { LiveSourceKind } from './source.js';
import type { TreeSource } from './tree-tracker.js';

/**
 * A process outside the measured tree that held memory on a GPU: one entry
 * of {@link VramReport}'s `foreign`. `peakBytes` is the most it held there,
 * null where the driver does not say.
 */
export interface ForeignProcess {
  gpuIndex: number;
  pid: number;
  peakBytes: number | null;
}

/**
 * What `VramSampler.stop()` returns: JSON-safe, for a results file. Memory
 * is in bytes; times are milliseconds since the sampler started.
 */
export interface VramReport {
  /** Where the numbers came from. */
  source: 'nvml' | 'nvidia-smi' | 'replay';
  rootPid: number;
  /** The interval asked for (ms). */
  intervalMs: number;
  /** Readings per second achieved; null with fewer than two readings. */
  achievedHz: number | null;
  samples: number;
  /** First reading to last (ms). */
  durationMs: number;
  /** Wall-clock time (ms since the epoch) of the sampler's t = 0, to line the timeline up with other logs. */
  startEpochMs: number;
  /** Gaps between readings longer than twice the interval: a spike inside one can be missed. */
  fellBehind: number;
  longestGapMs: number;
  gaps: SamplingGap[];
  /** Every GPU, sorted by index; a GPU the tree never used shows zeros. */
  perGpu: GpuMemoryTrack[];
  /** All GPUs added up at each reading. */
  total: MemoryTrack;
  /** Every PID of the tree that held GPU memory at some reading, ascending. */
  pidsSeen: number[];
  /**
   * Processes outside the tree that held memory on a GPU at some reading,
   * with the most each held there (null where the driver does not say), by
   * GPU and PID: a neighbour that can slow the workload and take its headroom.
   */
  foreign: ForeignProcess[];
  /** How the tree's PIDs were found. */
  treeSource: TreeSource;
  /** Plain sentences on anything that limits what the numbers mean. */
  notes: string[];
}

/** Facts about a sampling run, beyond the accumulator's, that the notes speak to. */
export interface RunFacts {
  source: VramReport['source'];
  /** The live kind asked for, when live. */
  requested?: LiveSourceKind;
  capturedWith?: string;
  rootPid: number;
  intervalMs: number;
  treeSource: TreeSource;
  treeUnsupportedReason?: string;
  pidsSeen: readonly number[];
  /** PIDs outside the tree seen holding GPU memory. */
  foreignPids: readonly number[];
  foreign: readonly ForeignProcess[];
  /** Readings of a tree process whose memory the driver did not attribute. */
  unattributedReadings: number;
}

/** Said of every nvidia-smi report: measured with 8 GiB allocations held for 2-100 ms. */
export const NVIDIA_SMI_NOTE =
  'nvidia-smi source: about 10 Hz, spikes shorter than ~100 ms can be missed (polling every 100 ms saw 5% of 2 ms and 25% of 5 ms allocations); install the NVIDIA driver library (NVML) for 1 kHz sampling.';

/** Foreign PIDs named in a note, at most. */
const MAX_PIDS_NAMED = 5;

export function buildReport(
  summary: AccumulatorSummary,
  facts: RunFacts,
  startEpochMs: number,
): VramReport {
  return {
    source: facts.source,
    rootPid: facts.rootPid,
    intervalMs: facts.intervalMs,
    achievedHz: summary.achievedHz,
    samples: summary.samples,
    durationMs: summary.durationMs,
    startEpochMs,
    fellBehind: summary.fellBehind,
    longestGapMs: summary.longestGapMs,
    gaps: summary.gaps,
    perGpu: summary.perGpu,
    total: summary.total,
    pidsSeen: [...facts.pidsSeen].sort((a, b) => a - b),
    foreign: [...facts.foreign].sort((a, b) => a.gpuIndex - b.gpuIndex || a.pid - b.pid),
    treeSource: facts.treeSource,
    notes: reportNotes(summary, facts),
  };
}

/** The notes of a report: one sentence per limitation found. */
export function reportNotes(summary: AccumulatorSummary, facts: RunFacts): string[] {
  const notes: string[] = [];
  if (facts.source === 'nvidia-smi') notes.push(NVIDIA_SMI_NOTE);
  if (facts.requested === 'nvml' && facts.source !== 'nvml') {
    notes.push(
      `NVML was asked for but ${facts.source} was used: the NVIDIA driver library could not be loaded.`,
    );
  }
  if (facts.source === 'replay') {
    const how = facts.capturedWith ? ` captured with ${facts.capturedWith}` : '';
    notes.push(`replayed from a recording${how}: these numbers are not a live reading.`);
  }
  if (facts.treeUnsupportedReason !== undefined) {
    notes.push(
      `${facts.treeUnsupportedReason}; child processes (e.g. torchrun ranks) are not counted.`,
    );
  }
  if (summary.samples === 1) {
    notes.push('only one reading was taken: the sampler was stopped before its first interval.');
  }
  if (summary.fellBehind > 0) {
    const achieved =
      summary.achievedHz === null ? '' : `, ${summary.achievedHz.toFixed(0)} Hz achieved`;
    notes.push(
      `the sampler fell behind ${summary.fellBehind} time(s) in ${summary.samples} readings (no reading for more than ${FELL_BEHIND_FACTOR}x the ${facts.intervalMs} ms interval; longest gap ${summary.longestGapMs.toFixed(1)} ms${achieved}): a peak shorter than a gap can be missed.`,
    );
  }
  if (facts.unattributedReadings > 0) {
    notes.push(
      `the driver gave no memory figure for ${facts.unattributedReadings} reading(s) of tracked processes (usual in containers and on MIG): they count as 0, so peaks may be too low.`,
    );
  }
  if (facts.pidsSeen.length === 0) {
    if (facts.foreignPids.length > 0) {
      const named = facts.foreignPids.slice(0, MAX_PIDS_NAMED).join(', ');
      const more = facts.foreignPids.length > MAX_PIDS_NAMED ? ', ...' : '';
      notes.push(
        `no process in the tree of PID ${facts.rootPid} held GPU memory, but other processes did (PIDs ${named}${more}). In a container the driver reports host PIDs, which do not match the container's: run it with the host PID namespace (docker --pid=host), or check that the right PID is measured.`,
      );
    } else {
      notes.push(
        `no process in the tree of PID ${facts.rootPid} held GPU memory while sampling: the workload did not use the GPU, or ran before the sampler started or after it stopped.`,
      );
    }
  } else if (facts.foreignPids.length > 0) {
    notes.push(
      `${facts.foreignPids.length} process(es) outside the tree also held GPU memory (not counted): another job on the GPU can slow the workload and change its memory headroom.`,
    );
  }
  const peak = summary.total.peakBytes;
  const baseline = summary.total.baselineBytes;
  if (baseline > 0 && summary.samples > 0) {
    notes.push(
      `the tree already held ${formatBytes(baseline)} at the first reading (baseline); the peak, ${formatBytes(peak)}, includes it.`,
    );
  }
  return notes;
}
