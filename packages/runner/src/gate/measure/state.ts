import type { ForeignProcess, ProcessPeak } from '@vggt-perf-gate/memory';
import type { Comparison, LookPlan } from '@vggt-perf-gate/timing';
import type { MetricName, OutOfMemory } from '../../results/types.js';
import type {
  FrameworkMemory,
  SideName,
  WorkloadProfile,
  WorkloadSession,
} from '../../workloads/types.js';
import type { BenchmarkProgress } from '../progress-events.js';
import type { BenchmarkPlan, SideDirs } from './plan.js';
import type { Pair } from './process-pairs.js';

export interface Series {
  base: number[];
  head: number[];
  baseRounds: number[];
  headRounds: number[];
}

const emptySeries = (): Series => ({ base: [], head: [], baseRounds: [], headRounds: [] });

export type MemoryDetail = { framework: FrameworkMemory[]; processPeaks: ProcessPeak[] };

/** One benchmark's measurement in progress: what its steps share and the result is made of. */
export interface Measuring {
  plan: BenchmarkPlan;
  dirs: SideDirs;
  log: (line: string) => void;
  signal: AbortSignal | undefined;
  /** Date.now() at the start: the budget and the timeline count from here. */
  started: number;
  progress: (phase: BenchmarkProgress['phase']) => void;
  processes: number;
  rounds: number;
  estimate: string | null;
  verdictSeconds: number | null;
  series: Record<MetricName, Series>;
  sessions: Partial<Record<SideName, WorkloadSession>>;
  /** Pairs started with the current one, warmed up, waiting for their turn. */
  pool: Pair[];
  /** What one pair holds per GPU, measured at the first start; null until then or without a GPU. */
  footprint: Map<number, number> | null;
  comparisons: Partial<Record<MetricName, Comparison>>;
  /** Set when one side ran out of GPU memory where the other fit. */
  outOfMemory: OutOfMemory | null;
  /** Whether the side that ran out said which dtype it ran in (else its dtype is setup's guess). */
  outOfMemoryDtypeKnown: boolean;
  /**
   * Per metric, where a verdict may stop the run and the interval level at
   * each look; planned once the pace is known (verdictMinRounds), null before.
   */
  looks: Partial<Record<MetricName, LookPlan>> | null;
  /** Date.now() when the first rounds began (after the first start and warm-up). */
  measuringSince: number | null;
  throttledRounds: number[];
  throttleReasons: Set<string>;
  /** Processes outside the run on the benchmark's GPUs, and the rounds they were there. */
  neighbours: {
    rounds: Set<number>;
    processes: Map<string, ForeignProcess>;
    /** Rounds with processes on the GPU of which none was the run's own: no telling who they are. */
    unattributed: Set<number>;
  };
  /** Latency samples taken with the workload's device timer, and with a host clock. */
  clocks: { device: number; host: number };
  memoryDetail: Record<SideName, MemoryDetail>;
  timeline: Record<SideName, Map<number, Array<[number, number]>>>;
  profiles: Record<SideName, WorkloadProfile | null>;
  warnings: string[];
}

export function startMeasuring(
  plan: BenchmarkPlan,
  dirs: SideDirs,
  log: (line: string) => void,
  onProgress: (progress: BenchmarkProgress) => void,
  signal: AbortSignal | undefined,
): Measuring {
  const m: Measuring = {
    plan,
    dirs,
    log,
    signal,
    started: Date.now(),
    progress: (phase) =>
      onProgress({
        benchmark: plan.name,
        phase,
        rounds: m.rounds,
        maxRounds: plan.maxRounds,
        elapsedSeconds: (Date.now() - m.started) / 1000,
        maxSeconds: plan.maxSeconds,
        processes: m.processes,
        estimate: m.estimate,
        verdictSeconds: m.verdictSeconds,
      }),
    processes: 0,
    rounds: 0,
    estimate: null,
    verdictSeconds: null,
    series: { latency: emptySeries(), memory: emptySeries(), throughput: emptySeries() },
    sessions: {},
    pool: [],
    footprint: null,
    comparisons: {},
    looks: null,
    measuringSince: null,
    outOfMemory: null,
    outOfMemoryDtypeKnown: false,
    throttledRounds: [],
    throttleReasons: new Set(),
    clocks: { device: 0, host: 0 },
    neighbours: { rounds: new Set(), processes: new Map(), unattributed: new Set() },
    memoryDetail: {
      base: { framework: [], processPeaks: [] },
      head: { framework: [], processPeaks: [] },
    },
    timeline: { base: new Map(), head: new Map() },
    profiles: { base: null, head: null },
    warnings: [],
  };
  return m;
}

export function push(s: Series, side: SideName, round: number, values: readonly number[]): void {
  for (const v of values) {
    s[side].push(v);
    s[side === 'base' ? 'baseRounds' : 'headRounds'].push(round);
  }
}
