// Turns a gate run's results file into a trace fixture for simulate-gate.mjs:
// per side the latency samples regrouped by round, each round the side's turn in
// time order. The run's restart cadence and the injected change are given, since
// the results file does not say what the head changed.
//
//   node packages/timing/bench/trace-from-results.mjs <results.json> <restartEveryRounds> <truth> "<what>" > fixture.json
import { readFileSync } from 'node:fs';

const [path, restart, truth, what] = process.argv.slice(2);
if (!path || !restart || truth === undefined || !what) {
  console.error(
    'usage: trace-from-results.mjs <results.json> <restartEveryRounds> <truth> "<what>"',
  );
  process.exit(2);
}
const benchmark = JSON.parse(readFileSync(path, 'utf8')).benchmarks[0];
const latency = benchmark.samples?.latency;
if (!latency?.base?.length) {
  console.error(`${path}: no latency samples`);
  process.exit(1);
}
const turns = (values, rounds) => {
  const out = [];
  values.forEach((v, i) => {
    out[rounds[i]] ??= [];
    out[rounds[i]].push(v);
  });
  return out;
};
const fixture = {
  what,
  truth: Number(truth),
  iterationsPerRound: benchmark.metrics[0].base.count / benchmark.rounds,
  restartEveryRounds: Number(restart),
  unit: 'ms per iteration (CUDA events)',
  source: path.replace(/^.*?(examples\/)/, '$1'),
  base: turns(latency.base, latency.baseRounds),
  head: turns(latency.head, latency.headRounds),
};
console.log(JSON.stringify(fixture, null, 2));
