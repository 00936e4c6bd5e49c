import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type NvmlRecording, nvmlReader, replayNvml } from '@vggt-perf-gate/device';
import { describe, expect, it } from 'vitest';
import { measureBenchmark } from '../src/gate/measure/measure-benchmark.js';
import type { BenchmarkPlan } from '../src/gate/measure/plan.js';
import { throttleWarning } from '../src/gate/measure/result.js';
import type { BenchmarkStopRule } from '../src/gate/measure/stop-rule.js';
import type { BenchmarkProgress } from '../src/gate/progress-events.js';
import { howMeasured } from '../src/report/format.js';
import { renderMarkdown } from '../src/report/markdown.js';
import { renderTerminal } from '../src/report/terminal.js';
import type { BenchmarkResult, GateResults } from '../src/results/types.js';
import { gateVerdict } from '../src/results/verdict.js';
import type { Workload, WorkloadSession } from '../src/workloads/types.js';
import { plan } from './fixtures/plan.js';
import { noGpuResults } from './fixtures/results.js';
import { FIXTURES, fixtureWorkload, isGone } from './fixtures/workers/helpers.js';

/** Wraps a workload to record the PID of every session it opens. */
function recording(workload: Workload) {
  const pids: Array<{ side: string; pid: number }> = [];
  const wrapped: Workload = {
    kind: workload.kind,
    async open(context) {
      const session: WorkloadSession = await workload.open(context);
      pids.push({ side: context.side, pid: session.pid });
      return session;
    },
  };
  return { wrapped, pids };
}

/**
 * Wraps a workload so `opened(pid)` and `closed(pid)` hear of each session it
 * opens and closes: a recorded GPU can then follow the run's own processes,
 * as a real driver does.
 */
function watchSessions(
  workload: Workload,
  hooks: { opened: (pid: number) => void; closed: (pid: number) => void },
): Workload {
  return {
    kind: workload.kind,
    async open(context) {
      const session = await workload.open(context);
      hooks.opened(session.pid);
      return {
        get info() {
          return session.info;
        },
        pid: session.pid,
        warmup: (n) => session.warmup(n),
        run: (n) => session.run(n),
        ...(session.profile ? { profile: () => session.profile!() } : {}),
        close: async () => {
          await session.close();
          hooks.closed(session.pid);
        },
      };
    },
  };
}

const HEAD_START_FAILURE = 'head: python3 worker.py exited with code 1';

/**
 * Base opens `inner` (its worker PIDs are collected from the log); head fails
 * once base's worker is `spawned` (inside its setup) or `ready` (fully open).
 */
function headFailsToStart(inner: Workload, after: 'spawned' | 'ready') {
  const started: number[] = [];
  let spawned: () => void = () => undefined;
  const baseSpawned = new Promise<void>((resolve) => {
    spawned = resolve;
  });
  let baseOpening: Promise<unknown> = Promise.resolve();
  const workload: Workload = {
    kind: inner.kind,
    async open(context) {
      if (context.side === 'head') {
        await (after === 'spawned' ? baseSpawned : baseOpening.catch(() => undefined));
        throw new Error(HEAD_START_FAILURE);
      }
      const opening = inner.open({
        ...context,
        log: (line) => {
          const pid = /started pid (\d+)/.exec(line)?.[1];
          if (pid) {
            started.push(Number(pid));
            spawned();
          }
        },
      });
      baseOpening = opening;
      return opening;
    },
  };
  return { workload, started };
}

describe('measureBenchmark: worker processes as the unit of replication', () => {
  it('starts fresh base and head processes every restartEveryRounds rounds', async () => {
    // Scripted times: the round count below must not depend on the machine's load.
    const { wrapped, pids } = recording(fixtureWorkload('scripted_times.py'));
    const progress: BenchmarkProgress[] = [];
    const result = await measureBenchmark(
      plan(wrapped, { restartEveryRounds: 1, maxRounds: 6 }),
      { base: FIXTURES, head: FIXTURES },
      () => undefined,
      { onProgress: (p) => progress.push(p) },
    );
    expect(result.status).toBe('complete');
    // Decided after the minimum 4 rounds, each with processes of its own: every one a new PID.
    expect(result.rounds).toBe(4);
    expect(result.processes).toBe(4);
    expect(pids.filter((p) => p.side === 'base')).toHaveLength(4);
    expect(new Set(pids.map((p) => p.pid)).size).toBe(8);
    expect(progress.filter((p) => p.phase === 'restarting')).toHaveLength(3);
    expect(progress.at(-1)?.phase).toBe('done');
    // Every sample is kept, with its round, for reports and re-analysis.
    const latency = result.samples?.latency;
    expect(latency?.base).toHaveLength(result.rounds * 3);
    expect(latency?.baseRounds.slice(0, 3)).toEqual([0, 0, 0]);
  });

  it('starts base and head at the same time, and says when the verdict was known', async () => {
    const events: string[] = [];
    const inner = fixtureWorkload('sleepy.py');
    const wrapped: Workload = {
      kind: inner.kind,
      async open(context) {
        events.push(`open ${context.side}`);
        const session = await inner.open(context);
        events.push(`opened ${context.side}`);
        return session;
      },
    };
    const result = await measureBenchmark(
      plan(wrapped, { restartEveryRounds: 2, maxRounds: 4 }),
      { base: FIXTURES, head: FIXTURES },
      () => undefined,
    );
    expect(result.status).toBe('complete');
    // Each start (the first and the restart) asks for both sides before either is up.
    expect(events.slice(0, 2).sort()).toEqual(['open base', 'open head']);
    expect(events.slice(4, 6).sort()).toEqual(['open base', 'open head']);
    // The verdict's time excludes the profiling and shutdown after the last round.
    expect(result.verdictSeconds).toBeGreaterThan(0);
    // Stopping the workers (a `bye`, their exit) comes after the verdict and takes time.
    expect(result.verdictSeconds).toBeLessThan(result.seconds);
  });

  it('when one side fails to start, the side that started is stopped and the error kept', async () => {
    const { workload, started } = headFailsToStart(fixtureWorkload('sleepy.py'), 'ready');
    const result = await measureBenchmark(
      plan(workload),
      { base: FIXTURES, head: FIXTURES },
      () => undefined,
    );
    expect(result.status).toBe('failed');
    expect(result.error).toContain(HEAD_START_FAILURE);
    expect(result.verdictSeconds).toBeNull();
    expect(started).toHaveLength(1);
    // The base worker was started and must not outlive the benchmark.
    expect(isGone(started[0]!)).toBe(true);
  });

  it('a side that fails to start ends the start of the other, not after its setup', async () => {
    // base's setup would take ten minutes; head fails while it runs.
    const { workload, started } = headFailsToStart(fixtureWorkload('slow_setup.py'), 'spawned');
    const result = await measureBenchmark(
      plan(workload),
      { base: FIXTURES, head: FIXTURES },
      () => undefined,
    );
    expect(result.status).toBe('failed');
    // Not after base's ten-minute setup: the test's own time limit would end it first.
    expect(result.error).toBe(HEAD_START_FAILURE);
    expect(started).toHaveLength(1);
    expect(isGone(started[0]!)).toBe(true);
  }, 30_000);

  it('takes another stop rule: it decides when measuring stops, the budget still caps it', async () => {
    // The gate's rule would stop this A/A at 4 rounds (a 50% threshold decides at once).
    const seen: number[] = [];
    const eightRounds: BenchmarkStopRule = (m) => ({
      shouldStop: ({ rounds }) => {
        seen.push(rounds);
        // The rule sees the measurement: every metric compared by now.
        expect(Object.keys(m.comparisons)).toContain('latency');
        return rounds >= 8 ? 'max-rounds' : null;
      },
    });
    const result = await measureBenchmark(
      plan(fixtureWorkload('scripted_times.py'), { restartEveryRounds: 0, maxRounds: 20 }),
      { base: FIXTURES, head: FIXTURES },
      () => undefined,
      { stopRule: eightRounds },
    );
    expect(result.rounds).toBe(8);
    expect(result.stopReason).toBe('max-rounds');
    expect(seen).toEqual([2, 4, 6, 8]);
    // Never asked: a rule that never stops is still ended by maxRounds.
    const capped = await measureBenchmark(
      plan(fixtureWorkload('scripted_times.py'), { restartEveryRounds: 0, maxRounds: 6 }),
      { base: FIXTURES, head: FIXTURES },
      () => undefined,
      { stopRule: () => ({ shouldStop: () => null }) },
    );
    expect(capped.rounds).toBe(6);
    expect(capped.stopReason).toBe('max-rounds');
  }, 30_000);

  it('stopped undecided by its round limit: the warning names the open verdict and says what would decide it', async () => {
    // Scripted times, head 2% slower (with its jitter pattern) against a 2% threshold:
    // the same numbers whatever the machine's load, too close to decide in 8 rounds.
    const result = await measureBenchmark(
      plan(fixtureWorkload('scripted_times.py', { env: { HEAD_FACTOR: '1.02' } }), {
        restartEveryRounds: 2,
        maxRounds: 8,
        thresholds: { latency: 0.02, memory: 0.05, throughput: 0.02 },
      }),
      { base: FIXTURES, head: FIXTURES },
      () => undefined,
    );
    expect(result.stopReason).toBe('max-rounds');
    expect(result.metrics[0]!.verdict).toBe('inconclusive');
    const undecided = result.warnings.filter((w) => w.startsWith('undecided at'));
    expect(undecided).toHaveLength(1);
    expect(undecided[0]).toMatch(
      /^undecided at the round limit \(8 rounds\): latency \+2\.\d\d% \[[^\]]+\] against ±2%\. About (\d+) rounds would likely decide it: budget\.maxRounds: \1(, and budget\.maxSeconds: \d+0, the time they take at this run's pace)?\.$/,
    );
    expect(Number(/About (\d+) rounds/.exec(undecided[0]!)![1])).toBeGreaterThan(8);
  }, 30_000);

  it('with restarts, a verdict waits for a second process per side', async () => {
    // A 50% threshold decides "unchanged" after the first 4 rounds on its own. Scripted
    // times: the round counts below must not depend on how loaded the machine is.
    const once = await measureBenchmark(
      plan(fixtureWorkload('scripted_times.py'), { restartEveryRounds: 0 }),
      { base: FIXTURES, head: FIXTURES },
      () => undefined,
    );
    expect(once.stopReason).toBe('decided');
    expect(once.rounds).toBe(4);
    expect(once.processes).toBe(1);
    const replicated = await measureBenchmark(
      plan(fixtureWorkload('scripted_times.py'), { restartEveryRounds: 3, maxRounds: 12 }),
      { base: FIXTURES, head: FIXTURES },
      () => undefined,
    );
    expect(replicated.stopReason).toBe('decided');
    expect(replicated.rounds).toBe(6);
    expect(replicated.processes).toBe(2);
    // The scripted worker reports device times: the results say so, with the warm-up.
    expect(replicated.timing).toEqual({ warmupIterations: 1, clock: 'device' });
    // The interval counted the two process pairs, not the six rounds, as independent.
    expect(replicated.metrics[0]?.intervalMethod).toMatchObject({
      clusters: 2,
      pairedRounds: 6,
      roundsPerCluster: 3,
      verdicts: 1,
      shape: 'pocock',
      // Where it could stop: the first round with a second process per side, then the
      // round budget (the rounds in between end no process pair).
      lookRounds: [6, 12],
    });
  });
});

describe("measureBenchmark with the runner's calibrated noise", () => {
  it("records the noise it measured, and a floor above it widens latency's interval, saying so", async () => {
    const run = (noiseFloor: BenchmarkPlan['noiseFloor']) =>
      measureBenchmark(
        plan(fixtureWorkload('scripted_times.py'), {
          restartEveryRounds: 3,
          maxRounds: 12,
          noiseFloor,
        }),
        { base: FIXTURES, head: FIXTURES },
        () => undefined,
      );
    const own = await run(null);
    const method = own.metrics[0]?.intervalMethod;
    expect(method?.noise?.perRoundSd).toBeGreaterThanOrEqual(0);
    expect(method?.noise?.betweenPairSd).toBeGreaterThanOrEqual(0);
    expect(method?.noiseFloor).toBeNull();
    const floor = {
      betweenPairSd: 0.2,
      perRoundSd: 0.2,
      calibrations: 5,
      newest: '2026-11-30T00:00:00.000Z',
      runner: 'rtx4090-1',
    };
    const floored = await run(floor);
    expect(floored.metrics[0]?.intervalMethod?.noiseFloor).toEqual({ ...floor, widened: true });
    const width = (r: typeof own) =>
      (r.metrics[0]?.interval?.upper ?? 0) - (r.metrics[0]?.interval?.lower ?? 0);
    expect(width(floored)).toBeGreaterThan(width(own));
    // 20% between pairs cannot decide a 50% threshold in 12 rounds: the floor made it honest, not faster.
    expect(howMeasured(floored)).toMatch(
      /no narrower than the runner's calibrated noise \(20\.00% between process pairs, the median of 5 A\/A runs on rtx4090-1, newest 2026-11-30\), which widened it/,
    );
  }, 30_000);
});

describe('measureBenchmark: what ran, profiled after the last timed sample', () => {
  it('profiles each side once, after every run request, and keeps the profiles', async () => {
    const log = join(mkdtempSync(join(tmpdir(), 'perf-gate-profile-')), 'requests.txt');
    const workload = fixtureWorkload('profiled.py', {
      env: {
        REQUEST_LOG: log,
        PROFILE_BASE: 'vggt-bf16-default',
        PROFILE_HEAD: 'vggt-bf16-math',
        MS_BASE: '60',
        MS_HEAD: '790',
      },
    });
    const result = await measureBenchmark(
      plan(workload, { restartEveryRounds: 2, maxRounds: 4 }),
      { base: FIXTURES, head: FIXTURES },
      () => undefined,
    );
    expect(result.status).toBe('complete');
    const requests = readFileSync(log, 'utf8').trim().split('\n');
    // The profile comes after the last run of its process, and nothing is timed after it.
    for (const side of ['base', 'head']) {
      const mine = requests.filter((r) => r.startsWith(side));
      expect(mine.filter((r) => r.endsWith('profile'))).toHaveLength(1);
      expect(mine.at(-2)).toBe(`${side} profile`);
      expect(mine.at(-1)).toBe(`${side} shutdown`);
    }
    expect(result.profiles?.head?.ops['aten::_scaled_dot_product_attention_math']).toBe(72);

    const results = gateResultsOf(result);
    const markdown = renderMarkdown(results);
    // The attention kernel that ran is named (Markdown escapes its underscores).
    expect(markdown).toMatch(
      /base profiled: bf16 · attention cuDNN \(cudnn\\_generated\\_fort\\_native\\_sdpa[^)]*\) · matmul bf16/,
    );
    expect(markdown).toContain('head profiled: bf16 · attention math (materialised)');
    expect(markdown).toMatch(
      /\*\*What changed in sleepy\*\*: attention cuDNN → math \(materialised\); fp32 GEMM kernels 0% → \d+% of device time\. Kernels by device time/,
    );
    expect(markdown).toMatch(
      /\| `at::native::::cunn_SoftMaxForwardReg` \| – \| [\d.]+ ms \| appeared \|/,
    );
  });
});

describe('measureBenchmark: a profile part that failed, and host reads, reach the report', () => {
  it('keeps the parts that ran, names the one that failed, and counts host reads', async () => {
    // As VGGT-1B's head did on torch 2.11: FlopCounterMode raised, the profiler pass ran.
    const failed = { flops: "AttributeError: 'NoneType' object has no attribute 'next_functions'" };
    const workload = fixtureWorkload('profiled.py', {
      env: {
        REQUEST_LOG: join(mkdtempSync(join(tmpdir(), 'perf-gate-profile-')), 'requests.txt'),
        PROFILE_BASE: 'vggt-bf16-default',
        PROFILE_HEAD: 'vggt-bf16-default',
        EXTRA_BASE: JSON.stringify({ hostReads: 96 }),
        EXTRA_HEAD: JSON.stringify({ hostReads: 96, flops: null, failedParts: failed }),
      },
    });
    const result = await measureBenchmark(
      plan(workload, { restartEveryRounds: 2, maxRounds: 4 }),
      { base: FIXTURES, head: FIXTURES },
      () => undefined,
    );
    expect(result.profiles?.head?.failedParts).toEqual(failed);
    expect(result.profiles?.head?.hostReads).toBe(96);
    expect(result.profiles?.head?.kernels.length).toBeGreaterThan(0);
    const markdown = renderMarkdown(gateResultsOf(result));
    expect(markdown).toContain(
      "head profiled: bf16 · attention cuDNN (cudnn\\_generated\\_fort\\_native\\_sdpa\\_sm90\\_flash\\_fprop\\_wgmma\\_f16…) · matmul bf16 · 96 host reads per iteration · not profiled: flops (AttributeError: 'NoneType' object has no attribute 'next\\_functions')",
    );
  });
});

function gateResultsOf(benchmark: BenchmarkResult): GateResults {
  return {
    schemaVersion: 1,
    tool: { name: 'vggt-perf-gate', version: '0.0.0' },
    createdAt: new Date(0).toISOString(),
    configHash: 'test',
    commits: {
      base: { ref: 'HEAD~1', sha: null },
      head: { ref: 'working tree', sha: null, dirty: false },
    },
    device: {
      state: 'ok',
      name: 'NVIDIA H100 80GB HBM3',
      computeCapability: '9.0',
      driver: '580',
      source: 'nvml',
    },
    status: 'complete',
    verdict: 'regression',
    regressions: 1,
    benchmarks: [benchmark],
    warnings: [],
    shard: null,
  };
}

describe('restarts keep a process-level offset from passing for a regression', () => {
  // The same code on both sides; the first head process is 5% slower: a process-level
  // offset, exaggerated from the up to 0.65% measured on a GPU. The latency threshold is
  // 2%. The times are scripted, so the verdicts do not depend on the machine's load.
  const run = (restartEveryRounds: number) =>
    measureBenchmark(
      plan(
        fixtureWorkload('scripted_times.py', {
          env: { OFFSET_DIR: mkdtempSync(join(tmpdir(), 'perf-gate-offset-')) },
        }),
        {
          thresholds: { latency: 0.02, memory: 0.05, throughput: 0.02 },
          iterationsPerRound: 5,
          maxRounds: 8,
          restartEveryRounds,
        },
      ),
      { base: FIXTURES, head: FIXTURES },
      () => undefined,
    );

  it('from one process pair, the offset reads as a regression (the failure restarts prevent)', async () => {
    const once = await run(0);
    const latency = once.metrics.find((m) => m.metric === 'latency');
    expect(latency?.verdict).toBe('regression');
    expect(latency?.ratio).toBeGreaterThan(1.02);
  });

  it('with fresh processes every 2 rounds, the same A/A is not a regression', async () => {
    const replicated = await run(2);
    expect(replicated.processes).toBeGreaterThanOrEqual(2);
    const latency = replicated.metrics.find((m) => m.metric === 'latency');
    expect(latency?.verdict).not.toBe('regression');
    expect(latency?.interval?.lower).toBeLessThan(1.02);
  });
});

describe('throttling clock events', () => {
  // An NVML recording of a real GPU, its clock-event reasons set to a software power cap
  // (0x4), which the H200 used for the validation runs reported in every round.
  const recording = JSON.parse(
    readFileSync(new URL('../../device/fixtures/nvml-busy.json', import.meta.url), 'utf8'),
  ) as NvmlRecording;
  const capped: NvmlRecording = {
    ...recording,
    devices: recording.devices.map((d) => ({ ...d, clockEventReasons: '0x4' })),
  };

  it('a cap in every round is reported as fair to both sides', async () => {
    const result = await measureBenchmark(
      plan(fixtureWorkload('sleepy.py'), {
        gpu: { index: 0, reader: nvmlReader(replayNvml(capped)) },
      }),
      { base: FIXTURES, head: FIXTURES },
      () => undefined,
    );
    expect(result.status).toBe('complete');
    expect(result.throttledRounds).toHaveLength(result.rounds);
    expect(result.warnings.join('\n')).toContain(
      `(sw_power_cap) in every round (${result.rounds} of ${result.rounds}): base and head ran under the same limit`,
    );
  });

  it('a cap in some rounds names them and says what to check', () => {
    expect(throttleWarning([3, 7], 8, ['hw_slowdown'])).toMatch(
      /^the GPU reported throttling clock events \(hw_slowdown\) in rounds 3, 7 of 8: .*check a close verdict against those rounds/,
    );
    expect(throttleWarning([2], 8, ['sw_power_cap'])).toContain('in round 2 of 8');
  });
});

describe('process pairs started together, GPU memory allowing', () => {
  // A recorded H100 (79.6 GiB, 4.0 GiB used by others) whose used memory follows the
  // sessions open, so many GiB each, as a model of that size would hold.
  const GiB = 2 ** 30;
  const recorded = JSON.parse(
    readFileSync(new URL('../../device/fixtures/nvml-busy.json', import.meta.url), 'utf8'),
  ) as NvmlRecording;
  function gpuFollowing(perSession: number) {
    const recording: NvmlRecording = structuredClone(recorded);
    const device = recording.devices[0]!;
    const total = Number(device.memoryV2!.total);
    const others = Number(device.memoryV2!.used);
    let open = 0;
    const update = () => {
      const used = others + open * perSession;
      device.memoryV2 = { ...device.memoryV2!, used: String(used), free: String(total - used) };
      device.memory = { ...device.memory, used: String(used), free: String(total - used) };
    };
    update();
    const follow = (workload: Workload) =>
      watchSessions(workload, {
        opened: () => {
          open++;
          update();
        },
        closed: () => {
          open--;
          update();
        },
      });
    return { reader: nvmlReader(replayNvml(recording)), follow };
  }

  it('starts as many pairs as fit after the first, uses each for its rounds, and leaves none running', async () => {
    const gpu = gpuFollowing(8 * GiB);
    const { wrapped, pids } = recording(gpu.follow(fixtureWorkload('scripted_times.py')));
    const lines: string[] = [];
    const result = await measureBenchmark(
      plan(wrapped, {
        gpu: { index: 0, reader: gpu.reader },
        restartEveryRounds: 2,
        maxRounds: 12,
        pairsAtOnce: 4,
        // An A/A that cannot be decided: every pair the budget allows is used.
        thresholds: { latency: 0.0001, memory: 0.05, throughput: 0.0001 },
      }),
      { base: FIXTURES, head: FIXTURES },
      (line) => lines.push(line),
    );
    expect(result.status).toBe('complete');
    expect(result.rounds).toBe(12);
    // One pair first (its footprint, 16 GiB, measured); then 3 of the 5 still needed fit in
    // the 75.6 GiB free (25% margin, 2 GiB headroom); then the last 2.
    expect(lines.filter((l) => /started 3 process pairs together/.test(l))).toHaveLength(1);
    expect(lines.filter((l) => /started 2 process pairs together/.test(l))).toHaveLength(1);
    expect(result.processes).toBe(6);
    expect(pids.filter((p) => p.side === 'base')).toHaveLength(6);
    expect(new Set(pids.map((p) => p.pid)).size).toBe(12);
    expect(result.metrics[0]?.intervalMethod?.clusters).toBe(6);
    for (const { pid } of pids) expect(isGone(pid)).toBe(true);
  });

  it('starts one pair at a time when only one fits (a 24 GiB card with a model filling half)', async () => {
    const gpu = gpuFollowing(40 * GiB);
    const lines: string[] = [];
    const result = await measureBenchmark(
      plan(gpu.follow(fixtureWorkload('scripted_times.py')), {
        gpu: { index: 0, reader: gpu.reader },
        restartEveryRounds: 2,
        maxRounds: 8,
        pairsAtOnce: 4,
        thresholds: { latency: 0.0001, memory: 0.05, throughput: 0.0001 },
      }),
      { base: FIXTURES, head: FIXTURES },
      (line) => lines.push(line),
    );
    expect(result.processes).toBe(4);
    expect(lines.some((l) => /process pairs together/.test(l))).toBe(false);
  });
});

describe('a GPU shared with other processes', () => {
  // A real H100 recorded while two other processes held 2.5 and 1.5 GiB on it.
  const busy = JSON.parse(
    readFileSync(new URL('../../device/fixtures/nvml-busy.json', import.meta.url), 'utf8'),
  ) as NvmlRecording;
  /** The recording, with the run's own workers listed while they run, as a real driver lists them. */
  function listingOwnWorkers(recording: NvmlRecording, workload: Workload) {
    const device = recording.devices[0]!;
    const others = [...device.computeProcesses];
    const own = new Set<number>();
    const update = () => {
      device.computeProcesses = [
        ...others,
        ...[...own].map((pid) => ({ pid, usedGpuMemory: String(2 ** 30) })),
      ];
    };
    update();
    const wrapped = watchSessions(workload, {
      opened: (pid) => {
        own.add(pid);
        update();
      },
      closed: (pid) => {
        own.delete(pid);
        update();
      },
    });
    return { reader: nvmlReader(replayNvml(recording)), workload: wrapped };
  }

  it('records who was there and when, warns, and the run is never a clean pass', async () => {
    const gpu = listingOwnWorkers(structuredClone(busy), fixtureWorkload('scripted_times.py'));
    const result = await measureBenchmark(
      plan(gpu.workload, { gpu: { index: 0, reader: gpu.reader } }),
      { base: FIXTURES, head: FIXTURES },
      () => undefined,
    );
    expect(result.metrics[0]?.verdict).toBe('unchanged');
    expect(result.sharedGpu?.rounds).toHaveLength(result.rounds);
    expect(result.sharedGpu?.processes).toEqual([
      { gpuIndex: 0, pid: 941, peakBytes: 2690646016 },
      { gpuIndex: 0, pid: 966, peakBytes: 1616904192 },
    ]);
    expect(result.warnings.join('\n')).toMatch(
      /other processes used the GPU in \d+ of \d+ rounds: PID 941 on GPU 0 \(2\.5 GiB\), PID 966 on GPU 0 \(1\.5 GiB\)\. .*not a clean pass/,
    );
    expect(gateVerdict([result]).verdict).toBe('inconclusive');
    const gated = noGpuResults({ benchmarks: [result], ...gateVerdict([result]) });
    expect(renderMarkdown(gated).split('\n')[0]).toBe(
      '### 🟡 Performance gate inconclusive: measured beside other GPU processes (PIDs 941, 966): not a clean pass',
    );
    expect(renderTerminal(gated)).toMatch(
      /^verdict: INCONCLUSIVE \(measured beside other GPU processes \(PIDs 941, 966\): not a clean pass\)$/m,
    );
  });

  it('the same run on a GPU of its own passes', async () => {
    const alone = structuredClone(busy);
    alone.devices[0]!.computeProcesses = [];
    const gpu = listingOwnWorkers(alone, fixtureWorkload('scripted_times.py'));
    const result = await measureBenchmark(
      plan(gpu.workload, { gpu: { index: 0, reader: gpu.reader } }),
      { base: FIXTURES, head: FIXTURES },
      () => undefined,
    );
    expect(result.sharedGpu).toBeNull();
    expect(gateVerdict([result]).verdict).toBe('pass');
  });

  it('in a container whose PIDs the driver does not list, it says it cannot tell, and does not guess', async () => {
    // The driver lists host PIDs: none is the run's own, so none can be called a neighbour.
    const result = await measureBenchmark(
      plan(fixtureWorkload('scripted_times.py'), {
        gpu: { index: 0, reader: nvmlReader(replayNvml(structuredClone(busy))) },
      }),
      { base: FIXTURES, head: FIXTURES },
      () => undefined,
    );
    expect(result.sharedGpu).toBeNull();
    expect(gateVerdict([result]).verdict).toBe('pass');
    expect(result.warnings.join('\n')).toMatch(
      /none of them was this run's own: in a container .*docker --pid=host/,
    );
  });
});

describe('a side that runs out of GPU memory', () => {
  const run = (env: Record<string, string>) =>
    measureBenchmark(
      plan(fixtureWorkload('out_of_memory.py', { env }), { restartEveryRounds: 2 }),
      { base: FIXTURES, head: FIXTURES },
      () => undefined,
    );

  it('head out of memory where base fits is a memory regression, with what it tried to allocate', async () => {
    const result = await run({ OOM_SIDES: 'head' });
    expect(result.status).toBe('complete');
    expect(result.stopReason).toBe('out-of-memory');
    expect(result.outOfMemory).toMatchObject({
      side: 'head',
      phase: 'step',
      triedBytes: Math.trunc(109.51 * 2 ** 30),
    });
    // The config measured latency only: memory is the verdict all the same.
    const memory = result.metrics.find((m) => m.metric === 'memory');
    expect(memory?.verdict).toBe('regression');
    expect(memory?.explanation).toBe(
      'regression: head ran out of GPU memory in step: it tried to allocate 109.51 GiB; base fit',
    );
    expect(result.metrics.find((m) => m.metric === 'latency')?.explanation).toBe(
      'latency was not measured: head ran out of GPU memory in step',
    );
    // What ran on each side, as far as it is known: both workers had said who they are.
    expect(result.ran.base?.framework).toBe('python');
    expect(result.ran.head?.framework).toBe('python');
    expect(gateVerdict([result])).toEqual({ verdict: 'regression', regressions: 1 });
    const markdown = renderMarkdown(
      noGpuResults({ benchmarks: [result], ...gateVerdict([result]) }),
    );
    expect(markdown).toContain('### 🔴 Performance regression: 1 metric');
    expect(markdown).toContain('That is the memory verdict, not a failure to measure');
  });

  it('a side out of memory in its first step reports the autocast dtype it ran, not its weights', async () => {
    const oom = (MODE: string) =>
      measureBenchmark(
        plan(fixtureWorkload('raw.py', { env: { MODE } }), {
          restartEveryRounds: 2,
          dtype: { requested: 'auto', resolved: 'bf16', explanation: 'test' },
        }),
        { base: FIXTURES, head: FIXTURES },
        () => undefined,
      );
    // fp32 weights under bf16 autocast, as VGGT runs: the forward that ran out had seen it.
    const told = await oom('oom-info');
    expect(told.outOfMemory?.side).toBe('head');
    expect(told.ran.head?.dtype).toBe('bf16');
    expect(told.ran.head?.extra.dtypeSource).toBe('autocast');
    expect(told.warnings.filter((w) => /precision|not the configured/.test(w))).toEqual([]);
    // An older client said nothing with its error: its setup-time guess is no warning either.
    const untold = await oom('oom-no-info');
    expect(untold.ran.head?.dtype).toBe('fp32');
    expect(untold.warnings.filter((w) => /precision|not the configured/.test(w))).toEqual([]);
    // A client that says no autocast was seen: the fallback to fp32 is the news.
    const fp32 = await oom('oom-fp32');
    expect(fp32.warnings).toContain('head ran in fp32, not the configured bf16');
  });

  it('base out of memory where head fits is an improvement: the head fixed it', async () => {
    const result = await run({ OOM_SIDES: 'base' });
    expect(result.outOfMemory?.side).toBe('base');
    expect(result.metrics.find((m) => m.metric === 'memory')?.verdict).toBe('improvement');
    expect(gateVerdict([result]).verdict).not.toBe('failed');
  });

  it('both sides out of memory is a failure to measure, not a verdict', async () => {
    const result = await run({ OOM_SIDES: 'base,head' });
    expect(result.status).toBe('failed');
    expect(result.error).toMatch(/ran out of GPU memory/);
    expect(gateVerdict([result]).verdict).toBe('failed');
  });

  it('out of memory after measured rounds keeps their comparison and the memory verdict', async () => {
    // 1 warm-up iteration, then 3 per turn: head's fifth step, its turn in round 1, runs out.
    const result = await run({ OOM_SIDES: 'head', OOM_AFTER: '4' });
    expect(result.outOfMemory?.side).toBe('head');
    expect(result.rounds).toBe(1);
    expect(result.metrics.find((m) => m.metric === 'memory')?.verdict).toBe('regression');
    expect(result.metrics.find((m) => m.metric === 'latency')?.base?.count).toBeGreaterThan(0);
  });
});
