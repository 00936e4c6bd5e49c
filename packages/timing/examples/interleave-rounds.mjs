import { compare, interleaveRounds, planLooks } from '@vggt-perf-gate/timing';

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

// Fresh processes every 2 rounds: a process pair is one independent observation.
const RESTART = 2;
const clusterOf = (round) => Math.floor(round / RESTART);
// Where a verdict may stop: after each process pair from the second, up to 40 rounds;
// every look's level is set so that all of them together hold with 95%.
const looks = planLooks({ looks: [4, 6, 8, 10, 12, 16, 20, 24, 28, 32, 36, 40], clusterOf });

const times = { base: [], head: [], baseRounds: [], headRounds: [] };
let latest = null;
const result = await interleaveRounds({
  beforeRound: (round) => {
    if (round > 0 && round % RESTART === 0) {
      worker.base = startWorker('base');
      worker.head = startWorker('head');
    }
  },
  runTurn: (side, round) => {
    for (const ms of worker[side].run(5)) {
      times[side].push(ms);
      times[`${side}Rounds`].push(round);
    }
  },
  afterPair: (rounds) => {
    latest = compare(times.base, times.head, {
      threshold: 0.02,
      confidence: looks.levelAt(rounds),
      rounds: { base: times.baseRounds, head: times.headRounds, clusterOf },
    });
    console.log(`${rounds} rounds: ${latest.verdict}`);
  },
  stopRule: {
    shouldStop: ({ rounds }) =>
      looks.looks.includes(rounds) && latest.verdict !== 'inconclusive' ? 'decided' : null,
  },
  maxRounds: 40,
});
console.log(`stopped after ${result.rounds} rounds: ${result.stopReason}, ${latest.verdict}`);
// 2 rounds: inconclusive
// 4 rounds: inconclusive
// 6 rounds: regression
// stopped after 6 rounds: decided, regression
