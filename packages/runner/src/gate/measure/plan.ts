import type { GpuReader } from '@vggt-perf-gate/device';
import type { MetricName, NoiseFloor } from '../../results/types.js';
import type { Workload } from '../../workloads/types.js';

/** Everything needed to measure one benchmark, resolved from the config. */
export interface BenchmarkPlan {
  name: string;
  workload: Workload;
  metrics: readonly MetricName[];
  thresholds: Readonly<Record<MetricName, number>>;
  warmupIterations: number;
  iterationsPerRound: number;
  maxRounds: number;
  maxSeconds: number;
  dtype: { requested: string; resolved: string; explanation: string };
  /** The config's GPU index (nvidia-smi numbering), passed to workers as PERF_GATE_DEVICE. */
  device: number;
  /** GPU to watch for memory and clock events; null without a GPU. */
  gpu: { index: number; reader: GpuReader } | null;
  /** Overrides the items per iteration a workload reports (throughput). */
  itemsPerIteration: number | null;
  /**
   * Start fresh base and head sessions (worker processes) every this many
   * rounds; 0 never does. Process-level offsets (allocator state, memory
   * layout, clocks at start) then vary between rounds, so they widen the
   * round-level interval instead of passing for a real difference.
   */
  restartEveryRounds: number;
  /**
   * Rounds that share one process (or session) per side: the cluster the
   * interval treats as one independent observation. `restartEveryRounds`
   * for workers and onnx sessions; 1 for samples commands, whose every
   * round is a fresh process; 0 when nothing restarts.
   */
  roundsPerProcess: number;
  /**
   * Most process pairs a restart starts together, GPU memory allowing (the
   * extra ones wait, warmed up, for their turn); 1 starts one at a time.
   */
  pairsAtOnce: number;
  /**
   * Per metric, the probability that its verdict's intervals miss the truth
   * at any of its looks: its share of the run's 5% (`errorShares`).
   * Throughput shares latency's: the same samples, inverted.
   */
  errorRates: Readonly<Record<MetricName, number>>;
  /** The run's verdicts the 5% is shared by, for the report. */
  verdicts: number;
  /**
   * The runner's calibrated noise for this benchmark (fresh A/A runs in the
   * history): latency and throughput intervals are never narrower than it
   * allows. Null without one.
   */
  noiseFloor?: NoiseFloor | null;
}

/**
 * The two checkouts a benchmark is measured in: each side's workload starts
 * there (its `cwd`), and each side's setup runs there.
 */
export interface SideDirs {
  /** The base side's checkout (runGate's temporary worktree of the base ref). */
  base: string;
  /** The head side's checkout: the working tree being gated. */
  head: string;
}
