// Statistical validation of compare() + interleave() at their default settings,
// on simulated GPU-like timings. Deterministic: the same seed gives the same table.
//
//   npm run build -w @vggt-perf-gate/timing && node packages/timing/bench/validate-statistics.mjs
//
// Noise model, per sample (ms): median 100 x shift (head only) x drift(t)
// x lognormal(CV) x outlier, where
// - CV is 1%, 2% or 3% (the real VGGT forward pass measured 0.7-1.4%);
// - outliers: 2% of samples are 20-50% slower (a GC pause, a neighbour's kernel);
// - drift(t): a slow sinusoid (amplitude up to 2%, period 200-2000 samples) plus
//   a linear trend of up to +/-2% over the run, on one clock shared by both sides,
//   as clocks and temperature move under both while they take turns;
// - rounds of 10 samples per side in ABBA order, as the runner takes them;
// - in the last two rows, every round of every side is also shifted as a
//   whole (log-normal, 2% sd): contention or a clock change that lasts a round.
import { createRng, DEFAULT_MAX_ROUNDS, DEFAULT_THRESHOLD, interleave } from '../dist/index.js';

const SEED = Number(process.env.SEED ?? 20261123);
const ROUND_SIZE = 10;
const OUTLIER_RATE = 0.02;
const SCENARIOS = [
  { cv: 0.01, shift: 1.0, runs: 1000 },
  { cv: 0.02, shift: 1.0, runs: 1000 },
  { cv: 0.03, shift: 1.0, runs: 1000 },
  { cv: 0.02, shift: 1.02, runs: 500 },
  { cv: 0.01, shift: 1.03, runs: 500 },
  { cv: 0.02, shift: 1.03, runs: 500 },
  { cv: 0.03, shift: 1.03, runs: 500 },
  { cv: 0.01, shift: 1.1, runs: 300 },
  { cv: 0.03, shift: 1.1, runs: 300 },
  // Whole rounds moved by a neighbour or a clock change: each side's round gets
  // its own offset (log-normal, 2% sd) on top of 1% CV sample noise.
  { cv: 0.01, shift: 1.0, runs: 1000, roundShock: 0.02 },
  { cv: 0.01, shift: 1.03, runs: 500, roundShock: 0.02 },
];

const rng = createRng(SEED);
const uniform = (lo, hi) => lo + (hi - lo) * rng.next();

async function simulate(cv, shift, roundShock = 0) {
  const sigma = Math.sqrt(Math.log(1 + cv * cv));
  const amplitude = uniform(0, 0.02);
  const period = uniform(200, 2000);
  const phase = uniform(0, 2 * Math.PI);
  const trend = uniform(-0.02, 0.02);
  const horizon = 2 * ROUND_SIZE * DEFAULT_MAX_ROUNDS;
  let t = 0;
  const result = await interleave({
    run: (side) => {
      const out = [];
      const shock = Math.exp(roundShock * rng.normal());
      for (let i = 0; i < ROUND_SIZE; i++, t++) {
        const drift =
          1 + amplitude * Math.sin((2 * Math.PI * t) / period + phase) + (trend * t) / horizon;
        const outlier = rng.next() < OUTLIER_RATE ? uniform(1.2, 1.5) : 1;
        out.push(
          100 *
            (side === 'head' ? shift : 1) *
            drift *
            shock *
            Math.exp(sigma * rng.normal()) *
            outlier,
        );
      }
      return out;
    },
  });
  const { lower, upper } = result.comparison.interval;
  return {
    verdict: result.comparison.verdict,
    perSide: result.base.length,
    covered: lower <= shift && shift <= upper,
  };
}

const pct = (k, n) => `${((100 * k) / n).toFixed(1)}%`;
const rows = [];
for (const { cv, shift, runs, roundShock } of SCENARIOS) {
  const counts = { regression: 0, improvement: 0, unchanged: 0, inconclusive: 0 };
  const sizes = [];
  let covered = 0;
  for (let r = 0; r < runs; r++) {
    const result = await simulate(cv, shift, roundShock);
    const { verdict, perSide } = result;
    if (result.covered) covered++;
    counts[verdict]++;
    sizes.push(perSide);
  }
  sizes.sort((a, b) => a - b);
  const flagged = shift === 1 ? counts.regression + counts.improvement : counts.regression;
  rows.push({
    scenario:
      (shift === 1 ? 'A/A' : `+${Math.round((shift - 1) * 100)}%`) +
      (roundShock ? `, rounds shaken ±${roundShock * 100}%` : ''),
    cv: `${cv * 100}%`,
    runs,
    [shift === 1 ? 'false alarms' : 'power']: '',
    flagged: pct(flagged, runs),
    regression: pct(counts.regression, runs),
    unchanged: pct(counts.unchanged, runs),
    inconclusive: pct(counts.inconclusive, runs),
    improvement: pct(counts.improvement, runs),
    coverage: pct(covered, runs),
    'median n/side': sizes[Math.floor(sizes.length / 2)],
    'max n/side': sizes[sizes.length - 1],
  });
}

console.log(
  `compare() + interleave() defaults: threshold ${DEFAULT_THRESHOLD * 100}%, 95% interval, ` +
    `<= ${DEFAULT_MAX_ROUNDS} rounds of ${ROUND_SIZE} samples per side; seed ${SEED}`,
);
console.log(
  '| scenario | CV | runs | flagged | regression | unchanged | inconclusive | improvement | interval covers truth | median n/side | max n/side |',
);
console.log('|---|---|---|---|---|---|---|---|---|---|---|');
for (const r of rows) {
  console.log(
    `| ${r.scenario} | ${r.cv} | ${r.runs} | ${r.flagged} | ${r.regression} | ${r.unchanged} | ${r.inconclusive} | ${r.improvement} | ${r.coverage} | ${r['median n/side']} | ${r['max n/side']} |`,
  );
}
console.log(
  'flagged = regression or improvement for A/A (false alarm), regression for a shift (power). ' +
    'interval covers truth = the final 95% interval contains the true ratio (sequential stopping included).',
);
