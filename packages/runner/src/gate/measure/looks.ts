import { DEFAULT_MIN_ROUNDS, type LookPlan, planLooks, thinLooks } from '@vggt-perf-gate/timing';
import type { MetricName } from '../../results/types.js';
import type { BenchmarkPlan } from './plan.js';
import type { Measuring } from './state.js';

/**
 * Rounds before a verdict may stop the run: timing's minimum, and with
 * restarts two processes per side (one process pair cannot show how much a
 * process-level offset moves the ratio).
 */
export function verdictMinRounds(plan: BenchmarkPlan): number {
  return plan.roundsPerProcess > 1
    ? Math.max(DEFAULT_MIN_ROUNDS, 2 * plan.roundsPerProcess)
    : DEFAULT_MIN_ROUNDS;
}

/**
 * The cluster of a round: its process pair. Without restarts there is one
 * pair for the whole run, and ABBA pairs of rounds stand in (a warning says
 * that an offset between processes is then not in the interval).
 */
export function clusterOfRound(
  plan: Pick<BenchmarkPlan, 'roundsPerProcess'>,
): (round: number) => number {
  const per = plan.roundsPerProcess > 0 ? plan.roundsPerProcess : 2;
  return (round) => Math.floor(round / per);
}

/**
 * Plans a verdict's looks once the pace is known: how many rounds the rest
 * of the time budget allows at the pace so far (restarts included), up to
 * `maxRounds`. Planning for rounds the budget cannot reach would spend
 * confidence on looks that never come.
 */
export function planVerdictLooks(
  m: Measuring,
  rounds: number,
): Partial<Record<MetricName, LookPlan>> {
  const { plan } = m;
  const now = Date.now();
  const secondsPerRound = (now - (m.measuringSince ?? m.started)) / 1000 / rounds;
  const left = plan.maxSeconds - (now - m.started) / 1000;
  const lastRound = plan.maxRounds + (plan.maxRounds % 2);
  const fit = 2 * Math.floor(left / secondsPerRound / 2);
  // Rounds that took no measurable time (0 / 0) fit without end: the round budget decides.
  const reachable = Number.isNaN(fit) ? lastRound : rounds + fit;
  const horizon = Math.max(rounds, Math.min(lastRound, reachable));
  const looks = plannedLooks(plan, horizon);
  const plans: Partial<Record<MetricName, LookPlan>> = {};
  for (const metric of plan.metrics) {
    const confidence = 1 - plan.errorRates[metric];
    // Metrics with the same share (latency, throughput) share one plan.
    plans[metric] =
      Object.values(plans).find((p) => p.confidence === confidence) ??
      planLooks({ looks, clusterOf: clusterOfRound(plan), confidence });
  }
  return plans;
}

/**
 * The rounds at which a verdict may stop the run, up to `horizon`: each
 * complete ABBA pair that ends a process pair, from `verdictMinRounds`, and
 * the horizon itself; thinned (timing's thinLooks), keeping the first and last.
 */
export function plannedLooks(plan: BenchmarkPlan, horizon: number): number[] {
  const clusterOf = clusterOfRound(plan);
  const candidates: number[] = [];
  for (let rounds = Math.min(verdictMinRounds(plan), horizon); rounds <= horizon; rounds += 2) {
    if (rounds === horizon || clusterOf(rounds) !== clusterOf(rounds - 1)) candidates.push(rounds);
  }
  return thinLooks(candidates.length > 0 ? candidates : [horizon]);
}

/** Why the plan's restarts cannot show a process-level offset, or null. */
export function restartWarning(plan: BenchmarkPlan): string | null {
  if (plan.roundsPerProcess === 0)
    return 'every round ran in one process per side (restartEveryRounds: 0): pairs of rounds stood in for processes, so an offset between two processes of the same code is not in the interval. Set restartEveryRounds (e.g. 4) for an honest verdict.';
  if (plan.roundsPerProcess > 1 && plan.maxRounds <= plan.roundsPerProcess)
    return `restartEveryRounds (${plan.roundsPerProcess}) is not below maxRounds (${plan.maxRounds}): every round ran in one process per side, so no verdict could be decided. Raise maxRounds or lower restartEveryRounds.`;
  return null;
}
