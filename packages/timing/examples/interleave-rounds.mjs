import { compare, interleaveRounds, stopWhenDecided } from '@vggt-perf-gate/timing';

// A stand-in worker per side: each "process" has its own small offset, as real
// worker processes do; head is 10% slower. Replace with your own workers.
let processes = 0;
const startWorker = (side) => {
  const offset = 1 + 0.002 * Math.sin(++processes);
  let t = 0;
  const ms = (side === 'head' ? 110 : 100) * offset;
  return { run: (n) => Array.from({ length: n }, () => ms * (1 + 0.01 * Math.sin(t++ * 1.7))) };
};
const worker = { base: startWorker('base'), head: startWorker('head') };

const times = { base: [], head: [] };
let latest = null;
const result = await interleaveRounds({
  beforeRound: (round) => {
    // Fresh processes every 4 rounds, so a process-level offset shows as spread.
    if (round > 0 && round % 4 === 0) {
      worker.base = startWorker('base');
      worker.head = startWorker('head');
    }
  },
  runTurn: (side) => {
    times[side].push(...worker[side].run(5));
  },
  afterPair: (rounds) => {
    latest = compare(times.base, times.head, { threshold: 0.02 });
    console.log(`${rounds} rounds: ${latest.verdict}`);
  },
  // Two processes per side before a verdict: restarts every 4 rounds, so 8 rounds.
  stopRule: stopWhenDecided({ minRounds: 8, decided: () => latest.verdict !== 'inconclusive' }),
  maxRounds: 40,
});
console.log(`stopped after ${result.rounds} rounds: ${result.stopReason}, ${latest.verdict}`);
// 2 rounds: regression
// ...
// 8 rounds: regression
// stopped after 8 rounds: decided, regression
