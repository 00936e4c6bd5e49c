import type { SideName, WorkloadSession } from '../../workloads/types.js';
import {
  closePairs,
  footprintPerPair,
  type Pair,
  pairsToStart,
  startPairs,
  usedBytes,
} from './process-pairs.js';
import type { Measuring } from './state.js';

/** Warm-up iterations per side for a pair that waited in the pool: it was warmed when it started. */
const REWARM_ITERATIONS = 1;

/**
 * Closes the pair there is and puts a fresh one in its place, warmed up: the
 * next from the pool when one waits there, else newly started ones (several
 * together when GPU memory allows: process-pairs.ts).
 */
export async function openSessions(m: Measuring): Promise<void> {
  const { plan, signal } = m;
  signal?.throwIfAborted();
  m.progress(m.processes === 0 ? 'starting' : 'restarting');
  const old = m.sessions;
  m.sessions = {};
  await closePairs([old]);
  // Checked after closing: that takes seconds, and an interrupt in between must
  // not start new workers.
  signal?.throwIfAborted();
  const pooled = m.pool.shift();
  if (pooled) {
    m.sessions = pooled;
    await warmPairs(m, [pooled], Math.min(REWARM_ITERATIONS, plan.warmupIterations));
  } else {
    const count =
      m.processes === 0
        ? 1
        : pairsToStart(
            plan.gpu?.reader ?? null,
            m.footprint,
            plan.pairsAtOnce,
            pairsStillNeeded(m),
          );
    const before = usedBytes(plan.gpu?.reader ?? null);
    const pairs = await startPairs(count, (side, abandon) => openSide(m, side, abandon));
    m.sessions = pairs[0]!;
    m.pool = pairs.slice(1);
    if (count > 1)
      m.log(
        `[${plan.name}] started ${count} process pairs together; ${count - 1} wait, warmed up, for their turn`,
      );
    await warmPairs(m, pairs, plan.warmupIterations);
    m.footprint ??= footprintPerPair(before, usedBytes(plan.gpu?.reader ?? null), count);
  }
  m.processes += 1;
  m.progress('measuring');
}

/** Process pairs the rest of the round budget can use (the pair being replaced excluded). */
function pairsStillNeeded(m: Measuring): number {
  const { plan } = m;
  if (plan.roundsPerProcess <= 0) return 1;
  return Math.max(1, Math.ceil((plan.maxRounds - m.rounds) / plan.roundsPerProcess));
}

async function warmPairs(m: Measuring, pairs: readonly Pair[], iterations: number): Promise<void> {
  m.progress('warm-up');
  for (const pair of pairs)
    for (const side of ['base', 'head'] as const) {
      m.signal?.throwIfAborted();
      await pair[side].warmup(iterations);
    }
}

/**
 * One side's session. All sessions of a restart start at once: starting is
 * untimed (a model build, seconds on a GPU); one after the other, the starts
 * took 16-24 s of a 53 s gate run on the VGGT example. `abandon` ends a
 * start when another session of the same restart failed.
 */
export function openSide(
  m: Measuring,
  side: SideName,
  abandon: AbortSignal,
): Promise<WorkloadSession> {
  const { plan, dirs, signal } = m;
  // An interrupt reaches the sessions too: a samples round in progress is stopped at once.
  const sessionSignal = signal === undefined ? abandon : AbortSignal.any([abandon, signal]);
  return plan.workload.open({
    side,
    cwd: dirs[side],
    dtype: plan.dtype.resolved,
    env: {
      PERF_GATE_DTYPE: plan.dtype.resolved,
      PERF_GATE_SIDE: side,
      // The config's `device`, for single-process workers (the Python client sets it);
      // PCI order makes CUDA's device numbers the same as nvidia-smi's and NVML's.
      PERF_GATE_DEVICE: String(plan.device),
      CUDA_DEVICE_ORDER: process.env.CUDA_DEVICE_ORDER ?? 'PCI_BUS_ID',
    },
    log: (line) => m.log(`[${plan.name} ${side}] ${line}`),
    signal: sessionSignal,
  });
}
