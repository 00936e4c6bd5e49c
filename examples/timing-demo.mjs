// The built-in example: gate a "head" version of two CPU workloads against
// their "base" version, the way the Action will gate a PR on a GPU.
//
//   npm ci && npm run demo
//
// - attention: a small single-head attention (QK^T, softmax, xV) on
//   Float32Arrays; head adds a redundant normalisation pass (a slowdown of
//   roughly 10-20%, the kind a refactor introduces by accident).
// - patch-embed: a strided projection; head is the same code (an A/A check:
//   the verdict should be "unchanged", never a regression).
//
// Base and head take turns in ABBA rounds of synchronised samples, and
// compare() decides each with a 95% interval of the head/base ratio
// (the wider of the per-sample and the per-round interval).
import { formatChange, interleave, measure } from '@vggt-perf-gate/timing';

const TOKENS = 96;
const WIDTH = 64;

function seeded(n, seed) {
  let s = seed;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296 - 0.5;
  });
}

const q = seeded(TOKENS * WIDTH, 1);
const k = seeded(TOKENS * WIDTH, 2);
const v = seeded(TOKENS * WIDTH, 3);
const scores = new Float32Array(TOKENS * TOKENS);
const out = new Float32Array(TOKENS * WIDTH);

function attention(extraPass) {
  const scale = 1 / Math.sqrt(WIDTH);
  for (let i = 0; i < TOKENS; i++) {
    let max = Number.NEGATIVE_INFINITY;
    for (let j = 0; j < TOKENS; j++) {
      let dot = 0;
      for (let d = 0; d < WIDTH; d++) dot += q[i * WIDTH + d] * k[j * WIDTH + d];
      scores[i * TOKENS + j] = dot * scale;
      if (dot * scale > max) max = dot * scale;
    }
    let total = 0;
    for (let j = 0; j < TOKENS; j++) {
      const e = Math.exp(scores[i * TOKENS + j] - max);
      scores[i * TOKENS + j] = e;
      total += e;
    }
    if (extraPass) {
      // The injected regression: a second, redundant pass over the scores.
      for (let j = 0; j < TOKENS; j++) {
        let dot = 0;
        for (let d = 0; d < WIDTH; d += 4) dot += q[i * WIDTH + d] * k[j * WIDTH + d];
        scores[i * TOKENS + j] += dot * 0;
      }
    }
    for (let d = 0; d < WIDTH; d++) {
      let acc = 0;
      for (let j = 0; j < TOKENS; j++) acc += scores[i * TOKENS + j] * v[j * WIDTH + d];
      out[i * WIDTH + d] = acc / total;
    }
  }
  return out[0];
}

const pixels = seeded(3 * 56 * 56, 4);
const projection = seeded(3 * 14 * 14 * WIDTH, 5);
const patches = new Float32Array(16 * WIDTH);
function patchEmbed() {
  for (let p = 0; p < 16; p++) {
    const py = Math.floor(p / 4) * 14;
    const px = (p % 4) * 14;
    for (let o = 0; o < WIDTH; o++) {
      let acc = 0;
      for (let c = 0; c < 3; c++)
        for (let y = 0; y < 14; y++)
          for (let x = 0; x < 14; x++)
            acc +=
              pixels[c * 3136 + (py + y) * 56 + px + x] *
              projection[((c * 14 + y) * 14 + x) * WIDTH + o];
      patches[p * WIDTH + o] = acc;
    }
  }
  return patches[0];
}

const benchmarks = [
  { name: 'attention', base: () => attention(false), head: () => attention(true) },
  { name: 'patch-embed', base: patchEmbed, head: patchEmbed },
];

// JavaScript on a shared CPU is noisier than a GPU kernel (JIT, neighbours):
// a 5% threshold and rounds of 20 samples suit it. GPU gates default to 2%.
const THRESHOLD = 0.05;
const ROUND_SAMPLES = 30;

/** One round for one side: ROUND_SAMPLES samples, one call each (JIT warm-up done once before). */
const round = (fn) =>
  measure(fn, {
    batch: 1,
    // Two unrecorded calls re-warm caches the other side just used.
    warmupIterations: 2,
    warmupTime: 0,
    minSamples: ROUND_SAMPLES,
    maxSamples: ROUND_SAMPLES,
  }).then((m) => m.samples);

const rows = [];
for (const bench of benchmarks) {
  // Warm both sides up once (JIT tiers settle); their first calls show the cold-start error.
  const warm = {
    base: await measure(bench.base, { warmupIterations: 20, maxSamples: 2, minSamples: 2 }),
    head: await measure(bench.head, { warmupIterations: 20, maxSamples: 2, minSamples: 2 }),
  };
  const result = await interleave({
    run: (side) => round(bench[side]),
    compare: { threshold: THRESHOLD },
    maxRounds: 40,
    onPair: ({ rounds, comparison }) =>
      console.log(
        `  ${bench.name}: ${rounds} rounds, ${formatChange(comparison.ratio)} [${formatChange(comparison.interval.lower)}, ${formatChange(comparison.interval.upper)}] ${comparison.verdict}`,
      ),
  });
  for (const warning of result.warnings) console.log(`  ${bench.name}: warning: ${warning}`);
  rows.push({ name: bench.name, result, coldBase: warm.base.warmup.first });
}

const ms = (x) => `${x.toFixed(3)} ms`;
const table = [
  [
    'benchmark',
    'base median',
    'head median',
    'change [95% interval]',
    'verdict',
    'samples/side',
    'first call (base)',
  ],
  ...rows.map(({ name, result, coldBase }) => {
    const c = result.comparison;
    return [
      name,
      ms(c.base.median),
      ms(c.head.median),
      `${formatChange(c.ratio)} [${formatChange(c.interval.lower)}, ${formatChange(c.interval.upper)}]`,
      c.verdict.toUpperCase(),
      String(result.base.length),
      `${ms(coldBase)} (${(coldBase / c.base.median).toFixed(1)}x)`,
    ];
  }),
];
const widths = table[0].map((_, col) => Math.max(...table.map((row) => row[col].length)));
console.log('');
for (const [i, row] of table.entries()) {
  console.log(row.map((cell, col) => cell.padEnd(widths[col])).join('  '));
  if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
}
const limit = `${THRESHOLD * 100}%`;
console.log(
  `\nthreshold ±${limit}; verdicts: regression = whole interval above +${limit}, unchanged = inside ±${limit},`,
);
console.log(
  `inconclusive = neither (never a pass). "first call" is the cold, unwarmed time a naive timer reports.`,
);
const regressions = rows.filter((r) => r.result.comparison.verdict === 'regression').length;
console.log(`\n${regressions} regression(s) found.`);
