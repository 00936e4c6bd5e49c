import type { GpuReader } from '@vggt-perf-gate/device';
import type { SideName, WorkloadSession } from '../../workloads/types.js';

/**
 * Process pairs: one base and one head session (worker process or onnx
 * session) measured together for a few rounds, then replaced. Replacing a
 * pair costs a model load and a warm-up per side (about 7 s of a 20-frame
 * VGGT-1B round trip of 3.5 s on an H200), and the verdict counts pairs, so
 * that cost decides how fast a verdict comes. When GPU memory allows, a
 * restart therefore starts several pairs together: the extra ones wait,
 * warmed up and idle, for their turn, and taking one costs a single warm-up
 * iteration per side. An idle process holding its context did not slow the
 * one measuring (docs/validation.md, "Where VGGT-1B's slow states come from").
 */
export type Pair = Record<SideName, WorkloadSession>;

/** GPU memory left free when deciding how many pairs fit: other work, fragmentation. */
export const MEMORY_HEADROOM_BYTES = 2 * 2 ** 30;
/** A pair's footprint is taken as this much over what its first start measured. */
const FOOTPRINT_MARGIN = 1.25;

/**
 * Starts `count` pairs at once (2 x count sessions in parallel). The first
 * session to fail abandons the others' starts (through `abandon`'s signal),
 * every session that did start is closed, and the first failure is thrown.
 */
export async function startPairs(
  count: number,
  open: (side: SideName, abandon: AbortSignal) => Promise<WorkloadSession>,
): Promise<Pair[]> {
  const abandon = new AbortController();
  const started: WorkloadSession[] = [];
  const opening = Array.from({ length: count }, () =>
    (['base', 'head'] as const).map(async (side) => {
      try {
        const session = await open(side, abandon.signal);
        started.push(session);
        return session;
      } catch (error) {
        if (!abandon.signal.aborted) abandon.abort(error);
        throw error;
      }
    }),
  );
  const settled = await Promise.allSettled(opening.flat());
  if (abandon.signal.aborted) {
    await Promise.all(started.map((s) => s.close().catch(() => undefined)));
    throw abandon.signal.reason;
  }
  const sessions = settled.map((s) => (s as PromiseFulfilledResult<WorkloadSession>).value);
  return Array.from({ length: count }, (_, k) => ({
    base: sessions[2 * k]!,
    head: sessions[2 * k + 1]!,
  }));
}

/** Used bytes per GPU index, or null without a GPU reader (or when it cannot read). */
export function usedBytes(reader: GpuReader | null): Map<number, number> | null {
  if (!reader) return null;
  try {
    return new Map(reader.inventory().gpus.map((g) => [g.index, g.memory.usedBytes]));
  } catch {
    return null;
  }
}

/**
 * What one pair holds on each GPU, from the used memory before and after
 * `pairs` pairs started and warmed up (so the allocators hold their peaks).
 * GPUs whose use did not grow are left out.
 */
export function footprintPerPair(
  before: Map<number, number> | null,
  after: Map<number, number> | null,
  pairs: number,
): Map<number, number> | null {
  if (!before || !after) return null;
  const out = new Map<number, number>();
  for (const [index, used] of after) {
    const grown = used - (before.get(index) ?? used);
    if (grown > 0) out.set(index, grown / pairs);
  }
  return out.size > 0 ? out : null;
}

/**
 * How many pairs to start at a restart: as many as fit in every GPU the
 * first pair used (with a margin and `MEMORY_HEADROOM_BYTES` left free), no
 * more than `most` and no more than the rounds left need; at least 1.
 * Without a measured footprint, 1.
 */
export function pairsToStart(
  reader: GpuReader | null,
  footprint: Map<number, number> | null,
  most: number,
  needed: number,
): number {
  if (!reader || !footprint || most <= 1 || needed <= 1) return 1;
  let fit = Math.min(most, needed);
  try {
    const gpus = new Map(reader.inventory().gpus.map((g) => [g.index, g.memory.freeBytes]));
    for (const [index, bytes] of footprint) {
      const free = (gpus.get(index) ?? 0) - MEMORY_HEADROOM_BYTES;
      fit = Math.min(fit, Math.floor(free / (bytes * FOOTPRINT_MARGIN)));
    }
  } catch {
    return 1;
  }
  return Math.max(1, fit);
}

/** Closes every session of the pairs, never throwing (clean-up paths call it). */
export async function closePairs(pairs: readonly Partial<Pair>[]): Promise<void> {
  await Promise.all(
    pairs.flatMap((p) => [p.base, p.head]).map((s) => s?.close().catch(() => undefined)),
  );
}
