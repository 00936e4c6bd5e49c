// Harness overhead of measure() beside tinybench and mitata, in one process.
//
//   npm run build -w @vggt-perf-gate/timing && node packages/timing/bench/overhead.mjs
//
// What is compared: the time each harness *reports* per call of a function,
// minus what the call really costs (a plain hand-written loop, timed alone).
// That difference is the overhead the harness adds to every result, the
// number a user would misread as their code's cost. Three cases:
// - no-op, each harness free to batch (a no-op really costs ~0 ns);
// - a ~1 us function (sum of 600 numbers), free to batch;
// - no-op with one call per sample (how GPU work is timed: every sample is
//   one call plus a device sync, so the per-sample cost is the clock reads);
//   its true cost is taken as 0.
// Each run is summarised the same way for every harness, from its raw
// per-call samples: the mean of the middle 80% (medians of a few integer
// nanosecond clock ticks are quantised; plain means chase rare pauses). Each case runs ROUNDS times with the harness order rotated every round,
// and medians are reported, so drift and JIT order hit every harness alike.
import { measure as mitataMeasure } from 'mitata';
import { Bench } from 'tinybench';
import { measure } from '../dist/index.js';

const ROUNDS = Number(process.env.ROUNDS ?? 5);
const BUDGET_MS = 300;
const values = Array.from({ length: 600 }, (_, i) => i * 0.5);
const noop = () => {};
const sum = () => {
  let total = 0;
  for (let i = 0; i < values.length; i++) total += values[i];
  return total;
};
// A no-op costs nothing, so everything reported for it is overhead. The ~1 us
// function's cost is a plain hand-written loop over it (its own call site, as
// in a user's code): 31 batches of 20,000 calls, median.
const cases = {
  'no-op, batched': { fn: noop, batched: true, reference: () => 0 },
  '~1 us function, batched': { fn: sum, batched: true, reference: plainSumLoop },
  'no-op, one call per sample': { fn: noop, batched: false, reference: () => 0 },
};

function plainSumLoop() {
  const times = [];
  let sink = 0;
  for (let r = 0; r < 31; r++) {
    const start = performance.now();
    for (let i = 0; i < 20_000; i++) sink += sum();
    times.push(((performance.now() - start) * 1e6) / 20_000);
  }
  if (sink === -1) console.log(sink); // keeps the loop's result alive
  return median(times);
}

const harnesses = {
  'vggt-perf-gate': async (fn, batched) => {
    const m = await measure(fn, {
      batch: batched ? 'auto' : 1,
      maxTime: BUDGET_MS,
      // Run the whole budget, as the others do: never stop early on precision.
      minSamples: 1e7,
      maxSamples: 1e7,
      warmupTime: 50,
    });
    return trimmedMean(m.samples.map((ms) => ms * 1e6));
  },
  tinybench: async (fn) => {
    // tinybench never batches: every sample is one call.
    const bench = new Bench({
      time: BUDGET_MS,
      warmupTime: 50,
      timestampProvider: 'hrtimeNow',
      retainSamples: true,
    });
    bench.add('case', fn, { async: false });
    await bench.run();
    return trimmedMean(bench.getTask('case').result.latency.samples.map((ms) => ms * 1e6));
  },
  mitata: async (fn, batched) => {
    const stats = await mitataMeasure(fn, {
      gc: false,
      min_cpu_time: BUDGET_MS * 1e6,
      ...(batched ? {} : { batch_threshold: 0 }),
    });
    return trimmedMean(stats.samples); // already ns per call
  },
};

const names = Object.keys(harnesses);
const results = {};
for (const [caseName, { fn, batched, reference: timeReference }] of Object.entries(cases)) {
  const reference = timeReference();
  const reported = Object.fromEntries(names.map((n) => [n, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(round + k) % names.length];
      reported[name].push(await harnesses[name](fn, batched));
    }
  }
  results[caseName] = {
    reference,
    reported: Object.fromEntries(names.map((n) => [n, median(reported[n])])),
  };
}

const ns = (v) => `${v.toFixed(Math.abs(v) < 10 ? 2 : 1)} ns`;
console.log(
  `Reported per-call time (10%-trimmed mean of each run, median over ${ROUNDS} rotated rounds, ${BUDGET_MS} ms budget each) and overhead = reported - plain-loop cost; Node ${process.version}`,
);
console.log(
  '| case | plain loop | ours | tinybench | mitata | overhead ours | tinybench | mitata | ours / tinybench | ours / mitata |',
);
console.log('|---|---|---|---|---|---|---|---|---|---|');
for (const [caseName, { reference, reported }] of Object.entries(results)) {
  // Signed: a harness can land below the plain loop by the noise of the runs.
  const over = Object.fromEntries(names.map((n) => [n, reported[n] - reference]));
  const ours = over['vggt-perf-gate'];
  // A ratio means something only where the other harness adds at least 1 ns.
  const ratio = (other) => (other >= 1 ? (Math.max(ours, 0) / other).toFixed(2) : 'n/a');
  console.log(
    `| ${caseName} | ${ns(reference)} | ${ns(reported['vggt-perf-gate'])} | ${ns(reported.tinybench)} | ${ns(reported.mitata)} | ${ns(ours)} | ${ns(over.tinybench)} | ${ns(over.mitata)} | ${ratio(over.tinybench)} | ${ratio(over.mitata)} |`,
  );
}
console.log(
  "A ratio below 1 means our harness adds less than the other one; n/a where the other adds under 1 ns (the runs' noise is larger).",
);

function trimmedMean(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const cut = Math.floor(s.length * 0.1);
  const kept = s.slice(cut, s.length - cut);
  return kept.reduce((a, b) => a + b, 0) / kept.length;
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = (s.length - 1) / 2;
  return (s[Math.floor(m)] + s[Math.ceil(m)]) / 2;
}
