import { normalCdf } from './distributions.js';
import type { SortedSamples } from './samples.js';

/** The result of `mannWhitney()`: evidence that the two sides differ at all, not how much. */
export interface MannWhitney {
  /** U statistic of the head sample: how often a head value beats a base value. */
  u: number;
  /** Two-sided p-value for "both samples come from one distribution". */
  pValue: number;
  /** `exact` for small samples without ties, else the normal approximation. */
  method: 'exact' | 'normal';
}

/** Both samples at most this size and no ties: the exact U distribution is cheap. */
const EXACT_U_LIMIT = 25;

/**
 * Mann-Whitney U test (Wilcoxon rank-sum). Uses average ranks for ties, and
 * the tie-corrected normal approximation with continuity correction unless
 * the exact distribution is cheap.
 *
 * @example
 * mannWhitney(sortSamples(base), sortSamples(head)).pValue; // evidence of any difference
 */
export function mannWhitney(base: SortedSamples, head: SortedSamples): MannWhitney {
  const nb = base.length;
  const nh = head.length;
  // Merge the two sorted samples, assigning average ranks to tied runs.
  let i = 0;
  let j = 0;
  let rank = 1;
  let headRankSum = 0;
  let tieTerm = 0;
  while (i < nb || j < nh) {
    const value = j >= nh || (i < nb && base[i]! <= head[j]!) ? base[i]! : head[j]!;
    let fromBase = 0;
    let fromHead = 0;
    while (i < nb && base[i] === value) {
      i++;
      fromBase++;
    }
    while (j < nh && head[j] === value) {
      j++;
      fromHead++;
    }
    const tied = fromBase + fromHead;
    const averageRank = rank + (tied - 1) / 2;
    headRankSum += fromHead * averageRank;
    if (tied > 1) tieTerm += tied ** 3 - tied;
    rank += tied;
  }
  const u = headRankSum - (nh * (nh + 1)) / 2;
  const centre = (nb * nh) / 2;
  if (tieTerm === 0 && nb <= EXACT_U_LIMIT && nh <= EXACT_U_LIMIT) {
    return { u, pValue: exactTwoSided(u, nb, nh), method: 'exact' };
  }
  const n = nb + nh;
  const variance = ((nb * nh) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  if (variance === 0) return { u, pValue: 1, method: 'normal' };
  const distance = Math.max(0, Math.abs(u - centre) - 0.5);
  return {
    u,
    pValue: Math.min(1, 2 * (1 - normalCdf(distance / Math.sqrt(variance)))),
    method: 'normal',
  };
}

/** Two-sided exact p-value from the count of rank arrangements per U value. */
function exactTwoSided(u: number, nb: number, nh: number): number {
  // counts[m][v]: arrangements of m head values among the first values with U = v,
  // built one base value at a time (the classic recurrence, in a rolling table).
  const maxU = nb * nh;
  let counts: number[][] = [];
  for (let m = 0; m <= nh; m++) counts.push(m === 0 ? [1] : [1]);
  for (let b = 1; b <= nb; b++) {
    const next: number[][] = [new Array(1).fill(1)];
    for (let m = 1; m <= nh; m++) {
      const size = b * m + 1;
      const row = new Array<number>(size).fill(0);
      const withoutHead = counts[m] ?? [];
      const withHead = next[m - 1]!;
      for (let v = 0; v < size; v++) {
        // Last value is base: U unchanged. Last value is head: it beats b base values.
        row[v] = (withoutHead[v] ?? 0) + (v >= b ? (withHead[v - b] ?? 0) : 0);
      }
      next.push(row);
    }
    counts = next;
  }
  const distribution = counts[nh]!;
  let total = 0;
  for (const c of distribution) total += c;
  const centre = maxU / 2;
  const distance = Math.abs(u - centre);
  let extreme = 0;
  for (let v = 0; v <= maxU; v++) {
    if (Math.abs(v - centre) >= distance - 1e-9) extreme += distribution[v] ?? 0;
  }
  return Math.min(1, extreme / total);
}

/** Pairs above this count are thinned to evenly spaced quantiles of each side. */
const HODGES_LEHMANN_MAX_PAIRS = 1_000_000;

/**
 * Hodges-Lehmann estimate of the head/base ratio: exp of the median of all
 * pairwise log differences. Robust like the median, but uses every pair.
 * Large samples are thinned deterministically to bound the cost.
 *
 * @example
 * hodgesLehmannRatio(sortSamples(base), sortSamples(head)); // about head / base
 */
export function hodgesLehmannRatio(base: SortedSamples, head: SortedSamples): number {
  const side = Math.floor(Math.sqrt(HODGES_LEHMANN_MAX_PAIRS));
  const b = thin(base, side).map(Math.log);
  const h = thin(head, side).map(Math.log);
  const differences = new Float64Array(b.length * h.length);
  let k = 0;
  for (const hv of h) for (const bv of b) differences[k++] = hv - bv;
  differences.sort();
  const mid = (differences.length - 1) / 2;
  const centre = (differences[Math.floor(mid)]! + differences[Math.ceil(mid)]!) / 2;
  return Math.exp(centre);
}

function thin(sorted: SortedSamples, limit: number): number[] {
  if (sorted.length <= limit) return Array.from(sorted);
  const out: number[] = [];
  for (let i = 0; i < limit; i++)
    out.push(sorted[Math.round((i * (sorted.length - 1)) / (limit - 1))]!);
  return out;
}
