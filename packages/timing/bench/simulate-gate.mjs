// The gate's verdict as shipped, under real GPU noise: false alarms, power,
// coverage and seconds to a verdict, for fresh worker processes every 2 or
// every 4 rounds. Deterministic (seeded), printed as markdown for the timing
// README's "The shipped verdict under real noise" section.
//
//   npm run build -w @vggt-perf-gate/timing
//   node packages/timing/bench/simulate-gate.mjs [--runs N] [--seed S]
//
// The verdict is the runner's (packages/runner/src/gate/measure/):
// per round, head's turn level over base's (pairRounds: each turn's mean log
// time without its fastest and slowest iteration); the cluster-robust t
// interval over process pairs (clusteredInterval); looks at each complete ABBA
// pair that ends a process pair, from two process pairs (and never before
// round 4), up to the rounds the 180 s budget reaches, thinned to 12; each
// look's level from planLooks (Pocock), so that all looks together cover with
// latency's share of the run's 5% for K benchmarks like the example's (latency,
// throughput and memory: 1 - 0.05/(1.1 K), errorShares); a run stops at a look
// only once throughput (the same samples inverted, at latency's threshold, as
// the runner holds it unless set) is decided too, peak VRAM being decided from
// the first look (it repeats to the byte). compare() computes its
// interval with the same two functions; the script checks that on its first
// runs.
//
// Noise (each run: 40 rounds of 5 iterations per side, cut where it stops):
// - traces-10f: the published VGGT-1B at 10 frames (fixtures/vggt1b-h200,
//   aa1 and aa2: 20 recorded process pairs of 4 rounds);
// - traces-20f: the same model at 20 frames, the example's default
//   (fixtures/vggt1b-h200-20f: faa1-3 and pinned-aa1/2, 12 process pairs of
//   4 rounds; pub-aa1, p1-aa1/2, wr-aa, wr2-aa, n-aa*, m-aa* and q-aa*, the
//   20 A/A runs at default settings, and t05-aa1/2 at a 0.5% threshold: 159
//   process pairs of 2 rounds, recorded with the default restarts every 2 by
//   the Action's bundles of commits 18a9151, 6719adb, d3d3793, 2ae69f0 and
//   e4a0c3d);
// - mild: the earlier VGGT-shaped example's noise, a model: per process an
//   offset per side within +/-0.15% and a shared level (0.1%), turn jitter
//   0.1%, iteration noise 0.35% (per-round log-ratio sd about 0.3%).
// A run is a block bootstrap of whole recorded process pairs, base and head
// swapped with probability 1/2 (sides are exchangeable in an A/A run, so the
// truth is exactly 0); a true change multiplies every head iteration by
// 1 + truth. For restarts every 2 rounds each process pair is a recorded
// 2-round pair or one half of a 4-round one (rounds 0-1 or 2-3: the same ABBA
// order), drawn independently; restarts every 4 draw from 4-round pairs only.
//
// Seconds: the 20-frame pace in the Action's logs of the default config's
// runs (examples/vggt-torch/validation/runs/counts-h200/n-*.log and
// more-h200/m-*.log, medians of 21 runs, 157 pairs and 157 restarts): first
// rounds 7.1 s after the start, 3.6 s a round, 6.8 s per restart (warm-up
// included). The 10-frame runs take half the round time (10 s to the first
// round, 6.5 s a restart, from an earlier log); the mild model the earlier
// example's (0.19 s per iteration: 1.9 s a round). At that pace a run stops
// where the runner's would: its looks planned at the first look for the
// budget left (looks.ts), the clock read after each pair of rounds, so that
// the pair running when 180 s pass still finishes, and judged there at the
// level of the next planned look.
import { readdirSync, readFileSync } from 'node:fs';
import {
  clusteredInterval,
  compare,
  createRng,
  pairRounds,
  planLooks,
  thinLooks,
} from '../dist/index.js';

const ITERATIONS = 5;
const MAX_ROUNDS = 40;
const MAX_SECONDS = 180;
const THRESHOLDS = [0.005, 0.01, 0.02];
const TRUTHS = [0, 0.01, 0.02, 0.03, 0.05];
const GATE_K = [1, 10, 30];
const MEMORY_WEIGHT = 0.1; // the runner's MEMORY_ERROR_WEIGHT
/** Latency's level over all its looks, for K benchmarks like the example's (errorShares). */
const levelFor = (k) => 1 - 0.05 / (k * (1 + MEMORY_WEIGHT));
const RESTARTS = [2, 4];
const PACE = {
  'traces-10f': { start: 10, round: 1.75, restart: 6.5 },
  'traces-20f': { start: 7.1, round: 3.6, restart: 6.8 },
  mild: { start: 10, round: 1.9, restart: 7 },
};
const NOISES = Object.keys(PACE);

// ---------------------------------------------------------------------------
// Noise.

function loadDir(name, only = () => true) {
  const dir = new URL(`./fixtures/${name}/`, import.meta.url);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json') && only(f))
    .sort()
    .map((f) => ({
      name: f.replace(/\.json$/, ''),
      dir: name,
      ...JSON.parse(readFileSync(new URL(f, dir), 'utf8')),
    }));
}

/**
 * Whole recorded process pairs of A/A traces (of 4 rounds, or 2 where the run
 * restarted every 2), as base turns and head turns.
 */
function processPairs(traces) {
  const out = [];
  for (const t of traces) {
    const every = t.restartEveryRounds;
    if (t.iterationsPerRound !== ITERATIONS || (every !== 2 && every !== 4))
      throw new Error(`${t.name}: expected 5 iterations per turn and restarts every 2 or 4 rounds`);
    for (let p = 0; p + every <= t.base.length; p += every)
      out.push({
        base: t.base.slice(p, p + every),
        head: t.head.slice(p, p + every),
        rounds: every,
      });
  }
  return out;
}

/**
 * A block bootstrap: process pairs of `restart` rounds drawn from recorded
 * ones, without replacement within a run (two real processes never give the
 * same times, and a pair drawn twice would give a cluster-robust interval an
 * agreement no real run has), with replacement once all are used.
 */
function bootstrap(pairs) {
  return (rng, truth, restart, path) => {
    const blocks = [];
    // A recorded pair gives blocks of `restart` rounds it lived through: a 4-round
    // pair two blocks for restarts every 2; a 2-round pair none for every 4.
    for (let i = 0; i < pairs.length; i++)
      for (let from = 0; from + restart <= pairs[i].rounds; from += restart)
        blocks.push({ s: pairs[i], from });
    let left = blocks.length;
    for (let p = 0; p * restart < MAX_ROUNDS; p++) {
      if (left === 0) left = blocks.length;
      const pick = rng.int(left);
      const { s, from } = blocks[pick];
      [blocks[pick], blocks[left - 1]] = [blocks[left - 1], blocks[pick]];
      left--;
      const swap = rng.next() < 0.5;
      for (let k = 0; k < restart; k++) {
        const r = p * restart + k;
        const b = (swap ? s.head : s.base)[from + k];
        const h = (swap ? s.base : s.head)[from + k];
        for (let i = 0; i < ITERATIONS; i++) {
          path.base[r * ITERATIONS + i] = b[i];
          path.head[r * ITERATIONS + i] = h[i] * (1 + truth);
        }
      }
    }
  };
}

function mild(rng, truth, restart, path) {
  for (let p = 0; p * restart < MAX_ROUNDS; p++) {
    const shared = 0.001 * rng.normal();
    const offset = { base: 0.0015 * (2 * rng.next() - 1), head: 0.0015 * (2 * rng.next() - 1) };
    for (let k = 0; k < restart; k++) {
      const r = p * restart + k;
      for (const side of ['base', 'head']) {
        const turn = shared + offset[side] + 0.001 * rng.normal();
        const factor = side === 'head' ? 1 + truth : 1;
        for (let i = 0; i < ITERATIONS; i++)
          path[side][r * ITERATIONS + i] = 170 * factor * Math.exp(turn + 0.0035 * rng.normal());
      }
    }
  }
}

// ---------------------------------------------------------------------------
// The runner's schedule and verdict.

const LABELS = Array.from({ length: MAX_ROUNDS * ITERATIONS }, (_, i) =>
  Math.floor(i / ITERATIONS),
);

const secondsAt = (pace, restart, rounds) =>
  pace.start + rounds * pace.round + (Math.ceil(rounds / restart) - 1) * pace.restart;

/** The first look a verdict may stop at (looks.ts's verdictMinRounds). */
const firstLook = (restart) => Math.max(4, 2 * restart);

/**
 * The runner's horizon (looks.ts's planVerdictLooks): planned at the first
 * look from the pace so far, restarts included, for the seconds the budget
 * has left.
 */
function horizonOf(pace, restart) {
  const rounds = firstLook(restart);
  const elapsed = secondsAt(pace, restart, rounds);
  const perRound = (elapsed - pace.start) / rounds;
  const fit = 2 * Math.floor((MAX_SECONDS - elapsed) / perRound / 2);
  return Math.max(rounds, Math.min(MAX_ROUNDS, rounds + fit));
}

/**
 * Where the time budget ends a run: the runner looks at the clock after each
 * pair of rounds, so the pair running when the budget ends still finishes.
 */
function timeStopOf(pace, restart) {
  for (let n = firstLook(restart); n < MAX_ROUNDS; n += 2)
    if (secondsAt(pace, restart, n) >= MAX_SECONDS) return n;
  return MAX_ROUNDS;
}

/**
 * The rounds a run is judged at and their levels: the planned looks up to the
 * last one the run reaches, and, where the time budget ends it between two,
 * that round at the level of the next planned look (LookPlan.levelAt).
 */
function reachedLooks(looks, levels, horizon, end) {
  if (end >= horizon) return { looks, levels };
  const k = looks.findIndex((n) => n >= end);
  const reached = looks.slice(0, k);
  return { looks: [...reached, end], levels: [...levels.slice(0, k), levels[k]] };
}

/** measure-benchmark's plannedLooks: pairs that end a process pair, from two pairs, thinned. */
function plannedLooks(restart, horizon) {
  const first = Math.max(4, 2 * restart);
  const cluster = (r) => Math.floor(r / restart);
  const candidates = [];
  for (let n = Math.min(first, horizon); n <= horizon; n += 2)
    if (n === horizon || cluster(n) !== cluster(n - 1)) candidates.push(n);
  return thinLooks(candidates);
}

function decide(lower, upper, threshold) {
  if (lower > 1 + threshold) return 'regression';
  if (upper < 1 - threshold) return 'improvement';
  if (lower >= 1 - threshold && upper <= 1 + threshold) return 'unchanged';
  return 'inconclusive';
}

/**
 * A look's latency verdict, and whether the run may stop there: the runner
 * stops only once every metric is decided, and throughput's interval is
 * latency's inverted (higher is better), at latency's threshold.
 */
function judge(lower, upper, threshold) {
  const verdict = decide(lower, upper, threshold);
  // Throughput's interval is [1/upper, 1/lower]; only whether it is decided matters here.
  const throughput = decide(1 / upper, 1 / lower, threshold);
  return { verdict, decided: verdict !== 'inconclusive' && throughput !== 'inconclusive' };
}

/** One run of the gate over a path: per threshold the verdict at its stopping look. */
function gateRun(path, schedule, truthRatio) {
  const clusterOf = (r) => Math.floor(r / schedule.restart);
  const out = THRESHOLDS.map(() => null);
  let everyLook = true;
  for (let k = 0; k < schedule.looks.length; k++) {
    const n = schedule.looks[k];
    const labels = LABELS.slice(0, n * ITERATIONS);
    const paired = pairRounds(
      path.base.subarray(0, n * ITERATIONS),
      path.head.subarray(0, n * ITERATIONS),
      { base: labels, head: labels },
      clusterOf,
    );
    const interval = clusteredInterval(paired, schedule.levels[k]);
    if (!interval) continue;
    const covered = interval.lower <= truthRatio && truthRatio <= interval.upper;
    everyLook &&= covered;
    const last = k === schedule.looks.length - 1;
    THRESHOLDS.forEach((threshold, j) => {
      if (out[j]) return;
      const { verdict, decided } = judge(interval.lower, interval.upper, threshold);
      if (decided || last) out[j] = { verdict, rounds: n, covered };
    });
  }
  return { perThreshold: out, everyLook };
}

/**
 * The recorded runs replayed through the verdict, each cut where it stopped.
 * The 20-frame runs with the default restarts every 2 (the default config,
 * and its threshold variants: a threshold moves no look) are judged on the
 * plan each ran on (recordedVerdict; `defaultPlan`, the plan at this pace,
 * where none is found), beside what the GPU said: the replay reproduces the
 * gate only if the two agree. Other traces plan their looks over their own
 * rounds.
 */
function printReplays(defaultPlan) {
  console.log(
    '\n#### The recorded runs, replayed through the shipped verdict (restarts as recorded)\n\n' +
      'The 20-frame runs of the default config and of its 0.5% threshold variant (restarts every 2) are judged on the plan of looks each ran on: the rounds its results file records (lookRounds), or, in older files, the horizon whose plan gives the level its last look used (latency at ' +
      `${p2(levelFor(1))} over all looks; the pace of the run's first pairs moved real runs between horizons), stopped where the GPU run stopped at the latest. "On the GPU" is that run's latency verdict and rounds, at its threshold. Other traces plan their looks over their own rounds.\n`,
  );
  console.log(
    '| trace | restarts every | truth | threshold | stopped at round | verdict | interval | on the GPU: verdict, round, plan |',
  );
  console.log('|---|---|---|---|---|---|---|---|');
  const replays = [...loadDir('vggt1b-h200'), ...loadDir('vggt1b-h200-20f')];
  let agree = 0;
  let compared = 0;
  for (const t of replays) {
    const rounds = t.base.length - (t.base.length % 2);
    const every = t.restartEveryRounds;
    // once-*: the model with the rotary length read once, at its own pace.
    const onDefaultPlan = t.dir === 'vggt1b-h200-20f' && every === 2 && !t.name.startsWith('once');
    const gpu = onDefaultPlan ? recordedVerdict(t) : null;
    // The run's own plan; the default pace's where none is found.
    const plan = gpu?.plan ?? (onDefaultPlan ? defaultPlan.planned : null);
    const { looks, levels } = plan
      ? reachedLooks(plan.looks, plan.levels, plan.looks.at(-1), rounds)
      : ownPlan(every, rounds);
    THRESHOLDS.forEach((threshold) => {
      const out = replay(t, looks, levels, threshold);
      let onGpu = '';
      if (gpu && threshold === gpu.threshold) {
        compared++;
        const same = out && out.verdict === gpu.verdict && out.n === gpu.rounds;
        if (same) agree++;
        const planned = gpu.plan ? `, looks to ${gpu.plan.looks.at(-1)}` : '';
        onGpu = `${gpu.verdict}, ${gpu.rounds}${planned}${same ? '' : ' (differs)'}`;
      }
      const signed = (x) => `${x >= 1 ? '+' : ''}${p2(x - 1)}`;
      console.log(
        `| ${t.name} | ${every} | ${t.truth === 0 ? '0' : `+${p2(t.truth)}`} | ${p2(threshold)} | ${out ? out.n : '-'} | ${out ? out.verdict : 'too few process pairs'} | ${out ? `[${signed(out.i.lower)}, ${signed(out.i.upper)}]` : '-'} | ${onGpu} |`,
      );
    });
  }
  console.log(
    `\nReplayed as on the GPU (verdict and stopping round): ${agree} of ${compared} runs of the default config and its 0.5% variant.`,
  );
}

function ownPlan(every, rounds) {
  const looks = plannedLooks(every, Math.min(rounds, MAX_ROUNDS));
  const plan = planLooks({
    looks,
    clusterOf: (r) => Math.floor(r / every),
    confidence: levelFor(1),
  });
  return { looks, levels: plan.levels };
}

/** The stopping look of one trace at one threshold: its round, latency verdict and interval. */
function replay(t, looks, levels, threshold) {
  const every = t.restartEveryRounds;
  const base = t.base.flat();
  const head = t.head.flat();
  const labels = t.base.flatMap((turn, r) => turn.map(() => r));
  let out = null;
  for (let k = 0; k < looks.length; k++) {
    const n = looks[k];
    const cut = labels.findIndex((r) => r >= n);
    const end = cut === -1 ? labels.length : cut;
    const paired = pairRounds(
      base.slice(0, end),
      head.slice(0, end),
      { base: labels.slice(0, end), head: labels.slice(0, end) },
      (r) => Math.floor(r / every),
    );
    const i = clusteredInterval(paired, levels[k]);
    if (!i) continue;
    const { verdict, decided } = judge(i.lower, i.upper, threshold);
    out = { n, verdict, i };
    if (decided) break;
  }
  return out;
}

/**
 * The latency verdict a trace's run reached on the GPU, from the results file
 * it came from, and the plan of looks it ran on: the recorded rounds of its
 * looks (lookRounds), or, in files from before they were recorded, the
 * horizon whose plan gives the level its last look used (a pace that varies
 * moves real runs between horizons 30, 32 and 34).
 */
function recordedVerdict(t) {
  if (!t.source) return null;
  const path = new URL(`../../../${t.source}`, import.meta.url);
  const latency = JSON.parse(readFileSync(path, 'utf8')).benchmarks[0].metrics.find(
    (m) => m.metric === 'latency',
  );
  const method = latency.intervalMethod;
  const every = t.restartEveryRounds;
  const rounds = t.base.length;
  const planOf = (looks) => ({
    looks,
    ...planLooks({ looks, clusterOf: (r) => Math.floor(r / every), confidence: method.confidence }),
  });
  let plan = method?.lookRounds?.length ? planOf(method.lookRounds) : null;
  for (let h = rounds + (rounds % 2); !plan && method && h <= MAX_ROUNDS; h += 2) {
    const candidate = planOf(plannedLooks(every, h));
    if (Math.abs(candidate.levelAt(rounds) - latency.interval.level) < 1e-9) plan = candidate;
  }
  return { verdict: latency.verdict, rounds, threshold: latency.threshold, plan };
}

// ---------------------------------------------------------------------------
// Main.

function parseArgs(argv) {
  const options = { runs: 1000, seed: 20261201 };
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i].replace(/^--/, '');
    if (!(name in options)) throw new Error(`unknown option ${argv[i]} (--runs, --seed)`);
    const value = Number(argv[++i]);
    if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} needs an integer >= 1`);
    options[name] = value;
  }
  return options;
}

const newPath = () => ({
  base: new Float64Array(MAX_ROUNDS * ITERATIONS),
  head: new Float64Array(MAX_ROUNDS * ITERATIONS),
});
const pct = (k, n) => `${((100 * k) / n).toFixed(1)}%`;
const p2 = (x) => `${(100 * x).toFixed(2)}%`;
const medianOf = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? Number.NaN : s[Math.floor((s.length - 1) / 2)];
};

/** compare() must give the interval this script computes from its parts. */
function checkAgainstCompare(path, schedule) {
  const n = schedule.looks[schedule.looks.length - 1];
  const labels = LABELS.slice(0, n * ITERATIONS);
  const clusterOf = (r) => Math.floor(r / schedule.restart);
  const base = Array.from(path.base.subarray(0, n * ITERATIONS));
  const head = Array.from(path.head.subarray(0, n * ITERATIONS));
  const level = schedule.levels[schedule.levels.length - 1];
  const c = compare(base, head, {
    confidence: level,
    rounds: { base: labels, head: labels, clusterOf },
  });
  const mine = clusteredInterval(
    pairRounds(base, head, { base: labels, head: labels }, clusterOf),
    level,
  );
  if (
    Math.abs(c.interval.lower - mine.lower) > 1e-12 ||
    Math.abs(c.interval.upper - mine.upper) > 1e-12
  )
    throw new Error(
      'compare() and the parts disagree: this bench no longer simulates the shipped verdict',
    );
}

function main() {
  const options = parseArgs(process.argv.slice(2));
  const started = performance.now();
  const tenFrames = loadDir('vggt1b-h200', (f) => f.startsWith('aa'));
  // A/A runs of the published model only: `once-*` read the rotary length once.
  const twentyFrames = loadDir('vggt1b-h200-20f', (f) => !f.startsWith('once')).filter(
    (t) => t.truth === 0,
  );
  const generators = {
    'traces-10f': bootstrap(processPairs(tenFrames)),
    'traces-20f': bootstrap(processPairs(twentyFrames)),
    mild,
  };
  // Per noise (pace), restart cadence and K: the looks and their levels.
  const schedules = {};
  for (const noise of NOISES)
    for (const restart of RESTARTS) {
      const horizon = horizonOf(PACE[noise], restart);
      const looks = plannedLooks(restart, horizon);
      for (const k of GATE_K) {
        const plan = planLooks({
          looks,
          clusterOf: (r) => Math.floor(r / restart),
          confidence: levelFor(k),
        });
        const end = timeStopOf(PACE[noise], restart);
        schedules[`${noise}/${restart}/${k}`] = {
          restart,
          horizon,
          planned: { looks, levels: plan.levels },
          ...reachedLooks(looks, plan.levels, horizon, end),
        };
      }
    }

  console.log(`### The shipped verdict: ${options.runs} runs per cell, seed ${options.seed}\n`);
  console.log(
    '| noise | restarts every | horizon (180 s) | 180 s pass in round | looks at rounds | per-look level, K = 1 / 10 / 30 |',
  );
  console.log('|---|---|---|---|---|---|');
  for (const noise of NOISES)
    for (const restart of RESTARTS) {
      const s = (k) => schedules[`${noise}/${restart}/${k}`];
      console.log(
        `| ${noise} | ${restart} rounds | ${s(1).horizon} rounds | ${timeStopOf(PACE[noise], restart)} | ${s(1).looks.join(', ')} | ${GATE_K.map((k) => `${(100 * s(k).levels[0]).toFixed(2)}%`).join(' / ')} |`,
      );
    }

  const rows = [];
  let checked = 0;
  NOISES.forEach((noise, n) => {
    RESTARTS.forEach((restart) => {
      const pace = PACE[noise];
      const cells = TRUTHS.map((truth, t) => {
        const rng = createRng((options.seed ^ (n * 7919 + t * 104729 + restart * 15485863)) >>> 0);
        const path = newPath();
        const tallies = THRESHOLDS.map(() => ({
          regression: 0,
          unchanged: 0,
          improvement: 0,
          covered: 0,
          within60: 0, // regressions called by 60 s
          within120: 0,
          seconds: [],
        }));
        let everyLook = 0;
        const gate = GATE_K.map(() => THRESHOLDS.map(() => 0));
        for (let run = 0; run < options.runs; run++) {
          generators[noise](rng, truth, restart, path);
          const schedule = schedules[`${noise}/${restart}/1`];
          if (checked < 20) {
            checkAgainstCompare(path, schedule);
            checked++;
          }
          const r = gateRun(path, schedule, 1 + truth);
          if (r.everyLook) everyLook++;
          r.perThreshold.forEach((o, j) => {
            const tally = tallies[j];
            if (o.verdict !== 'inconclusive') tally[o.verdict]++;
            if (o.covered) tally.covered++;
            const seconds = secondsAt(pace, restart, o.rounds);
            if (o.verdict === 'regression' && seconds <= 60) tally.within60++;
            if (o.verdict === 'regression' && seconds <= 120) tally.within120++;
            if (o.verdict !== 'inconclusive') tally.seconds.push(seconds);
          });
          if (truth === 0)
            GATE_K.forEach((k, g) => {
              if (k === 1) return;
              const b = gateRun(path, schedules[`${noise}/${restart}/${k}`], 1);
              b.perThreshold.forEach((o, j) => {
                if (o.verdict === 'regression' || o.verdict === 'improvement') gate[g][j]++;
              });
            });
        }
        return { truth, tallies, everyLook, gate };
      });
      rows.push({ noise, restart, cells });
    });
  });

  const runs = options.runs;
  console.log('\n#### False alarms, power, coverage and time\n');
  console.log(
    'A/A false alarm = regression or improvement at truth 0; power = regression (within 60 s and 120 s of the start, at the pace above); wrong pass = "unchanged" while the truth exceeds the threshold (every truth above the threshold from +2%); coverage at stop = the stopping look\'s interval holds the true ratio (lowest over the truths); every look = all looks\' intervals hold it at once (lowest over the truths); seconds = median to a decided verdict.\n',
  );
  console.log(
    '| noise | restarts every | threshold | A/A false alarm | regression at +1% | +1% within 120 s | power at +3% | +3% within 60 s | +3% within 120 s | power at +5% | wrong pass | coverage at stop | coverage at every look | median s to verdict, A/A | median s, +3% |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const { noise, restart, cells } of rows)
    THRESHOLDS.forEach((threshold, j) => {
      const at = (truth) => cells.find((c) => c.truth === truth).tallies[j];
      const aa = at(0);
      const wrong = Math.max(
        ...TRUTHS.filter((t) => t > threshold + 1e-9).map((t) => at(t).unchanged),
      );
      const coverage = Math.min(...TRUTHS.map((t) => at(t).covered));
      const every = Math.min(...cells.map((c) => c.everyLook));
      const med = (xs) => (xs.length > 0 ? `${medianOf(xs).toFixed(0)} s` : 'none decided');
      console.log(
        `| ${noise} | ${restart} | ${p2(threshold)} | ${pct(aa.regression + aa.improvement, runs)} | ${pct(at(0.01).regression, runs)} | ${pct(at(0.01).within120, runs)} | ${pct(at(0.03).regression, runs)} | ${pct(at(0.03).within60, runs)} | ${pct(at(0.03).within120, runs)} | ${pct(at(0.05).regression, runs)} | ${pct(wrong, runs)} | ${pct(coverage, runs)} | ${pct(every, runs)} | ${med(aa.seconds)} | ${med(at(0.03).seconds)} |`,
      );
    });

  console.log(
    '\n#### Many benchmarks in one run: A/A false alarms per latency verdict, K benchmarks\n',
  );
  console.log(
    "Each benchmark's latency verdict planned at 1 - 0.05/(1.1 K) (the runner shares the 5% over the run's verdicts, memory's weighing 0.1), measured on the same A/A runs; at the gate, K independent verdicts raise one with 1 - (1 - f)^K.\n",
  );
  console.log(
    '| noise | restarts every | threshold | f, K = 10 | gate, K = 10 | f, K = 30 | gate, K = 30 |',
  );
  console.log('|---|---|---|---|---|---|---|');
  for (const { noise, restart, cells } of rows)
    THRESHOLDS.forEach((threshold, j) => {
      const g = cells[0].gate;
      const f = (k) => g[GATE_K.indexOf(k)][j] / runs;
      const atGate = (k) => pct(1 - (1 - f(k)) ** k, 1);
      console.log(
        `| ${noise} | ${restart} | ${p2(threshold)} | ${pct(f(10), 1)} | ${atGate(10)} | ${pct(f(30), 1)} | ${atGate(30)} |`,
      );
    });
  printReplays(schedules['traces-20f/2/1']);
  console.error(`\nsimulate-gate: ${((performance.now() - started) / 1000).toFixed(0)} s.`);
}

main();
