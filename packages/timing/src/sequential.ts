import { normalCdf, studentTQuantile } from './distributions.js';
import { invalidOption } from './errors.js';
import { createRng } from './rng.js';

/**
 * Error spending for a verdict that is looked at more than once.
 *
 * A gate that stops at the first look whose 95% interval clears the
 * threshold has many chances to be fooled: over 17 looks the interval missed
 * the truth in up to 20% of simulated runs (bench/simulate-verdicts.mjs).
 * Here each planned look gets a stricter level, chosen so that the intervals
 * of all looks together cover the truth with the requested confidence:
 * stopping at any of them is then honest.
 *
 * - `pocock`: the same level at every look; decides early changes soonest.
 * - `obrien-fleming`: strict early, close to the nominal level at the last
 *   look (the boundary on the normal scale grows like sqrt(last / rounds)).
 *
 * The levels are calibrated by simulation for the exact statistic the gate
 * uses (clustered means of paired rounds, t on clusters - 1 degrees of
 * freedom), on independent normal rounds, seeded, so a plan is reproducible.
 */
export type BoundaryShape = 'pocock' | 'obrien-fleming';

/**
 * Options of `planLooks()`; only `looks` is required. `seed` fixes the
 * simulation, so the same options always give the same plan.
 */
export interface LookPlanOptions {
  /** Rounds done at each look, ascending. Looks with fewer than 2 clusters are never decided and get no level. */
  looks: readonly number[];
  /** Cluster (process pair) of a round; default: every round its own. A cluster's rounds must be consecutive. */
  clusterOf?: (round: number) => number;
  /** Probability that every look's interval covers the truth at once (default 0.95). */
  confidence?: number;
  /** Default `pocock`. */
  shape?: BoundaryShape;
  /** Simulated runs for the calibration (default: 20000, more for confidence above 0.975). */
  runs?: number;
  seed?: number;
}

/**
 * The interval level to use at each planned look, from `planLooks()`. It is
 * frozen and shared by every caller that asks for the same plan.
 */
export interface LookPlan {
  looks: number[];
  /** Per look, the interval level to use there (1 for looks with fewer than 2 clusters). */
  levels: number[];
  confidence: number;
  shape: BoundaryShape;
  /** The calibration's coverage at every look at once, and the runs it was measured on. */
  calibration: { coverage: number; runs: number; seed: number };
  /**
   * The level for a comparison after `rounds` rounds: that of the first
   * planned look at or after it (an unplanned earlier look, as when a time
   * budget ends the run, only spends less than planned); past the last, the last.
   */
  levelAt(rounds: number): number;
}

const DEFAULT_PLAN_SEED = 0x100c5;

/** Most looks a verdict gets by `thinLooks`: each costs confidence, and more add little. */
export const MAX_LOOKS = 12;

/**
 * At most `max` of `candidates` (ascending rounds), evenly spread, the first
 * and the last always kept: where a verdict may stop when it could look
 * after every pair of a long run.
 *
 * @example
 * thinLooks([4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30], 4); // [4, 12, 22, 30]
 */
export function thinLooks(candidates: readonly number[], max = MAX_LOOKS): number[] {
  if (candidates.length <= max) return [...candidates];
  const step = (candidates.length - 1) / (max - 1);
  return [...new Set(Array.from({ length: max }, (_, k) => candidates[Math.round(k * step)]!))];
}

/**
 * Plans per-look interval levels for a verdict looked at after each of
 * `looks` rounds.
 *
 * @example
 * // Looks at every process boundary of a 40-round run with new processes every 4 rounds.
 * const plan = planLooks({ looks: [8, 12, 16, 20, 24, 28, 32, 36, 40], clusterOf: (r) => Math.floor(r / 4) });
 * compare(base, head, { rounds, confidence: plan.levelAt(16) });
 */
export function planLooks(options: LookPlanOptions): LookPlan {
  const { looks, clusterOf, confidence, shape, runs, seed } = checkPlanOptions(options);
  const maxRounds = looks[looks.length - 1]!;
  const clusters = Array.from({ length: maxRounds }, (_, r) => clusterOf(r));
  checkContiguous(clusters);
  // The same plan is asked for again and again (every benchmark of a run, every
  // interleave() call): it is a pure function of these, so it is computed once.
  const key = JSON.stringify([looks, clusters, confidence, shape, runs, seed]);
  const known = PLANS.get(key);
  if (known) return known;
  const plan = calibratedPlan(looks, clusters, confidence, shape, runs, seed);
  if (PLANS.size >= MAX_CACHED_PLANS) PLANS.delete(PLANS.keys().next().value!);
  PLANS.set(key, plan);
  return plan;
}

/** Plans kept for reuse, oldest dropped first. */
const PLANS = new Map<string, LookPlan>();
const MAX_CACHED_PLANS = 64;

function calibratedPlan(
  looks: readonly number[],
  clusters: readonly number[],
  confidence: number,
  shape: BoundaryShape,
  runs: number,
  seed: number,
): LookPlan {
  const maxRounds = looks[looks.length - 1]!;
  const df = looks.map((n) => new Set(clusters.slice(0, n)).size - 1);
  const active = looks.map((_, k) => df[k]! >= 1);
  const weights = looks.map((n) => (shape === 'pocock' ? 1 : Math.sqrt(maxRounds / n)));
  const stats = simulateStatistics(looks, clusters, runs, seed);
  const levelsFor = (c: number) =>
    looks.map((_, k) => (active[k] ? 2 * normalCdf(c * weights[k]!) - 1 : 1));
  const coverage = (c: number) => {
    const limits = levelsFor(c).map((level, k) =>
      active[k] ? studentTQuantile(1 - (1 - level) / 2, df[k]!) : Number.POSITIVE_INFINITY,
    );
    let covered = 0;
    for (let i = 0; i < runs; i++) {
      let all = true;
      for (let k = 0; k < looks.length && all; k++)
        all = stats[i * looks.length + k]! <= limits[k]!;
      if (all) covered++;
    }
    return covered / runs;
  };
  let lo = 0;
  let hi = 8;
  for (let i = 0; i < 50; i++) {
    const mid = (lo + hi) / 2;
    if (coverage(mid) < confidence) lo = mid;
    else hi = mid;
  }
  const levels = levelsFor(hi);
  // Frozen: planLooks hands the same plan to every caller that asks for it.
  return Object.freeze({
    looks: Object.freeze([...looks]) as number[],
    levels: Object.freeze(levels) as number[],
    confidence,
    shape,
    calibration: { coverage: coverage(hi), runs, seed },
    levelAt: (rounds: number) => {
      const k = looks.findIndex((n) => n >= rounds);
      return levels[k === -1 ? levels.length - 1 : k]!;
    },
  });
}

/**
 * |mean| / standard error of the clustered mean at each look, for `runs`
 * runs of independent standard normal rounds, flattened run by run.
 *
 * The statistic is the CR1 one alone: with equal clusters it is exactly
 * Student's t on clusters - 1 degrees of freedom for normal rounds, whether
 * the rounds of a cluster are independent or move together, so levels
 * calibrated here hold in both cases. (clusteredInterval never uses a
 * smaller standard error than CR1's, so its intervals cover at least as
 * often.) It depends on the rounds only through each cluster's sum, so a run
 * draws one normal per stretch of rounds that shares a cluster and lies
 * between two looks (its sum is N(0, length)) and keeps the CR1 sums as
 * running totals: the cost is runs x stretches, not runs x looks x rounds.
 */
function simulateStatistics(
  looks: readonly number[],
  clusters: readonly number[],
  runs: number,
  seed: number,
): Float64Array {
  const rng = createRng(seed);
  const stretches = stretchesOf(looks, clusters);
  const out = new Float64Array(runs * looks.length);
  for (let i = 0; i < runs; i++) {
    // Totals over the clusters that are complete: sum of S, of S^2, of n*S, of n^2.
    let total = 0;
    let squares = 0;
    let weighted = 0;
    let sizes = 0;
    let complete = 0;
    let openSum = 0; // the cluster in progress
    let openSize = 0;
    let rounds = 0;
    let k = 0;
    for (const stretch of stretches) {
      openSum += Math.sqrt(stretch.length) * rng.normal();
      openSize += stretch.length;
      rounds += stretch.length;
      if (stretch.endsCluster) {
        total += openSum;
        squares += openSum * openSum;
        weighted += openSize * openSum;
        sizes += openSize * openSize;
        complete++;
        openSum = 0;
        openSize = 0;
      }
      if (!stretch.endsLook) continue;
      const g = complete + (openSize > 0 ? 1 : 0);
      const sum = total + openSum;
      const centre = sum / rounds;
      // sum over clusters of (S_g - n_g * centre)^2, the open cluster included.
      const residual =
        squares +
        openSum * openSum -
        2 * centre * (weighted + openSize * openSum) +
        centre * centre * (sizes + openSize * openSize);
      const se =
        g > 1
          ? Math.sqrt((g / (g - 1)) * Math.max(0, residual)) / rounds
          : Number.POSITIVE_INFINITY;
      out[i * looks.length + k] = Math.abs(centre) / se;
      k++;
    }
  }
  return out;
}

interface Stretch {
  length: number;
  endsCluster: boolean;
  endsLook: boolean;
}

/** Rounds 0..last look cut where the cluster changes or a look falls. */
function stretchesOf(looks: readonly number[], clusters: readonly number[]): Stretch[] {
  const lookEnds = new Set(looks);
  const last = looks[looks.length - 1]!;
  const out: Stretch[] = [];
  let length = 0;
  for (let r = 0; r < last; r++) {
    length++;
    const endsCluster = r + 1 === last || clusters[r + 1] !== clusters[r];
    const endsLook = lookEnds.has(r + 1);
    if (endsCluster || endsLook) {
      // A cluster that ends only because the plan does is still open at its last look: same statistic.
      out.push({ length, endsCluster, endsLook });
      length = 0;
    }
  }
  return out;
}

function checkContiguous(clusters: readonly number[]): void {
  const finished = new Set<number>();
  for (let r = 1; r < clusters.length; r++) {
    if (clusters[r] === clusters[r - 1]) continue;
    finished.add(clusters[r - 1]!);
    if (finished.has(clusters[r]!))
      throw invalidOption(
        'clusterOf',
        `cluster ${clusters[r]} again at round ${r}`,
        'consecutive rounds per cluster (a process pair is used until it is replaced)',
      );
  }
}

function checkPlanOptions(options: LookPlanOptions) {
  const looks = options?.looks;
  if (
    !Array.isArray(looks) ||
    looks.length === 0 ||
    looks.some((n, k) => !(Number.isInteger(n) && n >= 1 && (k === 0 || n > looks[k - 1]!)))
  )
    throw invalidOption('looks', looks, 'ascending whole numbers of rounds >= 1, at least one');
  const confidence = options.confidence ?? 0.95;
  if (!(confidence > 0.5 && confidence < 1))
    throw invalidOption('confidence', confidence, 'a level between 0.5 and 1, e.g. 0.95');
  const shape = options.shape ?? 'pocock';
  if (shape !== 'pocock' && shape !== 'obrien-fleming')
    throw invalidOption('shape', shape, '"pocock" or "obrien-fleming"');
  // Enough runs that the misses the level allows are counted by the hundreds.
  const runs =
    options.runs ?? Math.min(200_000, Math.max(20_000, Math.ceil(500 / (1 - confidence))));
  if (!(Number.isInteger(runs) && runs >= 1000))
    throw invalidOption('runs', runs, 'a whole number >= 1000 (20000 is typical)');
  return {
    looks: looks as readonly number[],
    clusterOf: options.clusterOf ?? ((round: number) => round),
    confidence,
    shape,
    runs,
    seed: options.seed ?? DEFAULT_PLAN_SEED,
  };
}
