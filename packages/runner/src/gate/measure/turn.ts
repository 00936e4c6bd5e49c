import { THROTTLING_REASONS } from '@vggt-perf-gate/device';
import { type ProcessPeak, startVramSampler, type VramReport } from '@vggt-perf-gate/memory';
import { noteNeighbours, ownPids, processesOn } from '../../analysis/shared-gpu.js';
import type { FrameworkMemory, SideName, WorkloadSession } from '../../workloads/types.js';
import { type Measuring, push } from './state.js';

/** VRAM timeline points kept per round and GPU: the shape of a round, not every reading. */
const TIMELINE_POINTS_PER_ROUND = 24;

/** One side's turn: its samples per metric, with a VRAM sampler around it for memory. */
export async function takeTurn(
  m: Measuring,
  side: SideName,
  round: number,
  memoryWanted: boolean,
): Promise<void> {
  const { plan, series } = m;
  const session = m.sessions[side]!;
  const sampler =
    memoryWanted && plan.gpu
      ? await startVramSampler({
          rootPid: session.pid,
          intervalMs: 1,
          source: { kind: 'auto' },
          maxPoints: TIMELINE_POINTS_PER_ROUND,
        })
      : null;
  let result: Awaited<ReturnType<WorkloadSession['run']>>;
  try {
    result = await session.run(plan.iterationsPerRound);
  } finally {
    const report = await sampler?.stop();
    if (report && plan.gpu) recordVram(m, side, round, report);
    checkNeighbours(m, round, report ?? null);
  }
  m.memoryDetail[side].framework = maxFramework(m.memoryDetail[side].framework, result.memory);
  const times = result.samples.map((s) => {
    m.clocks[s.deviceMs === null ? 'host' : 'device']++;
    return s.deviceMs ?? s.hostMs;
  });
  push(series.latency, side, round, times);
  const items = plan.itemsPerIteration ?? session.info.itemsPerIteration;
  if (items)
    push(
      series.throughput,
      side,
      round,
      times.map((ms) => (items * 1000) / ms),
    );
}

function recordVram(m: Measuring, side: SideName, round: number, report: VramReport): void {
  // The busiest GPU's peak: what runs out first. With one GPU that is
  // simply its peak; a DDP run gates on its fullest rank's GPU.
  const busiest = Math.max(0, ...report.perGpu.map((g) => g.peakBytes));
  push(m.series.memory, side, round, [busiest]);
  m.memoryDetail[side].processPeaks = maxPeaks(m.memoryDetail[side].processPeaks, report.perGpu);
  addTimeline(m.timeline[side], report, m.started);
}

/**
 * Notes processes outside the run on the GPUs this turn used: from the
 * sampler's readings through the turn, or, without one, a listing after it.
 */
function checkNeighbours(m: Measuring, round: number, report: VramReport | null): void {
  const { gpu } = m.plan;
  if (!gpu) return;
  const gpus = new Set([
    gpu.index,
    ...(report?.perGpu ?? []).filter((g) => g.peakBytes > 0).map((g) => g.gpuIndex),
  ]);
  const listed = report ? null : processesOn(gpu.reader, gpus);
  const seen = report ? report.foreign : listed!;
  if (seen.length === 0) return;
  const sessions = [m.sessions.base, m.sessions.head, ...m.pool.flatMap((p) => [p.base, p.head])];
  const own = ownPids(sessions.filter((s) => s !== undefined).map((s) => s.pid));
  // None of the run's own processes on the GPU while others are: in a container the
  // driver lists host PIDs, which match nothing here, so who shares it cannot be told.
  const ownSeen = report ? report.pidsSeen.length > 0 : listed!.some((p) => own.has(p.pid));
  if (!ownSeen) {
    m.neighbours.unattributed.add(round);
    return;
  }
  noteNeighbours(m.neighbours, round, seen, own, gpus);
}

/** Notes a round in which the GPU reported a clock-limiting event. */
export function checkThrottling(m: Measuring, round: number): void {
  const { gpu } = m.plan;
  if (!gpu) return;
  const reasons = gpu.reader.inventory().gpus[gpu.index]?.throttleReasons ?? [];
  const throttling = reasons.filter((r) => THROTTLING_REASONS.has(r));
  if (throttling.length === 0) return;
  m.throttledRounds.push(round);
  for (const r of throttling) m.throttleReasons.add(r);
}

/** Appends one round's per-GPU timeline, in ms since the benchmark started. */
function addTimeline(
  into: Map<number, Array<[number, number]>>,
  report: VramReport,
  benchmarkStartMs: number,
): void {
  const offset = report.startEpochMs - benchmarkStartMs;
  for (const gpu of report.perGpu) {
    if (gpu.peakBytes === 0) continue; // a GPU this tree never used
    const points = into.get(gpu.gpuIndex) ?? [];
    for (const p of gpu.timeline) points.push([Math.round(offset + p.tMs), p.bytes]);
    into.set(gpu.gpuIndex, points);
  }
}

function maxPeaks(
  known: ProcessPeak[],
  perGpu: ReadonlyArray<{ gpuIndex: number; peakBytes: number }>,
): ProcessPeak[] {
  const out = new Map(known.map((p) => [p.gpuIndex, p.peakBytes]));
  for (const g of perGpu) out.set(g.gpuIndex, Math.max(out.get(g.gpuIndex) ?? 0, g.peakBytes));
  return [...out].map(([gpuIndex, peakBytes]) => ({ gpuIndex, peakBytes }));
}

/** Highest peaks so far per (device, rank): two ranks on one device stay two entries. */
function maxFramework(
  known: FrameworkMemory[],
  latest: readonly FrameworkMemory[],
): FrameworkMemory[] {
  const key = (f: FrameworkMemory) => `${f.device}/${f.rank ?? ''}/${f.uuid ?? ''}`;
  const out = new Map(known.map((f) => [key(f), { ...f }]));
  for (const f of latest) {
    const seen = out.get(key(f));
    out.set(key(f), {
      ...f,
      maxAllocatedBytes: Math.max(seen?.maxAllocatedBytes ?? 0, f.maxAllocatedBytes),
      maxReservedBytes: Math.max(seen?.maxReservedBytes ?? 0, f.maxReservedBytes),
    });
  }
  return [...out.values()];
}
