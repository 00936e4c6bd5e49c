import type { OutOfMemory } from '../../results/types.js';
import type { SideName } from '../../workloads/types.js';
import type { OutOfMemoryError } from '../../workloads/worker-failures.js';
import { closePairs } from './process-pairs.js';
import { openSide } from './sessions.js';
import type { Measuring } from './state.js';
import { takeTurn } from './turn.js';

/**
 * A side ran out of GPU memory: a verdict when the other side fits. It fits
 * if it took a measured turn; otherwise it is given one now (a fresh
 * session if its start was abandoned, warmed up, its VRAM sampled), so the
 * report can say what it needed. Null when the other side fails too.
 */
export async function settleOutOfMemory(
  m: Measuring,
  cause: OutOfMemoryError,
): Promise<OutOfMemory | null> {
  const { plan } = m;
  const side: SideName = cause.side === 'base' ? 'base' : 'head';
  const other: SideName = side === 'head' ? 'base' : 'head';
  if (m.series.latency[other].length === 0) {
    try {
      // Closed, not dropped: what it reported about itself stays in the results.
      await closePairs([{ [side]: m.sessions[side] }]);
      m.sessions[other] ??= await openSide(m, other, new AbortController().signal);
      await m.sessions[other].warmup(plan.warmupIterations);
      await takeTurn(m, other, m.rounds, true);
    } catch (second) {
      m.log(`[${plan.name}] ${other} did not fit either: ${(second as Error).message}`);
      return null;
    }
  }
  return {
    side,
    phase: cause.phase,
    triedBytes: cause.triedBytes,
    otherPeakBytes: peakOf(m, other),
    message: cause.message,
  };
}

/** A side's peak: the sampler's process-tree peak, else the framework's reserved peak; null unknown. */
function peakOf(m: Measuring, side: SideName): number | null {
  const sampled = m.series.memory[side];
  if (sampled.length > 0) return Math.max(...sampled);
  const reserved = m.memoryDetail[side].framework.map((f) => f.maxReservedBytes);
  return reserved.length > 0 ? Math.max(...reserved) : null;
}
