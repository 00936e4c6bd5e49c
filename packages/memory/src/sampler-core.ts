import { describe, invalidOption, isNonNegative } from './errors.js';

/** The memory a tracked process tree holds on one GPU at one reading. */
export interface GpuBytes {
  gpuIndex: number;
  bytes: number;
}

/** One reading of the tracked processes' memory on every GPU. */
export interface MemoryReading {
  /** Milliseconds since the sampler started. Readings must come in time order. */
  t: number;
  /** One entry per GPU; a GPU left out held nothing of the tree at this reading. */
  perGpu: readonly GpuBytes[];
}

/** One point of a timeline: the highest reading of its time bucket, and when it was taken. */
export interface TimelinePoint {
  /** When the bucket's highest reading was taken (ms since the sampler started). */
  tMs: number;
  bytes: number;
}

/** Baseline, peak and timeline of one GPU, or of all GPUs added up. */
export interface MemoryTrack {
  /** The first reading, or the explicit baseline when one was given. */
  baselineBytes: number;
  peakBytes: number;
  /** When the peak was first reached (ms since the sampler started); null before any reading. */
  peakAtMs: number | null;
  /** Down-sampled: each point is the highest reading of its time bucket, so spikes survive. */
  timeline: TimelinePoint[];
}

/** A {@link MemoryTrack} of one GPU, with the GPU's index. */
export interface GpuMemoryTrack extends MemoryTrack {
  gpuIndex: number;
}

/** A stretch with no reading, longer than {@link FELL_BEHIND_FACTOR} intervals. */
export interface SamplingGap {
  /** The reading before the gap (ms since the sampler started). */
  afterMs: number;
  gapMs: number;
}

/**
 * What `VramAccumulator.summary()` returns: how sampling went (rate, gaps),
 * and baseline, peak and timeline per GPU and in total. Bytes and ms.
 */
export interface AccumulatorSummary {
  samples: number;
  /** From the first reading to the last (ms); 0 with fewer than two. */
  durationMs: number;
  /** Readings per second actually achieved; null with fewer than two readings. */
  achievedHz: number | null;
  /** How many gaps between readings were longer than twice the interval. */
  fellBehind: number;
  longestGapMs: number;
  /** The first {@link MAX_RECORDED_GAPS} gaps, in time order. */
  gaps: SamplingGap[];
  /** Sorted by GPU index. */
  perGpu: GpuMemoryTrack[];
  /** The sum over GPUs at each reading: its peak is a moment's total, not the sum of per-GPU peaks. */
  total: MemoryTrack;
}

/** Options of {@link VramAccumulator}. */
export interface AccumulatorOptions {
  /** The interval readings were asked for (ms): the first bucket width and the fell-behind yardstick. */
  intervalMs: number;
  /** Most points per timeline, default {@link DEFAULT_TIMELINE_POINTS}. */
  maxPoints?: number;
}

/** Timeline points kept per GPU: enough for a chart, small enough for a results JSON. */
export const DEFAULT_TIMELINE_POINTS = 500;
/** A reading later than this many intervals after the previous one counts as "fell behind". */
export const FELL_BEHIND_FACTOR = 2;
/** Gaps kept in detail; the count and the longest cover the rest. */
export const MAX_RECORDED_GAPS = 100;

/** A time bucket: its index at the current width, and its highest reading. */
interface Bucket {
  index: number;
  tMs: number;
  bytes: number;
}

/**
 * A timeline that keeps at most `maxPoints` points however long it runs,
 * without knowing the run's length in advance: readings fall into time
 * buckets that start one interval wide, and whenever there are too many
 * buckets the width doubles and neighbouring pairs merge. Each bucket keeps
 * its highest reading (and when it was taken), so a one-reading spike is
 * never averaged or sampled away.
 *
 * The constructor takes `maxPoints` (an integer >= 2) and the first bucket
 * width in ms (> 0), and throws MemoryError INVALID_OPTION otherwise.
 *
 * @example
 * const timeline = new PeakTimeline(500, 1); // at most 500 points, 1 ms buckets to start
 * for (const { t, bytes } of readings) timeline.add(t, bytes);
 * const points = timeline.points(); // [{ tMs, bytes }]: each bucket's highest reading
 */
export class PeakTimeline {
  readonly #maxPoints: number;
  #width: number;
  #origin: number | undefined;
  #buckets: Bucket[] = [];

  constructor(maxPoints: number, initialWidthMs: number) {
    if (!(Number.isInteger(maxPoints) && maxPoints >= 2)) {
      throw invalidOption('maxPoints', maxPoints, 'an integer >= 2');
    }
    if (!(initialWidthMs > 0 && Number.isFinite(initialWidthMs))) {
      throw invalidOption('intervalMs', initialWidthMs, 'a number of milliseconds > 0');
    }
    this.#maxPoints = maxPoints;
    this.#width = initialWidthMs;
  }

  /** Adds a reading; `t` must not go backwards (ms). */
  add(t: number, bytes: number): void {
    this.#origin ??= t;
    const index = Math.floor((t - this.#origin) / this.#width);
    const last = this.#buckets.at(-1);
    // `<=` and not `===`: after a width doubling, float rounding could put a
    // reading one bucket before the last; it belongs to the last.
    if (last !== undefined && index <= last.index) {
      // Strictly greater: on a tie the earliest time of the peak is kept.
      if (bytes > last.bytes) {
        last.bytes = bytes;
        last.tMs = t;
      }
      return;
    }
    this.#buckets.push({ index, tMs: t, bytes });
    while (this.#buckets.length > this.#maxPoints) this.#coarsen();
  }

  /** Current bucket width (ms). */
  get widthMs(): number {
    return this.#width;
  }

  points(): TimelinePoint[] {
    return this.#buckets.map(({ tMs, bytes }) => ({ tMs, bytes }));
  }

  #coarsen(): void {
    this.#width *= 2;
    const merged: Bucket[] = [];
    for (const bucket of this.#buckets) {
      const index = Math.floor(bucket.index / 2);
      const last = merged.at(-1);
      if (last !== undefined && last.index === index) {
        if (bucket.bytes > last.bytes) {
          last.bytes = bucket.bytes;
          last.tMs = bucket.tMs;
        }
      } else {
        merged.push({ ...bucket, index });
      }
    }
    this.#buckets = merged;
  }
}

/** Baseline, peak and timeline of one series. */
class Track {
  baseline: number | undefined;
  peak = 0;
  peakAt: number | null = null;
  readonly timeline: PeakTimeline;

  constructor(maxPoints: number, intervalMs: number) {
    this.timeline = new PeakTimeline(maxPoints, intervalMs);
  }

  add(t: number, bytes: number): void {
    this.baseline ??= bytes;
    if (this.peakAt === null || bytes > this.peak) {
      this.peak = bytes;
      this.peakAt = t;
    }
    this.timeline.add(t, bytes);
  }

  summary(): MemoryTrack {
    return {
      baselineBytes: this.baseline ?? 0,
      peakBytes: this.peak,
      peakAtMs: this.peakAt,
      timeline: this.timeline.points(),
    };
  }
}

/**
 * Turns a stream of readings into baseline, peak, peak time and a
 * down-sampled timeline, per GPU and in total, and counts the times the
 * readings fell behind their interval. Pure and synchronous (no clock, no
 * I/O), so the sampler worker calls it at 1 kHz and tests drive it directly.
 * `add()` throws MemoryError INVALID_OPTION for a reading earlier than the
 * one before, or one that lists a GPU twice.
 *
 * @example
 * const accumulator = new VramAccumulator({ intervalMs: 1 });
 * accumulator.add({ t: 0, perGpu: [{ gpuIndex: 0, bytes: 3 * 1024 ** 3 }] });
 * accumulator.add({ t: 1, perGpu: [{ gpuIndex: 0, bytes: 9 * 1024 ** 3 }] });
 * const { perGpu } = accumulator.summary(); // perGpu[0]: baseline 3 GiB, peak 9 GiB at 1 ms
 */
export class VramAccumulator {
  readonly #intervalMs: number;
  readonly #maxPoints: number;
  readonly #gpus = new Map<number, Track>();
  readonly #total: Track;
  #explicitBaseline: Map<number, number> | undefined;
  #samples = 0;
  #first: number | undefined;
  #last: number | undefined;
  #fellBehind = 0;
  #longestGap = 0;
  readonly #gaps: SamplingGap[] = [];

  constructor(options: AccumulatorOptions) {
    const intervalMs = options?.intervalMs;
    if (!(typeof intervalMs === 'number' && intervalMs > 0 && Number.isFinite(intervalMs))) {
      throw invalidOption('intervalMs', intervalMs, 'a number of milliseconds > 0');
    }
    this.#intervalMs = intervalMs;
    this.#maxPoints = options.maxPoints ?? DEFAULT_TIMELINE_POINTS;
    this.#total = new Track(this.#maxPoints, intervalMs);
  }

  /**
   * Sets the baseline from a reading taken before the measured work began
   * (e.g. just before the workload starts), instead of the first reading.
   * The reading does not count as a sample and joins no timeline.
   */
  setBaseline(perGpu: readonly GpuBytes[]): void {
    const baseline = checkPerGpu(perGpu, 'baseline');
    this.#explicitBaseline = baseline;
    for (const [gpuIndex, track] of this.#gpus) track.baseline = baseline.get(gpuIndex) ?? 0;
    this.#total.baseline = sum(baseline.values());
  }

  add(reading: MemoryReading): void {
    const t = reading?.t;
    if (!(typeof t === 'number' && Number.isFinite(t))) {
      throw invalidOption('reading.t', t, 'a time in ms since the sampler started');
    }
    if (this.#last !== undefined && t < this.#last) {
      throw invalidOption(
        'reading.t',
        t,
        `a time no earlier than the previous reading (${this.#last} ms): readings must come in time order`,
      );
    }
    const bytesOf = checkPerGpu(reading.perGpu, 'reading.perGpu');
    if (this.#last !== undefined) this.#noteGap(this.#last, t - this.#last);
    this.#first ??= t;
    this.#last = t;
    this.#samples++;

    for (const gpuIndex of bytesOf.keys()) {
      if (this.#gpus.has(gpuIndex)) continue;
      const track = new Track(this.#maxPoints, this.#intervalMs);
      // A GPU first seen now held nothing of the tree before (readings leave
      // out GPUs at 0), unless an explicit baseline said otherwise.
      if (this.#explicitBaseline !== undefined || this.#samples > 1) {
        track.baseline = this.#explicitBaseline?.get(gpuIndex) ?? 0;
      }
      this.#gpus.set(gpuIndex, track);
    }
    for (const [gpuIndex, track] of this.#gpus) track.add(t, bytesOf.get(gpuIndex) ?? 0);
    this.#total.add(t, sum(bytesOf.values()));
  }

  get samples(): number {
    return this.#samples;
  }

  summary(): AccumulatorSummary {
    const span = this.#first === undefined ? 0 : this.#last! - this.#first;
    return {
      samples: this.#samples,
      durationMs: span,
      achievedHz: this.#samples >= 2 && span > 0 ? ((this.#samples - 1) * 1000) / span : null,
      fellBehind: this.#fellBehind,
      longestGapMs: this.#longestGap,
      gaps: this.#gaps.map((gap) => ({ ...gap })),
      perGpu: [...this.#gpus.entries()]
        .sort(([a], [b]) => a - b)
        .map(([gpuIndex, track]) => ({ gpuIndex, ...track.summary() })),
      total: this.#total.summary(),
    };
  }

  #noteGap(afterMs: number, gapMs: number): void {
    if (gapMs <= FELL_BEHIND_FACTOR * this.#intervalMs) return;
    this.#fellBehind++;
    if (gapMs > this.#longestGap) this.#longestGap = gapMs;
    if (this.#gaps.length < MAX_RECORDED_GAPS) this.#gaps.push({ afterMs, gapMs });
  }
}

/** Validates one reading's per-GPU list into a map; a GPU listed twice is a caller's bug. */
function checkPerGpu(perGpu: readonly GpuBytes[], where: string): Map<number, number> {
  if (!Array.isArray(perGpu)) {
    throw invalidOption(where, perGpu, 'an array of { gpuIndex, bytes }');
  }
  const out = new Map<number, number>();
  for (const [i, entry] of perGpu.entries()) {
    const gpuIndex = entry?.gpuIndex;
    if (!(typeof gpuIndex === 'number' && Number.isInteger(gpuIndex) && gpuIndex >= 0)) {
      throw invalidOption(`${where}[${i}].gpuIndex`, gpuIndex, 'a GPU index (an integer >= 0)');
    }
    if (!isNonNegative(entry.bytes)) {
      throw invalidOption(`${where}[${i}].bytes`, entry.bytes, 'a byte count >= 0');
    }
    if (out.has(gpuIndex)) {
      throw invalidOption(
        `${where}[${i}].gpuIndex`,
        gpuIndex,
        `each GPU once per reading (GPU ${describe(gpuIndex)} is listed twice): add up a GPU's processes before adding the reading`,
      );
    }
    out.set(gpuIndex, entry.bytes);
  }
  return out;
}

function sum(values: Iterable<number>): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}
