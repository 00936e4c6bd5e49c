import type { GpuReader } from '@vggt-perf-gate/device';
import { type ForeignProcess, findProcessTree } from '@vggt-perf-gate/memory';
import type { SharedGpu } from '../results/types.js';

/** The PIDs that are the run's own: the runner and every session's process tree. */
export function ownPids(sessionPids: readonly number[]): Set<number> {
  const out = new Set<number>([process.pid]);
  for (const root of sessionPids) {
    out.add(root);
    const tree = findProcessTree(root);
    if (tree.supported) for (const pid of tree.pids) out.add(pid);
  }
  return out;
}

/** The compute processes a reader lists on `gpus` now, as the sampler reports them. */
export function processesOn(reader: GpuReader, gpus: Iterable<number>): ForeignProcess[] {
  const out: ForeignProcess[] = [];
  for (const gpuIndex of gpus) {
    try {
      for (const p of reader.processes(gpuIndex))
        out.push({ gpuIndex, pid: p.pid, peakBytes: p.usedBytes });
    } catch {
      // A GPU that cannot be read now says nothing about neighbours.
    }
  }
  return out;
}

/** Adds the neighbours of one round: processes on `gpus` that are not the run's own. */
export function noteNeighbours(
  into: { rounds: Set<number>; processes: Map<string, ForeignProcess> },
  round: number,
  seen: readonly ForeignProcess[],
  own: ReadonlySet<number>,
  gpus: ReadonlySet<number>,
): void {
  for (const p of seen) {
    if (own.has(p.pid) || !gpus.has(p.gpuIndex)) continue;
    into.rounds.add(round);
    const key = `${p.gpuIndex}:${p.pid}`;
    const known = into.processes.get(key);
    const peak =
      p.peakBytes === null
        ? (known?.peakBytes ?? null)
        : Math.max(known?.peakBytes ?? 0, p.peakBytes);
    into.processes.set(key, { gpuIndex: p.gpuIndex, pid: p.pid, peakBytes: peak });
  }
}

/** The warning for a benchmark measured beside other processes. */
export function sharedGpuWarning(shared: SharedGpu, rounds: number): string {
  const gib = (b: number | null) =>
    b === null ? 'memory not reported' : `${(b / 2 ** 30).toFixed(1)} GiB`;
  const who = shared.processes
    .slice(0, 5)
    .map((p) => `PID ${p.pid} on GPU ${p.gpuIndex} (${gib(p.peakBytes)})`)
    .join(', ');
  const more = shared.processes.length > 5 ? `, and ${shared.processes.length - 5} more` : '';
  return `other processes used the GPU in ${shared.rounds.length} of ${rounds} rounds: ${who}${more}. Latency measured beside them is disturbed, so this is not a clean pass: stop them, run on a GPU of its own, or set gpuBusy: fail to refuse such runs.`;
}
