import type { GateResults, NoiseFloor } from '../results/types.js';
import type { HistoryEntry } from './entry.js';

/**
 * A runner's noise, calibrated: scheduled A/A runs (base and head the same
 * commit) measure how much latency moves between rounds and between
 * process pairs when nothing changed. The median of the recent ones is the
 * benchmark's noise floor on that runner: a PR's interval is never
 * narrower than it allows, and a PR run that measured much more noise than
 * that is flagged, since something on the runner changed.
 */

/** How fresh a calibration must be to be used: a week of drivers, clocks and neighbours. */
export const CALIBRATION_MAX_AGE_DAYS = 7;
/** The most recent calibrations the floor is the median of. */
export const CALIBRATION_RUNS = 10;
/** A run's round-to-round noise this many times its calibrated median is flagged. */
export const NOISE_GROWTH_FACTOR = 2;
/** ...and only above this (0.2% on the log scale): below it, doubling is still quiet. */
const NOISE_FLOOR_MIN_SD = 0.002;
/**
 * Spreads above this (25% on the log scale) are no measurement a gate can use
 * (a broken run, or an entry someone wrote to disarm the gate: a huge floor
 * would widen every interval to inconclusive). Such calibrations are left out.
 */
const MAX_PLAUSIBLE_SD = 0.25;
const DAY_MS = 86_400_000;

/** Which calibrations count: this runner's, no older than `maxAgeDays` before `now`. */
export interface NoiseFloorOptions {
  /** The runner's name (RUNNER_NAME); null takes calibrations from any runner. */
  runner: string | null;
  now?: Date;
  maxAgeDays?: number;
}

/**
 * Per benchmark name, its latency noise floor from the fresh calibration
 * entries among `entries`; a benchmark without one is absent.
 *
 * @example
 * const { entries } = await readBranch({ repo: '.', branch: 'perf-gate-data' }, 200);
 * const noiseFloors = calibratedNoise(entries, { runner: process.env.RUNNER_NAME ?? null });
 * await runGate({ ...options, noiseFloors });
 */
export function calibratedNoise(
  entries: readonly HistoryEntry[],
  options: NoiseFloorOptions,
): Record<string, NoiseFloor> {
  const now = (options.now ?? new Date()).getTime();
  const oldest = now - (options.maxAgeDays ?? CALIBRATION_MAX_AGE_DAYS) * DAY_MS;
  const fresh = entries.filter(
    (e) =>
      e.calibration === true &&
      (options.runner === null || e.runner === options.runner) &&
      Date.parse(e.recordedAt) >= oldest &&
      Date.parse(e.recordedAt) <= now,
  );
  type Calibration = { at: string; perRound: number; betweenPair: number; roundsPerPair: number };
  const byBenchmark = new Map<string, Calibration[]>();
  for (const entry of fresh)
    for (const b of entry.benchmarks) {
      const noise = b.points.find((p) => p.metric === 'latency')?.noise;
      if (b.status !== 'complete' || !noise || !plausible(noise)) continue;
      const list = byBenchmark.get(b.name) ?? [];
      list.push({
        at: entry.recordedAt,
        perRound: noise.perRoundSd,
        betweenPair: noise.betweenPairSd,
        roundsPerPair: noise.roundsPerPair,
      });
      byBenchmark.set(b.name, list);
    }
  const out: Record<string, NoiseFloor> = {};
  for (const [name, list] of byBenchmark) {
    const sorted = list.sort((a, b) => a.at.localeCompare(b.at));
    // The newest calibrations' process pairs: pairs of 2 rounds and of 4 spread differently.
    const roundsPerPair = sorted.at(-1)!.roundsPerPair;
    const recent = sorted.filter((c) => c.roundsPerPair === roundsPerPair).slice(-CALIBRATION_RUNS);
    out[name] = {
      betweenPairSd: middle(recent.map((r) => r.betweenPair)),
      perRoundSd: middle(recent.map((r) => r.perRound)),
      roundsPerPair,
      calibrations: recent.length,
      newest: recent.at(-1)!.at,
      runner: options.runner,
    };
  }
  return out;
}

/**
 * One line per benchmark whose latency noise in `results` grew beyond the
 * runner's calibrated noise (NOISE_GROWTH_FACTOR times, and above 0.2%):
 * the verdict is still honest (its interval widened with the noise), but
 * the runner has changed and is worth a look.
 *
 * @example
 * for (const line of noiseGrowth(results, noiseFloors)) core.warning(line);
 */
export function noiseGrowth(
  results: GateResults,
  floors: Readonly<Record<string, NoiseFloor>>,
): string[] {
  const out: string[] = [];
  for (const b of results.benchmarks) {
    const floor = floors[b.name];
    const noise = b.metrics.find((m) => m.metric === 'latency')?.intervalMethod?.noise;
    if (!floor || !noise) continue;
    const limit = Math.max(NOISE_GROWTH_FACTOR * floor.perRoundSd, NOISE_FLOOR_MIN_SD);
    if (noise.perRoundSd <= limit) continue;
    const pct = (sd: number) => `${(sd * 100).toFixed(2)}%`;
    out.push(
      `${b.name}: this run's latency moved ${pct(noise.perRoundSd)} from round to round, against ${pct(floor.perRoundSd)} in the runner's last ${floor.calibrations} A/A calibration runs${floor.runner ? ` on ${floor.runner}` : ''} (newest ${floor.newest.slice(0, 10)}): something on the runner changed (another job on the GPU, clocks, a driver). The interval widened with the noise, so the verdict stands, but look at the runner.`,
    );
  }
  return out;
}

/** The median of one or more values (timing's median wants two or more samples). */
function middle(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const half = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[half]! : (sorted[half - 1]! + sorted[half]!) / 2;
}

function plausible(noise: { perRoundSd: number; betweenPairSd: number }): boolean {
  return [noise.perRoundSd, noise.betweenPairSd].every(
    (sd) => Number.isFinite(sd) && sd >= 0 && sd <= MAX_PLAUSIBLE_SD,
  );
}
